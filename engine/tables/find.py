"""Rows of the person's tables that hold every word of a search (the Search pane's "Rows in
your tables").

A row matches when each word of the query occurs (case-insensitively, anywhere) in one of
its text cells; a word with a digit in it may also occur in a number or a date, read as
text ("16.99", "2024-03"). One query per table, with the words as parameters and a LIMIT,
so a table of 100,000 rows is one vectorised scan. Rows whose matched cells are mostly the
words ("Spotify" in a cell "Spotify") come before rows that only mention them in a long text.
"""

from __future__ import annotations

import re
import string
from typing import Any

import duckdb

from ..errors import TableError
from .model import TableInfo, jsonable
from .names import ROW_KEY, quote_ident
from .store import Store

MAX_WORDS = 8  # a longer query is a sentence, not a row: its first words are enough
_STRIP = string.punctuation + "“”‘’«»…"
_DIGIT = re.compile(r"\d")


def words_of(query: str) -> list[str]:
    """The lower-cased words of ``query`` a row must hold: punctuation around them dropped, and
    stop words and single letters too unless nothing else is left."""
    from ..search import STOPWORDS  # the passage search's own list, so both ignore the same words

    words = list(dict.fromkeys(w.strip(_STRIP) for w in query.lower().split()))
    words = [w for w in words if w]
    kept = [w for w in words if w not in STOPWORDS and len(w) > 1]
    return (kept or words)[:MAX_WORDS]


def find_rows(store: Store, infos: list[TableInfo], query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Up to ``limit`` rows of the tables in ``infos`` holding every word of ``query``, the closest
    first: ``[{"table", "key", "columns", "values", "matched"}]`` (``matched``: the columns that
    hold a word). Empty tables, and tables that vanish or fail meanwhile, are skipped."""
    words = words_of(query)
    if not words or limit <= 0:
        return []
    found: list[dict[str, Any]] = []
    for info in infos:
        if info.rows:
            found += _table_rows(store, info, words, limit)
    found.sort(key=lambda r: -r["closeness"])  # stable: tables by name, rows by key among equals
    return [{k: v for k, v in r.items() if k != "closeness"} for r in found[:limit]]


def _searched(info: TableInfo, word: str) -> list[str]:
    """The columns ``word`` is looked for in: text columns, and every column for a word with a digit."""
    return [c.name for c in info.columns if c.type == "VARCHAR" or _DIGIT.search(word)]


def _table_rows(store: Store, info: TableInfo, words: list[str], limit: int) -> list[dict[str, Any]]:
    tests, params = [], []
    for word in words:
        cols = _searched(info, word)
        if not cols:
            return []  # no column can hold this word, so no row holds every word
        tests.append("(" + " OR ".join(f"strpos(lower(CAST({quote_ident(c)} AS VARCHAR)), ?) > 0"
                                       for c in cols) + ")")
        params += [word] * len(cols)
    names = [c.name for c in info.columns]
    select = ", ".join([ROW_KEY] + [quote_ident(n) for n in names])
    sql = (f"SELECT {select} FROM {quote_ident(info.name)} WHERE {' AND '.join(tests)} "
           f"ORDER BY {ROW_KEY} LIMIT ?")
    try:
        rows = store.cursor().execute(sql, [*params, int(limit)]).fetchall()
    except (duckdb.Error, TableError):  # dropped or changed since it was listed: nothing to show from it
        return []
    return [_described(info, names, words, row) for row in rows]


def _described(info: TableInfo, names: list[str], words: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    cells = {n: str(v).lower() for n, v in zip(names, row[1:], strict=True) if v is not None}  # as DuckDB reads them
    held = {n: [w for w in words if n in cells and n in _searched(info, w) and w in cells[n]] for n in names}
    matched = [n for n in names if held[n]]
    share = max((sum(map(len, held[n])) / max(len(cells[n]), 1) for n in matched), default=0.0)
    values = [jsonable(v) for v in row[1:]]
    return {"table": info.name, "key": int(row[0]), "columns": names, "values": values, "matched": matched,
            "closeness": min(share, 1.0)}
