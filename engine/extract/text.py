"""Decoding bytes to text, and extracting plain text (and AsciiDoc), Markdown, reStructuredText and code."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import charset_normalizer

from engine.errors import IngestError
from engine.extract.base import Block, BlockSource, Extracted, Limits, Streamed, chars_note

BINARY_REASON = "it looks like binary data, not text"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters that do not occur in text; tab, newlines, form feed and ESC (ANSI logs) do.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_CONTROL_SHARE = 0.05
_SAMPLE = 256 * 1024
# A word holding a non-ASCII letter (not punctuation such as an en dash). A match starts only
# where a word does: tried inside a long ASCII word at every position, it would be quadratic.
_NON_ASCII_WORD = re.compile(r"(?<!\w)\w*(?:(?![\x00-\x7f])[^\W\d_])\w*")


def _bom(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:_SAMPLE]
    if not sample:
        return False
    return len(_CONTROL.findall(sample)) / len(sample) > _CONTROL_SHARE


def _plausible_western(text: str) -> bool:
    """True when accented letters sit inside mostly-ASCII words, as in French or German."""
    words = [w for w in _NON_ASCII_WORD.findall(text[:_SAMPLE]) if len(w) > 1]  # skip "à"
    if not words:
        return True
    latin = sum(1 for w in words if sum(ord(c) > 127 for c in w) * 2 <= len(w))
    return latin >= 0.8 * len(words)


def _decode_legacy(data: bytes, hint: str | None) -> str:
    """Bytes that are not UTF-8: the hinted codec, else the likeliest single-byte one."""
    if hint:
        try:
            return data.decode(hint)
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode(legacy_encoding(data), errors="replace")


def legacy_encoding(data: bytes) -> str:
    """The encoding of bytes that are not UTF-8 (prose and CSV alike): cp1252 when it reads like
    a Western language with no garbled words, else charset-normalizer's best-ranked reading
    whose words are not garbled, else cp1252 (or latin-1, which decodes anything)."""
    try:
        western: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _plausible_western(western) and not _garbled(western):
        return "cp1252"  # by far the likeliest writer of Western single-byte files
    matches = list(charset_normalizer.from_bytes(data[:_SAMPLE * 4]))
    return _likeliest(matches) or ("cp1252" if western is not None else "latin-1")


# cp1252's symbols that Central European letters turn into when read as cp1252 (Wrocław -> Wroc³aw)
_STRAY = "¡¢£¤¥¦§¨©«¬®¯°±²³¶¸¹»¼½¾¿×÷"
_GLUED = re.compile(rf"[^\W\d_][{_STRAY}]+[^\W\d_]|(?<!\w)[£¥¯][^\W\d_]")
# Guarded as _NON_ASCII_WORD is: a match never starts inside a token unless at a non-ASCII character.
_NON_ASCII_TOKEN = re.compile(r"(?:(?<!\S)|(?=[^\x00-\x7f]))\S*[^\x00-\x7f]\S*")


def _likeliest(matches: list[Any]) -> str | None:
    """The best-ranked of charset-normalizer's readings whose words are not garbled; a Windows
    code page ranked about as well wins, since a few lines rank Mac and DOS ones as high."""
    sensible = [m for m in matches if not _garbled(str(m))]
    if not sensible:
        return None
    top = sensible[0]
    near = [m for m in sensible if m.chaos <= top.chaos + 0.1 and m.coherence >= top.coherence - 0.05]
    return next((m.encoding for m in near if m.encoding.startswith("cp125")), top.encoding)


def _garbled(text: str) -> bool:
    """True when more than one word in twenty has letters glued to stray symbols, as Łódź and
    Wrocław read as cp1252 do ('£ódŸ', 'Wroc³aw')."""
    sample = text[:1 << 18]
    return len(_GLUED.findall(sample)) * 20 > len(_NON_ASCII_TOKEN.findall(sample))


_STRAY_NULS = 1000  # at most one NUL byte in this many is not yet binary


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text written without a byte-order mark (some Windows tools do): text in the
    Latin, Greek or Cyrillic ranges has a NUL in nearly every other byte, on one side."""
    sample = data[: 2 * _SAMPLE]
    even, odd = sample[0::2], sample[1::2]
    if len(odd) < 2:
        return None
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    encoding = "utf-16-le" if nul_odd > 0.6 > 20 * nul_even else "utf-16-be" if nul_even > 0.6 > 20 * nul_odd else None
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


