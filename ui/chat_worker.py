"""Off the GUI thread for the chat pane: a QRunnable that runs one engine call, the approval
of an action that does long work (run as a job of the shell's runner), and the reads behind
the cards and the empty chat's examples.

The QRunnable's signals live on a QObject created in the GUI thread, so tokens, the result
and failures arrive there as queued signals.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine import Cancelled
from engine.chat import Action
from engine.chat.executors import Watch, persons_tables, tables_of
from engine.tables.domain import load_catalog
from grace_desktop.qt import QObject, QRunnable, Signal

from .chat_widgets import done_words

if TYPE_CHECKING:
    from engine import Changes, Workspace

EXAMPLE_TABLES = 2  # the empty chat offers a question about at most this many of the person's tables
# Requests every workspace answers (checked in tests/ui/test_chat_first_hour.py): what the empty chat offers.
GENERAL_EXAMPLES = ("Show me the workspace status", "Show recent errors",
                    "Create a table called reading list with columns title, author and year")


class WorkerSignals(QObject):
    token = Signal(str)
    done = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()


class Worker(QRunnable):
    """Runs ``call(on_token)``; emits ``token`` while it streams, then ``done``, ``failed``, or
    ``cancelled`` when the call raised ``Cancelled`` (it was asked to stop)."""

    def __init__(self, call: Callable[[Callable[[str], None]], Any]) -> None:
        super().__init__()
        self.call = call
        self.signals = WorkerSignals()
        self.setAutoDelete(False)  # the pane holds it until ``finished``

    def run(self) -> None:
        try:
            result = self.call(self.signals.token.emit)
        except Cancelled:
            self.signals.cancelled.emit()
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
        return "done", f"Action {action.id} {done_words(action)}."
    if action.error == str(Cancelled()):  # the engine's sentence for a cancelled run
        return "cancelled", f"Cancelled; action {action.id} is marked failed: {action.error}"
    return "failed", f"Action {action.id} failed: {action.error or action.status}"


def current_actions(ws: Workspace, ids: list[int]) -> dict[int, tuple[Action, int, str | None]]:
    """The actions ``ids`` as stored now, each with the tier it needs under the current policy
    and, while it waits, what approving it would lose (``what_is_lost``)."""
    actions = ws.chat.actions
    found = {}
    for action_id in ids:
        try:
            action = actions.get(action_id)
        except Exception:  # noqa: BLE001 - gone meanwhile: its card stays as it is
            continue
        found[action_id] = (action, actions.tier_now(action), what_is_lost(ws, action))
    return found


def what_is_lost(ws: Workspace, action: Action) -> str | None:
    """What deleting a table or forgetting a document would take away, in a sentence, for its card
    while it waits (None for other actions, or when the table or document is gone already)."""
    if action.status != "pending":
        return None
    try:
        if action.type == "delete_table":
            table = str(action.params["table"])
            return (f"Table {table} goes with its {_count(ws.tables.count(table), 'row')}. Undo last edit in "
                    "Tables brings it back, as long as no other table edit comes after it.")
        if action.type == "delete_document":
            return _forgotten(ws, str(action.params["path"]))
    except Exception:  # noqa: BLE001 - the card then says only what the action is
        return None
    return None


def _forgotten(ws: Workspace, path: str) -> str | None:
    doc = next((d for d in ws.documents() if d["path"] == path), None)
    if doc is None:
        return None
    name, chunks = os.path.basename(path), int(doc["chunks"] or 0)
    what = f"{name} and its {_count(chunks, 'passage')}: answers and search no longer quote it" if chunks else name
    return f"Grace forgets {what}. The file itself stays where it is; adding it again brings it back."


def example_questions(ws: Workspace) -> list[str]:
    """What the empty chat offers to ask: a row count for each of the person's first tables (those
    they made or imported before the catalog's that hold rows; empty ones last), named as a person says it ("house
    expenses", not "house_expenses"), then requests every workspace answers (``GENERAL_EXAMPLES``)."""
    try:
        catalog = load_catalog()
        # Stable: their order kept within; an empty table (0 rows to count) after every one with rows.
        own = sorted(persons_tables(tables_of(ws)), key=lambda t: (not t.rows, t.name in catalog))
        tables = [t.name for t in own[:EXAMPLE_TABLES]]
    except Exception:  # noqa: BLE001 - no tables to name: the requests alone
        tables = []
    return [f"How many rows are in {spoken(name)}?" for name in tables] + list(GENERAL_EXAMPLES)


def spoken(name: str) -> str:
    """A table's name as a person says it: "house_expenses" -> "house expenses" (the chat finds the
    table either way)."""
    return " ".join(name.replace("_", " ").split()) or name


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
