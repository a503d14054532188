"""Words a question says that a table holds inside its longer text cells.

"where's cheapest for fernox f1" of supplier prices whose description reads "Fernox F1 inhibitor
500ml"; "how many 15mm elbows are on the van" of "15mm endfeed elbow"; "jobs in CF38" of
postcodes "CF38 1DX". No cell is the words said, so they are no value of a column: but the rows
whose cells of one text column hold every one of them are the rows meant. A word is found as the
start of a word of the cell (its stem: "elbows" finds "elbow"), never inside one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..tables.mentions import fold, folded
from ..tables.names import quote_ident, quote_literal
from .words import stem

_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


@dataclass(frozen=True)
class Mention:
    """The text column whose cells hold every one of ``words`` (as the question spells them)."""

    column: str
    words: tuple[str, ...]

    def sql(self) -> str:
        cell = folded(quote_ident(self.column))
        return " AND ".join(f"regexp_matches({cell}, {quote_literal(_pattern(w))})" for w in self.words)

    def said(self) -> str:
        return f"{self.column.replace('_', ' ')} mentions “{' '.join(self.words)}”"


def _pattern(word: str) -> str:
    """The regular expression of a cell word that starts as ``word`` or its stem does."""
    root = stem(word)
    return r"(^|[^a-z0-9])" + re.escape(root if fold(word).startswith(root) else fold(word))


def _tokens(lowered: str, stems: Iterable[str]) -> list[str] | None:
    """The question's words whose stems are ``stems``, in its order; None when a stem is of no
    word that can be looked for (too short, a bare number)."""
    wanted = set(stems)
    found: dict[str, str] = {}
    for token in _TOKEN.findall(fold(lowered)):
        if (root := stem(token)) in wanted and root not in found:
            found[root] = token
    if set(found) != wanted or not all(_findable(t) for t in found.values()):
        return None
    return sorted(found.values(), key=fold(lowered).find)


def _findable(token: str) -> bool:
    """A word worth looking for inside cells: three letters or more, or a code with a digit ("f1");
    not a bare number, which a comparison or a date says, nor a little word of a verb ("go out")."""
    return not token.isdigit() and token not in _LITTLE and (
        len(token) >= 3 or any(c.isdigit() for c in token) and len(token) >= 2)


_LITTLE = frozenset("out off over under back away again about around into onto still yet just ago".split())
# Columns of remarks: "for stone hare + boxes" in a harvest's notes is no harvest of Stone Hare's
REMARKS_NAME = re.compile(r"(?:^|_)(?:notes?|comments?|remarks?|memo|summary|text|body|misc|other)(?:_|$)")


def searchable(column: str) -> bool:
    """Whether a text column's cells name what a row is (a description, a postcode), not remarks on it."""
    return not REMARKS_NAME.search(column.lower())


def mentioned(store: Any, table: str, texts: list[str], lowered: str, stems: Iterable[str]) -> Mention | None:
    """The first of the text columns ``texts`` of ``table`` some of whose cells hold every word of
    ``lowered`` whose stem is one of ``stems``; None when there are none, or no column holds them
    all in one cell. (Not a column of names: "Anna" of Anna Kowalski and Anna Weber is neither.)"""
    tokens = _tokens(lowered, stems)
    if not tokens or not texts:
        return None
    found = [Mention(column, tuple(tokens)) for column in texts]
    counts = ", ".join(f"count(*) FILTER (WHERE {m.sql()})" for m in found)
    row = store.cursor().execute(f"SELECT {counts} FROM {quote_ident(table)}").fetchone()
    return next((m for m, n in zip(found, row, strict=True) if n), None)


def widened(store: Any, table: str, texts: list[str], mention: Mention, lowered: str,
            filters: dict[str, list[str]]) -> tuple[Mention, dict[str, list[str]]]:
    """``mention`` with the words of a value said beside it when its cells hold them too, that
    value's column no longer kept to it: "22mm zone valve" is a description's, not 22mm ones of
    the category Valves (where the zone valve is a Control)."""
    kept = dict(filters)
    for column, values in filters.items():
        if column == mention.column or len(values) != 1:
            continue
        more = _tokens(lowered, {stem(t) for t in _TOKEN.findall(fold(values[0]))} | {stem(w) for w in mention.words})
        if more and (wider := mentioned(store, table, texts, lowered, {stem(t) for t in more})) is not None \
                and wider.column == mention.column:
            mention = wider
            del kept[column]
    return mention, kept
