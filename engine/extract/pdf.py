"""PDF text extraction with pypdfium2: one Block per paragraph, pages and lines 1-based."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pypdfium2
import pypdfium2.raw as pdfium_c

from engine.errors import IngestError
from engine.extract.base import Block, Extracted, Limits
from engine.extract.text import paragraphs

NO_TEXT_REASON = (
    "the PDF has no text layer (it may be scanned images); Grace does not run OCR"
)
_GROUP_LINES = 8
_SENTENCE_END = (".", ":", "!", "?", ";")
# PDFium is not thread-safe; every call into it goes through this lock.
_PDFIUM_LOCK = threading.Lock()
_NOISE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def describe_start(data: bytes) -> str:
    """A short, readable description of how ``data`` begins, for error messages."""
    head = data[:16]
    if not head:
        return "nothing (the file is empty)"
    text = head.decode("utf-8", errors="replace")
    if all(c.isprintable() or c in "\t\r\n" for c in text) and "\ufffd" not in text:
        return '"' + " ".join(text.split()) + '"'
    return "the bytes " + head[:8].hex(" ")


def _open(data: bytes) -> pypdfium2.PdfDocument:
    """Open ``data`` as a PDF or raise IngestError with the reason."""
    if b"%PDF-" not in data[:1024]:
        raise IngestError(f"it is not a PDF (it starts with {describe_start(data)})")
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise IngestError("the PDF is password-protected") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise IngestError("the PDF uses an encryption scheme Grace cannot open") from exc
        raise IngestError(f"the PDF is damaged or truncated (pdfium: {exc})") from exc


def _page_text(doc: pypdfium2.PdfDocument, index: int) -> str:
    page = doc[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOISE.sub("", text)


def _grouped(lines: list[str]) -> Iterator[Block]:
    """Paragraphs for a page without blank lines: break after a short line ending a
    sentence, or every few lines."""
    widest = max((len(line.strip()) for line in lines), default=0)
    start: int | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if start is None:
            start = i
        short = len(stripped) < 0.8 * widest
        if (stripped.endswith(_SENTENCE_END) and short) or i - start + 1 >= _GROUP_LINES:
            yield Block("\n".join(s.strip() for s in lines[start : i + 1]), start + 1, i + 1)
            start = None
    if start is not None:
        yield Block("\n".join(s.strip() for s in lines[start:]), start + 1, len(lines))


def _page_blocks(text: str, page: int) -> list[Block]:
    lines = text.split("\n")
    has_blank = any(not line.strip() for line in lines[:-1])
    found = paragraphs(lines) if has_blank else _grouped(lines)
    return [Block(b.text, b.line_start, b.line_end, (), page) for b in found]


def _title(doc: pypdfium2.PdfDocument) -> str | None:
    try:
        title = doc.get_metadata_dict().get("Title", "")
    except pypdfium2.PdfiumError:
        return None
    return " ".join(title.split()) or None


def extract_pdf(data: bytes, limits: Limits) -> Extracted:
    """PDF: paragraphs per page (``Block.page`` 1-based, lines counted within the page).

    Reads at most ``limits.max_pages`` pages and ``limits.max_chars`` characters.
    """
    blocks: list[Block] = []
    chars = 0
    with _PDFIUM_LOCK:
        doc = _open(data)
        try:
            if len(doc) == 0:
                raise IngestError("the PDF has no pages")
            title = _title(doc)
            for index in range(min(len(doc), limits.max_pages)):
                try:
                    text = _page_text(doc, index)
                except pypdfium2.PdfiumError as exc:
                    raise IngestError(
                        f"the PDF is damaged: page {index + 1} cannot be read (pdfium: {exc})"
                    ) from exc
                text = text[: max(0, limits.max_chars - chars)]
                chars += len(text)
                blocks.extend(_page_blocks(text, index + 1))
                if chars >= limits.max_chars:
                    break
        finally:
            doc.close()
    if not blocks:
        raise IngestError(NO_TEXT_REASON)
    return Extracted("pdf", "text", blocks, title)
