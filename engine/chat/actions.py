"""Actions under governance tiers: proposed, approved or rejected, executed; every step audited.

Tier 1 (read-only) runs at once. Tier 2 (writes) waits for approval. Tier 3 (destructive
or system changes) waits for an explicit confirmation that carries a typed reason. The
workspace's policy (setting ``action_tiers``) can raise a kind's tier, never lower it.
"""

from __future__ import annotations

import builtins
import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .. import audit
from ..changes import Changes
from ..errors import GraceError, NotApproved, PolicyViolation
from .executors import KINDS, QUIET, Watch
from .openai_client import check_base_url
from .store import reading, writing
from .types import Action

if TYPE_CHECKING:
    from ..workspace import Workspace

STATUSES = ("pending", "approved", "rejected", "executed", "failed")
_COLS = ("id, type, params, tier, status, summary, proposed_by, session_id, message_id, reason, result, error, "
         "created_at")


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
        running it). Tier 3 needs a typed ``reason`` (else NotApproved)."""
        reason = (reason or "").strip() or None
        tier = self.tier_now(self.get(action_id))  # the policy may have been raised since the proposal
        with writing(self.ws) as conn:
            action = self._get(conn, action_id)
            if action.status != "pending":
                raise GraceError(f"Action {action_id} is {action.status}, not waiting for approval.")
            if tier >= 3 and not reason:
                raised = f" (the policy now puts {action.type} at tier {tier})" if tier > action.tier else ""
                raise NotApproved(f"Action {action_id} ({action.summary}) is a tier-3 change{raised}: confirm it "
                                  "with a reason (--reason TEXT) saying why.")
            self._set(conn, action_id, "approved", reason=reason, decided=True, tier=tier)
            audit.append(conn, "action.approve", str(action_id), {"type": action.type, "tier": tier,
                                                                  "reason": reason}, actor=actor)
        return self._execute(action_id, actor=actor, watch=watch)

    def reject(self, action_id: int, reason: str, actor: str = "user") -> tuple[Action, Changes]:
        """Reject a pending action; the reason is kept and audited."""
        reason = (reason or "").strip()
        if not reason:
            raise GraceError("Say why the action is rejected (a reason is required).")
        with writing(self.ws) as conn:
            action = self._get(conn, action_id)
            if action.status != "pending":
                raise GraceError(f"Action {action_id} is {action.status}, not waiting for approval.")
            self._set(conn, action_id, "rejected", reason=reason, decided=True)
            audit.append(conn, "action.reject", str(action_id), {"type": action.type, "reason": reason}, actor=actor)
        return self.get(action_id), Changes(actions=True, audit=True)

    def execute(self, action_id: int) -> tuple[Action, Changes]:
        """Run an approved action again (after a crash between approval and execution)."""
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
            self._finish(action, "failed", None, f"It was interrupted ({type(exc).__name__}) before it finished; "
                         "what it had done so far is kept. Ask again to propose it anew.", actor)
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
        with reading(self.ws) as conn:
            return self._get(conn, action_id)

    def list(self, status: str | None = None, limit: int = 200) -> list[Action]:
        """Actions, newest first (only those with ``status`` if given)."""
        sql, params = f"SELECT {_COLS} FROM actions", {"n": limit}
        if status:
            sql += " WHERE status=:s"
            params["s"] = status  # type: ignore[assignment]
        with reading(self.ws) as conn:
            return [_row(r) for r in conn.execute(text(sql + " ORDER BY id DESC LIMIT :n"), params)]

    def pending(self) -> builtins.list[Action]:
        return self.list(status="pending")

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
            {"s": status, "r": reason, "res": None if result is None else json.dumps(result, default=str),
             "e": error, "d": decided, "now": now, "i": action_id, "tier": tier})


def _row(r: Any) -> Action:
    return Action(id=r.id, type=r.type, params=json.loads(r.params), tier=r.tier, status=r.status, summary=r.summary,
                  proposed_by=r.proposed_by, session_id=r.session_id, message_id=r.message_id, reason=r.reason,
                  result=json.loads(r.result) if r.result else None, error=r.error, created_at=r.created_at)
