"""Questions about who or what has no row: "who hasn't paid for October?", "which boats were
not taken out in May?".

The rows the question's values pick out ("October" in payments) name people in one column
(tenant). Everyone that column could name is read from a roster: another table's column that
holds every name the first column ever holds (tenants › name), else that column's own names
over all its rows. The answer is the roster's names that no picked row holds, each cited by
its roster row. Only small tables are read this way (``mentions.kept_rows``); a larger one
leaves the question declined rather than answered with the rows that do have the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..tables.mentions import fold, kept_rows, text_places, words_in
from ..tables.provenance import sources
from .words import TABLE_WORDS, column_words, content_words

# "hasn't", "did not", "never", "no one", "nobody", "without", "yet to", "missing"
_NEGATION = re.compile(r"n't\b|\b(?:not|never|nobody|no one|without|yet to|missing|failed to)\b", re.IGNORECASE)
_ROSTER_NAMES = 1000  # a roster longer than this is no list to answer with


def negated(question: str) -> bool:
    """The question asks about what is not so ("who hasn't paid?")."""
    return bool(_NEGATION.search(question.replace("\u2019", "'")))


def without_negation(question: str) -> str:
    """``question`` with its words of negation left out ("who has paid?")."""
    return _NEGATION.sub(" ", question.replace("\u2019", "'"))


@dataclass
class Absent:
    """The roster's values with no row among those the question picks out."""

    table: str  # the table of the picked rows ("payments")
    column: str  # its column that names them ("tenant")
    said: list[str]  # the values that pick the rows ("October")
    roster: tuple[str, str]  # where every name comes from: (table, column)
    names: list[str]  # the roster's names, in its order
    missing: list[str]  # those no picked row holds
    rows: dict[str, Any] = field(default_factory=dict)  # the roster rows of ``missing``: {table, columns, rows, keys}
    keys: dict[str, int] = field(default_factory=dict)  # each missing name -> its roster row's key


def absent(tables: Any, question: str, said: list[str]) -> Absent | None:
    """The names that no row picked by ``said`` holds, for a negated question; None when no small
    table has rows holding every value of ``said`` and a column the question asks for."""
    if not said or not negated(question):
        return None
    infos = [i for i in tables.list() if i.rows]
    for info in infos:
        kept = kept_rows(tables.store, info)
        if not kept:
            continue
        places = text_places(info.columns)
        picked = [(key, row) for key, row, texts in kept
                  if all(any(t is not None and words_in(fold(v), t) for t in texts) for v in said)]
        if not picked:
            continue
        found = _asked(info, places, picked, said, question, infos, tables)
        if found is not None:
            return found
    return None


def _asked(info: Any, places: list[int], picked: list[tuple[int, list[Any]]], said: list[str], question: str,
           infos: list[Any], tables: Any) -> Absent | None:
    """The column of ``info`` the question asks about and its roster; None when there is none."""
    said_folded = [fold(v) for v in said]
    free = [i for i in places
            if not any(isinstance(r[i], str) and any(words_in(v, fold(r[i])) for v in said_folded) for _, r in picked)]
    asked_words = content_words(question) - TABLE_WORDS - content_words(" ".join(said))
    named = [i for i in free if column_words(info.columns[i].name, question) & asked_words]
    for i in named or free:
        own = _distinct(tables, info, i)
        if not own or len(own) > _ROSTER_NAMES:
            continue
        roster = _roster(tables, infos, info, own)
        if roster is None and not named:
            continue  # an unnamed column counts only when another table lists its names
        listing, at, names = roster or (info, i, own)
        have = {fold(str(r[i])) for _, r in picked if r[i] is not None}
        missing = [n for n in names if fold(n) not in have]
        column = listing.columns[at].name
        found = Absent(info.name, info.columns[i].name, said, (listing.name, column), names, missing)
        found.rows, found.keys = _roster_rows(tables, listing, at, missing)
        return found
    return None


def _distinct(tables: Any, info: Any, i: int) -> list[str]:
    kept = kept_rows(tables.store, info) or []
    return list(dict.fromkeys(str(row[i]).strip() for _, row, _ in kept if row[i] is not None and str(row[i]).strip()))


def _roster(tables: Any, infos: list[Any], info: Any, own: list[str]) -> tuple[Any, int, list[str]] | None:
    """Another table's text column that holds every one of ``own`` (the one with most names):
    (its table, its place, its names)."""
    wanted = {fold(v) for v in own}
    best = None
    for other in infos:
        if other.name == info.name or not kept_rows(tables.store, other):
            continue
        for i in text_places(other.columns):
            names = _distinct(tables, other, i)
            if len(names) <= _ROSTER_NAMES and wanted <= {fold(n) for n in names} \
                    and (best is None or len(names) > len(best[2])):
                best = (other, i, names)
    return best


def _roster_rows(tables: Any, info: Any, at: int, missing: list[str]) -> tuple[dict[str, Any], dict[str, int]]:
    """The first row of each missing name (in column ``at`` of the roster's table), as chat shows
    table rows, and each name's row key."""
    wanted = {fold(m): m for m in missing}
    firsts: dict[str, tuple[int, list[Any]]] = {}
    for key, row, _ in kept_rows(tables.store, info) or []:
        name = wanted.get(fold(str(row[at]))) if row[at] is not None else None
        if name is not None and name not in firsts:
            firsts[name] = (key, row)
    keyed = [firsts[m] for m in missing if m in firsts]
    columns = [c.name for c in info.columns]
    rows = {"table": info.name, "columns": columns, "rows": [r for _, r in keyed], "keys": [k for k, _ in keyed],
            "named": True, "sources": sources(tables.store, info.name, columns, keyed)}
    return rows, {m: firsts[m][0] for m in missing if m in firsts}
