"""Deleting a chat can be undone: the session is kept (out of every list and search) until it
is purged for good; restoring it brings back its messages, citations, feedback and actions."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from engine import GraceError, Workspace, db
from engine.chat.conversations import PURGE_AFTER
from engine.embed import Embedder


@pytest.fixture
def filled(ws: Workspace, docs: Path) -> Workspace:
    ws.ingest([docs])
    return ws


def _audited(ws: Workspace, subject: int) -> list[str]:
    return [e["action"] for e in reversed(ws.audit_entries(200)) if e["subject"] == str(subject)
            and e["action"].startswith("chat.")]


def test_a_deleted_chat_leaves_the_lists_and_comes_back_whole_when_restored(filled: Workspace) -> None:
    sessions = filled.chat.sessions
    answer = filled.chat.ask("How often should tomatoes be watered?")
    other = filled.chat.ask("When is the budget review?").session
    sessions.feedback(sessions.messages(answer.session)[1]["id"], 1)
    before = sessions.messages(answer.session)
    chunk = before[1]["citations"][0]["chunk_id"]
    assert sessions.source_feedback(chunk) == 1

    changes = sessions.delete(answer.session)
    assert changes.conversations and changes.audit
    assert [s["id"] for s in sessions.list()] == [other]
    assert sessions.list("tomatoes") == []  # nor found by a search of its messages
    assert sessions.messages(answer.session) == [] and sessions.source_feedback(chunk) == 0
    with pytest.raises(GraceError, match=f"no chat session {answer.session}"):
        sessions.get(answer.session)
    with pytest.raises(GraceError):  # nor asked in (``grace ask --session``)
        filled.chat.ask("and in June?", session_id=answer.session)
    assert [d["id"] for d in sessions.deleted()] == [answer.session]

    restored = sessions.restore(answer.session)
    assert restored.conversations and restored.audit
    assert {s["id"] for s in sessions.list()} == {answer.session, other}
    assert sessions.messages(answer.session) == before  # messages, citations, rating and actions
    assert sessions.source_feedback(chunk) == 1
    assert sessions.deleted() == []
    assert sessions.restore(answer.session) == type(restored)()  # a second Undo changes nothing
    assert _audited(filled, answer.session)[-2:] == ["chat.delete", "chat.restore"]


def test_restoring_a_chat_puts_back_the_actions_its_deletion_rejected(filled: Workspace) -> None:
    forget = filled.chat.ask("forget the document notes.txt")
    waiting = forget.actions[0]
    filled.chat.actions.reject(filled.chat.ask("create a table called books with columns title and year",
                                               session_id=forget.session).actions[0].id, "not now")
    filled.chat.sessions.delete(forget.session)
    assert filled.chat.actions.get(waiting.id).status == "rejected"
    assert filled.chat.telemetry()["pending_actions"] == 0

    changes = filled.chat.sessions.restore(forget.session)
    assert changes.actions  # the counts of what waits follow
    back = filled.chat.actions.get(waiting.id)
    assert (back.status, back.reason, back.session_id) == ("pending", None, forget.session)
    assert filled.chat.telemetry()["pending_actions"] == 1
    kept = [a for a in filled.chat.actions.list() if a.status == "rejected"]
    assert [a.reason for a in kept] == ["not now"]  # the person's own rejection stands
    assert "action.reopen" in [e["action"] for e in filled.audit_entries(20) if e["subject"] == str(waiting.id)]
    told = [e["action"] for e in filled.chat.actions.events() if e["governed"].id == waiting.id]
    assert told == ["action.reopen", "action.reject"]  # the Activity's log tells both, newest first


def test_deleted_chats_are_purged_for_good_after_a_while(filled: Workspace) -> None:
    sessions = filled.chat.sessions
    old = filled.chat.ask("forget the document notes.txt")
    recent = filled.chat.ask("When is the budget review?").session
    sessions.delete(old.session)
    with filled._write_engine.begin() as conn:  # noqa: SLF001 - deleted long ago
        conn.exec_driver_sql("UPDATE chat_sessions SET deleted_at = deleted_at - ? WHERE id = ?",
                             (PURGE_AFTER + 60, old.session))
    sessions.delete(recent)  # each deletion purges those deleted long enough ago
    assert [d["id"] for d in sessions.deleted()] == [recent]
    with pytest.raises(GraceError, match="deleted for good"):
        sessions.restore(old.session)
    action = filled.chat.actions.get(old.actions[0].id)
    assert (action.status, action.session_id) == ("rejected", None)  # kept, unlinked, as before
    assert "chat.purge" in [e["action"] for e in filled.audit_entries(10)]
    assert sessions.purge(older_than=None) == 1 and sessions.deleted() == []  # an explicit purge: all of them
    assert filled.verify_audit().ok


def test_an_empty_chat_can_be_deleted_for_good_at_once(ws: Workspace) -> None:
    sid = ws.chat.sessions.new("nothing in it")
    ws.chat.sessions.delete(sid, for_good=True)
    assert ws.chat.sessions.deleted() == [] and ws.chat.sessions.list() == []


def test_a_workspace_from_before_deleted_chats_opens_with_its_chats(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    engine = db.open_engine(folder / "grace.sqlite", write=True)
    db.migrate(engine, target=11)  # the schema before deleted chats were kept
    engine.dispose()
    con = sqlite3.connect(folder / "grace.sqlite")
    con.execute("INSERT INTO chat_sessions(id, title, created_at, updated_at) VALUES (1, 'Old chat', ?, ?)",
                (time.time(), time.time()))
    con.execute("INSERT INTO chat_messages(session_id, role, text, created_at) VALUES (1, 'user', 'hello', ?)",
                (time.time(),))
    con.commit()
    con.close()
    with Workspace(folder, embedder) as ws:
        assert ws.status()["schema"] == db.SCHEMA_VERSION
        assert [s["title"] for s in ws.chat.sessions.list()] == ["Old chat"]
        ws.chat.sessions.delete(1)
        assert ws.chat.sessions.list() == []
        ws.chat.sessions.restore(1)
        assert [m["text"] for m in ws.chat.sessions.messages(1)] == ["hello"]


def test_the_average_trust_leaves_out_the_answers_of_deleted_chats(filled: Workspace) -> None:
    answer = filled.chat.ask("How often should tomatoes be watered?")
    assert answer.citations and filled.chat.average_trust() is not None

    filled.chat.sessions.delete(answer.session)
    assert filled.chat.average_trust() is None  # its only answer is in a deleted chat
    assert filled.chat.telemetry()["average_trust"] is None

    filled.chat.sessions.restore(answer.session)
    assert filled.chat.average_trust() is not None
