"""The tamper-evident audit log: an append-only hash chain in ``grace.sqlite``.

Each entry's hash covers its own fields and the previous entry's hash, so editing,
deleting or reordering an entry breaks the chain at that entry. The chain's head
(last id and hash) is also kept in ``meta`` so that removing the newest entries is
caught too, and a write that finds the head and the newest entry disagreeing records that
(``audit_break``) instead of covering it up, so the next verify still fails.

The head is witnessed outside the database as well: after each commit that appended
entries, the newest one's id and hash go to ``audit.head`` beside ``grace.sqlite``. Deleting
the newest entries and rewriting the head record in ``meta`` to match is then still caught:
the witness names an entry the log no longer has. The witness may lag (a crash between the
commit and its write), so an older entry it names is fine as long as the log still has it.

What it cannot catch, as no log kept beside the data it records can: a chain rewritten
whole with fresh hashes together with its witness, or everything deleted together.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, text

from .db import meta_get, meta_set
from .paths import replace_durably

log = logging.getLogger(__name__)
GENESIS = "0" * 64
WITNESS_NAME = "audit.head"  # beside grace.sqlite: the newest entry's [id, hash]
_PENDING, _WITNESS = "audit_pending", "audit_witness"  # keys in a connection's info


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
    tail = [row[0], row[1]] if row else [0, GENESIS]
    _record_break(conn, tail, _witnessed_break(conn, tail))
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
    conn.info[_PENDING] = [result.lastrowid, digest]  # witnessed once committed (``keep_witness``)
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


def _record_break(conn: Connection, tail: list[Any], witnessed: str | None) -> None:
    """Before chaining onto ``tail``: if the head record or the witness says otherwise, keep
    that (the first time), so the entries lost stay evident after this write."""
    if meta_get(conn, "audit_break") is not None:
        return
    head = _head(conn)
    if not (head == tail or (head is None and tail[0] == 0)):
        meta_set(conn, "audit_break", canonical_json({"tail": tail[0], "head": head}))
    elif witnessed is not None:
        meta_set(conn, "audit_break", canonical_json({"tail": tail[0], "witness": witnessed}))


# -- the witness outside the database ------------------------------------------------------


class Witness:
    """The newest committed entry's [id, hash] in a file outside the database.

    Written at most every ``interval`` seconds (each write is fsynced, ~2 ms, and an ingest
    commits a few times a file): a head offered sooner is written by a timer, or by ``flush``
    when the workspace closes. Until then the witness lags, which verifying allows.
    """

    def __init__(self, path: Path, interval: float = 0.5) -> None:
        self.path, self.interval = path, interval
        self._lock = threading.Lock()
        self._pending: list[Any] | None = None
        self._last = 0.0
        self._timer: threading.Timer | None = None

    def offer(self, head: list[Any]) -> None:
        """A committed head: written now, or soon."""
        with self._lock:
            self._pending = head
            wait = self._last + self.interval - time.monotonic()
            if wait <= 0:
                self._write_locked()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Write the head offered last, if it is not written yet."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._write_locked()

    def _write_locked(self) -> None:
        head, self._pending = self._pending, None
        if head is None:
            return
        self._last = time.monotonic()
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}-{id(self)}.tmp")  # per writer
        try:
            tmp.write_text(canonical_json(head) + "\n", encoding="utf-8")
            replace_durably(tmp, self.path)
        except OSError as exc:  # a folder that cannot be written leaves the witness lagging
            log.warning("the audit witness %s could not be written: %s", self.path, exc)


def keep_witness(engine: Engine, path: Path) -> Witness:
    """Witness ``engine``'s appended entries in ``path`` once the transaction that appended
    them has committed (checked on the connection itself)."""
    witness = Witness(path)

    @event.listens_for(engine, "checkout")
    def _checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        record.info[_WITNESS] = path

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi: Any, record: Any) -> None:
        head = record.info.pop(_PENDING, None)
        if head is None or dbapi is None:
            return
        row = dbapi.execute("SELECT hash FROM audit WHERE id = ?", (head[0],)).fetchone()
        if row is not None and row[0] == head[1]:  # committed, not rolled back
            witness.offer(head)

    return witness


def read_witness(path: Path) -> list[Any] | None:
    """The witnessed [id, hash]; None when there is no witness; ["damaged"] when it is not one."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return ["damaged"]
    try:
        head = json.loads(raw)
    except ValueError:
        return ["damaged"]
    ok = isinstance(head, list) and len(head) == 2 and isinstance(head[0], int) and isinstance(head[1], str)
    return head if ok else ["damaged"]


def _witness_problem(conn: Connection, witness: list[Any] | None, last: list[Any]) -> tuple[int, str] | None:
    """Where and how the log disagrees with its witness: (first bad id, reason), else None."""
    if witness is None:
        if meta_get(conn, "audit_witnessed") is not None:
            return last[0], f"the witness of the newest entry ({WITNESS_NAME}) was deleted"
        return None
    if witness == ["damaged"]:
        return last[0], f"the witness of the newest entry ({WITNESS_NAME}) is damaged"
    wid, digest = witness
    if wid > last[0]:
        return last[0] + 1, (f"the newest entries ({last[0] + 1} to {wid}) were removed; "
                             f"{WITNESS_NAME} still records entry {wid}")
    row = conn.execute(text("SELECT hash FROM audit WHERE id = :id"), {"id": wid}).first()
    if row is None or row[0] != digest:
        return wid, f"entry {wid} is not the one {WITNESS_NAME} records (the log was rewritten from there)"
    return None


def _witnessed_break(conn: Connection, tail: list[Any]) -> str | None:
    """Before an append: the reason the log disagrees with its witness, else None; and once a
    witness is known good, note that one exists (so deleting it is evident)."""
    path = conn.info.get(_WITNESS)
    if path is None:
        return None
    witness = read_witness(path)
    problem = _witness_problem(conn, witness, tail)
    if problem is None and witness is not None and meta_get(conn, "audit_witnessed") is None:
        meta_set(conn, "audit_witnessed", "1")
    return problem[1] if problem else None


@dataclass
class AuditReport:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad_id": self.first_bad_id, "reason": self.reason}


def verify(conn: Connection, witness: Path | None = None) -> AuditReport:
    """Recompute the chain and report the first entry that does not verify; with ``witness``
    (the path of ``audit.head``), also the newest entries removed behind the head record."""
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
    report = _check_head(conn, count, list(last))
    if report.ok and witness is not None and (problem := _witness_problem(conn, read_witness(witness), list(last))):
        return AuditReport(False, count, *problem)
    return report


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
