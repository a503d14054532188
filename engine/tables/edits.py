"""Edits to the person's tables, journalled in DuckDB for undo and audit.

Every edit (cell update, added row, deleted rows, dropped table) writes a row in
``_grace.edits`` in the same DuckDB transaction as the change, with a snapshot of
the rows it overwrote or removed. The audit entry in SQLite follows; an edit whose
audit entry a crash prevented is audited on the next open (``audited = false``).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from ..errors import TableError
from .model import Column, jsonable
from .names import ROW_KEY, qualified, quote_ident
from .store import Store

SNAPSHOTS_KEPT = 200
UNDOABLE = ("update", "add", "delete")


def _next_id(cur: duckdb.DuckDBPyConnection) -> int:
    return int(cur.execute("SELECT coalesce(max(id), 0) + 1 FROM _grace.edits").fetchone()[0])  # type: ignore[index]


def _journal(cur: duckdb.DuckDBPyConnection, edit_id: int, table: str, op: str, keys: list[int],
             column: str | None, snapshot: str | None, detail: dict[str, Any], actor: str) -> None:
    cur.execute("INSERT INTO _grace.edits VALUES (?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, false, false)",
                [edit_id, table, op, keys, column, snapshot, json.dumps(jsonable(detail)), actor])


def _snapshot(cur: duckdb.DuckDBPyConnection, edit_id: int, table: str, keys: list[int]) -> tuple[str, int]:
    name = f"snap_{edit_id}"
    cur.execute(f"CREATE TABLE {qualified('_grace', name)} AS SELECT * FROM {quote_ident(table)} "
                f"WHERE {ROW_KEY} IN (SELECT unnest(?::BIGINT[]))", [keys])
    count = cur.execute(f"SELECT count(*) FROM {qualified('_grace', name)}").fetchone()[0]  # type: ignore[index]
    return name, int(count)


def _column(columns: list[Column], name: str, table: str) -> Column:
    for col in columns:
        if col.name == name:
            return col
    raise TableError(f"Table {table!r} has no column called {name!r}.")


def _bad_value(exc: duckdb.Error, value: Any, col: Column) -> TableError:
    return TableError(f"{value!r} is not a valid {col.type} for column {col.name!r} "
                      f"({str(exc).strip().splitlines()[0][:200]}).")


def update_cell(store: Store, cur: duckdb.DuckDBPyConnection, table: str, key: int, column: str, value: Any,
                actor: str) -> int:
    """Set one cell; returns the edit's id."""
    col = _column(store.require(table, cur), column, table)
    edit_id = _next_id(cur)
    snapshot, found = _snapshot(cur, edit_id, table, [int(key)])
    if not found:
        raise TableError(f"Table {table!r} has no row with key {key}.")
    try:
        cur.execute(f"UPDATE {quote_ident(table)} SET {quote_ident(col.name)} = CAST(? AS {col.type}) "
                    f"WHERE {ROW_KEY} = ?", [value, int(key)])
    except duckdb.Error as exc:
        raise _bad_value(exc, value, col) from exc
    _journal(cur, edit_id, table, "update", [int(key)], col.name, snapshot, {"value": value}, actor)
    return edit_id


def add_row(store: Store, cur: duckdb.DuckDBPyConnection, table: str, values: dict[str, Any], actor: str) -> int:
    """Add a row; returns the edit's id (the new row's key is in the journal)."""
    columns = store.require(table, cur)
    cols = [_column(columns, name, table) for name in values]
    key = store.next_key(cur, table)
    names = ", ".join([ROW_KEY] + [quote_ident(c.name) for c in cols])
    marks = ", ".join(["?"] + [f"CAST(? AS {c.type})" for c in cols])
    try:
        cur.execute(f"INSERT INTO {quote_ident(table)} ({names}) VALUES ({marks})", [key, *values.values()])
    except duckdb.Error as exc:
        raise TableError(f"The row could not be added to {table!r}: {str(exc).strip().splitlines()[0][:200]}") \
            from exc
    edit_id = _next_id(cur)
    _journal(cur, edit_id, table, "add", [key], None, None, {"values": values}, actor)
    return edit_id


def delete_rows(store: Store, cur: duckdb.DuckDBPyConnection, table: str, keys: list[int], actor: str) -> int:
    """Delete rows by key (snapshotted for undo); returns the edit's id."""
    store.require(table, cur)
    keys = sorted({int(k) for k in keys})
    edit_id = _next_id(cur)
    snapshot, found = _snapshot(cur, edit_id, table, keys)
    if not found:
        raise TableError(f"Table {table!r} has none of the rows {keys[:5]}.")
    cur.execute(f"DELETE FROM {quote_ident(table)} WHERE {ROW_KEY} IN (SELECT unnest(?::BIGINT[]))", [keys])
    _journal(cur, edit_id, table, "delete", keys, None, snapshot, {"rows": found}, actor)
    return edit_id


