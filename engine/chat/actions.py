"""Actions under governance tiers: proposed, approved or rejected, executed; every step audited.

Tier 1 (read-only) runs at once. Tier 2 (writes) waits for approval. Tier 3 (destructive
or system changes) waits for an explicit confirmation that carries a typed reason. The
workspace's policy (setting ``action_tiers``) can raise a kind's tier, never lower it.

An approved action runs in the call that approves it, holding the action's run lock (a file
lock the system lets go of when the process ends, however it ends). An action still approved
whose lock is free was cut short (the process was killed, the machine lost power): reading
the actions records it as failed, interrupted, and approving it again runs it again.
"""

from __future__ import annotations

import builtins
import decimal
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .. import audit
from ..changes import Changes
from ..errors import GraceError, NotApproved, PolicyViolation
from ..locking import _try_lock_file, _unlock_file
from .executors import KINDS, QUIET, Watch
from .openai_client import check_base_url
from .store import reading, writing
from .types import Action

if TYPE_CHECKING:
    from ..workspace import Workspace

STATUSES = ("pending", "approved", "rejected", "executed", "failed")
# The audit entries of how an action ended, and of one that waits again (its chat's deletion undone).
_LOGGED = ("action.execute", "action.fail", "action.reject", "action.reopen")
_COLS = ("id, type, params, tier, status, summary, proposed_by, session_id, message_id, reason, result, error, "
         "created_at")
INTERRUPTED = "Interrupted"  # how the error of an action cut short begins (approving it again runs it again)
_AGAIN = "what it had done so far is kept. Approve it again to run it again, or ask again to propose it anew."
STOPPED = (f"{INTERRUPTED}: Grace stopped while it ran (it was closed, killed or lost power), so it may not have "
           f"finished; {_AGAIN}")


def interrupted(action: Action) -> bool:
    """True for an action that failed because its run was cut short (it may be approved again)."""
    return action.status == "failed" and (action.error or "").startswith(INTERRUPTED)


def parse_overrides(spec: str) -> dict[str, int]:
    """'ingest=3, add_rows=3' -> {'ingest': 3, 'add_rows': 3}; raises PolicyViolation on nonsense."""
    overrides, problems = read_policy(spec)
    if problems:
        raise PolicyViolation(problems[0])
    return overrides


def read_policy(spec: str) -> tuple[dict[str, int], list[str]]:
    """The policy's readable entries, and a sentence for each entry that cannot be read."""
    out: dict[str, int] = {}
    problems = []
    for part in filter(None, (p.strip() for p in str(spec or "").replace(";", ",").split(","))):
        name, _, tier = part.partition("=")
        name, tier = name.strip(), tier.strip()
        if name not in KINDS or tier not in ("1", "2", "3"):
            problems.append(f"The action policy entry {part!r} is not 'kind=tier' with a known kind "
                            f"({', '.join(KINDS)}) and a tier of 1, 2 or 3.")
        else:
            out[name] = int(tier)
    return out, problems


def check_setting(name: str, value: object) -> None:
    """Refuse a value of a chat setting that cannot be used (PolicyViolation); for the code that
    changes settings to call before it stores one."""
    if name == "action_tiers":
        parse_overrides(str(value))
    elif name == "llm_base_url" and (problem := check_base_url(str(value))):
        raise PolicyViolation(problem[0].upper() + problem[1:] + ".")


