"""Proposals in ``grace.sqlite``: what is proposed, its status, and who decided when and why."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from .model import Column, Proposal, jsonable

STATUSES = ("pending", "approved", "rejected", "applied")
_COLS = ("id, kind, target, status, confidence, reasons, row_count, columns, sample, source, decided_by, "
         "decided_at, reason, created_at, plan, source_hash, applied_at")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create(conn: Connection, *, kind: str, target: str, confidence: float, reasons: list[str], row_count: int,
           columns: list[Column], sample: list[list[Any]], source: str, plan: dict[str, Any],
           source_hash: str | None = None) -> int:
    """Record a pending proposal; returns its id."""
    result = conn.execute(text(
        "INSERT INTO proposals(kind, target, status, confidence, reasons, row_count, columns, sample, source, "
        "source_hash, plan, created_at) VALUES (:k, :t, 'pending', :c, :r, :n, :cols, :s, :src, :h, :p, :at)"),
        {"k": kind, "t": target, "c": round(float(confidence), 4), "r": json.dumps(reasons), "n": row_count,
         "cols": json.dumps([c.as_dict() for c in columns]), "s": json.dumps(jsonable(sample)), "src": source,
         "h": source_hash, "p": json.dumps(jsonable(plan)), "at": now()})
    return int(result.lastrowid)


def _to_proposal(row: Any) -> Proposal:
    return Proposal(id=row.id, kind=row.kind, table=row.target, status=row.status, confidence=row.confidence,
                    reasons=json.loads(row.reasons), row_count=row.row_count,
                    columns=[Column(**c) for c in json.loads(row.columns)], sample=json.loads(row.sample),
                    source=row.source, decided_by=row.decided_by, decided_at=row.decided_at, reason=row.reason,
                    created_at=row.created_at)


def get(conn: Connection, proposal_id: int) -> tuple[Proposal, dict[str, Any]] | None:
    """The proposal and its plan, or None."""
    row = conn.execute(text(f"SELECT {_COLS} FROM proposals WHERE id = :i"), {"i": proposal_id}).first()
    return (_to_proposal(row), json.loads(row.plan)) if row else None


def listing(conn: Connection, status: str | None = None) -> list[Proposal]:
    """Proposals, newest first, optionally of one status."""
    sql = f"SELECT {_COLS} FROM proposals"
    params: dict[str, Any] = {}
    if status:
        sql += " WHERE status = :s"
        params["s"] = status
    return [_to_proposal(r) for r in conn.execute(text(sql + " ORDER BY id DESC"), params)]


def ids_with_status(conn: Connection, status: str) -> list[int]:
    return [r[0] for r in conn.execute(text("SELECT id FROM proposals WHERE status = :s ORDER BY id"),
                                       {"s": status})]


def pending_for_source(conn: Connection, source: str, kinds: tuple[str, ...] | None = None) -> list[int]:
    """The pending proposals made from ``source`` (of ``kinds``, or of any kind)."""
    rows = conn.execute(text("SELECT id, kind FROM proposals WHERE status = 'pending' AND source = :s ORDER BY id"),
                        {"s": source})
    return [r.id for r in rows if kinds is None or r.kind in kinds]


def decide(conn: Connection, proposal_id: int, status: str, actor: str, reason: str | None) -> None:
    """Record a decision (approved or rejected) with who, when and why."""
    conn.execute(text("UPDATE proposals SET status = :s, decided_by = :a, decided_at = :t, reason = :r "
                      "WHERE id = :i"), {"s": status, "a": actor, "t": now(), "r": reason, "i": proposal_id})


def mark_applied(conn: Connection, proposal_id: int) -> None:
    conn.execute(text("UPDATE proposals SET status = 'applied', applied_at = :t WHERE id = :i"),
                 {"t": now(), "i": proposal_id})


def reopen(conn: Connection, proposal_id: int, reason: str) -> None:
    """Put an approved proposal that could not be applied back to pending, saying why."""
    conn.execute(text("UPDATE proposals SET status = 'pending', decided_by = NULL, decided_at = NULL, "
                      "reason = :r WHERE id = :i"), {"r": reason, "i": proposal_id})


def update(conn: Connection, proposal_id: int, *, target: str | None = None, kind: str | None = None,
           columns: list[Column] | None = None, plan: dict[str, Any] | None = None) -> None:
    """Change what an undecided proposal will do (approval with renames or type changes)."""
    sets: list[str] = []
    params: dict[str, Any] = {"i": proposal_id}
    for key, value in (("target", target), ("kind", kind)):
        if value is not None:
            sets.append(f"{key} = :{key}")
            params[key] = value
    if columns is not None:
        sets.append("columns = :cols")
        params["cols"] = json.dumps([c.as_dict() for c in columns])
    if plan is not None:
        sets.append("plan = :plan")
        params["plan"] = json.dumps(jsonable(plan))
    if sets:
        conn.execute(text(f"UPDATE proposals SET {', '.join(sets)} WHERE id = :i"), params)


_OF_FILE = "(source = :old OR substr(source, 1, length(:old) + 1) = :old || '#')"  # the file, or one of its sheets


def of_file(conn: Connection, path: str, status: str | None = None) -> list[int]:
    """The proposals made from the file at ``path`` or from one of its sheets ("book.xlsx#Sheet 1"),
    of ``status`` (or of any)."""
    rows = conn.execute(text(f"SELECT id FROM proposals WHERE {_OF_FILE} AND (:s IS NULL OR status = :s) "
                             "ORDER BY id"), {"old": path, "s": status})
    return [r.id for r in rows]


def rename_source(conn: Connection, old: str, new: str) -> None:
    """Proposals of a file (and of its sheets) that moved name its new path."""
    conn.execute(text(f"UPDATE proposals SET source = :new || substr(source, length(:old) + 1) WHERE {_OF_FILE}"),
                 {"new": new, "old": old})


def count_pending(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM proposals WHERE status = 'pending'")).scalar_one())
