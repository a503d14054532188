"""Late interaction: the best candidates re-ordered by how well each word of the question
finds its match in the passage.

One vector a passage blurs it: MiniLM ranks a same-topic passage (a sibling function, the
user manual's overview) above the one that answers a paraphrased question. Matching the
question's tokens one by one against the passage's (ColBERT's *MaxSim*: for each question
token the best cosine to any passage token, averaged over the question) separates them
much better, with the same model and no training: over the five evaluation sets, 457
questions, re-ordering the best ``DEPTH`` candidates this way took file@1 from 321 to 338,
file@5 from 420 to 426 and passage@3 from 239 to 268 (docs/PERFORMANCE.md, "Late interaction").

The passage's token states come from the ingest's own model run (``Embedder.embed`` with
``token_bits``), so nothing runs the model again at search time. Each token is stored as
one sign bit per dimension (48 bytes; ~8 KB a 200-token passage): on the evaluation sets
the sign bits ranked as well as the full float16 states (264-267 of 457 at passage@3),
while float16 would take 25 times the space. The question's tokens stay full vectors, so a
score is the mean over question tokens of the best ``q . sign(p) / sqrt(DIM)``.

A candidate without stored bits (a workspace from before schema 11, until the background
re-embed reaches it) cannot be scored; then the candidates keep the fused order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, text

from .catalog import EMBEDDED_FROM, embedded_prefix
from .chunk import embed_text

if TYPE_CHECKING:
    from .search import SearchHit

#: How many of the fused candidates are re-ordered. 20 beat 10 in total and was chosen
#: leave-one-corpus-out on every fold; 30 gained a little more (file@5 423 -> 426, passage@3 266 -> 268 of
#: 457) and 40-60 no more than noise, each 10 costing ~0.5 ms (docs/PERFORMANCE.md).
DEPTH = 30
#: A question of fewer word pieces keeps the fused order. One piece's best match says only
#: whether a passage has a word like it, which the keyword stage weighs better: for "falcon",
#: MaxSim put a 3-character licence line whose heading says "Falcon" (0.734) above the page
#: about Falcon (0.718), while the fused scores were 0.211 and 0.596.
MIN_QUERY_TOKENS = 3


def pack(states: np.ndarray) -> bytes:
    """Token states ``(tokens, dim)`` as sign bits, ``dim / 8`` bytes a token."""
    return np.packbits(np.asarray(states) > 0, axis=1).tobytes()


def unpack(blob: bytes, dim: int) -> np.ndarray:
    """The ``(tokens, dim)`` float32 signs (+1 or -1, over sqrt(dim): unit vectors) of a packed blob."""
    bits = np.unpackbits(np.frombuffer(blob, dtype=np.uint8).reshape(-1, dim // 8), axis=1)
    return (bits.astype(np.float32) * 2.0 - 1.0) / np.float32(np.sqrt(dim))


def maxsim(query: np.ndarray, blobs: Sequence[bytes], helper: Executor | None = None) -> np.ndarray:
    """For each passage in ``blobs``, the mean over ``query``'s token vectors (unit, ``(n, dim)``)
    of the best match among the passage's tokens. Given an idle ``helper`` thread, it scores the
    first half of the passages while this thread scores the rest: numpy runs products on one
    thread (``engine/cpu.py``), and the product is most of the cost (~2.5 ms of 3.5 for 30
    passages at 100k, docs/PERFORMANCE.md, session 22)."""
    if helper is not None and len(blobs) >= 8:
        half = len(blobs) // 2
        first = helper.submit(maxsim, query, blobs[:half])
        rest = maxsim(query, blobs[half:])
        return np.concatenate([first.result(), rest])
    if not blobs or not len(query):
        return np.zeros(len(blobs), dtype=np.float32)
    query = np.asarray(query, dtype=np.float32)
    dim = query.shape[1]
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(-1, dim // 8)
    ones = np.unpackbits(raw, axis=1).astype(np.float32)  # 0/1, not -1/+1: q.s = 2 q.b - sum(q)
    starts = np.cumsum([0] + [len(b) // (dim // 8) for b in blobs[:-1]])
    best = np.maximum.reduceat(ones @ query.T, starts, axis=0)  # (passages, query tokens)
    return ((2.0 * best - query.sum(axis=1)) / np.sqrt(dim)).mean(axis=1)


def stored_bits(conn: Connection, ids: Sequence[int]) -> dict[int, bytes]:
    """The stored token bits of those of ``ids`` that have them."""
    if not ids:
        return {}
    marks = ",".join(str(int(i)) for i in ids)
    rows = conn.exec_driver_sql(f"SELECT chunk_id, bits FROM chunk_tokens WHERE chunk_id IN ({marks})").all()
    return {int(r[0]): bytes(r[1]) for r in rows if r[1]}


def rerank(conn: Connection, hits: list[SearchHit], query: np.ndarray, depth: int = DEPTH,
           helper: Executor | None = None) -> list[SearchHit]:
    """``hits`` (best first) with the first ``depth`` re-ordered by MaxSim to ``query``'s token
    vectors; unchanged when one of them has no stored bits (or bits of another width), or the
    question is shorter than ``MIN_QUERY_TOKENS`` pieces. Scores stay the fused ones. ``helper``:
    see :func:`maxsim`."""
    head = hits[:depth]
    if len(head) < 2 or len(query) < MIN_QUERY_TOKENS:
        return hits
    width = query.shape[1] // 8
    bits = {i: b for i, b in stored_bits(conn, [h.chunk_id for h in head]).items() if not len(b) % width}
    if len(bits) < len(head):
        return hits
    scores = maxsim(query, [bits[h.chunk_id] for h in head], helper)
    order = np.argsort(-scores, kind="stable")
    return [head[i] for i in order] + hits[depth:]


@dataclass(frozen=True)
class Layout:
    """A passage's token signs from the model run that embedded it, and where each word piece
    of its own text sits among them: any span of the text (a sentence) then has a vector of
    its own, read in the passage's context ("late chunking"), with no model run."""

    signs: np.ndarray  # (tokens, dim) unit signs: [CLS], the prefix's pieces, the text's, [SEP]
    first: int  # the index in ``signs`` of the text's first piece
    starts: np.ndarray  # each piece's character span in the text
    ends: np.ndarray

    def span(self, start: int, end: int) -> np.ndarray | None:
        """The unit mean of the signs of the pieces overlapping ``[start, end)`` of the text;
        None when the model never read them (past its 256 tokens)."""
        rows = np.nonzero((self.starts < end) & (self.ends > start))[0] + self.first
        rows = rows[rows < len(self.signs) - 1]
        if not len(rows):
            return None
        mean = self.signs[rows].mean(axis=0)
        return mean / (float(np.linalg.norm(mean)) or 1.0)


