"""Exact line numbers of a quoted sentence, found in the cited file itself.

``sentences.line_span`` estimates a sentence's lines from its passage; for files whose
lines are the source's lines (text, Markdown, reST, code, HTML) the sentence is looked
for inside the passage's line range of the file, which turns the estimate into the
exact span. Files are read at most once per answer (a small cache keyed by mtime).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..extract import file_lines, format_for

_LINE_FORMATS = frozenset({"text", "asciidoc", "markdown", "rst", "code", "html"})
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"<[^>]{0,200}>|&#?\w{1,8};|(\w+)")  # a tag, an entity, or a word (group 1)
_SEP = "\x00"


def _flexible(region: str, quote: str) -> tuple[int, int] | None:
    """(start, end) in ``region`` of the words of ``quote`` in order, with only spacing,
    punctuation or markup (tags, entities) between them; None when they are not there (or
    fewer than three). One pass over the region's words, no pattern to compile per quote."""
    wanted = _WORD.findall(quote)
    if len(wanted) < 3:
        return None
    found = [m for m in _TOKEN.finditer(region) if m.group(1)]
    hay = _SEP + _SEP.join(m.group(1) for m in found) + _SEP
    at = hay.find(_SEP + _SEP.join(wanted) + _SEP)
    if at < 0:
        return None
    first = hay.count(_SEP, 0, at)  # the region's words before the match
    return found[first].start(), found[first + len(wanted) - 1].end()


def exact_lines(path: str, quote: str, line_start: int | None, line_end: int | None,
                page: int | None, near: int | None = None) -> tuple[int, int, str] | None:
    """The file lines holding ``quote`` within ``[line_start, line_end]`` and the quote as the
    file has it (a passage joins the pieces of a long paragraph with a space where the file
    may have a line break), or None if it cannot be found. A quote found more than once there
    (a short fact: "Serves 4.") is the one closest to line ``near`` (the passage's estimate)."""
    fmt = format_for(Path(path))
    if page is not None or line_start is None or fmt not in _LINE_FORMATS:
        return None
    lines = file_lines(path)
    if not lines:
        return None
    end = len(lines) if line_end is None else min(len(lines), line_end)
    region = "\n".join(lines[line_start - 1:end])
    idx, length = _nearest(region, quote, None if near is None else near - line_start), len(quote)
    if idx < 0:
        span = _flexible(region, quote)
        if span is None:
            return None
        idx, length = span[0], span[1] - span[0]
    first = line_start + region.count("\n", 0, idx)
    verbatim = region[idx:idx + length] if fmt != "html" else quote  # HTML source has tags, not text
    return first, first + region.count("\n", idx, idx + length), verbatim


def _nearest(region: str, quote: str, line: int | None) -> int:
    """Where ``quote`` is in ``region`` (-1 if nowhere): the place whose line (0-based) is
    closest to ``line``, else the first."""
    idx = region.find(quote)
    if line is None or idx < 0:
        return idx
    best, gap = idx, abs(region.count("\n", 0, idx) - line)
    while gap and (idx := region.find(quote, idx + 1)) >= 0:
        if (g := abs(region.count("\n", 0, idx) - line)) < gap:
            best, gap = idx, g
    return best
