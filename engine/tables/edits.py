"""Edits to the person's tables, journalled in DuckDB for undo and audit.

Every edit (cell update, added row, deleted rows, dropped table) writes a row in
``_grace.edits`` in the same DuckDB transaction as the change, with a snapshot of
the rows it overwrote or removed, and the loads those rows came from. The audit entry
in SQLite follows; an edit whose audit entry a crash prevented is audited on the next
open (``audited = false``).

Undo walks back through the journal. An edit it cannot reverse (its table was reloaded
from a file since, dropped, or its snapshot pruned) is refused with a sentence and
``retired`` together with the earlier edits of its table, so the next undo moves on.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb

from ..errors import TableError
from .model import Column, decimal_places, jsonable
from .names import ROW_KEY, qualified, quote_ident
from .store import Store
from .values import NUMERIC_TYPES, conversion, detect, fits_format, plain_number

SNAPSHOTS_KEPT = 200
UNDOABLE = ("update", "add", "delete")
_EDIT_FIELDS = "id, table_name, op, row_keys, column_name, snapshot, detail, loads, undone OR coalesce(retired, false)"


@dataclass
class Edit:
    """One journalled edit, as undo sees it."""

    id: int
    table: str
    op: str
    keys: list[int]
    column: str | None
    snapshot: str | None
    detail: dict[str, Any]
    loads: list[int] | None  # the loads its rows came from (None: journalled before this was kept)
    over: bool = False  # undone already, or retired


@dataclass(frozen=True)
class NextUndo:
    """What the next undo would undo: the table it is in, and the edit in words."""

    table: str
    what: str


def _next_id(cur: duckdb.DuckDBPyConnection) -> int:
    return int(cur.execute("SELECT coalesce(max(id), 0) + 1 FROM _grace.edits").fetchone()[0])  # type: ignore[index]


def _journal(cur: duckdb.DuckDBPyConnection, edit_id: int, table: str, op: str, keys: list[int],
             column: str | None, snapshot: str | None, detail: dict[str, Any], actor: str) -> None:
    cur.execute("INSERT INTO _grace.edits (id, table_name, op, row_keys, column_name, snapshot, detail, actor, "
                "edited_at, loads) VALUES (?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
                [edit_id, table, op, keys, column, snapshot, json.dumps(jsonable(detail)), actor,
                 _loads_of(cur, table, keys)])


def _loads_of(cur: duckdb.DuckDBPyConnection, table: str, keys: list[int]) -> list[int]:
    """The loads (proposal ids) that put the rows with ``keys`` in ``table``."""
    rows = cur.execute("SELECT DISTINCT l.proposal_id FROM _grace.loads l, (SELECT unnest(?::BIGINT[]) AS k) x "
                       "WHERE l.table_name = ? AND x.k BETWEEN l.id_lo AND l.id_hi", [keys, table]).fetchall()
    return sorted(int(r[0]) for r in rows)


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


def _bad_value(value: Any, col: Column) -> TableError:
    """Why ``value`` cannot go in ``col``, in words (not DuckDB's "Conversion Error: ... DOUBLE")."""
    too_big = decimal_places(col.type) is not None and _is_number(value)  # a number a whole or fixed column refused
    no_day = _no_such_day(value) if col.type.upper().startswith(("DATE", "TIMESTAMP")) else None
    return TableError(f"{value!r} cannot go in column {col.name!r}: " + (no_day or f"it takes {col.kind}"
                      + (", and this one is too large for it" if too_big else "")) + ".")


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?\s*")


def _no_such_day(value: Any) -> str | None:
    """Why a date written YYYY-MM-DD is not a day of the calendar ("February 2025 has 28 days"),
    or None when it is one, or is not written so."""
    found = _ISO_DAY.fullmatch(str(value))
    if found is None:
        return None
    year, month, day = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month}; write the date as YYYY-MM-DD"
    days = calendar.monthrange(year, month)[1] if year else 31
    if 1 <= day <= days:
        return None
    return f"{calendar.month_name[month]} {year} has {days} days"


def _first_misfit(imported: list[Any], values: dict[str, Any], cols: list[Column], exc: duckdb.Error) -> str:
    """Why a row's values could not be inserted: the first value its column cannot take, in words
    (else the database's own first line). Each cast is tried on a connection of its own: the
    failed insert has aborted the transaction it ran in."""
    with duckdb.connect() as probe:
        for col, value in zip(cols, imported, strict=True):
            try:
                probe.execute(f"SELECT CAST(? AS {col.type})", [value])
            except duckdb.Error:
                return str(_bad_value(values[col.name], col))
    return str(exc).strip().splitlines()[0][:200]


