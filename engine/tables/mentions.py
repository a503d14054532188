"""Rows of the person's tables that a question names or mentions (context for chat).

A table counts as named when its name (underscores read as spaces) occurs in the
question as whole words; a row counts as mentioned when one of its text cells (three
characters or more) does, or when a short cell holds one of the ``names`` the question says
as a whole word ("Spotify" in "Spotify Family"; not in a long text, such as a summary).
Each table is first narrowed to rows whose text occurs in the question at all: by DuckDB
(``strpos``, vectorised), or for a small table from its rows kept in memory until the next
write; whole-word matching then runs on those few.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .model import Column, TableInfo
from .names import ROW_KEY, quote_ident
from .store import Store

NAME_CELL = 60  # a name inside a cell this short names the row's thing; in a longer text it is a mention
CANDIDATES = 200  # rows per table that pass DuckDB's substring test and get the whole-word check
KEPT_CELLS = 20_000  # a table with at most this many text cells is searched in memory (``_narrowed_in_memory``)


def fold(text: str) -> str:
    """``text`` in lower case without accents ("Chloé" reads "chloe"), as ``FOLDED`` reads a cell:
    a person types a name without its accent as often as with it."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return "".join(c for c in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(c))


def folded(cell: str) -> str:
    """SQL reading a text cell as ``fold`` reads text."""
    return f"strip_accents(lower({cell}))"


def words_in(needle: str, lowered: str) -> bool:
    """``needle`` occurs in ``lowered`` as whole words."""
    return re.search(r"\b" + re.escape(needle) + r"\b", lowered) is not None


def _name_in(name: str, cell: str) -> bool:
    """``name`` is a word of ``cell``; a number only standing alone, not inside an id or a date
    ("2025" says nothing of patient P-2025); a model's number perhaps with its size in millimetres
    ("70-200" of "RF 70-200mm f/2.8L")."""
    if name.isdigit():
        return re.search(r"(?<![\w./-])" + name + r"(?![\w./-])", cell) is not None
    if _RANGE.fullmatch(name):
        return re.search(r"(?<![\w./-])" + re.escape(name) + r"(?:mm|cm)?(?![\w./-])", cell) is not None
    return words_in(name, cell)


_RANGE = re.compile(r"\d{1,4}-\d{1,4}")  # a lens's "24-70", a model's number said as the person says it


def said_names(question: str, names: list[str]) -> list[str]:
    """``names`` a row's short cell may hold, folded: those of three characters or more, a code of
    a letter and a digit ("R5"), and numbers joined by a dash ("70-200")."""
    return [fold(n) for n in dict.fromkeys(names + _RANGE.findall(question)) if len(n) >= 3 or len(n) == 2 and
            any(c.isdigit() for c in n) and any(c.isalpha() for c in n)]