def layout(bits: bytes, dim: int, prefix_pieces: int, offsets: Sequence[tuple[int, int]]) -> Layout:
    """The layout of a text embedded under a prefix of ``prefix_pieces`` word pieces, whose
    own pieces have the character ``offsets``."""
    spans = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    return Layout(unpack(bits, dim), 1 + prefix_pieces, spans[:, 0], spans[:, 1])


def layouts(conn: Connection, embedder: Any, texts: Mapping[int, str]) -> dict[int, Layout]:
    """The layouts of the passages ``texts`` (chunk id -> its text), from their stored token
    bits; a passage without them (a workspace from before schema 11, until the background
    re-embed reaches it) is embedded again here, as the ingest embedded it."""
    if not texts:
        return {}
    marks = ",".join(str(int(i)) for i in texts)
    rows = conn.execute(text(
        f"SELECT c.id, c.heading, ct.context, d.title, d.path, t.bits {EMBEDDED_FROM}"
        f"LEFT JOIN chunk_tokens t ON t.chunk_id = c.id WHERE c.id IN ({marks})")).fetchall()
    from .embed import DIM as dim  # noqa: N812 (embed imports this module)

    tok = embedder.tokenizer
    prefixes = {int(r.id): embedded_prefix(r) for r in rows}
    bits = {int(r.id): bytes(r.bits) for r in rows if r.bits and not len(r.bits) % (dim // 8)}
    missing = [i for i in prefixes if i not in bits]
    if missing:
        fresh: list[bytes | None] = [None] * len(missing)
        embedder.embed([embed_text(prefixes[i], texts[i]) for i in missing], token_bits=fresh)
        bits |= {i: b for i, b in zip(missing, fresh, strict=True) if b}
    out = {}
    for i, blob in bits.items():
        pieces = len(tok.encode(prefixes[i], add_special_tokens=False).ids) if prefixes[i] else 0
        out[i] = layout(blob, dim, pieces, tok.encode(texts[i], add_special_tokens=False).offsets)
    return out
