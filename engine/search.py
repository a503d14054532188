"""Hybrid search: vector (usearch) and keyword (FTS5 BM25) candidates fused by score.

Every candidate from either list is scored the same way: its cosine to the query
(looked up in the index for keyword-only candidates) plus ``KEYWORD_WEIGHT`` times its
BM25 score relative to the best keyword match. The embedding leads, because people
paraphrase; the keyword term lifts passages that share the query's rare words, and lets
an exact name or code the model does not know win. Reciprocal-rank fusion, the first
version, was measured against this on ``bench/eval_search.py`` (docs/PERFORMANCE.md):
ranks throw away how much better one passage matched than the next. A short passage under a
long heading then loses a little (``brevity``), the best 30 are re-ordered by how well each
word of the question finds its match in the passage (``engine/late.py``), and after the best
three results each file's best passage comes before any file's second (``diversify``).
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, text

from . import late
from .vectors import VectorIndex

if TYPE_CHECKING:
    from .embed import QueryVectors

KEYWORD_POSTINGS = 8000  # keyword stage: the rarest words' postings, up to about this many chunks
KEYWORD_WEIGHT = 0.15  # fitted on bench/eval (0.03-0.15 score alike; more hurts paraphrases)
# The first few results are the best passages wherever they are; after them, passages from
# files not shown yet come first, so one long file cannot fill the page (docs/PERFORMANCE.md).
BEST_FIRST = 3
# Candidates each stage offers the fusion. 150 keyword candidates rather than 50 let a passage
# that is, say, 80th by BM25 but close in meaning reach the page (docs/PERFORMANCE.md: Git set
# file@5 0.750 -> 0.787, Python set unchanged, +1 ms p95 at 100k); more vector candidates
# changed nothing.
VECTOR_CANDIDATES = 50
KEYWORD_CANDIDATES = 150
# A short passage is scored mostly by the heading path embedded with it ("Class: Histogram >
# histogram.min: The minimum recorded event loop delay." matches any question about
# histograms). It loses up to BREVITY_PENALTY times the heading's share of heading and text,
# in proportion to how far its text falls short of BREVITY_CHARS characters (about 80
# words); a short note with no heading keeps its score. Fitted on five evaluation sets
# together (docs/PERFORMANCE.md, "Short passages").
BREVITY_CHARS = 480
BREVITY_PENALTY = 0.4
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
    # The passage's cosine to the query (None when it has no vector), for telling a real match from
    # the nearest one (engine/relevance.py). Not in ``as_dict``: ``grace search --json`` keeps its keys.
    cosine: float | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["cosine"]
        return out


def readable_text(text: str) -> str:
    """``text`` with bytes that were not UTF-8 (a command line's surrogate escapes) as U+FFFD, which
    the tokenizer and SQLite can take."""
    return text if text.isascii() else text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def query_words(query: str) -> list[str]:
    """The query's distinct content words, in order (at most 32)."""
    words = [w for w in _WORD.findall(query.lower()) if w not in STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(words))[:32]


def fts_query(words: list[str]) -> str | None:
    """An FTS5 MATCH expression of ``words`` (quoted, OR-ed), or None if there are none."""
    return " OR ".join(f'"{w}"' for w in words) if words else None


class _Stemmer:
    """The index's own tokenizer (porter over unicode61), run on single words in a private
    in-memory FTS5 table, so a word can be looked up in ``chunks_vocab``."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript("CREATE VIRTUAL TABLE w USING fts5(t, tokenize='porter unicode61');"
                               "CREATE VIRTUAL TABLE wv USING fts5vocab(w, 'instance');")
        self._lock = threading.Lock()

    def terms(self, words: list[str]) -> list[list[str]]:
        """Each word's index terms (a word like ``foo_bar`` has two)."""
        with self._lock:
            self._db.execute("DELETE FROM w")
            self._db.executemany("INSERT INTO w(rowid, t) VALUES (?, ?)", list(enumerate(words)))
            out: list[list[str]] = [[] for _ in words]
            for doc, term in self._db.execute("SELECT doc, term FROM wv ORDER BY doc, offset"):
                out[doc].append(term)
        return out


@cache
def _stemmer() -> _Stemmer:
    """Made on the first keyword search, not at import (start-up stays light)."""
    return _Stemmer()


def index_terms(words: list[str]) -> list[list[str]]:
    """Each word's terms as the keyword index stores them (porter stems; ``foo_bar`` has two),
    so a view can mark what a search matched."""
    return _stemmer().terms(words)


def rarest_words(conn: Connection, words: list[str], budget: int = KEYWORD_POSTINGS) -> list[str]:
    """The rarest of ``words`` whose postings add up to about ``budget`` chunks (always the
    rarest one). BM25 gives very common words little weight, yet scoring their postings is
    most of a keyword search's cost in a large workspace."""
    if len(words) < 2:
        return words
    terms = _stemmer().terms(words)
    df = doc_freq(conn, terms)
    counts = [min((df.get(t, 0) for t in ts), default=0) for ts in terms]
    chosen: list[str] = []
    total = 0
    for count, word in sorted(zip(counts, words, strict=True)):
        if chosen and total + count > budget:
            break
        chosen.append(word)
        total += count
    return [w for w in words if w in chosen]


def unseen(conn: Connection, words: list[str]) -> list[str]:
    """Those of ``words`` that no passage, document title or file name contains. A passage
    counts when it has the word as the index stems it, or (for words of 5+ letters) a form of
    it ("Dateien" - "Datei"; not "DataFrame" - "datafile")."""
    terms = _stemmer().terms(words) if words else []
    df = doc_freq(conn, terms)
    return [word for word, ts in zip(words, terms, strict=True)
            if ts and not any(t in df or _has_kin(conn, t, word.islower()) for t in ts) and not in_names(conn, word)
            and not _hyphenated(conn, word)]


def _hyphenated(conn: Connection, word: str) -> bool:
    """A passage writes ``word`` in two parts ("wifi" as "Wi-Fi", "email" as "e-mail", "login" as
    "log in"): the keyword index holds the parts, one after the other."""
    if not 4 <= len(word) <= 20 or not word.isalpha():
        return False
    return any(conn.execute(text("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH :q LIMIT 1"),
                            {"q": f'"{word[:i]} {word[i:]}"'}).first() is not None for i in range(1, len(word) - 1))


def doc_freq(conn: Connection, terms: list[list[str]]) -> dict[str, int]:
    """How many chunks hold each of ``terms`` (index terms absent from every chunk are left out)."""
    wanted = sorted({t for ts in terms for t in ts})
    if not wanted:
        return {}
    marks = ",".join(f":t{i}" for i in range(len(wanted)))
    return dict(conn.execute(text(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})"),
                             {f"t{i}": t for i, t in enumerate(wanted)}).all())