def _is_number(value: Any) -> bool:
    try:
        return Decimal(str(value).strip()).is_finite()
    except InvalidOperation:
        return False


def _check_whole(value: Any, col: Column, typed: Any = None) -> None:
    """Refuse more decimal places than the column holds: DuckDB's cast would round 3.7 to 4 in a
    whole-number column, and 3.756 to 3.76 in a DECIMAL(10,2), without a word. The refusal names
    the value as ``typed`` ("2,5"), when it was read into ``value`` ("2.5")."""
    places = decimal_places(col.type)
    if places is None or value is None or isinstance(value, int):
        return
    try:
        number = Decimal(str(value).strip())
        rounded = number != round(number, places) if number.is_finite() else False
    except InvalidOperation:
        return  # not a number at all, or too large to round ("1e30"): the cast says why
    if rounded:
        kind = "whole numbers only" if places == 0 else f"at most {places} decimal places"
        raise TableError(f"{value if typed is None else typed!r} cannot go in column {col.name!r}: it takes {kind}, "
                         "and this one would have been rounded.")




_READ_AS_IMPORTED = {"DATE", "TIMESTAMP", "BOOLEAN"}


def _as_imported(cur: duckdb.DuckDBPyConnection, value: Any, col: Column) -> Any:
    """A typed-in number, date or yes/no read as an import reads one ('2,5' and '1.234,56' are
    numbers, '2024-03' is March's first day, '31/12/2024' a date, 'yes' true), so an edit takes
    what the file's own column took."""
    if isinstance(value, str) and col.type.upper().startswith(NUMERIC_TYPES):
        return plain_number(value)
    if not isinstance(value, str) or col.type.upper() not in _READ_AS_IMPORTED:
        return value
    found = detect(col.name, [value])
    if found.type.upper() != col.type.upper() or found.conv in ("text", "cast"):
        return value  # the plain cast reads it, or says why not
    if found.conv == "strptime" and found.ambiguous:  # 03/04/2024: one value cannot settle which is the day
        raise TableError(f"'{value}' could be day/month or month/day, so it cannot go in column '{col.name}' as "
                         f"it is: type the date as YYYY-MM-DD ({' or '.join(_both_readings(value, found.fmt or ''))}).")
    row = cur.execute(f"SELECT {conversion('v', found)} FROM (SELECT ?::VARCHAR AS v)", [value]).fetchone()
    return value if row is None or row[0] is None else row[0]


def _both_readings(value: str, fmt: str) -> list[str]:
    """``value`` read with ``fmt`` and with its day and month swapped, as ISO dates."""
    fmt = next((f for f in fmt.split("|") if fits_format(value.strip(), f)), fmt)  # "%m/%d/%y|%m/%d/%Y": its own
    swapped = fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    return [str(datetime.strptime(value.strip(), f)).removesuffix(" 00:00:00") for f in (fmt, swapped)]



def update_cell(store: Store, cur: duckdb.DuckDBPyConnection, table: str, key: int, column: str, value: Any,
                actor: str) -> int:
    """Set one cell; returns the edit's id."""
    col = _column(store.require(table, cur), column, table)
    imported = _as_imported(cur, value, col)
    _check_whole(imported, col, value)
    edit_id = _next_id(cur)
    snapshot, found = _snapshot(cur, edit_id, table, [int(key)])
    if not found:
        raise TableError(f"Table {table!r} has no row with key {key}.")
    try:
        cur.execute(f"UPDATE {quote_ident(table)} SET {quote_ident(col.name)} = CAST(? AS {col.type}) "
                    f"WHERE {ROW_KEY} = ?", [imported, int(key)])
    except duckdb.Error as exc:
        raise _bad_value(value, col) from exc
    _journal(cur, edit_id, table, "update", [int(key)], col.name, snapshot, {"value": value}, actor)
    return edit_id


def add_row(store: Store, cur: duckdb.DuckDBPyConnection, table: str, values: dict[str, Any], actor: str) -> int:
    """Add a row; returns the edit's id (the new row's key is in the journal)."""
    columns = store.require(table, cur)
    cols = [_column(columns, name, table) for name in values]
    imported = [_as_imported(cur, values[c.name], c) for c in cols]
    for col, value in zip(cols, imported, strict=True):
        _check_whole(value, col, values[col.name])
    key = store.next_key(cur, table)
    names = ", ".join([ROW_KEY] + [quote_ident(c.name) for c in cols])
    marks = ", ".join(["?"] + [f"CAST(? AS {c.type})" for c in cols])
    try:
        cur.execute(f"INSERT INTO {quote_ident(table)} ({names}) VALUES ({marks})", [key, *imported])
    except duckdb.Error as exc:
        raise TableError(f"The row could not be added to {table!r}: {_first_misfit(imported, values, cols, exc)}") \
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


