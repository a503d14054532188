"""Applying a proposal to DuckDB: idempotent, keyed by the proposal's id.

Everything a proposal does to ``tables.duckdb`` (create or extend the table, move
the staged rows in, record where they came from) and the ``_grace.applied`` row
that says it is done commit in one DuckDB transaction. Applying an id that is
already there does nothing, so a crash between DuckDB and the catalog is repaired
by simply applying again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from ..errors import TableError
from . import edits
from .model import Column, Proposal
from .names import ROW_KEY, quote_ident
from .store import Store
from .values import conversion, detect, missing_sql, reading


def is_applied(cur: duckdb.DuckDBPyConnection, proposal_id: int) -> bool:
    return cur.execute("SELECT 1 FROM _grace.applied WHERE proposal_id = ?", [proposal_id]).fetchone() is not None


def apply(store: Store, cur: duckdb.DuckDBPyConnection, prop: Proposal, plan: dict[str, Any]) -> list[str]:
    """Apply ``prop`` inside the caller's DuckDB transaction; returns the tables it changed."""
    if is_applied(cur, prop.id):
        return []
    if prop.kind == "new":
        _create(store, cur, prop, plan)
    elif prop.kind in ("append", "schema_change"):
        _append(store, cur, prop, plan)
    elif prop.kind == "row":
        _insert_row(store, cur, prop, plan)
    elif prop.kind == "edit":
        _edit(store, cur, prop, plan)
    else:
        raise TableError(f"Proposal {prop.id} is of an unknown kind ({prop.kind}).")
    cur.execute("INSERT INTO _grace.applied VALUES (?, now()::TIMESTAMP)", [prop.id])
    return [prop.table]


def _stage(store: Store, cur: duckdb.DuckDBPyConnection, plan: dict[str, Any]) -> str:
    stage = plan.get("stage", "")
    if not stage or not store.exists(stage, cur):
        raise TableError("its staged rows are missing; import the file again")
    return stage


def _create(store: Store, cur: duckdb.DuckDBPyConnection, prop: Proposal, plan: dict[str, Any]) -> None:
    stage = _stage(store, cur, plan)
    target = quote_ident(prop.table)
    if store.exists(prop.table, cur):
        raise TableError(f"a table called {prop.table!r} exists already; approve it under another name")
    cur.execute(f"ALTER TABLE {quote_ident(stage)} RENAME TO {target}")
    staged = {c.name: c.type for c in store.columns(prop.table, cur)}
    raw = plan.get("raw", {})
    for old, col in zip(plan["stage_columns"], prop.columns, strict=True):
        if old != col.name:
            cur.execute(f"ALTER TABLE {target} RENAME COLUMN {quote_ident(old)} TO {quote_ident(col.name)}")
        if staged.get(old) != col.type:
            _retype(cur, prop.table, col, staged.get(old))
            if col.type == "VARCHAR" and old in raw:
                cur.execute(f"UPDATE {target} SET {quote_ident(col.name)} = {quote_ident(raw[old])}")
    for column in raw.values():
        cur.execute(f"ALTER TABLE {target} DROP COLUMN {quote_ident(column)}")
    store.record_table(cur, prop.table, prop.columns, plan.get("description", ""), prop.source)
    _record_load(cur, prop, 1, store.next_key(cur, prop.table) - 1)


def _retype(cur: duckdb.DuckDBPyConnection, table: str, col: Column, staged: str | None) -> None:
    """Make ``col`` of ``table`` (staged as type ``staged``) ``col.type``. Text is read as an
    import reads it: the column's own convention when one fits every value (day-first dates), else
    value by value ("1,200.50", "2,5" and "1.234,56" are numbers); refused in words, naming values
    that cannot be read so."""
    name = quote_ident(col.name)
    read = f"CAST({name} AS {col.type})"
    if staged == "VARCHAR":
        found = detect(col.name, [v for (v,) in cur.execute(
            f"SELECT DISTINCT {name} FROM {quote_ident(table)} LIMIT 3000").fetchall()])
        read = conversion(name, found) if found.type == col.type else reading(name, col.type)
        if problem := _misfits(cur, table, name, read, col):
            raise TableError(problem)
    try:
        cur.execute(f"ALTER TABLE {quote_ident(table)} ALTER COLUMN {name} TYPE {col.type} USING {read}")
    except duckdb.Error as exc:
        raise TableError(f"column {col.name!r} cannot all become {col.kind} "
                         f"({str(exc).strip().splitlines()[0][:200]})") from exc


MISFITS_SHOWN = 3


def _misfits(cur: duckdb.DuckDBPyConnection, table: str, name: str, read: str, col: Column) -> str | None:
    """Why the text in column ``name`` of ``table`` cannot all be read by ``read`` as ``col``'s
    type, naming the first values that cannot and their rows; None when every value can."""
    bad = cur.execute(f"SELECT {ROW_KEY}, {name}, count(*) OVER () FROM {quote_ident(table)} "
                      f"WHERE NOT {missing_sql(name)} AND ({read}) IS NULL ORDER BY {ROW_KEY} "
                      f"LIMIT {MISFITS_SHOWN}").fetchall()
    if not bad:
        return None
    shown = ", ".join(f"{value!r} in row {key}" for key, value, _ in bad)
    more = bad[0][2] - len(bad)
    return (f"column {col.name!r} cannot all become {col.kind}: {shown}{f' and {more} more' if more else ''} "
            f"cannot be read so. Keep the column as text, or correct those values in the file and add it again.")


