"""Sentences inside a passage, with their character spans and their own line numbers.

A passage (chunk) is its extractor's paragraphs joined by a blank line, each paragraph
verbatim. A sentence never crosses a paragraph break, so every span returned here cuts
a verbatim piece of the file's extracted text: quoting it never rewrites the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_CHARS = 20
MAX_CHARS = 480
_PARA_BREAK = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! ? (optionally closed by a quote or bracket) followed by space and a
# capital, digit, quote or bracket; a lone wrapped line break inside a paragraph is not an end.
_END = re.compile(r"[.!?][\"')\]]*(\s+)(?=[\"'(\[`*]?[A-Z0-9])")
TITLE_CHARS = 40
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|Mr|Mrs|Ms|Dr|No|Fig|approx|resp)\.|\b[A-Z]\.)$")
_LEAD = re.compile(r"(?:\s|[-*+•>]|\d{1,3}[.)](?=\s)|#+(?=\s))+")
# A list item starts a sentence of its own ("- Backups run nightly." / "2) Restore ...").
_ITEM = re.compile(r"\n[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+(?=\S)")
_LETTERS = re.compile(r"[^\W\d_]")
# Code is not quoted: an extractor keeps its layout, which a passage may re-flow.
_CODE_CHARS = re.compile(r"[()\[\]{}=<>_*#|\\/\"'`]")
_CODE_START = re.compile(r"(?m)^\s*(?:>>>|\.\.\.\s|def\s|class\s|import\s|from\s+\w+\s+import|\$\s"
                         r"|(?:pass|return|break|continue|try:|else:|finally:)\s*$)")  # a statement alone on a line
CODE_SHARE = 0.08
# Source code with comments or docstrings in it, and a line of it that is code or a comment's edge.
_MIXED = re.compile(r'(?m)"""|\'\'\'|^\s*(?:#|//|/\*|\*/|def\s|class\s|return\b|function\b|import\s)')
_CODE_LINE = re.compile(r'[ \t]*(?:"""|\'\'\'|#|//|/\*|\*/|>>>|@\w|def\s|class\s|return\b|raise\s|import\s'
                        r'|from\s+\S+\s+import\b|(?:for|while|if|elif|else|try|except|with|function|const|let|var)\b'
                        r'|.*(?:[{};]|"""|\'\'\')[ \t]*$)')
_COMMENT_LINE = re.compile(r'[ \t]*(?:"""|\'\'\'|#|//|/\*)')
_COMMENT_OPEN = re.compile(r'(?:"""|\'\'\'|/\*+|//+)[ \t]*')
_COMMENT_CLOSE = re.compile(r'[ \t]*(?:"""|\'\'\'|\*/)$')
# Markdown that prose uses, left out before the code share is taken: emphasis markers, a code
# span (counted as one word), a link's target. "The **oven** is cleaned on Fridays." is prose.
_MARKUP = [(re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)"), r"\2"),
           (re.compile(r"(`+)[^`]+?\1"), "code"),
           (re.compile(r"\[([^\]\n]+)\](?:\([^)\s]*\)|\[[^\]\n]*\])"), r"\1")]