def _has_kin(conn: Connection, term: str, abbreviated: bool = False) -> bool:
    """Another form of ``term`` is in the index (see ``_kin`` and ``family``); with
    ``abbreviated`` (a word written in lower case), a longer word a four-letter one begins."""
    base = family(term)  # a prefix of term
    if len(base) < 3:
        return False
    rows = conn.execute(text("SELECT term FROM chunks_vocab WHERE term >= :lo AND term < :hi LIMIT 2000"),
                        {"lo": base[:3], "hi": base[:3] + "\uffff"}).all()
    return any(_kin(term, r[0], abbreviated) or family(r[0]) == base for r in rows)


def _kin(a: str, b: str, abbreviated: bool = False) -> bool:
    """Two forms of one word: one begins the other (5+ letters), or they share 6+ letters; with
    ``abbreviated``, a word of four letters begins one of six or more ("cert": certificate; a name
    such as "Deno" is no abbreviation of "denoted")."""
    shared = len(os.path.commonprefix([a, b]))
    return (shared >= 6 or shared == min(len(a), len(b)) >= 5
            or abbreviated and shared == min(len(a), len(b)) == 4 <= max(len(a), len(b)) - 2)


_DERIVED = ("ations", "ation", "ings", "ing", "ers", "er", "ors", "or", "ed", "es", "s")


@lru_cache(maxsize=65536)  # asked of the index terms near a word no passage has
def family(term: str) -> str:
    """The root an index term shares with its derived forms: "canner" and "can" (canning, as the
    porter stemmer leaves it) are both "can"; "brewer" and "brew"; "roaster" and "roast". One
    derivational ending off, then a doubled last consonant made single."""
    for suffix in _DERIVED:
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            term = term[: -len(suffix)]
            break
    if len(term) > 3 and term[-1] == term[-2] and term[-1] not in "aeiousl":
        term = term[:-1]
    return term


def mentioned_anywhere(conn: Connection, phrase: str) -> bool:
    """A passage holds ``phrase`` (its words in order, as the keyword index reads them: "24-007"
    is 24 then 007), or a document's path or title holds it."""
    words = _WORD.findall(phrase)
    if not words:
        return True
    match = '"' + " ".join(words) + '"'
    found = conn.execute(text("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH :q LIMIT 1"), {"q": match}).first()
    return found is not None or in_names(conn, phrase)


def mentioned_together(conn: Connection, phrase: str) -> bool:
    """A passage holds every word of ``phrase``, in any order and place (Kate Lawson's e-mail about
    her wedding speaks of the cell "Lawson wedding"), or a document's path or title holds it: as
    ``mentioned_anywhere``, without the words' order."""
    words = _WORD.findall(phrase)
    if not words:
        return True
    match = " AND ".join(f'"{w}"' for w in words)
    found = conn.execute(text("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH :q LIMIT 1"), {"q": match}).first()
    return found is not None or in_names(conn, phrase)


