"""Read-only SQL: one reading statement, over the workspace's tables only.

A query must be a single SELECT (WITH, VALUES, DESCRIBE, SHOW and SUMMARIZE are
SELECTs to DuckDB) or EXPLAIN, judged by ``duckdb.extract_statements``. Its parsed
tree (``json_serialize_sql``) may name only tables and views that exist, or a CTE
where that CTE is in scope (so a file path cannot sneak in as a "table", quoted or
not, not even under the name of a CTE defined elsewhere in the query), and no table
function that reads files. It then runs inside a READ ONLY transaction, which
DuckDB itself enforces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import duckdb

from ..errors import TableError, in_words
from .names import ROW_KEY

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
        raise TableError(f"The query is not valid SQL: {in_words(exc, 400)}") from exc
    if len(statements) != 1:
        raise TableError(f"Run one statement at a time (this has {len(statements)}).")
    statement = statements[0]
    if statement.type not in _ALLOWED:
        kind = statement.type.name.replace("_", " ")
        raise TableError(f"Only reading queries (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN) are allowed; "
                         f"this is {'an' if kind[:1] in 'AEIOU' else 'a'} {kind} statement.")
    query = statement.query.strip().rstrip(";")
    inner = _EXPLAIN.sub("", query, count=1) if statement.type == duckdb.StatementType.EXPLAIN else query
    _check_tree(cur, inner)
    return query


def _check_tree(cur: duckdb.DuckDBPyConnection, sql: str) -> None:
    row = cur.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):
        raise TableError(f"The query cannot be checked: {tree.get('error_message', 'it did not parse')}")
    known = _Known(cur)
    for node, ctes in _scoped(tree, frozenset()):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            name = (node.get("function") or {}).get("function_name", "").lower()
            if name not in _SAFE_TABLE_FUNCTIONS:
                raise TableError(f"The query may not call the table function {name}() (it can read files).")
        elif kind == "BASE_TABLE" and not known.binds(node, ctes):
            raise TableError(f"There is no table called {node.get('table_name')!r}.")


class _Known:
    """The tables and views a reference may name; any other name DuckDB would try as a file."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        rows = cur.execute("SELECT database_name, schema_name, table_name FROM duckdb_tables() UNION ALL "
                           "SELECT database_name, schema_name, view_name FROM duckdb_views()").fetchall()
        searched = {str(r[0]).lower() for r in cur.execute("SELECT unnest(current_schemas(true))").fetchall()}
        self.full = {(str(d).lower(), str(s).lower(), str(t).lower()) for d, s, t in rows}
        self.pairs = {(s, t) for _, s, t in self.full}
        self.bare = {t for _, s, t in self.full if s in searched}  # what an unqualified name finds

    def binds(self, node: dict[str, Any], ctes: frozenset[str]) -> bool:
        """True when the reference ``node`` names a CTE in scope or an existing table or view."""
        name, schema, catalog = (str(node.get(k) or "").lower() for k in ("table_name", "schema_name",
                                                                            "catalog_name"))
        if catalog:
            return (catalog, schema, name) in self.full
        if schema:
            return (schema, name) in self.pairs or (schema, "main", name) in self.full
        return name in ctes or name in self.bare


def _scoped(value: Any, ctes: frozenset[str]) -> Iterator[tuple[dict[str, Any], frozenset[str]]]:
    """Every node of the tree with the CTE names a table reference there binds to: a WITH's
    names cover its own query and what nests in it, each CTE seeing only the ones before it."""
    if isinstance(value, list):
        for item in value:
            yield from _scoped(item, ctes)
        return
    if not isinstance(value, dict):
        return
    yield value, ctes
    entries = _cte_entries(value)
    for entry in entries or []:
        yield from _scoped(entry.get("value"), ctes)  # DuckDB reads a name not yet defined as a file
        ctes = ctes | {str(entry.get("key", "")).lower()}
    for key, child in value.items():
        if key == "cte_map" and entries is not None:
            continue
        inner = ctes
        if key == "right" and value.get("type") == "RECURSIVE_CTE_NODE":
            inner = ctes | {str(value.get("cte_name", "")).lower()}  # only the recursive part sees itself
        yield from _scoped(child, inner)


def _cte_entries(node: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The node's CTE definitions, or None when there are none in the expected shape (then the
    map is walked like any other child, so nothing in it goes unchecked)."""
    cte_map = node.get("cte_map")
    entries = cte_map.get("map") if isinstance(cte_map, dict) else None
    if isinstance(entries, list) and all(isinstance(e, dict) for e in entries):
        return entries
    return None


def run(cur: duckdb.DuckDBPyConnection, sql: str, limit: int) -> tuple[list[str], list[tuple]]:
    """Check ``sql`` and run it in a read-only transaction; at most ``limit`` rows come back."""
    query = check(cur, sql)
    cur.execute("BEGIN TRANSACTION READ ONLY")
    try:
        result = cur.execute(query)
        columns = [d[0] for d in result.description or []]
        rows = result.fetchmany(max(0, int(limit)))
    except duckdb.Error as exc:
        raise TableError(f"The query failed: {in_words(exc, 400)}") from exc
    finally:
        cur.execute("ROLLBACK")
    return _without_row_key(sql, columns, rows)


def _without_row_key(sql: str, columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """Grace's own row key (``SELECT *`` brings it along) shows only in a query that names it."""
    if ROW_KEY in sql.lower() or ROW_KEY not in columns:
        return columns, rows
    keep = [i for i, name in enumerate(columns) if name != ROW_KEY]
    return [columns[i] for i in keep], [tuple(row[i] for i in keep) for row in rows]
