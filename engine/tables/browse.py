"""Reading a table page by page: filters, sorting and a cache of row orders.

Like Anki's browser, the order of a (table, filter, sort) is fetched once as an
array of row keys; a page is then the keys at ``offset:offset+limit`` and one
small query for their rows, so a page deep inside a million rows costs the same
as the first one. Until an order is cached, pages near its top are read with a plain
``ORDER BY ... LIMIT`` (a top-N, much cheaper than ordering every key), so the first
page after a new sort or filter shows at once; the whole order is built when the
view first goes past ``DIRECT_ROWS``. Runs of consecutive keys (the natural order) come in blocks of
``BLOCK`` rows kept briefly, so scrolling on is served from memory. Cached orders
and rows belong to one generation of their table and are not used once it changes.

``export`` writes the same (filtered, sorted) view to a CSV, TSV, Parquet, JSON or
Excel file, chosen by the file's extension; the internal row key is never exported.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import threading
import uuid
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from ..errors import TableError, in_words
from .model import Column, RowFilter, cell_text
from .names import ROW_KEY, quote_ident

CACHED_ORDERS = 6
BLOCK = 500  # contiguous rows fetched (and cached) together: scrolling on is served from memory
CACHED_BLOCKS = 64
DIRECT_ROWS = 1000  # pages within this many rows of the top skip building the order
EXPORT_FORMATS = {".csv": "CSV", ".tsv": "Tab-separated text", ".parquet": "Parquet", ".json": "JSON",
                  ".xlsx": "Excel workbook"}
_COPY = {".csv": "FORMAT csv, HEADER, DELIMITER ','", ".tsv": "FORMAT csv, HEADER, DELIMITER '\t'",
         ".parquet": "FORMAT parquet", ".json": "FORMAT json, ARRAY true"}
EXCEL_ROWS = 1_048_576  # rows in an Excel sheet, the header included


def _pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where(columns: list[Column], flt: RowFilter | None) -> tuple[str, list[Any]]:
    """A WHERE clause (or "") for ``flt`` and its parameters; unknown columns raise TableError."""
    if flt is None or flt.empty():
        return "", []
    names = {c.name for c in columns}
    parts, params = [], []
    if flt.text:
        parts.append("(" + " OR ".join(f"CAST({quote_ident(c.name)} AS VARCHAR) ILIKE ? ESCAPE '\\'"
                                       for c in columns) + ")")
        params += [_pattern(flt.text)] * len(columns)
    for name, needle in flt.columns.items():
        if not needle:
            continue
        if name not in names:
            raise TableError(f"There is no column called {name!r} to filter on.")
        parts.append(f"CAST({quote_ident(name)} AS VARCHAR) ILIKE ? ESCAPE '\\'")
        params.append(_pattern(needle))
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def order_by(columns: list[Column], sort: tuple[str, bool] | None) -> str:
    if not sort:
        return f" ORDER BY {ROW_KEY}"
    name, ascending = sort
    if name not in {c.name for c in columns}:
        raise TableError(f"There is no column called {name!r} to sort on.")
    return f" ORDER BY {quote_ident(name)} {'ASC' if ascending else 'DESC'} NULLS LAST, {ROW_KEY}"


def _order_key(table: str, generation: int, flt: RowFilter | None, sort: tuple[str, bool] | None) -> tuple[Any, ...]:
    """What identifies one row order of one version of a table."""
    return (table, generation, flt.key() if flt else None, tuple(sort) if sort else None)


class Orders:
    """A small LRU cache of row-key orders, keyed by table generation, filter and sort."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
        self._blocks: OrderedDict[tuple[Any, ...], list[tuple]] = OrderedDict()

    def cached(self, table: str, generation: int, flt: RowFilter | None, sort: tuple[str, bool] | None) -> bool:
        with self._lock:
            return _order_key(table, generation, flt, sort) in self._cache

    def keys(self, cur: duckdb.DuckDBPyConnection, table: str, generation: int, columns: list[Column],
             flt: RowFilter | None, sort: tuple[str, bool] | None) -> np.ndarray:
        """Every row key of ``table`` that passes ``flt``, in ``sort`` order."""
        cache_key = _order_key(table, generation, flt, sort)
        with self._lock:
            if cache_key in self._cache:
                self._cache.move_to_end(cache_key)
                return self._cache[cache_key]
        clause, params = where(columns, flt)
        sql = f"SELECT {ROW_KEY} FROM {quote_ident(table)}{clause}{order_by(columns, sort)}"
        keys = cur.execute(sql, params).fetchnumpy()[ROW_KEY]
        keys = np.asarray(keys, dtype=np.int64)
        with self._lock:
            self._cache[cache_key] = keys
            while len(self._cache) > CACHED_ORDERS:
                self._cache.popitem(last=False)
        return keys

    def page(self, cur: duckdb.DuckDBPyConnection, table: str, generation: int, columns: list[Column],
             flt: RowFilter | None, sort: tuple[str, bool] | None, start: int, limit: int) -> list[tuple]:
        """Rows ``start``..``start+limit`` of the order, fetched a block at a time and kept briefly."""
        if start + limit <= DIRECT_ROWS and not self.cached(table, generation, flt, sort):
            return top(cur, table, columns, flt, sort, start, limit)
        keys = self.keys(cur, table, generation, columns, flt, sort)
        end = min(len(keys), start + limit)
        if end > start and not _contiguous(keys[start:end]):
            return fetch(cur, table, columns, keys[start:end])  # scattered keys: a block would cost a wider scan
        out: list[tuple] = []
        order = _order_key(table, generation, flt, sort)
        for block in range(start // BLOCK, (end - 1) // BLOCK + 1 if end > start else start // BLOCK):
            rows = self._block(cur, table, columns, keys, order, block)
            lo = max(start, block * BLOCK) - block * BLOCK
            hi = min(end, (block + 1) * BLOCK) - block * BLOCK
            out += rows[lo:hi]
        return out

    def _block(self, cur: duckdb.DuckDBPyConnection, table: str, columns: list[Column], keys: np.ndarray,
               order: tuple[Any, ...], block: int) -> list[tuple]:
        cache_key = ("block", *order, block)
        with self._lock:
            if cache_key in self._blocks:
                self._blocks.move_to_end(cache_key)
                return self._blocks[cache_key]
        rows = fetch(cur, table, columns, keys[block * BLOCK:(block + 1) * BLOCK])
        with self._lock:
            self._blocks[cache_key] = rows
            while len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        return rows

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._blocks.clear()


def _contiguous(keys: np.ndarray) -> bool:
    return len(keys) > 0 and int(keys[-1]) - int(keys[0]) == len(keys) - 1 and bool(np.all(np.diff(keys) == 1))


def top(cur: duckdb.DuckDBPyConnection, table: str, columns: list[Column], flt: RowFilter | None,
        sort: tuple[str, bool] | None, start: int, limit: int) -> list[tuple]:
    """Rows ``start``..``start+limit`` of the order straight from DuckDB (a top-N query)."""
    clause, params = where(columns, flt)
    cols = ", ".join([ROW_KEY] + [quote_ident(c.name) for c in columns])
    sql = f"SELECT {cols} FROM {quote_ident(table)}{clause}{order_by(columns, sort)} LIMIT ? OFFSET ?"
    return cur.execute(sql, [*params, int(limit), int(start)]).fetchall()


def fetch(cur: duckdb.DuckDBPyConnection, table: str, columns: list[Column], keys: np.ndarray) -> list[tuple]:
    """The rows with ``keys`` (key first, then the visible columns), in the order of ``keys``."""
    if len(keys) == 0:
        return []
    cols = ", ".join([ROW_KEY] + [quote_ident(c.name) for c in columns])
    first, last = int(keys[0]), int(keys[-1])
    if _contiguous(keys):
        return cur.execute(f"SELECT {cols} FROM {quote_ident(table)} WHERE {ROW_KEY} BETWEEN ? AND ? "
                           f"ORDER BY {ROW_KEY}", [first, last]).fetchall()
    lo, hi = int(keys.min()), int(keys.max())
    rows = cur.execute(f"SELECT {cols} FROM {quote_ident(table)} WHERE {ROW_KEY} BETWEEN ? AND ? "
                       f"AND {ROW_KEY} IN (SELECT unnest(?::BIGINT[]))", [lo, hi, keys.tolist()]).fetchall()
    by_key = {r[0]: r for r in rows}
    return [by_key[k] for k in keys.tolist() if k in by_key]


def export(cur: duckdb.DuckDBPyConnection, table: str, columns: list[Column], path: Path, flt: RowFilter | None,
           sort: tuple[str, bool] | None) -> int:
    """Write the (filtered, sorted) visible columns to ``path`` in the format its extension names; returns
    the row count. The file is written under a temporary name beside it and then renamed over it."""
    suffix = _export_suffix(path)
    if not path.parent.is_dir():
        raise TableError(f"The folder {path.parent} does not exist; choose another place to export to.")
    clause, params = where(columns, flt)
    cols = ", ".join(_exported(c, suffix) for c in columns)
    select = f"SELECT {cols} FROM {quote_ident(table)}{clause}{order_by(columns, sort)}"
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        if suffix == ".xlsx":
            count = _write_xlsx(cur, table, columns, select, params, part)
        else:
            row = cur.execute(f"COPY ({select}) TO ? ({_COPY[suffix]})", [*params, str(part)]).fetchone()
            count = int(row[0]) if row else 0
        os.replace(part, path)
    except duckdb.Error as exc:
        raise TableError(f"The rows could not be exported to {path}: {in_words(exc)}") from exc
    except OSError as exc:
        raise TableError(f"The rows could not be exported to {path}: {exc.strerror or exc}.") from exc
    finally:
        part.unlink(missing_ok=True)
    return count


def _exported(col: Column, suffix: str) -> str:
    """A column as the export selects it: in a CSV or TSV file a list or record is written as
    JSON (``["Anna","Bram"]``, as the grid shows it), not DuckDB's ``[Anna, Bram]``."""
    name = quote_ident(col.name)
    nested = col.type.strip().endswith("]") or col.type.upper().startswith(("STRUCT", "MAP", "UNION"))
    return f"to_json({name}) AS {name}" if nested and suffix in (".csv", ".tsv") else name


def _export_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        what = f"a {suffix} file" if suffix else "a file without an extension"
        names = ", ".join(list(EXPORT_FORMATS)[:-1]) + f" or {list(EXPORT_FORMATS)[-1]}"
        raise TableError(f"Grace cannot export to {what}; end the file's name with {names}.")
    return suffix


def _write_xlsx(cur: duckdb.DuckDBPyConnection, table: str, columns: list[Column], select: str,
                params: list[Any], part: Path) -> int:
    """Stream the rows into a one-sheet workbook (openpyxl's write-only mode keeps memory flat)."""
    from openpyxl import Workbook  # 140 ms to import: only when someone exports to Excel, not at start-up

    row = cur.execute(f"SELECT count(*) FROM ({select})", params).fetchone()
    total = int(row[0]) if row else 0
    if total >= EXCEL_ROWS:
        raise TableError(f"{total:,} rows do not fit in an Excel sheet (at most {EXCEL_ROWS - 1:,} under the "
                         "header); filter the rows first, or export to CSV or Parquet.")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table[:31])
    sheet.append([c.name for c in columns])
    result, count = cur.execute(select, params), 0
    while batch := result.fetchmany(10_000):
        for values in batch:
            sheet.append([_excel_value(sheet, v) for v in values])
        count += len(batch)
    book.save(part)
    return count


def _excel_value(sheet: Any, value: Any) -> Any:
    """A cell value Excel can hold: text stays text (never a formula), times lose their zone (UTC)."""
    if isinstance(value, str):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not text.startswith("="):
            return text
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # a value like "=HYPERLINK(...)" must not run as a formula
        return cell
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, int | float | Decimal | dt.date | dt.time | dt.timedelta):
        return value
    return cell_text(value)  # lists and structs as JSON, UUIDs and blobs: their text