def drop_table(store: Store, cur: duckdb.DuckDBPyConnection, table: str, reason: str, actor: str) -> int:
    """Drop ``table``, keeping its rows and description aside so the drop can be undone."""
    store.require(table, cur)
    edit_id = _next_id(cur)
    snap = f"snap_{edit_id}"
    cur.execute(f"CREATE TABLE {qualified('_grace', snap)} AS SELECT * FROM {quote_ident(table)}")
    meta = {internal: [list(r) for r in cur.execute(
        f"SELECT * FROM _grace.{internal} WHERE {'name' if internal == 'tables' else 'table_name'} = ?",
        [table]).fetchall()] for internal in ("tables", "columns", "loads")}
    cur.execute(f"DROP TABLE {quote_ident(table)}")
    store.forget_table(cur, table)
    _journal(cur, edit_id, table, "drop", [], None, snap, {"reason": reason, "meta": meta}, actor)
    return edit_id


def _undrop(store: Store, cur: duckdb.DuckDBPyConnection, table: str, snap: str, detail: dict[str, Any]) -> None:
    if store.exists(table, cur):
        raise TableError(f"Table {table!r} cannot be brought back: a table of that name exists again.")
    cur.execute(f"CREATE TABLE {quote_ident(table)} AS SELECT * FROM {snap}")
    for internal, rows in detail.get("meta", {}).items():
        for row in rows:
            cur.execute(f"INSERT INTO _grace.{internal} VALUES ({', '.join('?' * len(row))})", row)
    cur.execute(f"DROP TABLE {snap}")


def undo_last(store: Store, cur: duckdb.DuckDBPyConnection, actor: str) -> tuple[int, dict[str, Any]]:
    """Reverse the newest edit not yet undone; returns the undo's edit id and what it undid."""
    row = cur.execute("SELECT id, table_name, op, row_keys, column_name, snapshot, detail FROM _grace.edits "
                      "WHERE op IN ('update', 'add', 'delete', 'drop') AND NOT undone "
                      "ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        raise TableError("There is no edit to undo.")
    edit_id, table, op, keys, column, snapshot, detail = row
    if op != "drop" and not store.exists(table, cur):
        raise TableError(f"The last edit was to table {table!r}, which no longer exists.")
    snap = qualified("_grace", snapshot) if snapshot else None
    if op != "add" and snap is None:
        raise TableError("The last edit is too old to undo.")
    t = quote_ident(table)
    try:
        if op == "drop":
            _undrop(store, cur, table, snap, json.loads(detail or "{}"))  # type: ignore[arg-type]
        elif op == "update":
            c = quote_ident(column)
            cur.execute(f"UPDATE {t} SET {c} = s.{c} FROM {snap} s WHERE {t}.{ROW_KEY} = s.{ROW_KEY}")
        elif op == "add":
            cur.execute(f"DELETE FROM {t} WHERE {ROW_KEY} IN (SELECT unnest(?::BIGINT[]))", [keys])
        else:
            cur.execute(f"INSERT INTO {t} BY NAME SELECT * FROM {snap}")
    except duckdb.Error as exc:
        raise TableError(f"The last edit to {table!r} cannot be undone: {str(exc).splitlines()[0][:200]}") from exc
    cur.execute("UPDATE _grace.edits SET undone = true WHERE id = ?", [edit_id])
    undo_id = _next_id(cur)
    what = {"undid": edit_id, "op": op, "rows": list(keys or [])}
    _journal(cur, undo_id, table, "undo", list(keys or []), column, None, what, actor)
    return undo_id, {"table": table, **what}


def unaudited(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Journal entries whose audit entry has not been written yet."""
    rows = cur.execute("SELECT id, table_name, op, row_keys, column_name, detail, actor FROM _grace.edits "
                       "WHERE NOT audited ORDER BY id").fetchall()
    return [{"id": r[0], "table": r[1], "op": r[2], "rows": list(r[3] or []), "column": r[4],
             "detail": json.loads(r[5] or "{}"), "actor": r[6]} for r in rows]


def mark_audited(cur: duckdb.DuckDBPyConnection, ids: list[int]) -> None:
    if ids:
        cur.execute("UPDATE _grace.edits SET audited = true WHERE id IN (SELECT unnest(?::BIGINT[]))", [ids])


def prune_snapshots(cur: duckdb.DuckDBPyConnection) -> None:
    """Keep the snapshots of the newest edits only (older edits cannot be undone)."""
    rows = cur.execute("SELECT id, snapshot FROM _grace.edits WHERE snapshot IS NOT NULL ORDER BY id DESC "
                       "OFFSET ?", [SNAPSHOTS_KEPT]).fetchall()
    for edit_id, snapshot in rows:
        cur.execute(f"DROP TABLE IF EXISTS {qualified('_grace', snapshot)}")
        cur.execute("UPDATE _grace.edits SET snapshot = NULL WHERE id = ?", [edit_id])
