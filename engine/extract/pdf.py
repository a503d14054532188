"""PDF text extraction with pypdfium2: one Block per paragraph, pages and lines 1-based.

Headings are found by type size: a short line set clearly larger than the body text (the
size most of the document's characters have) is a heading, and larger sizes nest outer.
A line's size is the height of the loose box (the font's ascent to descent, whatever the
glyph) of its middle character, which includes any scaling of the text matrix.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2
import pypdfium2.raw as pdfium_c

from engine.errors import IngestError
from engine.extract.base import Block, Extracted, Limits, chars_note, metadata_title, pages_note
from engine.extract.text import HeadingStack, paragraphs

NO_TEXT_REASON = (
    "the PDF has no text layer (it may be scanned images); Grace does not run OCR"
)
_GROUP_LINES = 8
_SENTENCE_END = (".", ":", "!", "?", ";")
# PDFium is not thread-safe; every call into it goes through this lock.
_PDFIUM_LOCK = threading.Lock()
_NOISE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
HEADING_RATIO = 1.15  # a heading's type is at least this much larger than the body's
_HEADING_MAX_CHARS = 120
_HEADING_MAX_LINES = 3  # more lines of large type are a paragraph set large, not a heading
# A large line at a page's top or bottom on 3+ pages and this share of them is a running
# header, not a heading; lines that differ only in numbers must be on half the pages
# ("Chapter 1", "Chapter 2", ... opening their pages are headings, a "page 4" footer is not).
# Body-sized running lines are blanked (``_drop_running``).
_RUNNING_SHARE = 0.25
_RUNNING_ALIKE_SHARE = 0.5
_RUNNING_MAX_CHARS = 80  # a running header or footer is short
_RUNNING_MIN_LINES = 6
_SAME_SIZE = 0.6  # points: sizes this close are one heading level
_NOT_HEADING = re.compile(r"(?:\.\s?){3,}\s*\S*$|[.,;:)\]{}=]$"  # table-of-contents leaders, code, prose
                          r"|^\s*(?:https?://|www\.)\S+\s*$|^\s*\S+@\S+\.\w+\s*$")  # a bare web or mail address
_FOOTNOTE_MARKS = "∗†‡§¶"  # a title's \thanks mark ("The float package∗") is not part of it


@dataclass
class _Page:
    number: int
    lines: list[str]
    sizes: list[float | None]  # each line's type size (None: unknown, or a blank line)
    dropped: set[int] = field(default_factory=set)  # running headers and footers blanked


def describe_start(data: bytes) -> str:
    """A short, readable description of how ``data`` begins, for error messages."""
    head = data[:16]
    if not head:
        return "nothing (the file is empty)"
    text = head.decode("utf-8", errors="replace")
    if all(c.isprintable() or c in "\t\r\n" for c in text) and "\ufffd" not in text:
        return '"' + " ".join(text.split()) + '"'
    return "the bytes " + head[:8].hex(" ")


_NO_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]{0,200}?/Count\s+0\b|/Count\s+0\b[^>]{0,200}?/Type\s*/Pages\b")


# What PDFium's load errors mean, in a person's words (not "Failed to load document (PDFium: …)").
_LOAD_ERRORS = {pdfium_c.FPDF_ERR_FORMAT: "its structure cannot be read", pdfium_c.FPDF_ERR_FILE: "it cannot be opened",
                pdfium_c.FPDF_ERR_PAGE: "a page cannot be read"}


def _open(data: bytes) -> pypdfium2.PdfDocument:
    """Open ``data`` as a PDF or raise IngestError with the reason."""
    if b"%PDF-" not in data[:1024]:
        raise IngestError(f"it is not a PDF (it starts with {describe_start(data)})")
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        code = getattr(exc, "err_code", None)  # pdfium's last error: it can be an earlier file's
        encrypted = b"/Encrypt" in data
        if code == pdfium_c.FPDF_ERR_PASSWORD and encrypted:
            raise IngestError("the PDF is password-protected") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY and encrypted:
            raise IngestError("the PDF uses an encryption scheme Grace cannot open") from exc
        if code == pdfium_c.FPDF_ERR_SUCCESS or _NO_PAGES.search(data):
            raise IngestError("the PDF has no pages (its page tree is empty)") from exc
        raise IngestError(f"the PDF is damaged or truncated ({_LOAD_ERRORS.get(code, 'PDFium cannot load it')})") \
            from exc


def _page(doc: pypdfium2.PdfDocument, index: int) -> _Page:
    page = doc[index]
    try:
        textpage = page.get_textpage()
        try:
            raw = _unjoined(textpage, textpage.get_text_range())
            sizes = _line_sizes(textpage, raw)
        finally:
            textpage.close()
    finally:
        page.close()
    lines = _NOISE.sub("", raw.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    if len(sizes) != len(lines):  # noise removal never joins lines; be safe anyway
        sizes = [None] * len(lines)
    return _Page(index + 1, lines, sizes)


def _unjoined(textpage: pypdfium2.PdfTextPage, raw: str) -> str:
    """``raw`` with a line break where PDFium joined two lines with a space, and a tab where it
    joined two cells of a table's row. A line break: the character after the space starts left
    of the one before it and wholly below it (some writers, Qt's, set a heading after a
    paragraph so: "… the 2025 calendar year. 1. Charges", and the heading, read as the
    paragraph's end, would be lost). A tab: on the same line, the gap is wider than
    ``COLUMN_GAP`` times the type's height ("Contents £50,000 £350" is three cells, read with
    the header above them; see ``engine.chat.sentences``). A heading's text has spaces only."""
    if textpage.count_chars() != len(raw):
        return raw
    chars = list(raw)
    for m in _JOINED.finditer(raw):
        left, bottom, right, top = textpage.get_charbox(m.start() - 1, loose=True)
        left_next, _, _, top_next = textpage.get_charbox(m.start() + 1, loose=True)
        if top_next < bottom and left_next < left:
            chars[m.start()] = "\n"
        elif top_next >= bottom and left_next - right > COLUMN_GAP * (top - bottom) > 0:
            chars[m.start()] = "\t"
    return "".join(chars)


