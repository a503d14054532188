"""HTML extraction with the standard library's event-based parser (no recursion, any depth)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser

from engine.extract.base import Block, BlockSource, Extracted, Limits, Streamed, chars_note
from engine.extract.text import HeadingStack, decode

# Not text: code, form drop-downs, and drawings (an SVG diagram's labels are not sentences).
_SKIP = frozenset({"script", "style", "noscript", "template", "select", "svg"})  # <head> is tracked apart
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header",
    "hr", "html", "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})
# Not counted towards depth: void elements, and those whose end tag is often left out.
_UNCOUNTED = _VOID | {
    "body", "caption", "colgroup", "dd", "dt", "head", "html", "li", "optgroup", "option", "p",
    "rp", "rt", "tbody", "td", "tfoot", "th", "thead", "tr",
}
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_LATIN1_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})
# Only these may appear in <head>; any other start tag means the body has begun.
_HEAD_TAGS = frozenset({"base", "link", "meta", "noscript", "script", "style", "template", "title"})
_SPACE = re.compile(r"\s+")
# Page furniture that is not the document's content: menus, sidebars, footers.
_BOILER_TAGS = frozenset({"nav", "footer"})  # not <aside>: docs put footnotes and notes there
_BOILER_ROLES = frozenset({"navigation", "search", "banner", "contentinfo", "complementary", "menu"})
_BOILER_CLASSES = frozenset({"sphinxsidebar", "related", "footer", "navbar", "breadcrumb", "breadcrumbs",
                             "sidebar", "menu", "nav", "navigation", "toc", "skip-link", "cookie-banner"})
_BOILER_PARTS = frozenset({"toc", "nav", "navbar", "sidebar", "breadcrumb", "breadcrumbs", "navigation"})  # not "menu"
_HAS = re.compile(r"(?:has|with|no|show|hide)[-_]")  # "has-sidebar": a layout that has one
_CONTAINERS = frozenset({"aside", "div", "header", "ol", "section", "ul"})
_MAIN = re.compile(r"""<main\b|role\s*=\s*["']?main\b""", re.IGNORECASE)
# Feeding the parser (see _feed): the first piece's size, and the work allowed per character.
_PIECE = 1 << 16
_WORK_PER_CHAR = 16
_TERM_LEVEL = 6  # <dt> terms nest below h6: a dl at nesting n gives its terms level 6 + n
_ANCHOR_GLYPHS = str.maketrans("", "", "\u00b6")  # the "¶" permalink anchors of docs generators
# A table row is one paragraph, its cells joined by tabs (as the DOCX extractor writes one), so
# chat reads each row with its header's column names; a row whose cells hold long text, code
# or a table of their own lays out a page instead, and its paragraphs stay paragraphs.
_ROW_CELL_CHARS = 200
_ROW_ENDS = frozenset({"tr", "table", "thead", "tbody", "tfoot"})  # each ends the row before


def _attr_tokens(attrs: list[tuple[str, str | None]], name: str) -> set[str]:
    return {tok for k, v in attrs if k == name and v for tok in v.lower().split()}


def _class_words(tag: str, attrs: list[tuple[str, str | None]]) -> set[str]:
    """Class names and ids, and for containers the last part of each ("fancy_toc", "fancy-toc1",
    "mobile-nav"; not "wy-nav-content", "has-sidebar"); not for inline elements (a heading's
    ``<a class="toc-backref">`` is the heading)."""
    tokens = _attr_tokens(attrs, "class") | _attr_tokens(attrs, "id")  # <div id="sidebar">, <ol id="breadcrumbs">
    if tag not in _CONTAINERS:
        return tokens
    lasts = {re.split(r"[-_]+", tok)[-1].rstrip("0123456789") for tok in tokens if not _HAS.match(tok)}
    return tokens | (lasts & _BOILER_PARTS)


