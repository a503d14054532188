"""Structure-aware chunking: split at headings and paragraphs, pack to a token target.

BERT's WordPiece tokenizer works word by word, so a text's token count is the sum of
its words' counts; that lets long paragraphs be cut at word boundaries without
re-tokenizing every candidate piece.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .extract.base import Block

CountFn = Callable[[list[str]], list[int]]
HEADING_SEP = " > "
_WORDS = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=\S)")


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


def chunk_blocks(blocks: list[Block], count: CountFn, target: int = 200, overlap: int = 24,
                 context: str = "") -> list[Chunk]:
    """Chunks of at most about ``target`` tokens, in reading order.

    Headings are not repeated in chunk text: they travel as the chunk's heading path
    and are prepended to what is embedded, under ``context`` (e.g. the file's title) when
    the path does not start with it (``embed_prefix``).
    """
    body = [b for b in blocks if not b.is_heading and b.text.strip()]
    if not body:  # only titles (a cover page, a stub): they are the text
        body = [Block(b.text, b.line_start, b.line_end, b.heading_path[:-1], b.page) for b in blocks if b.text.strip()]
    if not body:
        return []
    tokens = count([b.text for b in body])
    chunks: list[Chunk] = []
    for (heading_path, page), section in _sections(body, tokens):
        heading = HEADING_SEP.join(h for h in heading_path if h)
        prefix = embed_prefix(heading, context)
        for piece_group in _pack(_pieces(section, count, target), target, overlap):
            text = _join(piece_group)
            chunks.append(Chunk(
                text=text, heading=heading, page=page,
                line_start=piece_group[0].line_start, line_end=piece_group[-1].line_end,
                embed_text=embed_text(prefix, text),
            ))
    return chunks


def embed_prefix(heading: str, context: str) -> str:
    """A chunk's heading path, under the document's title (``context``) unless the path's root
    already names it: a page whose title is "Write-Ahead Logging" and whose first heading is
    "1. Overview" is still about write-ahead logging. The file's title alone without headings."""
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


def _sections(body: list[Block], tokens: list[int]) -> Iterable[tuple[tuple[tuple[str, ...], int | None],
                                                                        list[tuple[Block, int]]]]:
    """Consecutive blocks that share a heading path and page."""
    key: tuple[tuple[str, ...], int | None] | None = None
    group: list[tuple[Block, int]] = []
    for block, n in zip(body, tokens, strict=True):
        k = (block.heading_path, block.page)
        if k != key and group:
            yield key, group  # type: ignore[misc]
            group = []
        key = k
        group.append((block, n))
    if group:
        yield key, group  # type: ignore[misc]


def _join(pieces: list[_Piece]) -> str:
    parts = [pieces[0].text]
    for prev, piece in zip(pieces, pieces[1:], strict=False):
        parts.append((piece.sep if piece.para == prev.para else "\n\n") + piece.text)
    return "".join(parts)


def _pieces(section: list[tuple[Block, int]], count: CountFn, target: int) -> list[_Piece]:
    """Paragraphs as pieces; a paragraph longer than ``target`` is cut into sentences, then words."""
    out: list[_Piece] = []
    for para, (block, n) in enumerate(section):
        if n <= target:
            out.append(_Piece(block.text.strip(), n, block.line_start, block.line_end, para))
        else:
            out.extend(_split_long(block, count, target, para))
    return out


def _split_long(block: Block, count: CountFn, target: int, para: int) -> list[_Piece]:
    text = block.text.strip()
    sentences = _spans(text, _SENTENCE_END)
    sizes = count([text[a:b] for a, b in sentences])
    spans: list[tuple[int, int, int]] = []
    for (a, b), n in zip(sentences, sizes, strict=True):
        if n <= target:
            spans.append((a, b, n))
        else:
            spans.extend(_word_spans(text, a, b, count, target))
    ends_before = [0] + [b for _, b, _ in spans[:-1]]
    return [_Piece(text[a:b], n, block.line_start + text.count("\n", 0, a),
                   block.line_start + text.count("\n", 0, b), para, text[before:a] or " ")
            for (a, b, n), before in zip(spans, ends_before, strict=True)]


def _spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in pattern.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return [(a, b) for a, b in out if b > a]


def _word_spans(text: str, a: int, b: int, count: CountFn, target: int) -> list[tuple[int, int, int]]:
    """Cut ``text[a:b]`` at whitespace into runs of at most ``target`` tokens."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[a:b])]
    sizes = count([text[a + s:a + e] for s, e in words])
    out: list[tuple[int, int, int]] = []
    start: int | None = None
    total = prev_end = 0
    for (s, e), n in zip(words, sizes, strict=True):
        if start is not None and total + n > target:
            out.append((a + start, a + prev_end, total))
            start, total = None, 0
        if start is None:
            start = s
        total += n
        prev_end = e
    if start is not None:
        out.append((a + start, a + prev_end, total))
    return out


def _pack(pieces: list[_Piece], target: int, overlap: int) -> list[list[_Piece]]:
    """Greedy packing of pieces into groups of at most ``target`` tokens.

    A new group starts with the previous group's last pieces (at most ``overlap``
    tokens of whole sentences or paragraphs), so a passage cut at a boundary keeps
    its lead-in.
    """
    groups: list[list[_Piece]] = []
    current: list[_Piece] = []
    total = 0
    for piece in pieces:
        if current and total + piece.tokens > target:
            groups.append(current)
            current = _tail(current, overlap, target - piece.tokens)
            total = sum(p.tokens for p in current)
        current.append(piece)
        total += piece.tokens
    if current:
        groups.append(current)
    return groups


def _tail(group: list[_Piece], overlap: int, room: int) -> list[_Piece]:
    """The last pieces of ``group`` that fit in ``overlap`` (and ``room``) tokens, never all of it."""
    tail: list[_Piece] = []
    total = 0
    for piece in reversed(group[1:]):
        if total + piece.tokens > min(overlap, room):
            break
        tail.insert(0, piece)
        total += piece.tokens
    return tail
