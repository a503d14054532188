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

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Connection, text

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


def maxsim(query: np.ndarray, blobs: Sequence[bytes]) -> np.ndarray:
    """For each passage in ``blobs``, the mean over ``query``'s token vectors (unit, ``(n, dim)``)
    of the best match among the passage's tokens."""
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
    rows = conn.execute(text(f"SELECT chunk_id, bits FROM chunk_tokens WHERE chunk_id IN ({marks})"))
    return {int(r[0]): bytes(r[1]) for r in rows if r[1]}


def rerank(conn: Connection, hits: list[SearchHit], query: np.ndarray, depth: int = DEPTH) -> list[SearchHit]:
    """``hits`` (best first) with the first ``depth`` re-ordered by MaxSim to ``query``'s token
    vectors; unchanged when one of them has no stored bits (or bits of another width), or the
    question is shorter than ``MIN_QUERY_TOKENS`` pieces. Scores stay the fused ones."""
    head = hits[:depth]
    if len(head) < 2 or len(query) < MIN_QUERY_TOKENS:
        return hits
    width = query.shape[1] // 8
    bits = {i: b for i, b in stored_bits(conn, [h.chunk_id for h in head]).items() if not len(b) % width}
    if len(bits) < len(head):
        return hits
    scores = maxsim(query, [bits[h.chunk_id] for h in head])
    order = np.argsort(-scores, kind="stable")
    return [head[i] for i in order] + hits[depth:]
