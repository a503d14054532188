"""Encoded data (base64: an image in a data URI, a PEM certificate, a MIME dump) is not prose.

A run of base64 is cut out of its block: the text before and after it stays, each a verbatim
piece of the file with its own lines, so a quoted sentence is still found where the file has
it. Thousands of passages of such a run would only crowd search and cost embedding time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from engine.extract.base import Block

# A run: lines of at least 40 base64 characters (a PEM or MIME body), or one such word, and
# the shorter line that ends it. It starts where a word does.
_LINE = r"[A-Za-z0-9+/]{40,}={0,2}"
_RUN = re.compile(rf"(?<![A-Za-z0-9+/=]){_LINE}(?:\n{_LINE})*(?:\n[A-Za-z0-9+/]+={{0,2}}(?![^\n]))?")
_ANY = re.compile(r"[A-Za-z0-9+/]{40}")  # blocks without it have no run (skips the rest on prose)
MIN_CHARS = 320  # shorter runs are kept (a hash, a key ID, a long identifier)
_MIN_DISTINCT = 40  # random base64 of this length uses nearly all 64 characters
_UPPER, _LOWER, _DIGITS = re.compile(r"[A-Z]"), re.compile(r"[a-z]"), re.compile(r"[0-9]")


def is_encoded(run: str) -> bool:
    """``run`` (base64 characters and line breaks) reads as encoded data, not words: long, and
    with capitals, small letters and digits mixed as random bytes mix them."""
    size = len(run) - run.count("\n")
    if size < MIN_CHARS or len(set(run)) < _MIN_DISTINCT:
        return False
    shares = [len(p.findall(run)) / size for p in (_UPPER, _LOWER, _DIGITS)]
    return min(shares[:2]) >= 0.15 and shares[2] >= 0.04


@dataclass
class LeftOut:
    """What a pass over a text's blocks left out."""

    runs: int = 0
    chars: int = 0

    def note(self) -> str | None:
        if not self.runs:
            return None
        what = "a run" if self.runs == 1 else f"{self.runs:,} runs"
        return f"left out {what} of base64-encoded data ({self.chars:,} characters), which is not prose"


def without_encoded(blocks: Iterable[Block], left_out: LeftOut) -> Iterator[Block]:
    """``blocks`` with their runs of encoded data cut out, counted in ``left_out``."""
    for block in blocks:
        if block.is_heading or len(block.text) < MIN_CHARS or _ANY.search(block.text) is None:
            yield block
            continue
        yield from _cut(block, left_out)


def _cut(block: Block, left_out: LeftOut) -> Iterator[Block]:
    """The pieces of ``block`` around its runs; lines are counted in its text when they can be
    (its line breaks are the file's), else each piece keeps the block's lines."""
    text, pos = block.text, 0
    exact = text.count("\n") == block.line_end - block.line_start
    for m in _RUN.finditer(text):
        if is_encoded(m.group()):
            yield from _piece(block, pos, m.start(), exact)
            left_out.runs += 1
            left_out.chars += m.end() - m.start()
            pos = m.end()
    yield from _piece(block, pos, len(text), exact)


def _piece(block: Block, a: int, b: int, exact: bool) -> Iterator[Block]:
    part = block.text[a:b]
    text = part.strip()
    if not text:
        return
    if a == 0 and b == len(block.text):
        yield block
        return
    if not exact:
        yield replace(block, text=text)
        return
    first = block.line_start + block.text.count("\n", 0, a) + part[: len(part) - len(part.lstrip())].count("\n")
    yield replace(block, text=text, line_start=first, line_end=first + text.count("\n"))