def in_names(conn: Connection, word: str) -> bool:
    """``word`` in a document's path or title (case-insensitive, as SQLite's LIKE is for ASCII)."""
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return conn.execute(text("SELECT 1 FROM documents WHERE path LIKE :p ESCAPE '\\' OR title LIKE :p ESCAPE '\\' "
                             "LIMIT 1"), {"p": pattern}).first() is not None


def keyword_scores(conn: Connection, query: str, limit: int) -> dict[int, float]:
    """Chunk id -> BM25 score (higher is better; heading matches weigh double), best ``limit``."""
    match = fts_query(rarest_words(conn, query_words(query)))
    if match is None:
        return {}
    rows = conn.execute(
        text("SELECT rowid, bm25(chunks_fts, 2.0, 1.0) AS s FROM chunks_fts WHERE chunks_fts MATCH :q "
             "ORDER BY s LIMIT :n"),
        {"q": match, "n": limit},
    )
    return {int(r[0]): -float(r[1]) for r in rows}


def fuse(cosines: dict[int, float], keyword: dict[int, float],
         weight: float = KEYWORD_WEIGHT) -> list[tuple[int, float]]:
    """Candidates by cosine plus ``weight`` x BM25 relative to the best keyword score, best first."""
    best = max(keyword.values(), default=0.0)
    scores = dict(cosines)
    if best > 0:
        for key, bm25 in keyword.items():
            scores[key] = scores.get(key, 0.0) + weight * bm25 / best
    return sorted(scores.items(), key=lambda kv: -kv[1])


def hybrid_search(conn: Connection, index: VectorIndex, encode_query: Callable[[str], QueryVectors], query: str,
                  k: int) -> list[SearchHit]:
    """The ``k`` best chunks for ``query`` with their file, place and text.

    The model encodes the query on a worker thread while SQLite runs the keyword stage here:
    both release the GIL, so on two cores they overlap (docs/PERFORMANCE.md, session 15)."""
    pending = _encoder().submit(encode_query, query)
    keyword = keyword_scores(conn, query, max(KEYWORD_CANDIDATES, 5 * k))
    encoded = pending.result()
    qvec = np.asarray(encoded.vector, dtype=np.float32)
    cosines = dict(index.search(qvec, max(VECTOR_CANDIDATES, 5 * k))) if len(index) else {}
    cosines.update(index.similarities(qvec, [key for key in keyword if key not in cosines]))
    hits = brevity(_with_cosines(_hits(conn, fuse(cosines, keyword)[: k * 6], k * 6), cosines))
    hits = late.rerank(conn, hits, encoded.tokens, helper=_encoder())  # idle again by now
    return diversify(hits[: k * 3], k)


@cache
def _encoder() -> ThreadPoolExecutor:
    """One thread that runs query encodings beside the keyword stage (for the process's life)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="grace-query")


def brevity(hits: list[SearchHit], chars: int = BREVITY_CHARS, penalty: float = BREVITY_PENALTY) -> list[SearchHit]:
    """``hits`` re-scored with the short-passage penalty (see ``BREVITY_CHARS``), best first."""
    for hit in hits:
        body, heading = len(hit.text), len(hit.heading)
        if heading:
            hit.score = round(hit.score - penalty * max(0.0, 1.0 - body / chars) * heading / (heading + body), 6)
    return sorted(hits, key=lambda h: -h.score)


def diversify(hits: list[SearchHit], k: int, best_first: int = BEST_FIRST) -> list[SearchHit]:
    """``hits`` (best first) with the first ``best_first`` kept in place, then each file's best
    passage among the rest before any file's second; ``k`` of them."""
    head, seen = hits[:best_first], {h.path for h in hits[:best_first]}
    new: list[SearchHit] = []
    again: list[SearchHit] = []
    for hit in hits[best_first:]:
        (again if hit.path in seen else new).append(hit)
        seen.add(hit.path)
    return (head + new + again)[:k]


def _with_cosines(hits: list[SearchHit], cosines: dict[int, float]) -> list[SearchHit]:
    """``hits`` with each one's cosine to the query noted (their order and scores untouched)."""
    for hit in hits:
        hit.cosine = cosines.get(hit.chunk_id)
    return hits


def _hits(conn: Connection, fused: list[tuple[int, float]], k: int) -> list[SearchHit]:
    if not fused:
        return []
    ids = ",".join(str(int(key)) for key, _ in fused)
    # The driver's own SQL and all rows at once: a statement with its ids written in would fill
    # SQLAlchemy's statement cache, and fetching row by row cost 0.7 ms of 1.4 at 100k.
    rows = conn.exec_driver_sql(
        "SELECT c.id, c.text, c.heading, c.page, c.line_start, c.line_end, "
        "(SELECT d.path FROM documents d WHERE d.content_hash = c.content_hash AND d.status='ok' "
        " ORDER BY d.id LIMIT 1) AS path "
        f"FROM chunks c WHERE c.id IN ({ids})"
    ).all()
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
