"""``grace tables``, ``grace proposals`` and ``grace sql``: the tables from the command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine import Workspace
from engine.errors import TableError
from engine.tables.domain import persons_own
from engine.tables.model import Proposal, jsonable


def register(sub: Any) -> None:
    """Add the tables subcommands to the ``grace`` parser's subparsers."""
    p = sub.add_parser("tables", help="import and list tables")
    tables = p.add_subparsers(dest="tables_command", metavar="ACTION", required=True)
    t = tables.add_parser("import", help="infer a table file's schema and propose it (applied by policy)")
    t.add_argument("file", metavar="FILE")
    t.add_argument("--json", action="store_true", help="print one JSON object")
    t.set_defaults(func=cmd_tables_import)
    t = tables.add_parser("list", help="the tables with their row counts and columns")
    t.add_argument("--all", action="store_true", help="also the catalog's empty tables, which documents fill")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_tables_list)

    p = sub.add_parser("proposals", help="list, approve or reject proposed table changes")
    props = p.add_subparsers(dest="proposals_command", metavar="ACTION", required=True)
    t = props.add_parser("list", help="proposals, newest first")
    t.add_argument("--status", choices=["pending", "approved", "rejected", "applied"])
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_proposals_list)
    t = props.add_parser("approve", help="approve a proposal and apply it")
    t.add_argument("id", type=int, metavar="ID")
    t.add_argument("--table", help="put the rows in this table instead")
    t.add_argument("--rename", action="append", default=[], metavar="OLD=NEW", help="rename a column")
    t.add_argument("--type", action="append", default=[], metavar="COLUMN=TYPE", help="change a column's type")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_proposals_approve)
    t = props.add_parser("reject", help="reject a proposal, saying why")
    t.add_argument("id", type=int, metavar="ID")
    t.add_argument("--reason", required=True, metavar="TEXT")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_proposals_reject)

    p = sub.add_parser("sql", help="run one read-only SQL query over the tables (joins welcome)",
                       description="Run one read-only SQL query over the tables. The plain output is "
                                   "tab-separated, a header line first; a tab, newline, carriage return or "
                                   "backslash inside a value is written as \\t, \\n, \\r or \\\\; NULL is an "
                                   "empty field.")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=10000, help="at most this many rows (default 10000)")
    p.add_argument("--json", action="store_true", help="print one JSON object (columns and rows)")
    p.set_defaults(func=cmd_sql)


def _proposal_json(p: Proposal) -> dict[str, Any]:
    return {"id": p.id, "kind": p.kind, "table": p.table, "status": p.status, "confidence": p.confidence,
            "reasons": p.reasons, "row_count": p.row_count, "source": p.source,
            "columns": [{"name": c.name, "source_name": c.source_name, "type": c.type} for c in p.columns],
            "decided_by": p.decided_by, "decided_at": p.decided_at, "reason": p.reason, "created_at": p.created_at}


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise TableError(f"Give {what} as OLD=NEW, not {item!r}.")
        out[key.strip()] = value.strip()
    return out


def cmd_tables_import(args: argparse.Namespace, ws: Workspace) -> int:
    found = ws.tables.import_all(Path(args.file))
    if args.json:
        out: dict[str, Any] = {"proposal": _proposal_json(found[0])}
        if len(found) > 1:
            out["more"] = [_proposal_json(p) for p in found[1:]]
        print(json.dumps(out))
        return 0
    for p in found:
        print(f"proposal {p.id}: {p.kind} table {p.table} — {p.row_count:,} rows, confidence {p.confidence:.2f}, "
              f"{p.status}")
        for col in p.columns:
            renamed = f" (was {col.source_name!r})" if col.source_name != col.name else ""
            print(f"    {col.name:<28} {col.type}{renamed}")
        for reason in p.reasons:
            print(f"  - {reason}")
    return 0


def cmd_tables_list(args: argparse.Namespace, ws: Workspace) -> int:
    every = ws.tables.list()
    tables = every if args.all else persons_own(every)
    if args.json:
        print(json.dumps({"tables": [{"name": t.name, "rows": t.rows,
                                      "columns": [{"name": c.name, "type": c.type} for c in t.columns]}
                                     for t in tables]}))
        return 0
    for t in tables:
        flag = " (protected)" if t.protected else ""
        print(f"{t.name:<32} {t.rows:>10,} rows  {len(t.columns)} columns{flag}")
    if hidden := len(every) - len(tables):
        print(f"({'no tables of your own yet; ' if not tables else ''}{hidden} empty catalog tables, "
              "which documents fill once you approve their rows, are not listed: --all lists them)")
    return 0


def cmd_proposals_list(args: argparse.Namespace, ws: Workspace) -> int:
    found = ws.tables.proposals(args.status)
    if args.json:
        print(json.dumps({"proposals": [_proposal_json(p) for p in found]}))
        return 0
    for p in found:
        print(f"{p.id:>5} {p.status:<9} {p.kind:<13} {p.table:<28} {p.confidence:.2f}  {p.source}")
    return 0


def cmd_proposals_approve(args: argparse.Namespace, ws: Workspace) -> int:
    ws.tables.approve(args.id, table=args.table, renames=_pairs(args.rename, "renames") or None,
                      types=_pairs(args.type, "types") or None)
    return _decided(args, ws, lambda p: f"Proposal {p.id} approved and {p.status}: table {p.table}.")


def cmd_proposals_reject(args: argparse.Namespace, ws: Workspace) -> int:
    ws.tables.reject(args.id, args.reason)
    return _decided(args, ws, lambda p: f"Proposal {p.id} rejected: {p.reason}")


def _decided(args: argparse.Namespace, ws: Workspace, sentence: Callable[[Proposal], str]) -> int:
    """Print the proposal just decided: as JSON, or as ``sentence``."""
    p = ws.tables.proposal(args.id)
    print(json.dumps({"proposal": _proposal_json(p)}) if args.json else sentence(p))
    return 0


def cmd_sql(args: argparse.Namespace, ws: Workspace) -> int:
    columns, rows = ws.tables.query(args.query, args.limit)
    if args.json:
        print(json.dumps({"columns": columns, "rows": [jsonable(list(r)) for r in rows]}))
        return 0
    print("\t".join(_tsv(c) for c in columns))
    for row in rows:
        print("\t".join("" if v is None else _tsv(str(v)) for v in row))
    return 0


def _tsv(text: str) -> str:
    """``text`` as one TSV field: a tab or line break inside it would split the field or the row."""
    return text.translate(_TSV_ESCAPES)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