@dataclass(frozen=True)
class Sentence:
    start: int  # character offsets into the passage text
    end: int
    text: str


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph in a passage (pieces between blank lines)."""
    spans, start = [], 0
    for m in _PARA_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _sentence_spans(text: str, a: int, b: int) -> list[tuple[int, int]]:
    cuts = [(m.start(1), m.end(1)) for m in _END.finditer(text, a, b)
            if not _ABBREV.search(text, max(a, m.start(1) - 8), m.start(1))]
    cuts += _title_lines(text, a, b)
    cuts += [(m.start(), m.start() + 1) for m in _ITEM.finditer(text, a, b)]
    out, start = [], a
    for cut, resume in sorted(cuts):
        if cut > start:
            out.append((start, cut))
            start = resume
    out.append((start, b))
    return out


def _title_lines(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Breaks after a short line with no end punctuation followed by a capital: a title ("Finance")."""
    out, start = [], a
    while (nl := text.find("\n", start, b)) >= 0:
        line = text[start:nl].rstrip()
        if 0 < len(line.strip()) <= TITLE_CHARS and line[-1] not in ".!?:;,-" and text[nl + 1:nl + 2].isupper():
            out.append((start + len(line), nl + 1))
        start = nl + 1
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop list markers and spaces at the start and spaces at the end."""
    lead = _LEAD.match(text, a, b)
    if lead:
        a = lead.end()
    while b > a and text[b - 1].isspace():
        b -= 1
    if opened := _COMMENT_OPEN.match(text, a, b):  # a docstring's or comment's marks are not words
        a = opened.end()
    if closed := _COMMENT_CLOSE.search(text, a, b):
        b = closed.start()
    return a, b


def _is_prose(piece: str) -> bool:
    """Enough letters and words to be worth quoting (not code, tables or rules)."""
    letters = len(_LETTERS.findall(piece))
    if _CODE_START.search(piece):
        return False
    plain = piece
    for pattern, words in _MARKUP:
        plain = pattern.sub(words, plain)
    if len(_CODE_CHARS.findall(plain)) > CODE_SHARE * len(plain):
        return False
    return letters >= 0.55 * len(piece) - piece.count(" ") and len(piece.split()) >= 4


def _cut_long(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """A sentence longer than MAX_CHARS cut at semicolons or colons (kept whole if it cannot be)."""
    if b - a <= MAX_CHARS:
        return [(a, b)]
    out, start = [], a
    for m in re.finditer(r"(?<=[;:])\s+", text[a:b]):
        if a + m.start() - start >= MIN_CHARS:
            out.append((start, a + m.start()))
            start = a + m.end()
    out.append((start, b))
    return [(s, e) for s, e in out if e - s <= MAX_CHARS]


def _prose_runs(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """A paragraph where code and its comments or docstrings meet, cut around each line of code
    (and each line that opens or closes a comment), so the prose in it can be quoted alone;
    any other paragraph whole."""
    if not _MIXED.search(text, a, b):
        return [(a, b)]
    out, start, pos = [], a, a
    while pos < b:
        nl = text.find("\n", pos, b)
        end = b if nl < 0 else nl
        if _CODE_LINE.match(text, pos, end):
            out += [(start, pos), (pos, end)] if _COMMENT_LINE.match(text, pos, end) else [(start, pos)]
            start = end + 1
        pos = end + 1
    out.append((start, b))
    return [(x, y) for x, y in out if text[x:y].strip()]


def split_sentences(text: str) -> list[Sentence]:
    """The quotable sentences of a passage, in reading order."""
    out: list[Sentence] = []
    for pa, pb in (run for para in paragraph_spans(text) for run in _prose_runs(text, *para)):
        for sa, sb in _sentence_spans(text, pa, pb):
            for ca, cb in _cut_long(text, sa, sb):
                a, b = _trim(text, ca, cb)
                piece = text[a:b]
                if len(piece) >= MIN_CHARS and _is_prose(piece):
                    out.append(Sentence(a, b, piece))
    return out


def line_span(text: str, start: int, end: int, line_start: int | None,
              line_end: int | None) -> tuple[int | None, int | None]:
    """The first and last line of ``text[start:end]``, from its passage's line span.

    Inside a paragraph, lines are the passage's own line breaks. Between paragraphs the
    file may have had one blank line or none (PDF pages); the gap that makes the passage's
    paragraphs add up to its known line span is used, else one blank line is assumed.
    """
    if line_start is None:
        return None, None
    paras = paragraph_spans(text)
    heights = [text.count("\n", a, b) + 1 for a, b in paras]
    gap = _gap(heights, line_start, line_end)
    line = line_start
    for (a, b), height in zip(paras, heights, strict=True):
        if a <= start < b + 1:
            first = line + text.count("\n", a, start)
            last = first + text.count("\n", start, end)
            if line_end is not None:
                first, last = min(first, line_end), min(last, line_end)
            return first, last
        line += height + gap
    return line_start, line_end


def _gap(heights: list[int], line_start: int, line_end: int | None) -> int:
    if line_end is None or len(heights) < 2:
        return 1
    total = line_end - line_start + 1
    for gap in (1, 0):
        if sum(heights) + gap * (len(heights) - 1) == total:
            return gap
    return 1
