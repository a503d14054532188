"""The tamper-evident audit log: an append-only hash chain in ``grace.sqlite``.

Each entry's hash covers its own fields and the previous entry's hash, so editing,
deleting or reordering an entry breaks the chain at that entry. The chain's head
(last id and hash) is also kept in ``meta`` so that removing the newest entries is
caught too, and a write that finds the head and the newest entry disagreeing records that
(``audit_break``) instead of covering it up, so the next verify still fails.

What it cannot catch, as no log kept beside the data it records can: a chain rewritten
whole with fresh hashes, or every entry deleted together with the head and break records.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from .db import meta_get, meta_set

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace: one text per value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, ts: str, actor: str, action: str, subject: str, details: str) -> str:
    """The sha256 that links one entry to the one before it."""
    payload = canonical_json([prev_hash, ts, actor, action, subject, details])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(conn: Connection, action: str, subject: str, details: dict[str, Any] | None = None,
           actor: str = "user") -> str:
    """Append one entry inside the caller's transaction; returns its hash."""
    row = conn.execute(text("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")).first()
    prev = row[1] if row else GENESIS
    _record_break(conn, [row[0], row[1]] if row else [0, GENESIS])
    ts = datetime.now(UTC).isoformat(timespec="microseconds")
    body = canonical_json(details or {})
    digest = entry_hash(prev, ts, actor, action, subject, body)
    result = conn.execute(
        text("INSERT INTO audit(ts, actor, action, subject, details, prev_hash, hash) "
             "VALUES (:ts, :actor, :action, :subject, :details, :prev, :hash)"),
        {"ts": ts, "actor": actor, "action": action, "subject": subject, "details": body,
         "prev": prev, "hash": digest},
    )
    meta_set(conn, "audit_head", canonical_json([result.lastrowid, digest]))
    return digest


def _head(conn: Connection) -> list[Any] | None:
    """The recorded head [id, hash]; None if there is none; ["damaged"] if it is not one."""
    raw = meta_get(conn, "audit_head")
    if raw is None:
        return None
    try:
        head = json.loads(raw)
    except ValueError:
        return ["damaged"]
    return head if isinstance(head, list) and len(head) == 2 else ["damaged"]


def _record_break(conn: Connection, tail: list[Any]) -> None:
    """Before chaining onto ``tail``: if the head says otherwise, keep that (the first time)."""
    head = _head(conn)
    if head == tail or (head is None and tail[0] == 0) or meta_get(conn, "audit_break") is not None:
        return
    meta_set(conn, "audit_break", canonical_json({"tail": tail[0], "head": head}))


@dataclass
class AuditReport:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad_id": self.first_bad_id, "reason": self.reason}


def verify(conn: Connection) -> AuditReport:
    """Recompute the chain and report the first entry that does not verify."""
    prev, expected_id, count, last = GENESIS, 1, 0, (0, GENESIS)
    rows = conn.execute(text("SELECT id, ts, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY id"))
    for row in rows:
        count += 1
        if row.id != expected_id:
            return AuditReport(False, count, expected_id, f"entry {expected_id} is missing (deleted)")
        if row.prev_hash != prev:
            return AuditReport(False, count, row.id, f"entry {row.id} does not follow the entry before it "
                                                     "(an entry was deleted, inserted or reordered)")
        if entry_hash(row.prev_hash, row.ts, row.actor, row.action, row.subject, row.details) != row.hash:
            return AuditReport(False, count, row.id, f"entry {row.id} was changed after it was written")
        prev, expected_id, last = row.hash, row.id + 1, (row.id, row.hash)
    return _check_head(conn, count, list(last))


def _check_head(conn: Connection, count: int, last: list[Any]) -> AuditReport:
    """The newest entry against the recorded head, and any break a write found before."""
    broken = meta_get(conn, "audit_break")
    if broken is not None:
        try:
            tail = int(json.loads(broken)["tail"])
        except (ValueError, TypeError, KeyError):
            tail = 0
        return AuditReport(False, count, tail + 1, f"entries after {tail} were removed or the record of the newest "
                                                   "entry was changed, behind Grace's back; found at a later write")
    head = _head(conn)
    if head is None and count:
        return AuditReport(False, count, last[0], "the record of the newest entry was deleted")
    if head is None or head == last:
        return AuditReport(True, count)
    if head == ["damaged"]:
        return AuditReport(False, count, last[0], "the record of the newest entry is damaged")
    if isinstance(head[0], int) and head[0] > last[0]:
        return AuditReport(False, count, last[0] + 1, f"the newest entries ({last[0] + 1} to {head[0]}) were removed")
    return AuditReport(False, count, last[0], "the record of the newest entry does not match it "
                                              "(the record or the newest entries were changed)")


def recent(conn: Connection, limit: int = 100, actions: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The newest entries first, as plain dicts (details decoded)."""
    sql = "SELECT id, ts, actor, action, subject, details FROM audit"
    params: dict[str, Any] = {"n": limit}
    if actions:
        sql += " WHERE action IN (" + ",".join(f":a{i}" for i in range(len(actions))) + ")"
        params.update({f"a{i}": a for i, a in enumerate(actions)})
    rows = conn.execute(text(sql + " ORDER BY id DESC LIMIT :n"), params)
    return [{"id": r.id, "ts": r.ts, "actor": r.actor, "action": r.action, "subject": r.subject,
             "details": json.loads(r.details)} for r in rows]
