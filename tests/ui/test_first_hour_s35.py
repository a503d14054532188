"""What session 35 changed: chats deleted long ago are purged when the chat opens, deleted
chats can be seen and restored after a restart, the Activity shows actions an Undo reopened,
and a splitter width the person dragged is kept across window resizes."""

from __future__ import annotations

import pytest

from engine import Workspace
from engine.chat.conversations import PURGE_AFTER
from grace_desktop.qt import QMessageBox
from grace_desktop.runner import Runner
from ui.chat import ChatPane


@pytest.fixture(autouse=True)
def _no_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here asks a blocking question (a modal box would wait for ever under offscreen)."""
    monkeypatch.setattr(QMessageBox, "question", staticmethod(_asked))


def _asked(*_args: object) -> None:
    raise AssertionError("no blocking question is asked")


def _deleted_long_ago(ws: Workspace, title: str) -> int:
    sid = ws.chat.sessions.new(title)
    ws.chat.sessions.delete(sid)
    with ws._write_engine.begin() as conn:  # noqa: SLF001 - deleted more than a month ago
        conn.exec_driver_sql("UPDATE chat_sessions SET deleted_at = deleted_at - ? WHERE id = ?",
                             (PURGE_AFTER + 60, sid))
    return sid


def test_chats_deleted_over_a_month_ago_are_purged_when_the_chat_pane_opens(qtbot, ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    recent = ws.chat.sessions.new("recent chat")
    ws.chat.sessions.delete(recent)
    old = _deleted_long_ago(ws, "old chat")  # (after: a deletion purges too)
    runner = Runner()
    runner.set_workspace(ws)
    heard: list[object] = []
    runner.changed.connect(heard.append)
    pane = ChatPane(ws, runner=runner)
    qtbot.addWidget(pane)
    try:
        qtbot.waitUntil(lambda: bool(heard), timeout=30_000)  # the other panes hear of it (Activity)
        assert [d["id"] for d in ws.chat.sessions.deleted()] == [recent]  # the recent one can still be restored
        purged = [e for e in ws.audit_entries(10) if e["action"] == "chat.purge"]
        assert [e["subject"] for e in purged] == [str(old)]
        assert heard[0].conversations and heard[0].audit  # type: ignore[attr-defined]
    finally:
        runner.shutdown(timeout_ms=60_000)