def _undrop(cur: duckdb.DuckDBPyConnection, table: str, snap: str, detail: dict[str, Any]) -> None:
    cur.execute(f"CREATE TABLE {quote_ident(table)} AS SELECT * FROM {snap}")
    for internal, rows in detail.get("meta", {}).items():
        for row in rows:
            cur.execute(f"INSERT INTO _grace.{internal} VALUES ({', '.join('?' * len(row))})", row)
    cur.execute(f"DROP TABLE {snap}")


# -- undo ------------------------------------------------------------------------------------


def _edit(row: tuple) -> Edit:
    return Edit(int(row[0]), row[1], row[2], [int(k) for k in row[3] or []], row[4], row[5],
                json.loads(row[6] or "{}"), None if row[7] is None else [int(p) for p in row[7]], bool(row[8]))


def last_edit(cur: duckdb.DuckDBPyConnection) -> Edit:
    """The newest edit undo can still try; raises ``TableError`` when there is none."""
    row = cur.execute(f"SELECT {_EDIT_FIELDS} FROM _grace.edits WHERE op IN ('update', 'add', 'delete', 'drop') "
                      "AND NOT undone AND NOT coalesce(retired, false) ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        raise TableError("There is no edit to undo.")
    return _edit(row)


def edit_by_id(cur: duckdb.DuckDBPyConnection, edit_id: int) -> Edit:
    row = cur.execute(f"SELECT {_EDIT_FIELDS} FROM _grace.edits WHERE id = ?", [int(edit_id)]).fetchone()
    if row is None:
        raise TableError(f"There is no edit {edit_id} to undo.")
    return _edit(row)


def describe(edit: Edit) -> str:
    """What the edit did, for a sentence: "the edit of age in row 3 of staff"."""
    if edit.op == "update":
        return f"the edit of {edit.column} in row {edit.keys[0]} of {edit.table}"
    if edit.op == "add":
        return f"the addition of row {edit.keys[0]} to {edit.table}"
    if edit.op == "delete":
        rows = f"row {edit.keys[0]}" if len(edit.keys) == 1 else f"{len(edit.keys):,} rows"
        return f"the deletion of {rows} from {edit.table}"
    return f"the drop of table {edit.table}"


def old_value(cur: duckdb.DuckDBPyConnection, edit: Edit) -> Any:
    """The value undoing an update puts back (None for other edits)."""
    if edit.op != "update" or not edit.snapshot:
        return None
    row = cur.execute(f"SELECT {quote_ident(edit.column or '')} FROM {qualified('_grace', edit.snapshot)}").fetchone()
    return row[0] if row else None


def rows_of(cur: duckdb.DuckDBPyConnection, relation: str, columns: list[Column], keys: list[int],
            limit: int = 20) -> list[list[Any]]:
    """Up to ``limit`` rows of ``relation`` (a quoted table or snapshot name) with ``keys``, in key
    order, one value per column of ``columns``."""
    names = ", ".join(quote_ident(c.name) for c in columns)
    rows = cur.execute(f"SELECT {names} FROM {relation} WHERE {ROW_KEY} IN (SELECT unnest(?::BIGINT[])) "
                       f"ORDER BY {ROW_KEY} LIMIT ?", [keys, limit]).fetchall()
    return [list(r) for r in rows]


def undo_rows(cur: duckdb.DuckDBPyConnection, edit: Edit,
              columns: list[Column]) -> tuple[list[Column], list[list[Any]]]:
    """What undoing ``edit`` writes or removes, to show before it is approved: the columns and the
    rows (the old value of an edited cell, the added rows it deletes, the deleted rows it puts back)."""
    if edit.op == "update":
        return [c for c in columns if c.name == edit.column], [[old_value(cur, edit)]]
    if edit.op == "add":
        return columns, rows_of(cur, quote_ident(edit.table), columns, edit.keys)
    if edit.op == "delete" and edit.snapshot:
        return columns, rows_of(cur, qualified("_grace", edit.snapshot), columns, edit.keys)
    return columns, []


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _reloaded(cur: duckdb.DuckDBPyConnection, edit: Edit) -> bool:
    """True when a load the edited rows came from has since been replaced by a newer version of its file."""
    if not edit.loads:
        return False
    now = {int(r[0]) for r in cur.execute("SELECT proposal_id FROM _grace.loads WHERE table_name = ?",
                                          [edit.table]).fetchall()}
    return not set(edit.loads) <= now


def _rows_present(cur: duckdb.DuckDBPyConnection, edit: Edit) -> int:
    row = cur.execute(f"SELECT count(*) FROM {quote_ident(edit.table)} WHERE {ROW_KEY} IN "
                      "(SELECT unnest(?::BIGINT[]))", [edit.keys]).fetchone()
    return int(row[0]) if row else 0


def _obstacle(store: Store, cur: duckdb.DuckDBPyConnection, edit: Edit) -> str | None:
    """Why ``edit`` cannot be reversed any more (None when it can)."""
    table, exists = edit.table, store.exists(edit.table, cur)
    if edit.op == "drop" and exists:
        return f"a table called {table} exists again"
    if edit.op != "drop" and not exists:
        return f"table {table} no longer exists"
    if edit.op != "drop" and _reloaded(cur, edit):
        return f"{table} was reloaded from a file since, which replaced the rows it changed"
    if edit.op == "delete" and _rows_present(cur, edit):
        return f"rows with the same keys were added to {table} since"
    if edit.op == "update" and not _rows_present(cur, edit):
        return f"row {edit.keys[0]} of {table} no longer exists"
    if edit.op != "add" and edit.snapshot is None:
        return "it is too old (only the newest edits keep what they changed)"
    return None


def refusal(store: Store, cur: duckdb.DuckDBPyConnection, edit: Edit) -> str | None:
    """The sentence refusing to undo ``edit``, or None when it can be undone."""
    why = _obstacle(store, cur, edit)
    if why is None:
        return None
    return (f"{_cap(describe(edit))} cannot be undone: {why}. Earlier edits to {edit.table} cannot be undone "
            "either; Undo now goes on with the edits of other tables.")


def retire(cur: duckdb.DuckDBPyConnection, edit: Edit) -> None:
    """Give up on ``edit`` and the earlier edits of its table, so the next undo moves on to other tables."""
    cur.execute("UPDATE _grace.edits SET retired = true WHERE table_name = ? AND id <= ? AND NOT undone",
                [edit.table, edit.id])


def undo_approved(store: Store, cur: duckdb.DuckDBPyConnection, edit_id: int, actor: str) -> int:
    """Undo edit ``edit_id`` as an approved proposal asked; returns the undo's journal id."""
    edit = edit_by_id(cur, edit_id)
    check_undo(store, cur, edit)
    return undo(cur, edit, actor)


def check_undo(store: Store, cur: duckdb.DuckDBPyConnection, edit: Edit) -> None:
    """Raise ``TableError`` unless ``edit`` is the newest edit of its table that undo can still reverse
    (an undo approved later may find the table changed since it was proposed)."""
    newer = cur.execute("SELECT count(*) FROM _grace.edits WHERE table_name = ? AND id > ? AND NOT undone "
                        "AND op IN ('update', 'add', 'delete', 'drop')", [edit.table, edit.id]).fetchone()
    if edit.op not in (*UNDOABLE, "drop") or edit.over:
        raise TableError(f"{_cap(describe(edit))} was undone already or can no longer be undone.")
    if newer and newer[0]:
        raise TableError(f"{_cap(describe(edit))} is no longer the last edit of {edit.table}; undo the later ones "
                         "first.")
    why = refusal(store, cur, edit)
    if why:
        raise TableError(why)


def undo(cur: duckdb.DuckDBPyConnection, edit: Edit, actor: str) -> int:
    """Reverse ``edit`` (checked by ``refusal`` first); returns the undo's own journal id."""
    t, snap = quote_ident(edit.table), qualified("_grace", edit.snapshot) if edit.snapshot else ""
    try:
        if edit.op == "drop":
            _undrop(cur, edit.table, snap, edit.detail)
        elif edit.op == "update":
            c = quote_ident(edit.column or "")
            cur.execute(f"UPDATE {t} SET {c} = s.{c} FROM {snap} s WHERE {t}.{ROW_KEY} = s.{ROW_KEY}")
        elif edit.op == "add":
            cur.execute(f"DELETE FROM {t} WHERE {ROW_KEY} IN (SELECT unnest(?::BIGINT[]))", [edit.keys])
        else:
            cur.execute(f"INSERT INTO {t} BY NAME SELECT * FROM {snap}")
    except duckdb.Error as exc:
        raise TableError(f"{_cap(describe(edit))} cannot be undone: {str(exc).splitlines()[0][:200]}") from exc
    cur.execute("UPDATE _grace.edits SET undone = true WHERE id = ?", [edit.id])
    undo_id = _next_id(cur)
    _journal(cur, undo_id, edit.table, "undo", edit.keys, edit.column, None,
             {"undid": edit.id, "op": edit.op, "rows": edit.keys}, actor)
    return undo_id


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
