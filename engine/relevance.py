"""Which search results really match the query, and which are only the nearest there is.

Search always returns its best ``k`` passages, so a query that nothing answers ("qwzx
florbig", "recipe for banana bread") still fills a page. A result is a *close match* when
its passage holds every content word of the query (as the keyword index stems them: an exact
name, code or word), or when its meaning is close: the cosine of its embedding to the
query's is at least ``MATCH_COSINE``. The ranking is not touched; this only says how far to
trust each result.

``MATCH_COSINE`` was calibrated with all-MiniLM-L6-v2 (int8) on six documentation corpora
(Python, Git, LaTeX, Node.js, Rust, SQLite: 503 paraphrased questions with known answers)
plus this repository's docs and source (14 questions), against 62 on-topic questions the
files cannot answer and 10 nonsense or off-topic queries per corpus. At 0.35 every one of
the 517 questions keeps at least one close match in its top 10, and the right file's best
passage stays a close match for 474 of the 483 questions that found it; 61 of the 65
nonsense queries whose words no passage holds have no close match (their best cosine: median
0.23, highest 0.41; the questions' best: median 0.60, 5th percentile 0.45). The other 5 of
70 ("asdf", "zebra", "lorem ipsum…") are words some files really hold. More figures are in
the commit that added this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .search import SearchHit, index_terms, query_words

MATCH_COSINE = 0.35


@dataclass(frozen=True)
class Relevance:
    """How well each of a query's results (in their order) matches it."""

    matches: tuple[bool, ...]  # a close match: every query word, or a cosine of at least the floor
    worded: tuple[bool, ...]  # holds at least one of the query's words

    @property
    def count(self) -> int:
        """How many results are close matches."""
        return sum(self.matches)

    @property
    def near(self) -> tuple[bool, ...]:
        """Each result is a close match or holds at least one of the query's words."""
        return tuple(m or w for m, w in zip(self.matches, self.worded, strict=True))

    @property
    def nothing(self) -> bool:
        """No result is a close match and none holds any of the query's words: nothing in the
        files matches the query (the results are only the nearest passages there are)."""
        return not any(self.near)


def judge(query: str, hits: Sequence[SearchHit], floor: float = MATCH_COSINE) -> Relevance:
    """For ``hits`` (found for ``query``), which are close matches and which hold a query word.
    A hit's cosine is the one search noted (``SearchHit.cosine``); a hit without one is judged
    by its words alone."""
    shares = word_shares(query_words(query), [f"{h.heading}\n{h.text}" for h in hits])
    matches = tuple(share == 1.0 or (h.cosine is not None and h.cosine >= floor)
                    for h, share in zip(hits, shares, strict=True))
    return Relevance(matches, tuple(share > 0 for share in shares))


def word_shares(words: list[str], texts: list[str]) -> list[float]:
    """For each of ``texts``, the share of ``words`` it holds as the keyword index stems them (a
    word of several index terms, like ``foo_bar``, needs all of them); 0 when ``words`` is empty."""
    terms = index_terms(words + texts)
    wanted, held = [set(t) for t in terms[:len(words)] if t], [set(t) for t in terms[len(words):]]
    if not wanted:
        return [0.0] * len(texts)
    return [sum(w <= have for w in wanted) / len(wanted) for have in held]