_STRAY_BYTES = 20  # at most one invalid sequence for this many valid non-ASCII characters


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few bad bytes (a pasted Latin-1 name, a file cut mid-character), with
    each bad sequence as U+FFFD; None when it is not mostly UTF-8. Read whole as a single-byte
    code page instead, every accent and dash of the file would be garbled ('JosÃ©', 'â€"').
    Text in a single-byte code page almost never holds valid multi-byte sequences."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127) - bad
    return text if good > 0 and bad * _STRAY_BYTES <= good else None


def decode(data: bytes, hint: str | None = None) -> str:
    """Decode file bytes to text with ``\\n`` newlines, or raise IngestError for binary data.

    A byte-order mark wins; then UTF-16 without one; then strict UTF-8, or UTF-8 with a few bad
    bytes replaced; then ``hint`` (e.g. an HTML meta charset); then cp1252 when it reads like a
    Western language; then charset-normalizer's guess.
    """
    bom = _bom(data)
    if bom is not None:
        encoding, skip = bom
        try:
            text = data[skip:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise IngestError(f"it starts with a {encoding} byte-order mark but is not "
                              f"valid {encoding} ({exc.reason} at byte {exc.start})") from exc
    elif b"\x00" in data and (utf16 := _utf16_without_bom(data)) is not None:
        text = utf16
    else:
        if b"\x00" in data:  # a few stray NULs (a log a crash cut short) are dropped; many are binary
            if data.count(0) * _STRAY_NULS > len(data):
                raise IngestError(BINARY_REASON)
            data = data.replace(b"\x00", b"")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _mostly_utf8(data) or _decode_legacy(data, hint)
    if _looks_binary(text):
        raise IngestError(BINARY_REASON)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def sniff_text(data: bytes) -> str:
    """Decode only the start of ``data`` (for cheap checks); raise IngestError for binary."""
    head = data[:_SAMPLE]
    if len(data) > _SAMPLE and _bom(head) is None:
        try:  # a multi-byte character may be cut at the end of the sample
            return decode(codecs.getincrementaldecoder("utf-8")().decode(head).encode("utf-8"))
        except UnicodeDecodeError:
            pass
    return decode(head)


def text_lines(data: bytes, limits: Limits, hint: str | None = None) -> list[str]:
    """Decode, refuse over-long lines (in the whole text), keep at most ``limits.max_chars``,
    split into lines. Only the kept text is ever split, so memory is bounded by ``max_chars``."""
    return kept_lines(data, limits, hint)[0]


def kept_lines(data: bytes, limits: Limits, hint: str | None = None) -> tuple[list[str], str | None]:
    """``text_lines``, and why not all of the text was kept (None when it was)."""
    text = decode(data, hint)
    _check_longest(_longest_line(text), limits)
    note = None
    if len(text) > limits.max_chars:
        note = chars_note(limits.max_chars, len(text))
        text = text[: limits.max_chars]
    return text.split("\n"), note


_SCAN = 1 << 20  # characters split into lines at a time when measuring them


def _longest_line(text: str) -> int:
    """The length of ``text``'s longest line, measured a slice at a time (never all lines at once)."""
    longest = run = 0  # run: the length so far of the line the previous slice ended in
    for i in range(0, len(text), _SCAN):
        parts = text[i:i + _SCAN].split("\n")
        if len(parts) == 1:
            run += len(parts[0])
            continue
        longest = max(longest, run + len(parts[0]), max(map(len, parts[1:-1]), default=0))
        run = len(parts[-1])
    return max(longest, run)


def check_line_length(lines: list[str], limits: Limits) -> None:
    """Raise IngestError if any of ``lines`` is longer than ``limits.max_line_chars``."""
    _check_longest(max(map(len, lines), default=0), limits)


def _check_longest(longest: int, limits: Limits) -> None:
    if longest > limits.max_line_chars:
        raise IngestError(
            f"it has a line of {longest:,} characters, longer than the limit of "
            f"{limits.max_line_chars:,} (setting max_line_chars); it does not look like prose"
        )


def paragraphs(lines: list[str], first: int = 0, last: int | None = None) -> Iterator[Block]:
    """Blocks of consecutive non-blank lines in ``lines[first:last]`` (1-based line numbers)."""
    end = len(lines) if last is None else last
    start: int | None = None
    for i in range(first, end + 1):
        blank = i == end or not lines[i].strip()
        if blank and start is not None:
            yield Block("\n".join(lines[start:i]).rstrip(), start + 1, i)
            start = None
        elif not blank and start is None:
            start = i


# --- headings --------------------------------------------------------------------------------


class HeadingStack:
    """The path of enclosing headings: a new level-N heading replaces N and deeper."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def push(self, level: int, title: str) -> tuple[str, ...]:
        """Enter a heading; return the heading path including it."""
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))
        return self.path

    def pop_to(self, level: int) -> None:
        """Leave every heading of ``level`` and deeper (e.g. at the end of a definition list)."""
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()

    @property
    def level(self) -> int:
        """The innermost heading's level (0 outside every heading)."""
        return self._stack[-1][0] if self._stack else 0

    @property
    def path(self) -> tuple[str, ...]:
        """The titles of the enclosing headings, outermost first."""
        return tuple(title for _, title in self._stack)


def with_path(blocks: Iterable[Block], path: tuple[str, ...]) -> list[Block]:
    """The same blocks carrying ``path`` as their heading path."""
    return [Block(b.text, b.line_start, b.line_end, path, b.page, b.is_heading) for b in blocks]


# --- Markdown --------------------------------------------------------------------------------

# Headings are matched by linear patterns and their closing sequence is trimmed in Python: a lazy
# group before an optional closing sequence and ``[ \t]*$`` backtracks quadratically on a long
# run of spaces.
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MARKERS = frozenset("#`~=-")
# What a Markdown reader never sees: an HTML comment block (CommonMark's HTML block type 2,
# e.g. Node.js's "<!-- YAML added: v0.1.29 changes: ... -->" history before every API
# entry) and link reference definitions ("[`Buffer`]: buffer.md#class-buffer").
_COMMENT_OPEN = re.compile(r"^ {0,3}<!--")
_LINK_DEF = re.compile(r"^ {0,3}\[(?=[^\]]*[^\]\s])[^\]]+\]:[ \t]*"  # a label with a non-space character
                       r"(<[^<>]*>|[^<\s]\S*)"  # one destination
                       r"""([ \t]+("[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$""")  # an optional title


def _trim_closing(text: str, mark: str) -> str:
    """``text`` without trailing spaces and tabs, and without a closing sequence of ``mark``
    that spaces or tabs set off (``Title ##`` -> ``Title``)."""
    text = text.rstrip(" \t")
    bare = text.rstrip(mark)
    if len(bare) < len(text) and bare[-1:] in (" ", "\t"):
        return bare.rstrip(" \t")
    return text


def _atx(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line (``## Title ##``), else None."""
    m = _ATX.match(line)
    if m is None:
        return None
    return len(m.group(1)), _trim_closing(m.group(2) or "", "#")


def _strip_links(text: str) -> str:
    r"""``text`` with each link or image (``[words](target)``, ``![alt](src)``) replaced by its words.

    What ``re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)`` does, in linear time: the pattern
    scans to the end of the text from every ``[`` that no ``](...)`` follows. The first ``]``
    (and ``)``) after a position is remembered until a later ``[`` passes it.
    """
    out: list[str] = []
    pos = i = 0  # pos: the text up to here is in out; i: where to look for the next "["
    close = paren = -1  # the last "]" and ")" found, each the first one after where it was looked for
    while (p := text.find("[", i)) >= 0:
        if close <= p:
            close = text.find("]", p + 1)
            if close < 0:
                break  # no "]" after this "[": none after any later one either
        if text.startswith("(", close + 1):
            if paren <= close + 1:
                paren = text.find(")", close + 2)
                if paren < 0:
                    break  # no ")" after this link's "(": none for any later link either
            start = p - 1 if p - 1 >= pos and text.startswith("!", p - 1) else p
            out += (text[pos:start], text[p + 1:close])
            pos = i = paren + 1
        else:
            i = p + 1
    out.append(text[pos:])
    return "".join(out)


def clean_heading(text: str) -> str:
    """A heading's words without light inline markup: links, emphasis, code ticks."""
    text = _strip_links(text)
    text = re.sub(r"(\*{1,3}|_{2,3}|`+)", "", text)
    return " ".join(text.split())


def _front_matter_end(lines: list[str]) -> int:
    """Index of the first line after a ``---`` YAML front matter block (0 if none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i in range(1, min(len(lines), 1000)):
        if lines[i].strip() in ("---", "..."):
            return i + 1
    return 0


def _front_matter_title(lines: list[str], end: int) -> str | None:
    """The ``title:`` value of the front matter, if it has a plain one."""
    for line in lines[1:end]:
        if line.startswith("title:"):
            return line[len("title:"):].strip().strip("\"'") or None
    return None


def _link_def(line: str) -> bool:
    """``line`` is a whole link reference definition (a bare destination's parentheses balance)."""
    m = _LINK_DEF.match(line)
    if m is None:
        return False
    dest = m.group(1)
    return dest.startswith("<") or dest.count("(") == dest.count(")")


def _comment_close(lines: list[str], i: int) -> tuple[int, bool]:
    """The line that closes the HTML comment opened at line ``i`` (the last line if none does),
    and whether text follows the close there: a reader sees that text (CommonMark passes the
    block through as HTML). ``<!-->`` and ``<!--->`` close at once, as in HTML."""
    for j in range(i, len(lines)):
        line = "<!--" + lines[j].split("<!--", 1)[1] if j == i else lines[j]
        close = line.find("-->", 2 if j == i else 0)
        if close >= 0:
            return j, bool(line[close + 3:].strip())
    return len(lines) - 1, False


def _fence_end(lines: list[str], i: int, fence: str) -> int:
    """Index just past the closing fence of the block opened at line ``i`` (or the end)."""
    close = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    for j in range(i + 1, len(lines)):
        if close.match(lines[j]):
            return j + 1
    return len(lines)


def extract_markdown(data: bytes, limits: Limits) -> Extracted:
    """Markdown: ATX/setext headings with heading paths, fenced code kept whole, title = h1.

    HTML comment blocks and link reference definitions are left out: they are not shown.
    """
    return stream_markdown(data, limits).collect()


def stream_markdown(data: bytes, limits: Limits) -> Streamed:
    """``extract_markdown``'s blocks, produced as they are read."""
    lines, note = kept_lines(data, limits)
    return Streamed("markdown", lambda: _markdown(lines), note)


def _markdown(lines: list[str]) -> BlockSource:
    blocks: list[Block] = []  # made by the step under way, handed on before the next
    headings = HeadingStack()
    title: str | None = None
    para: list[int] = []  # indexes of the pending paragraph's lines

    def flush() -> None:
        if para:
            blocks.extend(with_path(paragraphs(lines, para[0], para[-1] + 1), headings.path))
            para.clear()

    def heading(level: int, text: str, first: int, last: int) -> None:
        nonlocal title
        text = clean_heading(text)
        if not text:
            return
        path = headings.push(level, text)
        blocks.append(Block(text, first + 1, last + 1, path, None, True))
        if level == 1 and title is None:
            title = text

    i = front = _front_matter_end(lines)
    while i < len(lines):
        yield from blocks
        blocks.clear()
        line = lines[i]
        if _COMMENT_OPEN.match(line):
            flush()
            close, shown = _comment_close(lines, i)
            if shown and close == i:  # "<!-- note --> Text.": a paragraph line
                para.append(i)
            i = close if shown and close > i else close + 1  # a shown closing line is read on
            continue
        if not para and _link_def(line):
            i += 1
            continue
        marker = line.lstrip(" ")[:1] in _MARKERS  # skip the regexes on ordinary lines
        fence = _FENCE.match(line) if marker else None
        atx = _atx(line) if marker else None
        setext = _SETEXT.match(line) if marker else None
        if fence:
            flush()
            end = _fence_end(lines, i, fence.group(1))
            code = "\n".join(lines[i:end]).rstrip()
            blocks.append(Block(code, i + 1, end, headings.path))
            i = end
            continue
        if atx:
            flush()
            heading(atx[0], atx[1], i, i)
        elif setext and para and lines[para[-1]].strip():
            first = para[0]
            text = " ".join(lines[j].strip() for j in para)
            para.clear()
            heading(1 if setext.group(1)[0] == "=" else 2, text, first, i)
        elif not line.strip() or setext:  # a blank line, or a thematic break (--- alone)
            flush()
        else:
            para.append(i)
        i += 1
    flush()
    yield from blocks
    return title or _front_matter_title(lines, front)


# --- reStructuredText -------------------------------------------------------------------------

_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1+[ \t]*$")


def _adornment(line: str) -> str | None:
    """The repeated punctuation character if ``line`` is a section adornment."""
    m = _ADORNMENT.match(line)
    return m.group(1) if m else None


def _rst_title(lines: list[str], i: int) -> tuple[tuple[str, bool], str, int] | None:
    """At line ``i``: ((char, overlined), title, lines used) if a section title starts here."""
    n = len(lines)
    over = _adornment(lines[i])
    if over and i + 2 < n and _adornment(lines[i + 2]) == over:
        text = lines[i + 1].strip()
        if text and len(lines[i].rstrip()) >= len(text) and not _adornment(lines[i + 1]):
            return (over, True), text, 3
    text = lines[i].rstrip()
    if i + 1 < n and text and not text[0].isspace() and not over:
        under = _adornment(lines[i + 1])
        if under and len(lines[i + 1].rstrip()) >= len(text):
            return (under, False), text.strip(), 2
    return None


# Explicit markup a reader never sees: comments, hyperlink targets, substitution definitions
# and the directives that render nothing of their own (Sphinx's index, highlight, ...; a
# toctree's entries are file names, not the titles a reader sees). Names as docutils reads
# them: any case, an optional space before "::".
_RST_MARKUP = re.compile(r"^\.\.(?=[ \t]|$)[ \t]*(?:(_[^:]*:)|(\|[^|]+\|)|(\[[^\]]+\])|([\w.+:-]+) ?::)?")
_RST_SILENT = frozenset("""index highlight currentmodule py:currentmodule moduleauthor sectionauthor codeauthor
meta testsetup testcleanup tabularcolumns toctree default-role default-domain role include""".split())


def _indented(line: str) -> bool:
    return line[:1] in " \t"


def _rst_hidden_end(lines: list[str], i: int) -> int | None:
    """Index just past the explicit markup block at line ``i`` when a reader does not see it,
    else None. A target ends at the next blank line (an indented block after it is a block
    quote); a comment or a silent directive runs on over indented and blank lines."""
    m = _RST_MARKUP.match(lines[i])
    if not m:
        return None
    target, substitution, footnote, directive = m.groups()
    if footnote or (directive and directive.lower() not in _RST_SILENT):
        return None  # a footnote or a directive with visible content: read as before
    end = i + 1
    if target or lines[i].strip() == "..":  # an empty comment takes only lines right below it
        while end < len(lines) and lines[end].strip() and _indented(lines[end]):
            end += 1
        return end
    while end < len(lines) and (not lines[end].strip() or _indented(lines[end])):
        end += 1
    while end > i + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def extract_rst(data: bytes, limits: Limits) -> Extracted:
    """reStructuredText: section titles (levels by order of first use of each style)."""
    return stream_rst(data, limits).collect()


def stream_rst(data: bytes, limits: Limits) -> Streamed:
    """``extract_rst``'s blocks, produced as they are read."""
    lines, note = kept_lines(data, limits)
    return Streamed("rst", lambda: _rst(lines), note)


def _rst(lines: list[str]) -> BlockSource:
    headings = HeadingStack()
    styles: list[tuple[str, bool]] = []
    title: str | None = None
    start: int | None = None  # first line of the pending paragraph
    i = 0
    while i <= len(lines):
        found = _rst_title(lines, i) if i < len(lines) and start is None else None
        blank = i == len(lines) or not lines[i].strip()
        if start is not None and blank:
            yield from with_path(paragraphs(lines, start, i), headings.path)
            start = None
        if found:
            style, text, used = found
            if style not in styles:
                styles.append(style)
            path = headings.push(styles.index(style) + 1, text)
            yield Block(text, i + 1, i + used, path, None, True)
            title = title or text
            i += used
            continue
        hidden = _rst_hidden_end(lines, i) if start is None and not blank and lines[i].startswith("..") else None
        if hidden is not None:
            i = hidden
            continue
        if not blank and start is None and not _adornment(lines[i]):
            start = i
        i += 1
    return title


# --- plain text and AsciiDoc -------------------------------------------------------------------

_UNDERLINES = "=-~^+"  # two-line titles: the underline's character gives the level
_UNDERLINE = re.compile(r"^([=\-~^+])\1+[ \t]*$")
_ADOC_TITLE = re.compile(r"^(={1,6})[ \t]+(\S.*)$")  # linear: the closing ``=``s are trimmed in _adoc_title
# Lines that are AsciiDoc markup, not prose: anchors, block attributes, list continuations,
# preprocessor directives, attribute entries and comments. They end a paragraph.
_ADOC_MARKUP = re.compile(
    r"^(?:\[\[[^\]]*\]\][ \t]*$|\[[\w.#\-\",= ]*\][ \t]*$|\+[ \t]*$"
    r"|(?:ifn?def|endif|ifeval|include)::|:!?[\w-]+!?:(?:[ \t]|$)|//(?!/))")
# A rule or block delimiter (a line of one repeated mark): not prose in any text; ends a paragraph.
_RULE = re.compile(r"^([-.=*+_/~#])\1{3,}[ \t]*$")
# AsciiDoc blocks whose lines are verbatim (listing, literal, passthrough) or a comment.
_ADOC_VERBATIM = re.compile(r"^(-{4,}|\.{4,}|\+{4,}|/{4,})[ \t]*$")
# Markup that plain text does not use, alone on its line: telling signs of AsciiDoc.
_ADOC_SIGN = re.compile(r"^(?:\[\[[\w:.-]+\]\]|\[(?:source|listing|literal|verse|quote|appendix|preface|NOTE|TIP|"
                        r"WARNING|IMPORTANT|CAUTION)\b[^\]]*\]|(?:ifn?def|endif|include)::(?:\S*\])?[^\s\[\]]*\[[^\]]*\]"
                        r"|:[\w-]+:(?: .*)?)[ \t]*$")
# A labelled list's term ("--depth <n>::", "What should I put in user.name?::"): a heading
# deeper than any section, so the paragraphs after it carry it.
_ADOC_TERM = re.compile(r"^(?![ \t])(.*?[^:\s]):{2,4}[ \t]*$")
_TERM_LEVEL = 9
_ADOC_SAMPLE = 400  # lines looked at to tell AsciiDoc from plain text


def _adoc_title(line: str) -> tuple[int, str] | None:
    """(level, text) of an AsciiDoc section title line (``== Title ==``), else None."""
    m = _ADOC_TITLE.match(line)
    if m is None:
        return None
    return len(m.group(1)), _trim_closing(m.group(2), "=")


def _looks_asciidoc(lines: list[str]) -> bool:
    """A document title (``= Title``) near the top, two ``== Section`` lines early on, or
    three lines of markup only AsciiDoc uses (anchors, block styles, directives, attributes,
    labelled-list terms)."""
    head = lines[:_ADOC_SAMPLE]
    if any(line.startswith("= ") and _adoc_title(line) for line in head[:10]):
        return True
    if sum(1 for line in head if line.startswith("==") and _adoc_title(line)) >= 2:
        return True
    signs = sum(1 for i, line in enumerate(head) if (line[:1] in "[:i" and _ADOC_SIGN.match(line))
                or _is_term(head, i))
    return signs >= 3


def _is_term(lines: list[str], i: int) -> bool:
    """A labelled-list term: ``text::`` after a blank line or another term (in reST, a
    paragraph's last line may end in ``::``; it follows a line of the same paragraph)."""
    line = lines[i].rstrip()
    if not line.endswith("::") or not _ADOC_TERM.match(line):
        return False
    before = lines[i - 1].rstrip() if i else ""
    return not before or bool(before.endswith("::") and _ADOC_TERM.match(before))


def _text_title(lines: list[str], i: int, adoc: bool) -> tuple[int, str, int] | None:
    """At line ``i``: (level, title, lines used) if a section title starts here.

    Two-line titles (a line of words underlined by =, -, ~, ^ or + of about its length,
    after a blank line) count in any text; ``== Title`` lines and list terms only in AsciiDoc.
    """
    line = lines[i].rstrip()
    if adoc and line.startswith("="):
        title = _adoc_title(line)
        if title:
            return title[0], clean_heading(title[1]), 1
    if adoc and _is_term(lines, i):
        return _TERM_LEVEL, clean_heading(_ADOC_TERM.match(line).group(1)), 1  # type: ignore[union-attr]
    if (i + 1 < len(lines) and line and not line[0].isspace() and (i == 0 or not lines[i - 1].strip())
            and any(c.isalnum() for c in line) and not _UNDERLINE.match(line)):
        under = _UNDERLINE.match(lines[i + 1])
        if under and abs(len(lines[i + 1].rstrip()) - len(line)) <= 2:
            return _UNDERLINES.index(under.group(1)) + 1, clean_heading(line), 2
    return None if adoc else _label_title(lines, i)


# A plain note's label over the lines indented or listed under it ("TOM" / "  thurs 26th 9-2  pack
# boxes", "fees" / "  annual licence fee £587 ..."): a short line at the margin, after a blank line,
# that opens with a letter or digit and does not end as a sentence or a lead-in does ("for Friday
# can we do:" introduces its list, and says something of its own).
_LABEL_LEVEL = 8  # under any underlined title, above AsciiDoc's list terms
_LABEL_CHARS, _LABEL_WORDS = 40, 6
# a lead-in ends with a word that leads on ("Create the file by")
_LEADS_ON = frozenset("a an the and or but of to in on at by for with from as that which than".split())
_LABEL_LINE = re.compile(r"[^\W_][^\t]*[\w)\]]")
_UNDER_LABEL = re.compile(r"[ \t]+\S|(?:[-*+\u2022]|\d{1,2}[.)])[ \t]+\S")


def _label_title(lines: list[str], i: int) -> tuple[int, str, int] | None:
    """At line ``i`` of a plain text: (level, label, 1) if it labels the lines under it."""
    line = lines[i].rstrip()
    if (i + 1 >= len(lines) or (i and lines[i - 1].strip()) or len(line) > _LABEL_CHARS
            or len(line.split()) > _LABEL_WORDS or not _LABEL_LINE.fullmatch(line)
            or _UNDER_LABEL.match(line) or not _UNDER_LABEL.match(lines[i + 1])
            or line.split()[-1].lower() in _LEADS_ON):
        return None
    return _LABEL_LEVEL, clean_heading(line), 1


def _verbatim_end(lines: list[str], i: int) -> int:
    """Index of the line closing the AsciiDoc block opened at ``i`` (or the end)."""
    fence = lines[i].strip()
    return next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence), len(lines))


class _PlainText:
    """The state of one pass over a plain or AsciiDoc text (see ``extract_plain``)."""

    def __init__(self, lines: list[str], adoc: bool) -> None:
        self.lines, self.adoc = lines, adoc
        self.blocks: list[Block] = []  # made by the step under way, handed on before the next
        self.headings = HeadingStack()
        self.title: tuple[int, str] | None = None  # (level, text) of the outermost title seen first
        self.term_said = False  # the innermost list term already has a paragraph

    def paragraph(self, first: int, last: int) -> None:
        if self.adoc and self.headings.level == _TERM_LEVEL and self.term_said and self._ends_list(first):
            self.headings.pop_to(_TERM_LEVEL)
        if self.headings.level == _LABEL_LEVEL and self._ends_list(first) and not _UNDER_LABEL.match(self.lines[first]):
            self.headings.pop_to(_LABEL_LEVEL)  # a paragraph at the margin is under no label
        self.term_said = self.headings.level == _TERM_LEVEL
        self.blocks.extend(with_path(paragraphs(self.lines, first, last), self.headings.path))

    def _ends_list(self, first: int) -> bool:
        """A paragraph at the margin after a blank line, not attached with ``+``, leaves the list."""
        before = [line.strip() for line in self.lines[max(0, first - 2):first]]
        return not self.lines[first][:1].isspace() and before[-1:] == [""] and before[:1] != ["+"]

    def heading(self, i: int, level: int, text: str, used: int) -> None:
        self.blocks.append(Block(text, i + 1, i + used, self.headings.push(level, text), None, True))
        self.term_said = False
        if (self.title is None or level < self.title[0]) and level != _LABEL_LEVEL:  # a note's label is no title
            self.title = (level, text)

    def verbatim(self, i: int) -> int:
        """An AsciiDoc listing or literal block, kept whole; comment blocks are left out."""
        end = _verbatim_end(self.lines, i)
        body = "\n".join(self.lines[i + 1:end]).rstrip()
        if body.strip() and not self.lines[i].startswith("//"):
            self.blocks.append(Block(body, i + 2, end, self.headings.path))
        return end + 1

    def run(self) -> BlockSource:
        lines, adoc, start, i = self.lines, self.adoc, None, 0
        while i <= len(lines):
            yield from self.blocks
            self.blocks.clear()
            found = _text_title(lines, i, adoc) if i < len(lines) else None
            fence = adoc and i < len(lines) and _ADOC_VERBATIM.match(lines[i]) is not None
            breaks = (i == len(lines) or found is not None or fence or not lines[i].strip()
                      or _RULE.match(lines[i]) is not None or (adoc and _ADOC_MARKUP.match(lines[i]) is not None))
            if start is not None and breaks:
                self.paragraph(start, i)
                start = None
            if fence:
                i = self.verbatim(i)
                continue
            if found and found[1]:
                self.heading(i, *found)
                i += found[2]
                continue
            if not breaks and start is None:
                start = i
            i += 1
        yield from self.blocks
        return self.title[1] if self.title else None


def extract_plain(data: bytes, limits: Limits, asciidoc: bool | None = None) -> Extracted:
    """Plain text: paragraphs (split at blank lines) under the section titles the text has.

    Underlined titles are found in any text, and rules (``-----``) end paragraphs.
    AsciiDoc (``asciidoc=True``, or with ``None`` a text that looks like it) also has
    ``== Title`` lines, labelled-list terms (``term::``, the heading of what follows until
    the list ends), verbatim blocks kept whole, and markup lines (anchors, attributes,
    directives, comments) that end paragraphs instead of being prose.
    """
    return stream_plain(data, limits, asciidoc).collect()


def stream_plain(data: bytes, limits: Limits, asciidoc: bool | None = None) -> Streamed:
    """``extract_plain``'s blocks, produced as they are read."""
    lines, note = kept_lines(data, limits)
    adoc = _looks_asciidoc(lines) if asciidoc is None else asciidoc
    return Streamed("asciidoc" if adoc else "text", lambda: _PlainText(lines, adoc).run(), note)


# --- code ------------------------------------------------------------------------------------

_PY_DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?(def|class)[ \t]+(\w+)")
_PYTHON_SUFFIXES = {".py", ".pyi", ".pyw"}


def _python_paths(lines: list[str]) -> list[tuple[str, ...]]:
    """For each line, the enclosing ``class``/``def`` names (by indentation)."""
    stack: list[tuple[int, str]] = []
    out: list[tuple[str, ...]] = []
    path: tuple[str, ...] = ()  # shared by the lines it holds for (not a tuple per line)
    for line in lines:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        # comments, decorators and closing brackets do not end a body
        if stripped and stripped[0] not in "#@)]}":
            while stack and stack[-1][0] >= indent:
                stack.pop()
            m = _PY_DEF.match(line)
            if m:
                stack.append((indent, f"{m.group(2)} {m.group(3)}"))
            if len(stack) != len(path) or (stack and stack[-1][1] != path[-1]):
                path = tuple(name for _, name in stack)
        out.append(path)
    return out


def extract_code(data: bytes, limits: Limits, suffix: str = "") -> Extracted:
    """Source code: paragraphs at blank lines; Python paragraphs carry their class/def path."""
    return stream_code(data, limits, suffix).collect()


def stream_code(data: bytes, limits: Limits, suffix: str = "") -> Streamed:
    """``extract_code``'s blocks, produced as they are read."""
    lines, note = kept_lines(data, limits)
    paths = _python_paths(lines) if suffix.lower() in _PYTHON_SUFFIXES else None
    return Streamed("code", lambda: _code(lines, paths), note)


def _code(lines: list[str], paths: list[tuple[str, ...]] | None) -> BlockSource:
    for block in paragraphs(lines):
        yield block if paths is None else _with_code_path(block, lines, paths)
    return None


def _with_code_path(block: Block, lines: list[str], paths: list[tuple[str, ...]]) -> Block:
    """The block with the path of its first line that is not a comment or decorator."""
    first = block.line_start - 1
    for i in range(first, block.line_end):
        if lines[i].lstrip()[:1] not in ("#", "@"):
            first = i
            break
    return with_path([block], paths[first])[0]


_LINES_MAX_BYTES = 25 * 1024 * 1024


@lru_cache(maxsize=32)
def _lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    with open(path, "rb") as fh:
        return tuple(decode(fh.read(_LINES_MAX_BYTES)).split("\n"))


def file_lines(path: str) -> tuple[str, ...] | None:
    """The decoded lines of ``path`` (its first 25 MB), or None if it cannot be read now. Kept
    for the 32 files read last (keyed by mtime and size): a chat answer reads each file once."""
    try:
        st = os.stat(path)
        return _lines(path, st.st_mtime_ns, st.st_size)
    except (OSError, ValueError):
        return None
    except Exception:  # noqa: BLE001 - a refusal to decode only means no lines
        return None
