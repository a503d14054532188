"""Structure-aware chunking: split at headings and paragraphs, pack to a token target.

BERT's WordPiece tokenizer works word by word, so a text's token count is the sum of
its words' counts; that lets long paragraphs be cut at word boundaries without
re-tokenizing every candidate piece.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import NamedTuple, TypeVar

from .extract.base import Block
from .extract.mail import without_sender

CountFn = Callable[[list[str]], list[int]]
HEADING_SEP = " > "
_WORDS = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=\S)")
_WORD = re.compile(r"\S+")
# No chunk holds more than this many characters per target token (ordinary prose has 4 to 10):
# a run of words the tokenizer reads as one unknown token cannot make a chunk of megabytes.
_CHARS_PER_TOKEN = 64
_BATCH_TEXTS, _BATCH_CHARS = 1024, 1 << 18  # texts handed to the tokenizer at once
_T = TypeVar("_T")


@dataclass(frozen=True)
class Chunk:
    text: str
    heading: str
    page: int | None
    line_start: int
    line_end: int
    embed_text: str


@dataclass
class _Piece:
    text: str
    tokens: int
    line_start: int
    line_end: int
    para: int  # paragraphs are joined with a blank line, pieces of one paragraph with ``sep``
    sep: str = " "  # the spacing that stood before this piece in its paragraph (kept, so text stays verbatim)


def chunk_blocks(blocks: Iterable[Block], count: CountFn, target: int = 200, overlap: int = 24,
                 context: str | Callable[[], str] = "") -> list[Chunk]:
    """Chunks of at most about ``target`` tokens (and ``_CHARS_PER_TOKEN * target`` characters),
    in reading order.

    Headings are not repeated in chunk text: they travel as the chunk's heading path
    and are prepended to what is embedded, under ``context`` (e.g. the file's title) when
    the path does not start with it (``embed_prefix``). ``blocks`` are read as they come (a
    ``Streamed`` text: then ``context`` may be a function, asked once they have all come, and
    ``blocks`` are read twice when they hold only titles); texts are counted in bounded batches
    and pieces packed as they come, so memory stays bounded on any input.
    """
    cap = _CHARS_PER_TOKEN * target
    made = list(_chunked(_body(blocks), count, target, overlap, cap))
    if not made:  # only titles (a cover page, a stub): they are the text
        made = list(_chunked(_titles(blocks), count, target, overlap, cap))
    title = context() if callable(context) else context
    prefixes = {heading: embed_prefix(heading, title) for heading in {m.heading for m in made}}
    return [Chunk(*m, embed_text=embed_text(prefixes[m.heading], m.text)) for m in made]


class _Made(NamedTuple):
    """A chunk but for what is embedded, which waits for the document's title."""

    text: str
    heading: str
    page: int | None
    line_start: int
    line_end: int


def _body(blocks: Iterable[Block]) -> Iterator[Block]:
    return (b for b in blocks if not b.is_heading and b.text.strip())


def _titles(blocks: Iterable[Block]) -> Iterator[Block]:
    """The titles of a text that has nothing else, as its body (each under its parents)."""
    return (Block(b.text, b.line_start, b.line_end, b.heading_path[:-1], b.page) for b in blocks if b.text.strip())


def _chunked(body: Iterable[Block], count: CountFn, target: int, overlap: int, cap: int) -> Iterator[_Made]:
    for (heading_path, page), section in groupby(_counted(body, _block_text, count, cap), key=_section_key):
        heading = HEADING_SEP.join(h for h in heading_path if h)
        for group in _pack(_pieces(section, count, target, cap), target, overlap, cap):
            yield _Made(_join(group), heading, page, group[0].line_start, group[-1].line_end)


def embed_prefix(heading: str, context: str) -> str:
    """A chunk's heading path, under the document's title (``context``) unless the path's root
    already names it: a page whose title is "Write-Ahead Logging" and whose first heading is
    "1. Overview" is still about write-ahead logging. The file's title alone without headings. (An
    e-mail's sender is left out: ``without_sender``.)"""
    heading = without_sender(heading)
    if not heading or not context:
        return heading or context
    root, title = _WORDS.findall(heading.split(HEADING_SEP, 1)[0].casefold()), _WORDS.findall(context.casefold())
    return heading if _within(root, title) or _within(title, root) else f"{context}{HEADING_SEP}{heading}"


def _within(part: list[str], whole: list[str]) -> bool:
    """``part``'s words stand together in ``whole`` ("API" is not in "Rapid prototyping")."""
    return any(whole[i:i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def embed_text(prefix: str, text: str) -> str:
    """What is embedded for a chunk: its heading path (or the file's title) over its text."""
    return f"{prefix}\n{text}" if prefix else text


def _block_text(block: Block) -> str:
    return block.text


def _section_key(counted: tuple[Block, int | None]) -> tuple[tuple[str, ...], int | None]:
    """Consecutive blocks that share a heading path and page make a section."""
    return counted[0].heading_path, counted[0].page


def _counted(items: Iterable[_T], text_of: Callable[[_T], str], count: CountFn,
             cap: int) -> Iterator[tuple[_T, int | None]]:
    """Each item with its text's token count, counted in bounded batches; None (not counted)
    for a text longer than ``cap`` characters, which is cut smaller whatever its count."""
    batch: list[tuple[_T, str | None]] = []
    chars = 0
    for item in items:
        text = text_of(item)
        kept = text if len(text) <= cap else None
        batch.append((item, kept))
        chars += len(kept) if kept else 0
        if len(batch) >= _BATCH_TEXTS or chars >= _BATCH_CHARS:
            yield from _count_batch(batch, count)
            batch, chars = [], 0
    yield from _count_batch(batch, count)


def _count_batch(batch: list[tuple[_T, str | None]], count: CountFn) -> Iterator[tuple[_T, int | None]]:
    texts = [t for _, t in batch if t is not None]
    sizes = iter(count(texts) if texts else [])
    for item, text in batch:
        yield item, (next(sizes) if text is not None else None)


def _join(pieces: list[_Piece]) -> str:
    parts = [pieces[0].text]
    for prev, piece in zip(pieces, pieces[1:], strict=False):
        parts.append((piece.sep if piece.para == prev.para else "\n\n") + piece.text)
    return "".join(parts)


def _pieces(section: Iterable[tuple[Block, int | None]], count: CountFn, target: int,
            cap: int) -> Iterator[_Piece]:
    """Paragraphs as pieces; a paragraph longer than ``target`` tokens (or ``cap`` characters)
    is cut into sentences, then words, and a word longer than that into character windows."""
    for para, (block, n) in enumerate(section):
        if n is not None and n <= target:
            yield _Piece(block.text.strip(), n, block.line_start, block.line_end, para)
        else:
            yield from _split_long(block, count, target, para, cap)


def _split_long(block: Block, count: CountFn, target: int, para: int, cap: int) -> Iterator[_Piece]:
    text = block.text.strip()
    line, pos, before = block.line_start, 0, None  # lines counted as the spans go (once over the text)
    for a, b, n in _long_spans(text, count, target, cap):
        line += text.count("\n", pos, a)
        first = line
        line += text.count("\n", a, b)
        pos = b
        yield _Piece(text[a:b], n, first, line, para, " " if before is None else text[before:a])
        before = b


def _long_spans(text: str, count: CountFn, target: int, cap: int) -> Iterator[tuple[int, int, int]]:
    """Spans of ``text`` of at most ``target`` tokens: its sentences, and word runs of the longer ones."""
    for (a, b), n in _counted(_spans(text, _SENTENCE_END), lambda s: text[s[0]:s[1]], count, cap):
        if n is not None and n <= target:
            yield a, b, n
        else:
            yield from _word_spans(text, a, b, count, target, cap)


def _spans(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    start = 0
    for m in pattern.finditer(text):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if len(text) > start:
        yield start, len(text)


def _word_spans(text: str, a: int, b: int, count: CountFn, target: int, cap: int) -> Iterator[tuple[int, int, int]]:
    """Cut ``text[a:b]`` at whitespace into runs of at most ``target`` tokens and ``cap`` characters;
    a word longer than that is cut into character windows."""
    start: int | None = None
    total = prev_end = 0
    for s, e, n in _words(text, a, b, count, target, cap):
        if start is not None and (total + n > target or e - start > cap):
            yield start, prev_end, total
            start, total = None, 0
        if start is None:
            start = s
        total += n
        prev_end = e
    if start is not None:
        yield start, prev_end, total


def _words(text: str, a: int, b: int, count: CountFn, target: int, cap: int) -> Iterator[tuple[int, int, int]]:
    """The words of ``text[a:b]`` with their token counts; a word of more than ``target`` tokens
    (or ``cap`` characters) comes as windows of ``target // 2`` characters."""
    words = ((m.start(), m.end()) for m in _WORD.finditer(text, a, b))
    for (s, e), n in _counted(words, lambda w: text[w[0]:w[1]], count, cap):
        if n is not None and n <= target:
            yield s, e, n
        else:
            yield from _windows(text, s, e, count, target, max(1, target // 2))


def _windows(text: str, a: int, b: int, count: CountFn, target: int, size: int) -> Iterator[tuple[int, int, int]]:
    """``text[a:b]`` (one over-long word) in windows of ``size`` characters with their token
    counts; a window still over ``target`` tokens is cut in halves."""
    spans = ((s, min(s + size, b)) for s in range(a, b, size))
    for (s, e), n in _counted(spans, lambda w: text[w[0]:w[1]], count, size):
        if n is not None and (n <= target or e - s == 1):
            yield s, e, n
        else:
            yield from _windows(text, s, e, count, target, max(1, (e - s) // 2))


def _pack(pieces: Iterable[_Piece], target: int, overlap: int, cap: int) -> Iterator[list[_Piece]]:
    """Greedy packing of pieces into groups of at most ``target`` tokens (and about ``cap`` characters).

    A new group starts with the previous group's last pieces (at most ``overlap``
    tokens of whole sentences or paragraphs), so a passage cut at a boundary keeps
    its lead-in.
    """
    current: list[_Piece] = []
    total = chars = 0
    for piece in pieces:
        if current and (total + piece.tokens > target or chars + len(piece.text) > cap):
            yield current
            current = _tail(current, overlap, target - piece.tokens, cap - len(piece.text))
            total = sum(p.tokens for p in current)
            chars = sum(len(p.text) for p in current)
        current.append(piece)
        total += piece.tokens
        chars += len(piece.text)
    if current:
        yield current


def _tail(group: list[_Piece], overlap: int, room: int, room_chars: int) -> list[_Piece]:
    """The last pieces of ``group`` that fit in ``overlap`` (and ``room``) tokens and ``room_chars``
    characters, never all of it."""
    tail: list[_Piece] = []
    total = chars = 0
    for piece in reversed(group[1:]):
        if total + piece.tokens > min(overlap, room) or chars + len(piece.text) > room_chars:
            break
        tail.insert(0, piece)
        total += piece.tokens
        chars += len(piece.text)
    return tail