class Actions:
    """The action store and its governance."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # -- policy ------------------------------------------------------------------------------

    def tier_of(self, kind: str) -> int:
        """The kind's tier after the policy's overrides (which can only raise it; entries that
        cannot be read are left out, see ``policy_note``)."""
        base = KINDS[kind].tier
        return max(base, read_policy(str(self.ws.setting("action_tiers")))[0].get(kind, base))

    def tier_now(self, action: Action) -> int:
        """The tier a pending ``action`` needs now: its own, or its kind's if the policy was raised since."""
        return max(action.tier, self.tier_of(action.type))

    def policy_note(self) -> str | None:
        """A sentence when the stored policy has entries that cannot be read (else None)."""
        problems = read_policy(str(self.ws.setting("action_tiers")))[1]
        if not problems:
            return None
        return (" ".join(problems) + " Until the setting action_tiers is corrected, that entry is ignored and the "
                "default tier applies.")

    # -- proposing ---------------------------------------------------------------------------

    def propose(self, kind: str, params: dict[str, Any], *, proposed_by: str = "user",
                session_id: int | None = None, message_id: int | None = None) -> Action:
        """Record a proposal; tier 1 runs at once, others wait. Raises PolicyViolation if malformed."""
        if kind not in KINDS:
            raise PolicyViolation(f"Grace has no action called {kind!r}; it knows {', '.join(KINDS)}.")
        missing = [p for p in KINDS[kind].required if params.get(p) in (None, "", [])]
        if missing:
            raise PolicyViolation(f"The {kind} action needs {', '.join(missing)}.")
        prepare = KINDS[kind].prepare
        if prepare is not None:
            params = prepare(self.ws, params)
        tier, summary = self.tier_of(kind), KINDS[kind].summary(params)
        with writing(self.ws) as conn:
            aid = int(conn.execute(text(
                "INSERT INTO actions(type, params, tier, status, summary, proposed_by, session_id, message_id, "
                "created_at) VALUES (:t, :p, :tier, 'pending', :s, :by, :sid, :mid, :now)"),
                {"t": kind, "p": json.dumps(params), "tier": tier, "s": summary, "by": proposed_by,
                 "sid": session_id, "mid": message_id, "now": time.time()}).lastrowid)
            audit.append(conn, "action.propose", str(aid), {"type": kind, "tier": tier, "params": params},
                         actor=proposed_by)
        if tier == 1:
            return self._execute(aid, actor="policy")[0]
        return self.get(aid)

    def link(self, action_ids: list[int], message_id: int) -> None:
        """Attach actions to the answer that proposed them."""
        with writing(self.ws) as conn:
            for aid in action_ids:
                conn.execute(text("UPDATE actions SET message_id=:m WHERE id=:i"), {"m": message_id, "i": aid})

    # -- deciding ----------------------------------------------------------------------------

    def approve(self, action_id: int, reason: str | None = None, actor: str = "user",
                watch: Watch = QUIET) -> tuple[Action, Changes]:
        """Approve a pending action and run it (``watch``: the progress and cancel of the app's job
        running it); one whose run was cut short (``interrupted``) is run again the same way. Tier 3
        needs a typed ``reason`` (else NotApproved)."""
        reason = (reason or "").strip() or None
        with self._running(action_id) as mine:
            if not mine:
                raise GraceError(f"Action {action_id} is running now; its outcome is recorded when it finishes.")
            self._decide(action_id, reason, actor)
            return self._execute(action_id, actor=actor, watch=watch)

    def _decide(self, action_id: int, reason: str | None, actor: str) -> None:
        """Mark the action approved (its run lock is held), or raise why it cannot be."""
        tier = self.tier_now(self.get(action_id))  # the policy may have been raised since the proposal
        with writing(self.ws) as conn:
            action = self._stopped(conn, self._get(conn, action_id))  # approved, yet run by no one: cut short
            again = interrupted(action)
            if action.status != "pending" and not again:
                raise GraceError(f"Action {action_id} is {action.status}, not waiting for approval.")
            if tier >= 3 and not reason:
                raised = f" (the policy now puts {action.type} at tier {tier})" if tier > action.tier else ""
                raise NotApproved(f"Action {action_id} ({action.summary}) is a tier-3 change{raised}: confirm it "
                                  "with a reason (--reason TEXT) saying why.")
            self._set(conn, action_id, "approved", reason=reason, decided=True, tier=tier)
            audit.append(conn, "action.approve", str(action_id), {"type": action.type, "tier": tier, "reason": reason}
                         | ({"again": True} if again else {}), actor=actor)

    def reject(self, action_id: int, reason: str, actor: str = "user") -> tuple[Action, Changes]:
        """Reject a pending action; the reason is kept and audited."""
        reason = (reason or "").strip()
        if not reason:
            raise GraceError("Say why the action is rejected (a reason is required).")
        self.recover(action_id)  # an approved action whose run was cut short is said to be so
        with writing(self.ws) as conn:
            action = self._get(conn, action_id)
            if action.status != "pending":
                raise GraceError(f"Action {action_id} is {action.status}, not waiting for approval.")
            self._set(conn, action_id, "rejected", reason=reason, decided=True)
            audit.append(conn, "action.reject", str(action_id), {"type": action.type, "reason": reason}, actor=actor)
        return self.get(action_id), Changes(actions=True, audit=True)

    def execute(self, action_id: int) -> tuple[Action, Changes]:
        """Run an approved action that no one is running (its run was cut short) again."""
        with self._running(action_id) as mine:
            if not mine:
                raise GraceError(f"Action {action_id} is running now; its outcome is recorded when it finishes.")
            return self._execute(action_id, actor="user")

    def _execute(self, action_id: int, actor: str, watch: Watch = QUIET) -> tuple[Action, Changes]:
        action = self.get(action_id)
        if action.status != "approved" and not (action.tier == 1 and action.status == "pending"):
            raise NotApproved(f"Action {action_id} ({action.summary}) has not been approved; it is {action.status}.")
        try:
            params = dict(action.params)
            if action.reason:
                params["reason"] = action.reason  # a drop is recorded with the person's own reason, not a model's
            result, changes = KINDS[action.type].run(self.ws, params, watch)
        except GraceError as exc:
            return self._finish(action, "failed", None, str(exc), actor), Changes(actions=True, audit=True)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded as a sentence, never lost
            return self._finish(action, "failed", None, f"{type(exc).__name__}: {exc}", actor), \
                Changes(actions=True, audit=True)
        except BaseException as exc:  # Ctrl+C, or the app quitting: not left "approved" for good
            self._finish(action, "failed", None, f"{INTERRUPTED} ({type(exc).__name__}) before it finished; {_AGAIN}",
                         actor)
            raise
        return self._finish(action, "executed", result, None, actor), changes | Changes(actions=True, audit=True)

    def _finish(self, action: Action, status: str, result: Any, error: str | None, actor: str) -> Action:
        with writing(self.ws) as conn:
            self._set(conn, action.id, status, result=result, error=error)
            audit.append(conn, f"action.{'execute' if status == 'executed' else 'fail'}", str(action.id),
                         {"type": action.type, "error": error}, actor=actor)
        return self.get(action.id)

    # -- reading -----------------------------------------------------------------------------

    def get(self, action_id: int) -> Action:
        self.recover(action_id)
        with reading(self.ws) as conn:
            return self._get(conn, action_id)

    def list(self, status: str | None = None, limit: int = 200) -> list[Action]:
        """Actions, newest first (only those with ``status`` if given)."""
        self.recover()
        sql, params = f"SELECT {_COLS} FROM actions", {"n": limit}
        if status:
            sql += " WHERE status=:s"
            params["s"] = status  # type: ignore[assignment]
        with reading(self.ws) as conn:
            return [_row(r) for r in conn.execute(text(sql + " ORDER BY id DESC LIMIT :n"), params)]

    def pending(self) -> builtins.list[Action]:
        return self.list(status="pending")

    def events(self, limit: int = 100) -> builtins.list[dict[str, Any]]:
        """The newest outcomes of governed actions (those that waited for a decision: tier 2 and 3),
        for a log people read: the audit entries of each one done, failed or rejected, or reopened
        when its chat was restored (newest first, as ``audit.recent`` gives them), each with its
        action under ``"governed"``."""
        self.recover()
        with reading(self.ws) as conn:
            entries = audit.recent(conn, limit, _LOGGED)
            ids = ",".join(sorted({e["subject"] for e in entries if str(e["subject"]).isdigit()}))
            rows = conn.execute(text(f"SELECT {_COLS} FROM actions WHERE id IN ({ids})")).all() if ids else []
            found = {str(a.id): a for a in map(_row, rows)}
        return [e | {"governed": found[e["subject"]]} for e in entries
                if e["subject"] in found and found[e["subject"]].tier >= 2]

    # -- runs cut short ------------------------------------------------------------------------

    def recover(self, action_id: int | None = None) -> None:
        """Record as failed (interrupted, see ``STOPPED``) each approved action (or ``action_id``)
        that no process or thread is running: its run was cut short. An action whose run lock
        cannot be made (a folder that cannot be written) is left as it is."""
        sql = "SELECT id FROM actions WHERE status='approved'" + ("" if action_id is None else " AND id=:i")
        with reading(self.ws) as conn:
            stale = [int(r.id) for r in conn.execute(text(sql), {"i": action_id})]
        for aid in stale:
            try:
                with self._running(aid) as mine:
                    if mine:
                        with writing(self.ws) as conn:
                            self._stopped(conn, self._get(conn, aid))
            except OSError:
                continue

    def _stopped(self, conn: Any, action: Action) -> Action:
        """``action`` recorded as interrupted when it is approved; its run lock is held here."""
        if action.status != "approved":
            return action
        self._set(conn, action.id, "failed", error=STOPPED)
        audit.append(conn, "action.fail", str(action.id), {"type": action.type, "error": STOPPED,
                                                           "interrupted": True}, actor="grace")
        return self._get(conn, action.id)

    @contextmanager
    def _running(self, action_id: int) -> Iterator[bool]:
        """Hold ``action_id``'s run lock: True, or False when another process or thread holds it."""
        path = self.ws.folder / "tmp" / "actions" / f"action-{action_id}.lock"
        fd = _take(path)
        try:
            yield fd is not None
        finally:
            if fd is not None:
                _let_go(path, fd)

    def _get(self, conn: Any, action_id: int) -> Action:
        row = conn.execute(text(f"SELECT {_COLS} FROM actions WHERE id=:i"), {"i": action_id}).first()
        if row is None:
            raise GraceError(f"There is no action {action_id}.")
        return _row(row)

    @staticmethod
    def _set(conn: Any, action_id: int, status: str, *, reason: str | None = None, result: Any = None,
             error: str | None = None, decided: bool = False, tier: int | None = None) -> None:
        now = time.time()
        conn.execute(text(
            "UPDATE actions SET status=:s, reason=COALESCE(:r, reason), result=COALESCE(:res, result), error=:e, "
            "tier=COALESCE(:tier, tier), "
            "decided_at=CASE WHEN :d THEN :now ELSE decided_at END, "
            "executed_at=CASE WHEN :s IN ('executed', 'failed') THEN :now ELSE executed_at END WHERE id=:i"),
            {"s": status, "r": reason, "res": None if result is None else json.dumps(result, default=_plain),
             "e": error, "d": decided, "now": now, "i": action_id, "tier": tier})


def _plain(value: Any) -> Any:
    """A result's value as JSON holds it: a DECIMAL sum stays a number (2781.95, written 2,781.95
    like any other sum), other values their text (dates as ISO)."""
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return float(value)
    return str(value)


def _row(r: Any) -> Action:
    return Action(id=r.id, type=r.type, params=json.loads(r.params), tier=r.tier, status=r.status, summary=r.summary,
                  proposed_by=r.proposed_by, session_id=r.session_id, message_id=r.message_id, reason=r.reason,
                  result=json.loads(r.result) if r.result else None, error=r.error, created_at=r.created_at)


def _take(path: Path) -> int | None:
    """The lock on the file ``path`` (its descriptor, held), or None when another holds it. The
    file is removed as it is let go of, so the one locked must still be the one at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock_file(fd):
            os.close(fd)
            return None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        _unlock_file(fd)  # removed meanwhile by the one that held it: lock the file there now
        os.close(fd)


def _let_go(path: Path, fd: int) -> None:
    try:
        os.unlink(path)  # while still held: whoever opened it meanwhile sees it gone once they lock it
    except OSError:
        pass  # (Windows does not remove an open file: it stays, unlocked)
    _unlock_file(fd)
    os.close(fd)
