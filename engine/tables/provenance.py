"""Where a table row came from: the file it was loaded from and, for text files, its line.

Rows loaded from a file hold keys in a range recorded in ``_grace.loads``; a catalog row
filed from a document names it in ``source_document``. In a text file (CSV, TSV, JSON
lines) the row's line is the one nearest its place in the file that holds all of the row's
values as written, so a chat answer can quote it verbatim. A row that was edited since, or
that comes from a spreadsheet or Parquet file, is cited by its file alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from ..extract import file_lines, format_for
from .store import Store

WINDOW = 50  # lines either side of where the record should be, searched first
_LINE_FORMATS = frozenset({"csv", "tsv", "json", "text"})  # formats whose rows are lines of text
# folders a person puts old files away in
_PUT_AWAY = re.compile(r"old|older|archived?|archives|previous|backups?|superseded|obsolete|outdated|past", re.I)


def put_away(store: Store) -> frozenset[str]:
    """The tables every file of which lies in a folder of old files ("Old/", "Archive/"): a 2022
    ledger kept beside the current one."""
    tables: dict[str, list[str]] = {}
    for table, source in store.cursor().execute("SELECT table_name, source FROM _grace.loads").fetchall():
        tables.setdefault(table, []).append(source or "")
    return frozenset(t for t, paths in tables.items() if paths and all(in_old_folder(p) for p in paths))


def folders(store: Store) -> dict[str, frozenset[str]]:
    """The names of the folders each table's files lie in ("Removals" of Removals/quote Q-2291
    line items.csv): a person calls a table by them too ("the removals quote")."""
    out: dict[str, set[str]] = {}
    for table, source in store.cursor().execute("SELECT table_name, source FROM _grace.loads").fetchall():
        if source:
            out.setdefault(table, set()).add(PurePath(source.split("#", 1)[0]).parent.name)
    return {t: frozenset(n for n in names if n) for t, names in out.items()}


def in_old_folder(path: str) -> bool:
    """``path`` lies in a folder named for old files."""
    return any(_PUT_AWAY.fullmatch(part) for part in PurePath(path).parent.parts)


@dataclass
class RowSource:
    path: str
    line: int | None = None  # 1-based
    quote: str = ""  # the line as the file has it ("" when there is none)


def sources(store: Store, table: str, columns: list[str],
            keyed: list[tuple[int, list[Any]]]) -> dict[int, RowSource]:
    """For each ``(row key, values)`` of ``table`` (values in the order of ``columns``): the file
    it came from, and its line when one holds it."""
    loads = store.cursor().execute("SELECT source, id_lo, id_hi FROM _grace.loads WHERE table_name = ?",
                                   [table]).fetchall()
    filed = columns.index("source_document") if "source_document" in columns else None
    out = {}
    for key, values in keyed:
        load = next(((src, key - lo) for src, lo, hi in loads if lo <= key <= hi), None)
        path, index = load if load else (values[filed] if filed is not None else None, None)
        if path:
            lines = file_lines(path) if format_for(Path(path)) in _LINE_FORMATS else None
            out[key] = _located(str(path), lines, values, index)
    return out


def _located(path: str, lines: tuple[str, ...] | None, values: list[Any], index: int | None) -> RowSource:
    """The line holding every written value of the row (its text and whole numbers), looked for
    near record ``index`` (0-based) first, then in the whole file."""
    cells = [str(v) for v in values if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip()]
    if not lines or not cells:
        return RowSource(path)
    near = (index or 0) + 1  # records start after a header line
    lo, hi = max(0, near - WINDOW), min(len(lines), near + WINDOW + 1)
    for span in (range(lo, hi), range(len(lines))):
        hits = [i for i in span if all(c in lines[i] for c in cells)]
        if hits:
            best = min(hits, key=lambda i: abs(i - near))
            return RowSource(path, best + 1, lines[best].rstrip("\r"))
    return RowSource(path)
