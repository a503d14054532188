"""Read-only SQL: one reading statement, over the workspace's tables only.

A query must be a single SELECT (WITH, VALUES, DESCRIBE, SHOW and SUMMARIZE are
SELECTs to DuckDB) or EXPLAIN, judged by ``duckdb.extract_statements``. Its parsed
tree (``json_serialize_sql``) may name only tables and views that exist (so a file
path cannot sneak in as a "table") and no table function that reads files. It
then runs inside a READ ONLY transaction, which DuckDB itself enforces.
"""

from __future__ import annotations

import json
import re
from typing import Any

import duckdb

from ..errors import TableError

_ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
_SAFE_TABLE_FUNCTIONS = {
    "range", "generate_series", "unnest", "duckdb_tables", "duckdb_columns", "duckdb_views", "duckdb_types",
    "duckdb_keywords", "duckdb_functions", "duckdb_schemas", "duckdb_constraints", "duckdb_indexes",
    "pragma_table_info", "pragma_show", "summary", "repeat_row", "json_each", "json_tree",
}
_EXPLAIN = re.compile(r"^\s*EXPLAIN(\s+ANALYZE|\s*\([^)]*\))?\s+", re.I)


def check(cur: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The one statement in ``sql`` if it only reads; raises ``TableError`` saying why not."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise TableError(f"The query is not valid SQL: {_first_line(exc)}") from exc
    if len(statements) != 1:
        raise TableError(f"Run one statement at a time (this has {len(statements)}).")
    statement = statements[0]
    if statement.type not in _ALLOWED:
        kind = statement.type.name.replace("_", " ")
        raise TableError(f"Only reading queries (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN) are allowed; "
                         f"this is a {kind} statement.")
    query = statement.query.strip().rstrip(";")
    inner = _EXPLAIN.sub("", query, count=1) if statement.type == duckdb.StatementType.EXPLAIN else query
    _check_tree(cur, inner)
    return query


def _check_tree(cur: duckdb.DuckDBPyConnection, sql: str) -> None:
    row = cur.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):
        raise TableError(f"The query cannot be checked: {tree.get('error_message', 'it did not parse')}")
    known = {(r[0].lower(), r[1].lower()) for r in cur.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
        "SELECT schema_name, view_name FROM duckdb_views()").fetchall()}
    names = {t for _, t in known}
    ctes: set[str] = set()
    for node in _walk(tree):
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            ctes |= {str(entry.get("key", "")).lower() for entry in cte_map.get("map", [])}
    for node in _walk(tree):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            name = (node.get("function") or {}).get("function_name", "").lower()
            if name not in _SAFE_TABLE_FUNCTIONS:
                raise TableError(f"The query may not call the table function {name}() (it can read files).")
        elif kind == "BASE_TABLE":
            name, schema = node.get("table_name", "").lower(), node.get("schema_name", "").lower()
            ok = (schema, name) in known if schema else (name in names or name in ctes)
            if not ok:
                raise TableError(f"There is no table called {node.get('table_name')!r}.")


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def run(cur: duckdb.DuckDBPyConnection, sql: str, limit: int) -> tuple[list[str], list[tuple]]:
    """Check ``sql`` and run it in a read-only transaction; at most ``limit`` rows come back."""
    query = check(cur, sql)
    cur.execute("BEGIN TRANSACTION READ ONLY")
    try:
        result = cur.execute(query)
        columns = [d[0] for d in result.description or []]
        rows = result.fetchmany(max(0, int(limit)))
    except duckdb.Error as exc:
        raise TableError(f"The query failed: {_first_line(exc)}") from exc
    finally:
        cur.execute("ROLLBACK")
    return columns, rows


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:400] if text else type(exc).__name__
