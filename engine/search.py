"""Hybrid search: vector (usearch) and keyword (FTS5 BM25) results fused by rank."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from .vectors import VectorIndex

RRF_K = 60
_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset("""a an and are as at be but by can do does for from has have how i if in into is it its
me my of on or our so than that the their them then there these they this to was we what when where which
who why will with would you your about should could""".split())


@dataclass
class SearchHit:
    path: str
    chunk_id: int
    score: float
    page: int | None
    line_start: int | None
    line_end: int | None
    heading: str
    text: str
    trust: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression of the query's words (quoted, OR-ed), or None if none remain."""
    words = [w for w in _WORD.findall(query.lower()) if w not in STOPWORDS and len(w) > 1]
    words = list(dict.fromkeys(words))[:32]
    return " OR ".join(f'"{w}"' for w in words) if words else None


def keyword_candidates(conn: Connection, query: str, limit: int) -> list[int]:
    """Chunk ids ranked by BM25 (heading matches weigh double)."""
    match = fts_query(query)
    if match is None:
        return []
    rows = conn.execute(
        text("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH :q ORDER BY bm25(chunks_fts, 2.0, 1.0) LIMIT :n"),
        {"q": match, "n": limit},
    )
    return [r[0] for r in rows]


def fuse(rankings: list[list[int]], weights: list[float]) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: each list adds ``weight / (RRF_K + rank)`` to a chunk's score."""
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking):
            scores[key] = scores.get(key, 0.0) + weight / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def hybrid_search(conn: Connection, index: VectorIndex, embed_query: Callable[[str], np.ndarray], query: str,
                  k: int) -> list[SearchHit]:
    """The ``k`` best chunks for ``query`` with their file, place and text."""
    depth = max(50, 5 * k)
    vector = [key for key, _ in index.search(embed_query(query), depth)] if len(index) else []
    keyword = keyword_candidates(conn, query, depth)
    fused = fuse([vector, keyword], [1.0, 1.0])
    return _hits(conn, fused[: k * 2], k)


def _hits(conn: Connection, fused: list[tuple[int, float]], k: int) -> list[SearchHit]:
    if not fused:
        return []
    ids = ",".join(str(int(key)) for key, _ in fused)
    rows = conn.execute(text(
        "SELECT c.id, c.text, c.heading, c.page, c.line_start, c.line_end, "
        "(SELECT d.path FROM documents d WHERE d.content_hash = c.content_hash AND d.status='ok' "
        " ORDER BY d.id LIMIT 1) AS path "
        f"FROM chunks c WHERE c.id IN ({ids})"
    ))
    by_id = {r.id: r for r in rows}
    hits = []
    for key, score in fused:
        row = by_id.get(key)
        if row is None or row.path is None:
            continue
        hits.append(SearchHit(row.path, row.id, round(score, 6), row.page, row.line_start, row.line_end,
                              row.heading, row.text))
        if len(hits) == k:
            break
    return hits