# A word space is a quarter to a half of the type's height (justified lines stretch it); a table's
# cells, a contents page's numbers and a term beside its description are set further apart.
COLUMN_GAP = 0.9
_JOINED = re.compile(r"(?<=[^\s]) (?=[^\s])")


def _line_sizes(textpage: pypdfium2.PdfTextPage, raw: str) -> list[float | None]:
    """Type size of each line of ``raw``: the median loose box height of up to ``_SAMPLED``
    characters spread along it (one character may be set in another font: a symbol, code)."""
    index = _char_indexes(textpage, raw)
    bounds = [0] + [x for m in _NEWLINE.finditer(raw) for x in (m.start(), m.end())] + [len(raw)]
    sizes: list[float | None] = []
    for start, end in zip(bounds[0::2], bounds[1::2], strict=True):
        marks = [index[start + i] for i, c in enumerate(raw[start:end]) if not c.isspace() and index[start + i] >= 0]
        picked = marks[:: max(1, len(marks) // _SAMPLED)][:_SAMPLED]
        heights = sorted(top - bottom for _, bottom, _, top in (textpage.get_charbox(k, loose=True) for k in picked))
        sizes.append(round(heights[len(heights) // 2], 1) if heights else None)
    return sizes


_SAMPLED = 7  # characters whose box heights give a line's size
_LOOKAHEAD = 8  # page characters passed over at most to find the next one of the text


def _char_indexes(textpage: pypdfium2.PdfTextPage, raw: str) -> list[int]:
    """For each position of ``raw`` (the page's text), the index of its character on the page,
    or -1. They differ where the page has characters the text leaves out (some PDFs' hyphens
    and ligature parts have no text): then the two are aligned by character code."""
    count = textpage.count_chars()
    if count == len(raw):
        return list(range(count))
    codes = [pdfium_c.FPDFText_GetUnicode(textpage, k) for k in range(count)]
    out, k = [], 0
    for ch in raw:
        o = ord(ch)
        ahead = next((j for j in range(k, min(count, k + _LOOKAHEAD)) if codes[j] == o), -1)
        out.append(ahead)
        k = ahead + 1 if ahead >= 0 else k
    return out


def _grouped(lines: list[str]) -> Iterator[Block]:
    """Paragraphs for a page set without blank lines: break after a short line ending a
    sentence, every few lines, or at a blanked running header or footer."""
    widest = max((len(line.strip()) for line in lines), default=0)
    start: int | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:  # a blanked running header or footer ends a paragraph too
            if start is not None:
                yield Block("\n".join(s.strip() for s in lines[start:i]), start + 1, i)
                start = None
            continue
        if start is None:
            start = i
        short = len(stripped) < 0.8 * widest
        if (stripped.endswith(_SENTENCE_END) and short) or i - start + 1 >= _GROUP_LINES:
            yield Block("\n".join(s.strip() for s in lines[start : i + 1]), start + 1, i + 1)
            start = None
    if start is not None:
        yield Block("\n".join(s.strip() for s in lines[start:]), start + 1, len(lines))


def _segment_blocks(page: _Page, first: int, last: int) -> Iterator[Block]:
    """Paragraphs of ``page.lines[first:last]``: at blank lines, or grouped when there are none
    (a blanked running header is not a paragraph break the page was set with)."""
    part = page.lines[first:last]
    if any(not line.strip() and first + j not in page.dropped for j, line in enumerate(part[:-1])):
        return paragraphs(page.lines, first, last)
    return (Block(b.text, b.line_start + first, b.line_end + first) for b in _grouped(part))


def _heading_levels(pages: list[_Page]) -> dict[float, int]:
    """Heading level by type size: sizes clearly above the body's, largest first (at most 6)."""
    weight: Counter[float] = Counter()
    for page in pages:
        for line, size in zip(page.lines, page.sizes, strict=True):
            if size:
                weight[size] += len(line.strip())
    if not weight:
        return {}
    body = weight.most_common(1)[0][0]
    levels: dict[float, int] = {}
    level, previous = 0, None
    for size in sorted((s for s in weight if s >= body * HEADING_RATIO), reverse=True):
        if previous is None or previous - size > _SAME_SIZE:
            level, previous = level + 1, size
        levels[size] = min(level, 6)
    return levels


def _is_heading(line: str, size: float | None, levels: dict[float, int]) -> bool:
    text = line.strip()
    return (size in levels and len(text) <= _HEADING_MAX_CHARS and sum(c.isalpha() for c in text) >= 2
            and not _NOT_HEADING.search(text))


def _heading_flags(pages: list[_Page], levels: dict[float, int]) -> list[list[bool]]:
    """Which lines of each page are headings: large, short lines in runs of at most three of
    one size (and 120 characters), that do not repeat at the page's edge on many pages like a
    running header."""
    flags = [[_is_heading(line, size, levels) for line, size in zip(p.lines, p.sizes, strict=True)] for p in pages]
    for page, marks in zip(pages, flags, strict=True):
        i = 0
        while i < len(marks):
            end = _run_end(page, marks, i) if marks[i] else i + 1
            run = page.lines[i:end]
            if marks[i] and (len(run) > _HEADING_MAX_LINES or len(" ".join(run)) > _HEADING_MAX_CHARS):
                marks[i:end] = [False] * (end - i)
            i = end
    same: Counter[str] = Counter()  # the very same words at a page's edge
    alike: Counter[str] = Counter()  # the same but for numbers ("Report - page 4")
    for page, marks in zip(pages, flags, strict=True):
        same.update({_words(page.lines[i]) for i in _edges(page) if marks[i]})
        alike.update({_shape(page.lines[i]) for i in _edges(page) if marks[i]})
    n = len(pages)
    running = ({t for t, c in same.items() if c >= 3 and c >= _RUNNING_SHARE * n}
               | {t for t, c in alike.items() if c >= 3 and c >= _RUNNING_ALIKE_SHARE * n})
    for page, marks in zip(pages, flags, strict=True):
        for i in _edges(page):
            line = page.lines[i]
            marks[i] = marks[i] and _words(line) not in running and _shape(line) not in running
    return flags


def _drop_running(pages: list[_Page], levels: dict[float, int]) -> None:
    """Blank the body-sized running headers and footers at pages' edges: lines whose number
    follows the page's on 3+ pages ("12", "Page 12 of 40", "OPTIONS 12" through a section),
    and lines whose very words stood at an edge one or two pages before, on 3+ pages and a
    quarter of them (so a header's first showing stays, and a heading that recurs chapters
    apart is no header). Pages of fewer than six lines keep them all."""
    n, edges, lines = len(pages), [_edges(page) for page in pages], [list(page.lines) for page in pages]
    paged: Counter[tuple[str, int]] = Counter()
    same: Counter[str] = Counter()
    for page, where in zip(pages, edges, strict=True):
        paged.update({key for i in where for key in _page_keys(page, i)})
        same.update({_words(page.lines[i]) for i in where})
    for p, (page, where) in enumerate(zip(pages, edges, strict=True)):
        if len([line for line in page.lines if line.strip()]) < _RUNNING_MIN_LINES:
            continue  # every line of a short page is at an edge: slides, covers, worksheets
        before = {_words(lines[q][i]) for q in range(max(0, p - 2), p) for i in edges[q]}
        drop = [i for i in where if page.sizes[i] not in levels and (
            any(paged[k] >= 3 for k in _page_keys(page, i))
            or (_words(page.lines[i]) in before and same[_words(page.lines[i])] >= max(3, _RUNNING_SHARE * n)))]
        for i in drop:
            page.lines[i], page.sizes[i] = "", None
            page.dropped.add(i)


def _page_keys(page: _Page, i: int) -> set[tuple[str, int]]:
    """(the line without digits, a number in it less the page number) for a short line: a
    running footer's key stays the same from page to page."""
    line = page.lines[i]
    if len(line) > _RUNNING_MAX_CHARS:
        return set()
    return {(_shape(line), int(m) - page.number) for m in re.findall(r"\d{1,5}", line)}


def _words(line: str) -> str:
    return " ".join(line.split())


def _run_end(page: _Page, flags: list[bool], i: int) -> int:
    """Just past the heading lines of ``page.sizes[i]``'s size that start at line ``i``."""
    end = i + 1
    while end < len(flags) and flags[end] and page.sizes[end] == page.sizes[i]:
        end += 1
    return end


def _edges(page: _Page) -> list[int]:
    """The first two and last two lines with text: where running headers and footers sit
    ("Chapter 3" opening a page mid-book is a heading, the same words atop every page are not)."""
    full = [i for i, line in enumerate(page.lines) if line.strip()]
    return sorted(set(full[:2] + full[-2:]))


def _shape(line: str) -> str:
    """A line without its digits and spacing (a running header's page number changes)."""
    return re.sub(r"[\d\s]+", "", line).lower()


_SECTION_NUMBER = re.compile(r"(\d+(?:\.\d+)*)\.?\s")


class _NumberedHeadings(HeadingStack):
    """A heading stack that keeps a numbered section under its number's parent: "2.4 Margins"
    goes under "2 Options" even when large example text ("Even larger size") was taken for a
    heading in between."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: dict[str, tuple[int, str]] = {}  # section number -> (level, heading)

    def push(self, level: int, title: str) -> tuple[str, ...]:
        number = _SECTION_NUMBER.match(title)
        if number:
            parent = self._seen.get(number.group(1).rpartition(".")[0])
            if parent and parent[0] < level and parent[1] not in self.path:
                super().push(*parent)
            self._seen[number.group(1)] = (level, title)
        return super().push(level, title)


def _blocks(pages: list[_Page]) -> list[Block]:
    """Every page's paragraphs and headings; a heading's path carries over page breaks."""
    levels, headings, blocks = _heading_levels(pages), _NumberedHeadings(), []
    _drop_running(pages, levels)
    for page, flags in zip(pages, _heading_flags(pages, levels), strict=True):
        start, i = 0, 0
        while i <= len(page.lines):
            if i < len(page.lines) and not flags[i]:
                i += 1
                continue
            blocks += [Block(b.text, b.line_start, b.line_end, headings.path, page.number)
                       for b in _segment_blocks(page, start, i)]
            if i < len(page.lines):  # a heading, with the lines of the same size that follow it
                end = _run_end(page, flags, i)
                text = " ".join(" ".join(page.lines[i:end]).split()).rstrip(_FOOTNOTE_MARKS).rstrip()
                path = headings.push(levels[page.sizes[i]], text)  # type: ignore[index]
                blocks.append(Block(text, i + 1, end, path, page.number, True))
                i = end
            start = i = i + (0 if i < len(page.lines) else 1)
    return blocks


def _title(doc: pypdfium2.PdfDocument) -> str | None:
    try:
        title = doc.get_metadata_dict().get("Title", "")
    except pypdfium2.PdfiumError:
        return None
    return metadata_title(title)


def _cut(page: _Page, keep: int) -> None:
    """Keep the first ``keep`` characters of ``page`` (the max_chars limit)."""
    page.lines = "\n".join(page.lines)[: max(0, keep)].split("\n")
    page.sizes = page.sizes[: len(page.lines)]


def extract_pdf(data: bytes, limits: Limits) -> Extracted:
    """PDF: paragraphs and headings per page (``Block.page`` 1-based, lines counted within
    the page); the title is the document's own, else its first heading.

    Reads at most ``limits.max_pages`` pages and ``limits.max_chars`` characters.
    """
    with _PDFIUM_LOCK:
        doc = _open(data)
        try:
            if len(doc) == 0:
                raise IngestError("the PDF has no pages")
            title = _title(doc)
            pages, partial = _read_pages(doc, limits)
        finally:
            doc.close()
    blocks = _blocks(pages)
    if not any(not b.is_heading for b in blocks):
        raise IngestError(NO_TEXT_REASON)
    return Extracted("pdf", "text", blocks, title or next((b.text for b in blocks if b.is_heading), None), partial)


def _read_pages(doc: pypdfium2.PdfDocument, limits: Limits) -> tuple[list[_Page], str | None]:
    """The pages within ``limits`` (the last one cut at max_chars), and what was not read and why."""
    pages: list[_Page] = []
    chars = 0
    for index in range(min(len(doc), limits.max_pages)):
        try:
            page = _page(doc, index)
        except pypdfium2.PdfiumError as exc:
            raise IngestError(f"the PDF is damaged: page {index + 1} cannot be read") from exc
        size, room = sum(len(line) + 1 for line in page.lines), limits.max_chars - chars
        if size > room:
            _cut(page, room)
        chars += min(size, room)
        pages.append(page)
        if chars >= limits.max_chars and (size > room or index + 1 < len(doc)):
            return pages, chars_note(chars, where=f"page {index + 1:,} of {len(doc):,}")
    return pages, pages_note(len(pages), len(doc)) if len(doc) > len(pages) else None
