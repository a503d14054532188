"""Conversations: sessions stored with citations, confidence and actions; rename, search,
delete, export; feedback on answers and on each cited source."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from engine import GraceError, Workspace


@pytest.fixture
def filled(ws: Workspace, docs: Path) -> Workspace:
    ws.ingest([docs])
    return ws


def test_answers_are_stored_with_citations_confidence_and_actions(filled: Workspace) -> None:
    first = filled.chat.ask("How often should tomatoes be watered?")
    second = filled.chat.ask("status", session_id=first.session)
    messages = filled.chat.sessions.messages(first.session)
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    answer = messages[1]
    assert answer["citations"][0]["quote"] == first.citations[0].quote
    assert answer["confidence"] == pytest.approx(first.confidence) and answer["trace_id"] == first.trace_id
    assert messages[3]["actions"] == [second.actions[0].id]
    assert filled.chat.sessions.get(first.session)["title"] == "How often should tomatoes be watered?"


def test_sessions_can_be_renamed_searched_and_deleted(filled: Workspace) -> None:
    a = filled.chat.ask("How often should tomatoes be watered?").session
    b = filled.chat.ask("When is the budget review?").session
    filled.chat.sessions.rename(a, "Garden")
    assert [s["title"] for s in filled.chat.sessions.list("garden")] == ["Garden"]
    assert [s["id"] for s in filled.chat.sessions.list("Thursday")] == [b]  # found by an answer's text
    assert [s["id"] for s in filled.chat.sessions.list("100%")] == []  # LIKE wildcards are literal
    filled.chat.sessions.rename(b, "Über das Budget")
    assert [s["id"] for s in filled.chat.sessions.list("über")] == [b]  # case folded beyond ASCII
    with pytest.raises(GraceError):
        filled.chat.sessions.rename(a, "   ")
    filled.chat.sessions.delete(a)
    assert [s["id"] for s in filled.chat.sessions.list()] == [b]
    with pytest.raises(GraceError):
        filled.chat.sessions.messages(a) or filled.chat.sessions.get(a)
    actions = [e["action"] for e in filled.audit_entries(50)]
    assert "chat.rename" in actions and "chat.delete" in actions


def test_unknown_session_is_a_sentence(filled: Workspace) -> None:
    with pytest.raises(GraceError, match="no chat session 999"):
        filled.chat.ask("anything", session_id=999)


def test_export_to_markdown_keeps_questions_answers_and_sources(filled: Workspace) -> None:
    answer = filled.chat.ask("How often should tomatoes be watered?")
    md = filled.chat.sessions.export_markdown(answer.session)
    assert md.startswith("# How often should tomatoes be watered?")
    assert "**You:** How often should tomatoes be watered?" in md
    assert "**Grace:** " + answer.text in md
    c = answer.citations[0]
    assert f"[1] `{c.path}` (line {c.line_start})" in md and c.quote in md
    assert f"*Confidence {answer.confidence:.0%} (" in md  # in the pane's words, not 0.48


def test_feedback_is_stored_on_the_answer_and_each_cited_source(filled: Workspace) -> None:
    answer = filled.chat.ask("How often should tomatoes be watered?")
    filled.chat.sessions.feedback(answer.message_id, -1)
    filled.chat.sessions.feedback(answer.message_id, 1)  # a change of mind replaces the first rating
    with filled._read_engine.connect() as conn:
        rows = conn.execute(text("SELECT rating, chunk_id, path FROM chat_feedback WHERE message_id=:m"),
                            {"m": answer.message_id}).all()
    assert (1, None, None) in rows
    assert {(r.chunk_id, r.path) for r in rows if r.chunk_id} == {(c.chunk_id, c.path) for c in answer.citations}
    assert all(r.rating == 1 for r in rows)
    assert filled.chat.sessions.source_feedback(answer.citations[0].chunk_id) == 1
    with pytest.raises(GraceError):
        filled.chat.sessions.feedback(answer.message_id, 5)
    ratings = {m["id"]: m["rating"] for m in filled.chat.sessions.messages(answer.session)}
    assert ratings[answer.message_id] == 1 and list(ratings.values()).count(None) == 1  # the question has none


def test_a_rating_taken_back_leaves_the_answer_and_its_sources_unrated(filled: Workspace) -> None:
    answer = filled.chat.ask("How often should tomatoes be watered?")
    filled.chat.sessions.feedback(answer.message_id, 1)
    changes = filled.chat.sessions.clear_feedback(answer.message_id)
    assert changes.conversations and changes.audit
    ratings = {m["id"]: m["rating"] for m in filled.chat.sessions.messages(answer.session)}
    assert ratings[answer.message_id] is None
    assert filled.chat.sessions.source_feedback(answer.citations[0].chunk_id) == 0
    assert filled.audit_entries(1)[0]["action"] == "chat.feedback"
    assert not filled.chat.sessions.clear_feedback(answer.message_id).audit  # nothing left: nothing audited


def test_facts_are_confirmed_listed_and_removed(ws: Workspace) -> None:
    ws.chat.facts.add("  The office   is in Lyon. ")
    ws.chat.facts.add("The office is in Lyon.")
    facts = ws.chat.facts.list()
    assert [f["statement"] for f in facts] == ["The office is in Lyon."]
    assert ws.chat.facts.relevant("Where is the office?") == ["The office is in Lyon."]
    ws.chat.facts.remove(facts[0]["id"])
    assert ws.chat.facts.list() == []


def test_telemetry_counts_documents_approvals_and_failures(ws: Workspace, docs: Path) -> None:
    (docs / "bad.pdf").write_text("not a pdf")
    ws.ingest([docs])
    ws.chat.actions.propose("reindex", {})
    t = ws.chat.telemetry()
    table_proposals = len(ws.tables.proposals("pending")) if getattr(ws, "tables", None) else 0
    assert t["documents"] == 6 and t["pending_approvals"] == 1 + table_proposals and t["failed"] == 1
    assert t["failures"][0]["path"].endswith("bad.pdf") and t["average_trust"] is None
    ws.chat.ask("How often should tomatoes be watered?")
    assert 0.0 <= ws.chat.telemetry()["average_trust"] <= 1.0


def test_a_blank_question_is_refused_and_nothing_is_stored(filled: Workspace) -> None:
    for blank in ("", "   \n\t"):
        with pytest.raises(ValueError, match="at least one word") as refused:
            filled.chat.ask(blank)
        assert isinstance(refused.value, GraceError)  # EmptyQuestion: a sentence, and a ValueError
    session = filled.chat.sessions.new("kept")
    with pytest.raises(ValueError):
        filled.chat.ask(" ", session_id=session)
    assert [s["id"] for s in filled.chat.sessions.list()] == [session]
    assert filled.chat.sessions.messages(session) == []