def _append(store: Store, cur: duckdb.DuckDBPyConnection, prop: Proposal, plan: dict[str, Any]) -> None:
    stage = _stage(store, cur, plan)
    target = quote_ident(prop.table)
    existing = {c.name: c for c in store.require(prop.table, cur)}
    if plan.get("replace"):
        _forget_earlier_load(cur, prop)
    added = [c for c in prop.columns if c.name not in existing]
    for col in added:
        cur.execute(f"ALTER TABLE {target} ADD COLUMN {quote_ident(col.name)} {col.type}")
    store.record_columns(cur, prop.table, added)
    base = store.next_key(cur, prop.table) - 1
    names, parts = [ROW_KEY], [f"{ROW_KEY} + {base}"]
    raw = plan.get("raw", {})
    staged = {c.name: c.type for c in store.columns(stage, cur)}
    for old, col in zip(plan["stage_columns"], prop.columns, strict=True):
        want = existing[col.name].type if col.name in existing else col.type
        names.append(quote_ident(col.name))
        source = raw[old] if want == "VARCHAR" and old in raw else old
        read = f"CAST({quote_ident(source)} AS {want})"
        if want != "VARCHAR" and staged.get(old) == "VARCHAR":  # text into a typed column: read as an import
            read = reading(quote_ident(source), want)
            if problem := _misfits(cur, stage, quote_ident(source), read, Column(col.name, col.name, want)):
                raise TableError(problem)
        parts.append(read)
    try:
        cur.execute(f"INSERT INTO {target} ({', '.join(names)}) SELECT {', '.join(parts)} FROM {quote_ident(stage)}")
    except duckdb.Error as exc:
        raise TableError(f"its rows do not fit table {prop.table!r} ({str(exc).strip().splitlines()[0][:200]})") \
            from exc
    cur.execute(f"DROP TABLE {quote_ident(stage)}")
    _record_load(cur, prop, base + 1, store.next_key(cur, prop.table) - 1)


def _forget_earlier_load(cur: duckdb.DuckDBPyConnection, prop: Proposal) -> None:
    """Delete the rows an earlier version of the same file put in the table."""
    ranges = cur.execute("SELECT id_lo, id_hi FROM _grace.loads WHERE table_name = ? AND source = ?",
                         [prop.table, prop.source]).fetchall()
    for lo, hi in ranges:
        cur.execute(f"DELETE FROM {quote_ident(prop.table)} WHERE {ROW_KEY} BETWEEN ? AND ?", [lo, hi])
    cur.execute("DELETE FROM _grace.loads WHERE table_name = ? AND source = ?", [prop.table, prop.source])


def rename_source(cur: duckdb.DuckDBPyConnection, old: str, new: str) -> None:
    """Rows loaded from a file that moved, and catalog rows filed for it, name its new path."""
    cur.execute("UPDATE _grace.loads SET source = $new || substr(source, length($old) + 1) WHERE source = $old "
                "OR starts_with(source, $old || '#')", {"new": new, "old": old})  # the file's sheets too
    tables = cur.execute("SELECT table_name FROM information_schema.columns WHERE table_schema = 'main' "
                         "AND column_name = 'source_document'").fetchall()
    for (table,) in tables:
        cur.execute(f"UPDATE {quote_ident(table)} SET source_document = ? WHERE source_document = ?", [new, old])


def _record_load(cur: duckdb.DuckDBPyConnection, prop: Proposal, lo: int, hi: int) -> None:
    if hi >= lo:
        cur.execute("INSERT INTO _grace.loads VALUES (?, ?, ?, ?, ?)", [prop.id, prop.table, prop.source, lo, hi])


def _insert_row(store: Store, cur: duckdb.DuckDBPyConnection, prop: Proposal, plan: dict[str, Any]) -> None:
    """One catalog row from a document; a newer version of the document replaces its row."""
    columns = {c.name: c for c in store.require(prop.table, cur)}
    target = quote_ident(prop.table)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    created = now
    if "source_document" in columns:
        row = cur.execute(f"SELECT min(created_at) FROM {target} WHERE source_document = ?", [prop.source]
                          ).fetchone() if "created_at" in columns else None
        created = (row[0] if row and row[0] else now)
        cur.execute(f"DELETE FROM {target} WHERE source_document = ?", [prop.source])
    values = {k: v for k, v in plan.get("values", {}).items() if k in columns}
    values.update({k: v for k, v in (("source_document", prop.source), ("trust_score", plan.get("trust")),
                                     ("created_at", created), ("updated_at", now)) if k in columns})
    names = [ROW_KEY] + [quote_ident(k) for k in values]
    marks = ["?"] + [f"CAST(? AS {columns[k].type})" for k in values]
    cur.execute(f"INSERT INTO {target} ({', '.join(names)}) VALUES ({', '.join(marks)})",
                [store.next_key(cur, prop.table), *values.values()])


def _edit(store: Store, cur: duckdb.DuckDBPyConnection, prop: Proposal, plan: dict[str, Any]) -> None:
    actor = prop.decided_by or "user"
    op = plan.get("op")
    if op == "update":
        edits.update_cell(store, cur, prop.table, plan["row_key"], plan["column"], plan["value"], actor)
    elif op == "add":
        edits.add_row(store, cur, prop.table, plan["values"], actor)
    elif op == "delete":
        edits.delete_rows(store, cur, prop.table, plan["row_keys"], actor)
    elif op == "undo":  # an undo the policy held for approval, like the edit it reverses
        edits.undo_approved(store, cur, plan["edit"], actor)
    else:
        raise TableError(f"Proposal {prop.id} holds an unknown edit ({op}).")
