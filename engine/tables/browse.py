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
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import duckdb
import numpy as np

from ..errors import TableError
from .model import Column, RowFilter
from .names import ROW_KEY, quote_ident

CACHED_ORDERS = 6
BLOCK = 500  # contiguous rows fetched (and cached) together: scrolling on is served from memory
CACHED_BLOCKS = 64
DIRECT_ROWS = 1000  # pages within this many rows of the top skip building the order


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


def export(cur: duckdb.DuckDBPyConnection, table: str, columns: list[Column], path: str, flt: RowFilter | None,
           sort: tuple[str, bool] | None) -> int:
    """Write the (filtered, sorted) rows to a CSV file with a header; returns the row count."""
    clause, params = where(columns, flt)
    cols = ", ".join(quote_ident(c.name) for c in columns) or "*"
    select = f"SELECT {cols} FROM {quote_ident(table)}{clause}{order_by(columns, sort)}"
    sql = f"COPY ({select}) TO ? (HEADER, DELIMITER ',')"
    row = cur.execute(sql, [*params, path]).fetchone()
    return int(row[0]) if row else 0
