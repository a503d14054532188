"""What each action kind does, through the workspace's normal operations only."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..changes import Changes
from ..errors import GraceError, NotApproved, PolicyViolation

if TYPE_CHECKING:
    from ..workspace import Workspace

Run = Callable[["Workspace", dict[str, Any]], tuple[Any, Changes]]
_READ_ONLY_SQL = re.compile(r"^\s*(select|with|describe|show|summarize|pragma\s+table_info)\b", re.I)


@dataclass(frozen=True)
class Kind:
    """An action kind: its own governance tier, required parameters, summary and runner."""

    name: str
    tier: int  # 1 read-only, 2 write (approval), 3 destructive or system (confirmation + reason)
    required: tuple[str, ...]
    summary: Callable[[dict[str, Any]], str]
    run: Run
    description: str


def tables_of(ws: Workspace) -> Any:
    """The workspace's memory tables, or raise a sentence saying they are not available."""
    tables = getattr(ws, "tables", None)
    if tables is None:
        raise GraceError("Memory tables are not available in this build of Grace.")
    return tables


def _status(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    return ws.status(), Changes()


def _show_errors(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    needle = str(params.get("about") or "").lower()
    failures = [{"path": f["path"], "reason": f["error"], "when": f["updated_at"]} for f in ws.failures()]
    failures += _failed_actions(ws)
    if needle:
        failures = [f for f in failures if needle in f["path"].lower() or needle in str(f["reason"]).lower()]
    failures.sort(key=lambda f: -(f.get("when") or 0))
    return failures[: int(params.get("limit") or 20)], Changes()


def _failed_actions(ws: Workspace) -> list[dict[str, Any]]:
    chat = getattr(ws, "chat", None)
    if chat is None:
        return []
    return [{"path": f"action {a.id} ({a.type})", "reason": a.error, "when": a.created_at}
            for a in chat.actions.list(status="failed", limit=20)]


def _query(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    sql = str(params["sql"])
    if not _READ_ONLY_SQL.match(sql) or ";" in sql.strip().rstrip(";"):
        raise PolicyViolation("Only one read-only query (SELECT) can run without approval.")
    return tables_of(ws).query(sql), Changes()


def _create_table(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    """Create an empty table with the named columns (a header-only CSV through the tables'
    own import and proposal, approved by this action's approval)."""
    tables = tables_of(ws)
    name, columns = str(params["table"]), [str(c) for c in params["columns"]]
    if _has_table(tables, name):
        return {"table": name, "existed": True}, Changes()  # idempotent: a retried action does no harm
    direct = getattr(tables, "create_table", None)
    if direct is not None:
        return {"table": name, "columns": columns}, direct(name, columns)
    folder = ws.folder / "tmp" / "chat"
    folder.mkdir(parents=True, exist_ok=True)
    header = folder / f"{re.sub(r'[^A-Za-z0-9_]+', '_', name)}.csv"
    with open(header, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(columns)
    try:
        proposal = tables.import_file(header)
        changes = Changes(tables=True, audit=True)
        if proposal.status == "pending":
            changes = tables.approve(proposal.id, table=name)
    finally:
        header.unlink(missing_ok=True)
    return {"table": name, "columns": columns, "proposal": proposal.id}, changes


def _has_table(tables: Any, name: str) -> bool:
    return name.lower() in {table_name(t).lower() for t in tables.list()}


def table_name(entry: Any) -> str:
    """A table's name from whatever ``tables.list()`` gives (a name, a dict or an object)."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return str(entry.get("name") or entry.get("table") or "")
    return str(getattr(entry, "name", "") or getattr(entry, "table", ""))


def _add_rows(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    tables, changes, waiting = tables_of(ws), Changes(), []
    for row in params["rows"]:
        try:
            out = tables.add_row(str(params["table"]), dict(row))
        except NotApproved as exc:  # the table's own policy keeps the row as a proposal
            waiting.append(getattr(exc, "proposal_id", None))
            out = getattr(exc, "changes", None)
        changes = changes | (out if isinstance(out, Changes) else Changes(audit=True))
    return {"table": params["table"], "rows": len(params["rows"]) - len(waiting), "proposals": waiting}, changes


def _ingest(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    paths = [os.path.abspath(os.path.expanduser(str(p))) for p in params["paths"]]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise GraceError(f"Nothing to ingest at {', '.join(missing)}: no such file or folder.")
    report = ws.ingest(paths)
    return report.as_dict(), Changes(documents=True, chunks=True, queue=True, audit=True)


def _reindex(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    changes = ws.reindex()
    return {"vectors": len(ws.index)}, changes


def _delete_table(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    out = tables_of(ws).drop_table(str(params["table"]), str(params.get("reason") or "asked in chat"))
    return {"table": params["table"]}, out if isinstance(out, Changes) else Changes(audit=True)


def _delete_document(ws: Workspace, params: dict[str, Any]) -> tuple[Any, Changes]:
    path = os.path.abspath(os.path.expanduser(str(params["path"])))
    known = {d["path"] for d in ws.documents()}
    if path not in known:
        raise GraceError(f"{path} is not in the workspace, so there is nothing to forget.")
    return {"path": path}, ws.remove_documents([path])


def _cols(p: dict[str, Any]) -> str:
    return ", ".join(str(c) for c in p.get("columns", []))


KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("status", 1, (), lambda p: "Show the workspace's status", _status,
         "Show what the workspace holds: documents, tables, approvals, failures."),
    Kind("show_errors", 1, (), lambda p: "Show recent errors" + (f" about {p['about']}" if p.get("about") else ""),
         _show_errors, "List recent failures (files that could not be read, actions that failed) with reasons."),
    Kind("query", 1, ("sql",), lambda p: f"Run a read-only query: {p['sql']}", _query,
         "Run one read-only SQL SELECT over the memory tables."),
    Kind("create_table", 2, ("table", "columns"), lambda p: f"Create table {p['table']} ({_cols(p)})",
         _create_table, "Create a memory table with the named columns."),
    Kind("add_rows", 2, ("table", "rows"), lambda p: f"Add {len(p['rows'])} row(s) to {p['table']}", _add_rows,
         "Add rows (objects of column: value) to a memory table."),
    Kind("ingest", 2, ("paths",), lambda p: "Ingest " + ", ".join(map(str, p["paths"])), _ingest,
         "Read files or folders into the workspace."),
    Kind("reindex", 2, (), lambda p: "Rebuild the search index from stored embeddings", _reindex,
         "Rebuild the vector index from the embeddings stored in the catalog (no model run)."),
    Kind("delete_table", 3, ("table",), lambda p: f"Delete table {p['table']}", _delete_table,
         "Delete a memory table and its rows."),
    Kind("delete_document", 3, ("path",), lambda p: f"Forget document {p['path']}", _delete_document,
         "Remove a document from the workspace (the file itself is left alone)."),
]}
