"""``tables.duckdb``: one connection, a cursor per thread, one writer at a time.

Bookkeeping lives in the ``_grace`` schema of the same file, so that it commits
in the same DuckDB transaction as the data it describes: which proposals are
applied, the original names of columns, which rows came from which file, and the
journal of edits (with snapshots for undo, the loads the edited rows came from, and
whether undo has given up on an edit).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from ..errors import TableError
from .model import Column
from .names import ROW_KEY, is_hidden, quote_ident

T = TypeVar("T")

_INTERNAL = """
CREATE SCHEMA IF NOT EXISTS _grace;
CREATE TABLE IF NOT EXISTS _grace.applied (proposal_id BIGINT PRIMARY KEY, applied_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS _grace.tables (name VARCHAR NOT NULL, description VARCHAR NOT NULL DEFAULT '',
    source VARCHAR, domain BOOLEAN NOT NULL DEFAULT false, created_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS _grace.columns (table_name VARCHAR NOT NULL, name VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS _grace.loads (proposal_id BIGINT NOT NULL, table_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL, id_lo BIGINT NOT NULL, id_hi BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS _grace.edits (id BIGINT NOT NULL, table_name VARCHAR NOT NULL, op VARCHAR NOT NULL,
    row_keys BIGINT[], column_name VARCHAR, snapshot VARCHAR, detail VARCHAR, actor VARCHAR NOT NULL,
    edited_at TIMESTAMP NOT NULL, audited BOOLEAN NOT NULL DEFAULT false, undone BOOLEAN NOT NULL DEFAULT false);
ALTER TABLE _grace.edits ADD COLUMN IF NOT EXISTS loads BIGINT[];
ALTER TABLE _grace.edits ADD COLUMN IF NOT EXISTS retired BOOLEAN DEFAULT false;
"""


class Store:
    """The DuckDB file of a workspace. Reads use the calling thread's cursor; writes
    go through ``write()``, which holds the writer lock and one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise TableError(f"The tables file {path} is in use by another Grace process; close it and try "
                                 "again.") from exc
            raise TableError(f"The tables file {path} could not be opened ({exc}).") from exc
        self._con.execute("SET GLOBAL TimeZone='UTC'")
        self.lock = threading.RLock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._cursors_lock = threading.Lock()
        self.generation: dict[str, int] = {}
        self.writes = 0  # write transactions so far: what ``remembered`` keeps is good until the next
        self._memo: dict[Any, Any] = {}
        self._memo_at = 0
        for statement in _INTERNAL.strip().split(";\n"):
            self._con.execute(statement)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor (DuckDB connections are not shared between threads)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
            with self._cursors_lock:
                self._cursors.append(cur)
        return cur

    @contextlib.contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction under the writer lock; rolled back if the block raises."""
        with self.lock:
            cur = self.cursor()
            self._local.writing = getattr(self._local, "writing", 0) + 1
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                self.writes += 1  # once the change is in (or gone): what was read before may be stale
                self._local.writing -= 1

    def remembered(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, kept under ``key`` until the next write: what a question reads of the
        tables' shape and contents again and again (their columns, which column holds currencies)
        costs a DuckDB query each time, about a millisecond even of a small table. A write that
        ends while it is computed leaves the value unkept; inside a write, which sees its own
        changes, nothing kept is used."""
        if getattr(self._local, "writing", 0):
            return compute()
        at = self.writes
        with self._cursors_lock:
            if self._memo_at != at:
                self._memo, self._memo_at = {}, at
            if key in self._memo:
                return self._memo[key]
        value = compute()
        with self._cursors_lock:
            if self._memo_at == at == self.writes:
                self._memo[key] = value
        return value

    def touch(self, *tables: str) -> None:
        """Note that ``tables`` changed (cached row orders are rebuilt)."""
        for t in tables:
            self.generation[t] = self.generation.get(t, 0) + 1

    def close(self) -> None:
        with self._cursors_lock:
            for cur in self._cursors:
                with contextlib.suppress(duckdb.Error):
                    cur.close()
            self._cursors.clear()
        with contextlib.suppress(duckdb.Error):
            self._con.execute("CHECKPOINT")
        self._con.close()

    # -- catalog -------------------------------------------------------------------------

    def table_names(self) -> list[str]:
        """The person's tables (internal and staging tables left out), by name."""
        rows = self.cursor().execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY table_name").fetchall()
        return [r[0] for r in rows if not is_hidden(r[0])]

    def exists(self, table: str, cur: duckdb.DuckDBPyConnection | None = None) -> bool:
        row = (cur or self.cursor()).execute(
            "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
            "AND table_name = ?", [table]).fetchone()
        return row is not None

    def columns(self, table: str, cur: duckdb.DuckDBPyConnection | None = None) -> list[Column]:
        """Visible columns of ``table`` in order, with their original names (hidden key left out)."""
        cur = cur or self.cursor()
        rows = cur.execute(
            "SELECT c.column_name, coalesce(m.source_name, c.column_name), c.data_type FROM duckdb_columns() c "
            "LEFT JOIN _grace.columns m ON m.table_name = c.table_name AND m.name = c.column_name "
            "WHERE c.database_name = current_database() AND c.schema_name = 'main' AND c.table_name = ? "
            "ORDER BY c.column_index", [table]).fetchall()
        return [Column(r[0], r[1], r[2]) for r in rows if r[0] != ROW_KEY]

    def require(self, table: str, cur: duckdb.DuckDBPyConnection | None = None) -> list[Column]:
        """The columns of ``table``; raises ``TableError`` when there is no such table."""
        if is_hidden(table) or not self.exists(table, cur):
            raise TableError(f"There is no table called {table!r}.")
        return self.columns(table, cur)

    def row_count(self, table: str) -> int:
        return int(self.cursor().execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0])  # type: ignore[index]

    def description(self, table: str) -> str:
        row = self.cursor().execute("SELECT description FROM _grace.tables WHERE name = ?", [table]).fetchone()
        return row[0] if row else ""

    def next_key(self, cur: duckdb.DuckDBPyConnection, table: str) -> int:
        """The next free row key of ``table``."""
        row = cur.execute(f"SELECT coalesce(max({ROW_KEY}), 0) FROM {quote_ident(table)}").fetchone()
        return int(row[0]) + 1  # type: ignore[index]

    def record_table(self, cur: duckdb.DuckDBPyConnection, table: str, columns: list[Column], description: str,
                     source: str | None, domain: bool = False) -> None:
        """(Re)write the bookkeeping of ``table``: description and original column names."""
        cur.execute("DELETE FROM _grace.tables WHERE name = ?", [table])
        cur.execute("INSERT INTO _grace.tables VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
                    [table, description, source, domain])
        self.record_columns(cur, table, columns)

    def record_columns(self, cur: duckdb.DuckDBPyConnection, table: str, columns: list[Column]) -> None:
        if not columns:
            return
        names = [c.name for c in columns]
        cur.execute("DELETE FROM _grace.columns WHERE table_name = ? AND name IN (SELECT unnest(?::VARCHAR[]))",
                    [table, names])
        cur.execute("INSERT INTO _grace.columns SELECT ?, unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                    [table, names, [c.source_name for c in columns]])

    def all_columns(self) -> dict[str, list[Column]]:
        """Visible columns of every table of the person's, by table (one query)."""
        rows = self.cursor().execute(
            "SELECT c.table_name, c.column_name, coalesce(m.source_name, c.column_name), c.data_type "
            "FROM duckdb_columns() c LEFT JOIN _grace.columns m ON m.table_name = c.table_name "
            "AND m.name = c.column_name WHERE c.database_name = current_database() AND c.schema_name = 'main' "
            "ORDER BY c.table_name, c.column_index").fetchall()
        out: dict[str, list[Column]] = {}
        for table, name, source, type_name in rows:
            if not is_hidden(table) and name != ROW_KEY:
                out.setdefault(table, []).append(Column(name, source, type_name))
        return out

    def row_counts(self, tables: list[str]) -> dict[str, int]:
        """Row counts of ``tables`` in one query."""
        if not tables:
            return {}
        sql = " UNION ALL ".join(f"SELECT ? AS t, count(*) AS n FROM {quote_ident(t)}" for t in tables)
        return {t: int(n) for t, n in self.cursor().execute(sql, tables).fetchall()}

    def descriptions(self) -> dict[str, str]:
        return dict(self.cursor().execute("SELECT name, description FROM _grace.tables").fetchall())

    def forget_table(self, cur: duckdb.DuckDBPyConnection, table: str) -> None:
        for internal in ("tables", "columns", "loads"):
            key = "name" if internal == "tables" else "table_name"
            cur.execute(f"DELETE FROM _grace.{internal} WHERE {key} = ?", [table])
