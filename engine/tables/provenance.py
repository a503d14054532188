"""Where a table row came from: the file it was loaded from and, for text files, its line.

Rows loaded from a file hold keys in a range recorded in ``_grace.loads``; a catalog row
filed from a document names it in ``source_document``. In a text file (CSV, TSV, JSON
lines) the row's line is the one nearest its place in the file that holds all of the row's
values as written, so a chat answer can quote it verbatim. A row that was edited since, or
that comes from a spreadsheet or Parquet file, is cited by its file alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..extract.text import decode
from .names import ROW_KEY, quote_ident
from .store import Store

MAX_BYTES = 20 * 1024 * 1024  # larger files are cited without a line
WINDOW = 50  # lines either side of where the record should be, searched first
TEXT_SUFFIXES = {".csv", ".tsv", ".tab", ".txt", ".jsonl", ".ndjson", ".json"}


@dataclass
class RowSource:
    path: str
    line: int | None = None  # 1-based
    quote: str = ""  # the line as the file has it ("" when there is none)


def sources(store: Store, table: str, keyed: list[tuple[int, list[Any]]]) -> dict[int, RowSource]:
    """For each ``(row key, values)``: the file it came from, and its line when one holds it."""
    cur = store.cursor()
    loads = cur.execute("SELECT source, id_lo, id_hi FROM _grace.loads WHERE table_name = ?", [table]).fetchall()
    filed = _filed_from(store, table, [k for k, _ in keyed])
    lines: dict[str, list[str] | None] = {}
    out = {}
    for key, values in keyed:
        load = next(((src, key - lo) for src, lo, hi in loads if lo <= key <= hi), None)
        path, index = load if load else (filed.get(key), None)
        if not path:
            continue
        if path not in lines:
            lines[path] = _lines(Path(path))
        out[key] = _located(path, lines[path], values, index)
    return out


def _filed_from(store: Store, table: str, keys: list[int]) -> dict[int, str]:
    """Row key -> the document a catalog row was filed from (tables with ``source_document``)."""
    columns = {c.name for c in store.require(table, store.cursor())}
    if "source_document" not in columns or not keys:
        return {}
    marks = ",".join("?" * len(keys))
    rows = store.cursor().execute(f"SELECT {ROW_KEY}, source_document FROM {quote_ident(table)} "
                                  f"WHERE {ROW_KEY} IN ({marks})", keys).fetchall()
    return {int(k): str(p) for k, p in rows if p}


def _lines(path: Path) -> list[str] | None:
    """The file's lines, when it is text of a readable size (None otherwise)."""
    try:
        if path.suffix.lower() not in TEXT_SUFFIXES or path.stat().st_size > MAX_BYTES:
            return None
        return decode(path.read_bytes()).splitlines()
    except Exception:  # noqa: BLE001 - a file gone or unreadable is cited without a line
        return None


def _located(path: str, lines: list[str] | None, values: list[Any], index: int | None) -> RowSource:
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
            return RowSource(path, best + 1, lines[best])
    return RowSource(path)
