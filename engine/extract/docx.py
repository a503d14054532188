"""DOCX extraction with python-docx, after checking the zip container cannot blow up memory."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from engine.errors import IngestError
from engine.extract.base import Block, Extracted, Limits, chars_note, metadata_title
from engine.extract.text import HeadingStack

_MB = 1024 * 1024
_BOMB_RATIO = 200
_BOMB_MEMBER_BYTES = 10 * _MB
# The XML a DOCX may expand to (all parts together), per character max_chars keeps, and at least.
_XML_BYTES_PER_CHAR = 8
_XML_FLOOR = 16 * _MB
_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Inside a paragraph: what is text, and what is not read (deleted or moved-away revisions).
# A text box, and a foot- or endnote, hold paragraphs of their own, read after the paragraph
# that holds the box or cites the note. Of alternate content (mc:AlternateContent) the first
# choice is read, or the fallback when the choice shows nothing (an emoji: a w16se:symEx
# choice, a w:t fallback); Word writes a text box into both. An equation's text (m:t) is read
# in the order it is written, as Word's linear format marks a denominator, superscript and subscript.
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_MATH_MARKS = {_M + "den": "/", _M + "sup": "^", _M + "sub": "_"}
_CHARS = {_W + "t": None, _M + "t": None, _W + "tab": "\t", _W + "ptab": "\t", _W + "br": "\n",
          _W + "cr": "\n", _W + "noBreakHyphen": "-"}
# A w:sym names a character of a font: a Unicode one (an emoji) is that character; of the Symbol
# font's own codes (U+F020-U+F0FF) its Greek letters, common math signs and ASCII are read as Unicode;
# a picture font's glyphs (Wingdings' arrows and ticks) are not text.
_SYMBOL_FONT = dict(zip(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖαβχδεφγηιϕκλμνοπθρστυϖωξψζ", strict=True))
_SYMBOL_FONT.update({"\xa3": "≤", "\xa5": "∞", "\xac": "←", "\xad": "↑", "\xae": "→", "\xaf": "↓",
                     "\xb0": "°", "\xb1": "±", "\xb3": "≥", "\xb4": "×", "\xb6": "∂", "\xb7": "•",
                     "\xb8": "÷", "\xb9": "≠", "\xba": "≡", "\xbb": "≈", "\xd6": "√", "\xe5": "∑",
                     "\xf2": "∫", "\xce": "∈", "\xc7": "∩", "\xc8": "∪", "\xd0": "∠", "\xd1": "∇", "\xd5": "∏",
                     '"': "∀", "$": "∃", "'": "∋", "@": "≅", "\\": "∴", "^": "⊥", "`": "", "~": "∼"})
_UNREAD = frozenset({_W + "del", _W + "moveFrom", _W + "pPr", _W + "rPr"})
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Read after the paragraph they are anchored in: text boxes, and the foot- and endnotes it cites.
_ANCHORED = frozenset({_W + "txbxContent", _W + "footnoteReference", _W + "endnoteReference"})
# A notes part (by its relationship type) -> the reference that cites its notes -> a note's tag.
_NOTE_PARTS = {"footnotes": _W + "footnoteReference", "endnotes": _W + "endnoteReference"}
_NOTE_TAG = {_W + "footnoteReference": _W + "footnote", _W + "endnoteReference": _W + "endnote"}


def _mb(n: int) -> str:
    return f"{n / _MB:,.1f}".removesuffix(".0")


def check_zip(data: bytes, limits: Limits, what: str = "DOCX",
              required: str | None = "word/document.xml") -> list[str]:
    """Check that ``data`` is a zip archive that is safe to expand; return its member names.

    Raises IngestError if it is not a zip, lacks ``required``, would expand beyond
    ``limits.max_decompressed_bytes``, or holds a large member with an absurd compression
    ratio (a zip bomb). Only the central directory is read; nothing is decompressed.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise IngestError(f"it is not a valid {what} file (not a zip archive)") from exc
    names = [info.filename for info in infos]
    if required is not None and required not in names:
        raise IngestError(f"it is not a valid {what} file (it has no {required})")
    total = sum(info.file_size for info in infos)
    if total > limits.max_decompressed_bytes:
        raise IngestError(
            f"it would expand to {_mb(total)} MB, more than the limit of "
            f"{_mb(limits.max_decompressed_bytes)} MB (setting max_decompressed_mb); "
            "it may be a zip bomb"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _BOMB_MEMBER_BYTES and ratio > _BOMB_RATIO:
            raise IngestError(
                f"its part {info.filename} would expand {ratio:,.0f} times, to "
                f"{_mb(info.file_size)} MB; it may be a zip bomb"
            )
    return names


def check_xml_size(data: bytes, limits: Limits) -> None:
    """Refuse a DOCX whose XML parts are too large to read into memory.

    python-docx reads each XML part (word/document.xml above all) whole into an lxml tree of
    some 20 bytes of memory per byte of XML, before a character is counted against max_chars:
    a 190 MB word/document.xml, within max_decompressed_mb, takes 4 GB. The XML allowed is
    declared by max_chars, at ``_XML_BYTES_PER_CHAR`` bytes a character (no less than
    ``_XML_FLOOR``): 64 MB at the default of 8,000,000 characters, far more than the text kept
    needs in any ordinary document (Word writes 2 to 30 bytes of XML per character of text).
    Only the central directory is read.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [(info.file_size, info.filename) for info in archive.infolist()
                 if info.filename.lower().endswith((".xml", ".rels"))]
    total, allowed = sum(size for size, _ in parts), xml_limit(limits)
    if total > allowed:
        size, name = max(parts)
        raise IngestError(
            f"its XML would expand to {_mb(total)} MB ({name}: {_mb(size)} MB), more than the "
            f"{_mb(allowed)} MB a DOCX may hold when at most {limits.max_chars:,} characters are kept "
            f"(setting max_chars, {_XML_BYTES_PER_CHAR} bytes of XML a character); it is too large to read"
        )


def xml_limit(limits: Limits) -> int:
    """The most XML (in bytes, all parts together) a DOCX may expand to: see check_xml_size."""
    return max(_XML_FLOOR, _XML_BYTES_PER_CHAR * limits.max_chars)


def _heading_level(style_name: str) -> int | None:
    """0 for the Title style, N for "Heading N", None for anything else."""
    if style_name.strip().lower() == "title":
        return 0
    m = _HEADING_STYLE.match(style_name.strip())
    return int(m.group(1)) if m else None


class _StyleNames:
    """Paragraph style names by style id, read once (python-docx's ``Paragraph.style`` scans
    every style for the default on each call: a millisecond a paragraph). An id the document
    does not define, or a paragraph without one, has the default paragraph style's name."""

    def __init__(self, document: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        self._names: dict[str, str] = {}
        self._default = ""
        try:
            for style in document.styles:
                if style.type == WD_STYLE_TYPE.PARAGRAPH:
                    self._names[style.style_id] = style.name or ""
            default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        except (KeyError, ValueError, AttributeError, NotImplementedError):  # a damaged styles part
            return
        self._default = (default.name or "") if default is not None else ""

    def of(self, p: Any) -> str:
        """The style name of the ``w:p`` element ``p``."""
        style = p.find(f"{_W}pPr/{_W}pStyle")
        style_id = style.get(_W + "val") if style is not None else None
        return self._names.get(style_id, self._default) if style_id else self._default


def paragraph_text(p: Any, boxes: list[Any] | None = None) -> str:
    """The text Word shows for the ``w:p`` element ``p``: every run, including those inside
    tracked insertions, content controls, smart tags, fields and hyperlinks (python-docx's
    ``Paragraph.text`` reads only the paragraph's direct runs and hyperlinks). The text boxes
    anchored in it and its note references are appended to ``boxes``."""
    out: list[str] = []
    stack = [iter(p)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        tag = node.tag
        if not isinstance(tag, str) or tag in _UNREAD:
            continue
        if tag in _ANCHORED:
            if boxes is not None:
                boxes.append(node)
        elif tag == _MC + "AlternateContent":
            found = len(boxes) if boxes is not None else 0
            first = paragraph_text(node[0], boxes) if len(node) else ""
            if not first and len(node) > 1 and (boxes is None or len(boxes) == found):
                first = paragraph_text(node[-1], boxes)  # the choice showed nothing: its fallback
            out.append(first)
        elif tag in _CHARS:
            mark = _CHARS[tag]
            out.append((node.text or "") if mark is None else mark)
        elif tag == _W + "sym":
            out.append(_symbol(node))
        elif len(node):
            out.append(_MATH_MARKS.get(tag, ""))
            stack.append(iter(node))
    return "".join(out)


def _symbol(sym: Any) -> str:
    """The text of a ``w:sym`` (see _SYMBOL_FONT); "" for a glyph that is not text."""
    try:
        code = int(sym.get(_W + "char") or "", 16)
    except ValueError:
        return ""
    if 0x20 <= code < 0xF000 and code not in range(0xD800, 0xE000):
        return chr(code)
    if 0xF020 <= code <= 0xF0FF and (sym.get(_W + "font") or "").strip().lower() == "symbol":
        char = chr(code - 0xF000)
        return _SYMBOL_FONT.get(char, char if char.isascii() else "")  # its digits and (), +, = ...
    return chr(code) if 0x10000 <= code <= 0x10FFFF else ""


def _cell_paragraphs(tc: Any) -> list[Any]:
    return [el for el in _blocks(tc) if el.tag == _W + "p"]


def _content(element: Any) -> Iterator[Any]:
    """The children of a body, cell, table or row in order, those of content controls
    (``w:sdt``: cover pages, form fields, repeating sections) and of custom XML in their
    place; a content control holding Word's table of contents is left out."""
    for child in element:
        if child.tag == _W + "customXml":
            yield from _content(child)
        elif child.tag != _W + "sdt":
            yield child
        elif not _is_contents(child) and (content := child.find(_W + "sdtContent")) is not None:
            yield from _content(content)


def _blocks(element: Any) -> Iterator[Any]:
    """The ``w:p`` and ``w:tbl`` elements of a body or cell in reading order."""
    return (child for child in _content(element) if child.tag in (_W + "p", _W + "tbl"))


def _is_contents(sdt: Any) -> bool:
    """A content control holding Word's table of contents (its gallery says so)."""
    gallery = sdt.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
    return gallery is not None and "contents" in (gallery.get(_W + "val") or "").lower()


class _Row:
    """One table row: its ``w:tc`` cells. A cell merged across columns is one ``w:tc``; one
    merged down rows is read in its first row (the rows below hold an empty ``w:tc``)."""

    def __init__(self, tr: Any) -> None:
        self.cells = [child for child in _content(tr) if child.tag == _W + "tc"]


def _paragraphs(item: Any) -> list[Any]:
    """The ``w:p`` elements of a paragraph item or of a _Row's cells."""
    return [p for tc in item.cells for p in _cell_paragraphs(tc)] if isinstance(item, _Row) else [item._p]


def _table_items(tbl: Any) -> Iterator[Any]:
    """A ``w:tbl`` as one _Row per row, each followed by the tables nested in its cells (as
    iterators of their own: _items keeps them on its stack)."""
    for tr in _content(tbl):
        if tr.tag == _W + "tr":
            row = _Row(tr)
            yield row
            for tc in row.cells:
                yield from (_table_items(el) for el in _blocks(tc) if el.tag == _W + "tbl")


class _Notes:
    """The document's foot- and endnotes by (reference tag, id), separators left out; a notes
    part is parsed when a paragraph first cites one of its notes, and each note is given once."""

    def __init__(self, document: Any) -> None:
        self._parts = {_NOTE_PARTS[kind]: rel for rel in document.part.rels.values()
                       if (kind := rel.reltype.rsplit("/", 1)[-1]) in _NOTE_PARTS and not rel.is_external}
        self._notes: dict[tuple[str, str | None], Any] = {}

    def take(self, reference: Any) -> Any:
        """The note ``reference`` cites, the first time it is cited (else None)."""
        rel = self._parts.pop(reference.tag, None)
        if rel is not None:
            self._notes.update(_parse_notes(rel.target_part.blob, reference.tag))
        return self._notes.pop((reference.tag, reference.get(_W + "id")), None)


def _parse_notes(blob: bytes, reference: str) -> dict[tuple[str, str | None], Any]:
    from docx.oxml import parse_xml

    try:
        root = parse_xml(blob)
    except (SyntaxError, ValueError):  # a damaged notes part: the body is still worth reading
        return {}
    return {(reference, note.get(_W + "id")): note for note in root.iter(_NOTE_TAG[reference])
            if note.get(_W + "type") in (None, "normal")}


class _Anchored:
    """A paragraph of a text box or a note: body text wherever it stands, never a heading."""

    def __init__(self, p: Any) -> None:
        self._p = p


def _anchored_blocks(anchored: list[Any], notes: _Notes) -> Iterator[Any]:
    """The paragraphs and tables of the text boxes and of each note cited (once) in a paragraph."""
    for node in anchored:
        box = node if node.tag == _W + "txbxContent" else notes.take(node)
        if box is not None:
            yield from _blocks(box)


def _items(document: Any) -> Iterator[Any]:
    """Paragraphs and _Rows in reading order, a paragraph's or row's text boxes and notes after
    it; nested tables, boxes and notes use a stack, not recursion."""
    from docx.text.paragraph import Paragraph  # deferred: python-docx is only needed for DOCX files

    body = document._body
    notes = _Notes(document)

    def wrapped(elements: Iterable[Any], paragraph: Callable[[Any], Any]) -> Iterator[Any]:
        return (paragraph(el) if el.tag == _W + "p" else _table_items(el) for el in elements)

    stack: list[Iterator[Any]] = [wrapped(_blocks(body._element), lambda el: Paragraph(el, body))]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, Iterator):  # a table's rows
            stack.append(item)
        else:
            yield item
            anchored: list[Any] = []
            for p in _paragraphs(item):
                paragraph_text(p, anchored)
            if anchored:
                stack.append(wrapped(_anchored_blocks(anchored, notes), _Anchored))


def extract_docx(data: bytes, limits: Limits) -> Extracted:
    """DOCX: paragraphs in order; Title/Heading N styles become headings with heading paths;
    each table row becomes one Block of its cells' text joined by tabs (as Word saves a table
    as plain text, so a row quoted in an answer is the document's own words and spacing, not
    a separator Grace made up).

    Line numbers count the document's paragraphs (table cells', text boxes' and cited notes'
    paragraphs included, in the order they are read), 1-based.
    """
    check_zip(data, limits)
    check_xml_size(data, limits)
    import docx  # deferred: python-docx pulls in lxml

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise IngestError(f"the DOCX file is damaged ({type(exc).__name__}: {exc})") from exc
    blocks: list[Block] = []
    styles = _StyleNames(document)
    headings = HeadingStack()
    title: str | None = None
    index = chars = 0
    partial = None
    for item in _items(document):
        if chars >= limits.max_chars:
            partial = chars_note(chars)
            break
        if isinstance(item, _Row):
            paragraphs = [_cell_paragraphs(cell) for cell in item.cells]
            texts = ["\n".join(map(paragraph_text, ps)).strip() for ps in paragraphs]
            count = sum(map(len, paragraphs))
            # Empty cells stay (as nothing between tabs) so each cell keeps its column's name.
            text = "\t".join(t.replace("\n", " ") for t in texts).strip("\t")
            first, index = index + 1, index + max(count, 1)
            if text.strip():
                blocks.append(Block(text, first, index, headings.path))
                chars += len(text)
            continue
        index += 1
        text = paragraph_text(item._p).strip()
        if not text:
            continue
        chars += len(text)
        level = None if isinstance(item, _Anchored) else _heading_level(styles.of(item._p))
        if level is None:
            blocks.append(Block(text, index, index, headings.path))
            continue
        blocks.append(Block(text, index, index, headings.push(level, text), None, True))
        if title is None and level <= 1:
            title = text
    return Extracted("docx", "text", blocks, title or metadata_title(document.core_properties.title), partial)
