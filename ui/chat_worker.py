"""Off the GUI thread for the chat pane: a QRunnable that runs one engine call, and the
approval of an action that does long work, run as a job of the shell's runner.

The QRunnable's signals live on a QObject created in the GUI thread, so tokens, the result
and failures arrive there as queued signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine import Cancelled
from engine.chat import Action
from engine.chat.executors import Watch
from grace_desktop.qt import QObject, QRunnable, Signal

if TYPE_CHECKING:
    from engine import Changes, Workspace


class WorkerSignals(QObject):
    token = Signal(str)
    done = Signal(object)
    failed = Signal(str)
    finished = Signal()


class Worker(QRunnable):
    """Runs ``call(on_token)``; emits ``token`` while it streams, then ``done`` or ``failed``."""

    def __init__(self, call: Callable[[Callable[[str], None]], Any]) -> None:
        super().__init__()
        self.call = call
        self.signals = WorkerSignals()
        self.setAutoDelete(False)  # the pane holds it until ``finished``

    def run(self) -> None:
        try:
            result = self.call(self.signals.token.emit)
        except Exception as exc:  # noqa: BLE001 - every failure reaches the person as a sentence
            self.signals.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.signals.done.emit(result)
        finally:
            self.signals.finished.emit()


def approve_action(ws: Workspace, action_id: int, reason: str, progress: Callable[[float, str], None],
                   is_cancelled: Callable[[], bool]) -> tuple[Action, Changes]:
    """Approve ``action_id`` and run it through the engine's actions API (status, audit and policy
    as always), with the job's ``progress`` and ``is_cancelled`` reaching the ingest or reindex it
    runs; a cancelled run leaves the action failed, saying so. Returns the action and its Changes."""
    return ws.chat.actions.approve(action_id, reason or None, watch=Watch(progress, is_cancelled))


def approval_outcome(result: tuple[Action, Changes]) -> tuple[str, str]:
    """How an approval job ended, for the Activity: (state, message)."""
    action = result[0]
    if action.status == "executed":
        return "done", f"Action {action.id} done."
    if action.error == str(Cancelled()):  # the engine's sentence for a cancelled run
        return "cancelled", f"Cancelled; action {action.id} is marked failed: {action.error}"
    return "failed", f"Action {action.id} failed: {action.error or action.status}"


def current_actions(ws: Workspace, ids: list[int]) -> dict[int, tuple[Action, int]]:
    """The actions ``ids`` as stored now, each with the tier it needs under the current policy."""
    actions = ws.chat.actions
    found = {}
    for action_id in ids:
        try:
            action = actions.get(action_id)
        except Exception:  # noqa: BLE001 - gone meanwhile: its card stays as it is
            continue
        found[action_id] = (action, actions.tier_now(action))
    return found