def _is_boilerplate(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    return (tag in _BOILER_TAGS or bool(_attr_tokens(attrs, "role") & _BOILER_ROLES)
            or bool(_class_words(tag, attrs) & _BOILER_CLASSES))


def _is_main(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    return tag == "main" or "main" in _attr_tokens(attrs, "role")


class _Collector(HTMLParser):
    """Turns parser events into Blocks. All state is counters or the current paragraph."""

    def __init__(self, limits: Limits, has_main: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.has_main = has_main  # when the page marks its main content, only that is kept
        self.main_depth: int | None = None  # depth of the open main element; -1 once it closed
        self.boiler_depth: int | None = None  # depth of the open navigation/sidebar element
        self.dl = 0  # open definition lists
        self.limits = limits
        self.blocks: list[Block] = []
        self.title: str | None = None
        self.first_h1: str | None = None
        self.headings = HeadingStack()
        self.depth = 0  # open elements (see _UNCOUNTED), as a count only
        self.skip = 0  # open script/style/noscript/template elements
        self.in_head = False
        self.in_title = False
        self.title_parts: list[str] = []
        self.pre = 0
        self.heading_level = 0  # > 0 while inside h1..h6
        self.parts: list[str] = []
        self.is_pre = False
        self.line_start = 0
        self.line_end = 0
        self.chars = 0
        self.unread = 0  # characters of text past max_chars
        self.row: list[list[tuple[str, int, int]]] | None = None  # open table row: its cells' paragraphs
        self.row_is_layout = False

    @property
    def too_deep(self) -> bool:
        """Elements nested deeper than max_html_depth are flattened into their parent."""
        return self.depth > self.limits.max_html_depth

    # --- events ---------------------------------------------------------------------------

    @property
    def outside_content(self) -> bool:
        """True inside navigation/sidebars, or outside the main element of a page that has one."""
        return self.boiler_depth is not None or (self.has_main and (self.main_depth or 0) <= 0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _UNCOUNTED:
            self.depth += 1
            self._enter_region(tag, attrs)
        if not self.too_deep:
            self._row_start(tag)
        if tag in ("dl", "dt", "dd") and not self.too_deep:
            self._definition_start(tag)
            return
        if self.in_head and tag not in _HEAD_TAGS:
            self.in_head = tag == "head"
        if tag == "title":
            self.in_title = True
        elif tag == "head":
            self.in_head = True
        elif tag in _SKIP:
            self.skip += 1
        elif tag in _HEADINGS:
            self.flush()
            self.heading_level = _HEADINGS[tag]
        elif tag in _BLOCK and not self.heading_level and not self.too_deep:
            self.flush()
            if tag == "pre":
                self.pre += 1

    def _enter_region(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.has_main and self.main_depth is None and _is_main(tag, attrs):
            self.flush()  # the main content wins over a layout wrapper taken for navigation
            self.main_depth, self.boiler_depth = self.depth, None
        elif self.boiler_depth is None and _is_boilerplate(tag, attrs):
            self.flush()
            self.boiler_depth = self.depth

    def _leave_region(self) -> None:
        if self.boiler_depth is not None and self.depth <= self.boiler_depth:
            self.flush()
            self.boiler_depth = None
        if self.main_depth and self.depth <= self.main_depth:
            self.flush()
            self.main_depth = -1

    def _row_start(self, tag: str) -> None:
        if self.row is not None and (tag in _HEADINGS or tag in ("dl", "pre", "table")):
            self.row_is_layout = True  # a cell with a heading, code or a table: the row lays out a page
            self._end_row()
        elif tag in _ROW_ENDS:
            self._end_row()
            if tag == "tr":
                self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.flush()  # the text so far belongs to the cell before
            self.row.append([])

    def _end_row(self) -> None:
        """Emit the open table row: one paragraph of tab-joined cells, or its cells' paragraphs."""
        if self.row is None:
            return
        self.flush()
        row, self.row = self.row, None
        pieces = [piece for cell in row for piece in cell]
        cells = [" ".join(text for text, _, _ in cell) for cell in row]
        if self.row_is_layout or sum(map(bool, cells)) < 2 or any(len(c) > _ROW_CELL_CHARS for c in cells):
            self.blocks.extend(Block(text, a, b, self.headings.path) for text, a, b in pieces)
        else:
            self.blocks.append(Block("\t".join(cells), pieces[0][1], pieces[-1][2], self.headings.path))
        self.row_is_layout = False

    def _definition_start(self, tag: str) -> None:
        """A <dt> term is a heading for its <dd> description (level below h6, by list nesting)."""
        self.flush()
        if tag == "dl":
            self.dl += 1
            self.heading_level = 0
        elif tag == "dt":
            self.heading_level = _TERM_LEVEL + max(1, self.dl)
        else:
            self.heading_level = 0

    def _definition_end(self, tag: str) -> None:
        self.flush()
        self.heading_level = 0
        if tag == "dl" and self.dl:
            self.headings.pop_to(_TERM_LEVEL + self.dl)
            self.dl -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _ROW_ENDS and not self.too_deep:
            self._end_row()
        if tag in ("dl", "dt", "dd") and not self.too_deep:
            self._definition_end(tag)
        else:
            self._end(tag)
        if tag not in _UNCOUNTED:
            self._leave_region()
            self.depth = max(0, self.depth - 1)

    def _end(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            if self.title is None:
                self.title = " ".join("".join(self.title_parts).split()) or None
        elif tag == "head":
            self.in_head = False
        elif tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _HEADINGS and self.heading_level:
            self.flush()
            self.heading_level = 0
        elif tag in _BLOCK and not self.heading_level and not self.too_deep:
            self.flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skip or self.in_head or self.outside_content:
            return
        if self.chars >= self.limits.max_chars:
            self.unread += len(data) if data.strip() else 0
            return
        stripped = data.rstrip()
        if not stripped:
            if self.parts:
                self.parts.append(data)
            return
        line, _ = self.getpos()
        if not self.parts:
            lead = len(data) - len(data.lstrip())
            self.line_start = line + data.count("\n", 0, lead)
            self.is_pre = self.pre > 0
        self.line_end = line + stripped.count("\n")
        self.parts.append(data)
        self.chars += len(data)

    # --- paragraphs -----------------------------------------------------------------------

    def finish(self) -> None:
        """End the page: a table row or paragraph still open is emitted."""
        self._end_row()
        self.flush()

    def flush(self) -> None:
        """End the current paragraph (or heading) and emit it as a Block."""
        raw = "".join(self.parts).translate(_ANCHOR_GLYPHS)
        self.parts = []
        if self.is_pre:
            text = raw.strip("\n").rstrip()
        else:
            text = _SPACE.sub(" ", raw).strip()
        if not text:
            return
        if self.row is not None and not self.heading_level:
            if self.is_pre:
                self.row_is_layout = True
            if not self.row:
                self.row.append([])
            self.row[-1].append((text, self.line_start, self.line_end))
        elif self.heading_level:
            path = self.headings.push(self.heading_level, text)
            self.blocks.append(Block(text, self.line_start, self.line_end, path, None, True))
            if self.heading_level == 1 and self.first_h1 is None:
                self.first_h1 = text
        else:
            self.blocks.append(Block(text, self.line_start, self.line_end, self.headings.path))


def _charset_hint(data: bytes) -> str | None:
    """The <meta charset> of the first 2 KB; Latin-1 labels mean cp1252, as in browsers."""
    m = _META_CHARSET.search(data[:2048])
    if not m:
        return None
    label = m.group(1).decode("ascii").lower()
    return "cp1252" if label in _LATIN1_LABELS else label


def _feed(parser: HTMLParser, text: str) -> Iterator[None]:
    """Give ``text`` to ``parser`` in pieces, with the events of one ``feed(text); close()``,
    in time linear in the length of ``text``; yields after each piece (what it made can be
    handed on).

    The standard library's parser, given all the text at once, looks for the end of each
    markup construct (a tag, comment, declaration) in all the rest of the text; when it is
    not there ("<a" never followed by ">"), ``close()`` takes only up to the next "<" as
    text and looks again from there: time quadratic in the length of the text. Here the
    parser only ever holds the construct it is in plus the next piece, a piece ends just
    before a "<" (a run of text is never split), and a construct still open when all the
    text is given is taken as text exactly as ``close()`` would take it; then the pieces
    start again after it. The text each call to the parser sees is counted: past
    ``_WORK_PER_CHAR`` times the length of the text (far more than any page needs; only
    many unclosed constructs spend it), the rest is taken as plain text.
    """
    n = len(text)
    work = _WORK_PER_CHAR * n + 4 * _PIECE
    pos = 0  # text[:pos] has been given to the parser
    while True:
        held = len(parser.rawdata)  # the construct (or text) the parser waits to see the end of
        if pos < n:
            end = text.find("<", pos + max(_PIECE, held))  # a held construct doubles the piece
            end = n if end < 0 else end
            work -= held + end - pos
            if work < 0:
                break
            parser.feed(text[pos:end])
            pos = end
            yield
            continue
        raw = parser.rawdata
        if not raw.startswith("<") or parser.cdata_elem:
            break  # text waiting for a possible character reference, or an unclosed <script>
        # An unclosed construct: close() takes it as text up to its first ">", or up to the next "<".
        k = raw.find(">", 1) + 1 or raw.find("<", 1)
        k = k if k > 0 else 1
        work -= len(raw)
        if work < 0:
            break
        parser.handle_data(unescape(raw[:k]))
        parser.updatepos(0, k)
        parser.rawdata = ""
        pos = n - len(raw) + k
        yield
    if pos < n or (parser.rawdata.startswith("<") and not parser.cdata_elem):
        rest = parser.rawdata + text[pos:]  # the work allowed is spent: the rest is text
        parser.rawdata = rest
        parser.clear_cdata_mode()
        parser.handle_data(unescape(rest))
        parser.updatepos(0, len(rest))
        parser.rawdata = ""
    parser.close()
    yield


def extract_html(data: bytes, limits: Limits) -> Extracted:
    """HTML: headings with heading paths, paragraphs at block elements, title from <title>.

    Line numbers are the source lines where each paragraph's text starts and ends.
    """
    return stream_html(data, limits).collect()


def stream_html(data: bytes, limits: Limits) -> Streamed:
    """``extract_html``'s blocks, produced as the page is parsed (``partial`` known at the end)."""
    text = decode(data, _charset_hint(data))
    stream = Streamed("html", lambda: _html(text, limits, stream))
    return stream


def _html(text: str, limits: Limits, stream: Streamed) -> BlockSource:
    parser = _Collector(limits, has_main=bool(_MAIN.search(text)))
    for _ in _feed(parser, text):
        yield from parser.blocks
        parser.blocks.clear()
    parser.finish()
    yield from parser.blocks
    stream.partial = chars_note(parser.chars, parser.chars + parser.unread) if parser.unread else None
    return parser.title or parser.first_h1