def mentioned(store: Store, infos: list[TableInfo], question: str, limit: int = 10,
              names: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """``[{"table", "columns", "rows", "keys", "named"}]`` for tables named by or mentioned in ``question``
    (``keys``: each row's stable key)."""
    lowered = fold(question).replace("_", " ")
    out = []
    for info in infos:
        if not info.rows:
            continue
        named = words_in(info.name.lower().replace("_", " "), lowered)
        keyed = _mentioning(store, info, lowered, limit, said_names(question, list(names)))
        if named and not keyed:
            keyed = _first(store, info.name, info.columns, limit)
        if named or keyed:
            out.append({"table": info.name, "columns": [c.name for c in info.columns], "named": named,
                        "rows": [row for _, row in keyed], "keys": [key for key, _ in keyed]})
    return out


def _select(columns: list[Column]) -> str:
    return ", ".join([ROW_KEY] + [quote_ident(c.name) for c in columns])


def _keyed(found: list[tuple[Any, ...]]) -> list[tuple[int, list[Any]]]:
    return [(int(r[0]), list(r[1:])) for r in found]


def _mentioning(store: Store, info: TableInfo, lowered: str, limit: int,
                names: list[str]) -> list[tuple[int, list[Any]]]:
    columns = info.columns
    text_cols = text_places(columns)
    if not text_cols:
        return []
    if info.rows * len(text_cols) <= KEPT_CELLS:
        found = _narrowed_in_memory(store, info, text_cols, lowered, names)
    else:
        found = _narrowed(store, info.name, columns, text_cols, lowered, names)

    def says(cell: Any) -> bool:
        return isinstance(cell, str) and (words_in(fold(cell), lowered) or (
            len(cell) <= NAME_CELL and any(_name_in(n, fold(cell)) for n in names)))

    # the rows that say most of the question first ("bar" and "matinee"), then in key order
    said = [(sum(1 for i in text_cols if says(row[i])), key, row) for key, row in found]
    best = sorted((x for x in said if x[0]), key=lambda x: -x[0])[:limit]
    return [(key, row) for _, key, row in sorted(best, key=lambda x: x[1])]


def _narrowed(store: Store, table: str, columns: list[Column], text_cols: list[int], lowered: str,
              names: list[str]) -> list[tuple[int, list[Any]]]:
    """The first ``CANDIDATES`` rows, in key order, with a text cell of three characters or more that
    occurs in ``lowered``, or a short one holding one of ``names``: DuckDB's substring test."""
    cells = [folded(quote_ident(columns[i].name)) for i in text_cols]
    tests = [f"(length({cell}) >= 3 AND strpos(?, {cell}) > 0)" for cell in cells]
    tests += [f"(length({cell}) <= {NAME_CELL} AND strpos({cell}, ?) > 0)" for _ in names for cell in cells]
    sql = f"SELECT {_select(columns)} FROM {quote_ident(table)} WHERE {' OR '.join(tests)} ORDER BY {ROW_KEY} LIMIT ?"
    args = [lowered] * len(cells) + [n for n in names for _ in cells] + [CANDIDATES]
    return _keyed(store.cursor().execute(sql, args).fetchall())


def _narrowed_in_memory(store: Store, info: TableInfo, text_cols: list[int], lowered: str,
                        names: list[str]) -> list[tuple[int, list[Any]]]:
    """``_narrowed`` over a small table's rows kept in memory (``kept_rows``)."""
    def passes(cell: str | None) -> bool:
        return cell is not None and (len(cell) >= 3 and cell in lowered
                                     or len(cell) <= NAME_CELL and any(n in cell for n in names))

    kept = kept_rows(store, info) or []
    return [(key, list(row)) for key, row, cells in kept if any(passes(c) for c in cells)][:CANDIDATES]


def text_places(columns: list[Column]) -> list[int]:
    """Where the text columns are among ``columns``."""
    return [i for i, c in enumerate(columns) if c.type == "VARCHAR"]


def kept_rows(store: Store, info: TableInfo) -> list[tuple[int, list[Any], list[str | None]]] | None:
    """A small table's rows in key order, each with its text cells as ``fold`` reads them (None for
    a blank), read once and kept until the next write; None for a table of more than ``KEPT_CELLS``
    text cells. A question reads them again and again, and DuckDB plans a test of every text column
    in about a millisecond a column: longer than a small table takes to scan here."""
    text_cols = text_places(info.columns)
    if info.rows * len(text_cols) > KEPT_CELLS:
        return None

    def read() -> list[tuple[int, list[Any], list[str | None]]]:
        rows = _keyed(store.cursor().execute(
            f"SELECT {_select(info.columns)} FROM {quote_ident(info.name)} ORDER BY {ROW_KEY}").fetchall())
        return [(key, row, [fold(row[i]) if isinstance(row[i], str) else None for i in text_cols])
                for key, row in rows]

    return store.remembered(("rows", info.name), read)


def _first(store: Store, table: str, columns: list[Column], limit: int) -> list[tuple[int, list[Any]]]:
    sql = f"SELECT {_select(columns)} FROM {quote_ident(table)} ORDER BY {ROW_KEY} LIMIT ?"
    return _keyed(store.cursor().execute(sql, [limit]).fetchall())
