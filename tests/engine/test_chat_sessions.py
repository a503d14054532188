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


def test_deleting_a_chat_rejects_its_actions_waiting_for_approval(filled: Workspace) -> None:
    from tests.engine.test_chat_actions import audit_actions

    forget = filled.chat.ask("forget the document notes.txt")
    waiting = forget.actions[0]
    status = filled.chat.ask("status", session_id=forget.session).actions[0]  # ran at once: left as it is
    assert filled.chat.sessions.waiting(forget.session) == [waiting.id]
    changes = filled.chat.sessions.delete(forget.session)
    assert changes.actions and changes.conversations  # the counts of what waits follow
    rejected = filled.chat.actions.get(waiting.id)
    assert (rejected.status, rejected.reason) == ("rejected", "its chat was deleted")
    assert audit_actions(filled, waiting.id) == ["action.propose", "action.reject"]  # as any rejection
    assert filled.chat.actions.get(status.id).status == "executed"
    assert filled.chat.telemetry()["pending_actions"] == 0
    assert str(Path(waiting.params["path"])) in {d["path"] for d in filled.documents()}  # nothing was forgotten


def test_an_export_says_where_each_action_stands_and_shows_confidence_only_where_the_pane_does(
        filled: Workspace, tmp_path: Path) -> None:
    chat = filled.chat
    create = chat.ask("create a table called books with columns title and year")
    sid = create.session
    chat.actions.approve(create.actions[0].id)
    add = chat.ask("add a row to books: title = Ulysses, year = 1922", session_id=sid).actions[0]
    chat.actions.reject(add.id, "changed my mind")
    drop = chat.ask("delete the table books", session_id=sid).actions[0]
    chat.actions.approve(drop.id, "test table no longer needed")
    forget = chat.ask("forget the document notes.txt", session_id=sid).actions[0]
    (tmp_path / "expenses.csv").write_text("date,category,amount\n2026-01-03,groceries,42.10\n")
    assert filled.tables.import_file(tmp_path / "expenses.csv").status == "applied"
    query = chat.ask("how much did we spend on groceries in January?", session_id=sid).actions[0]
    md = chat.sessions.export_markdown(sid)
    assert "runs once you approve it" not in md and "runs once you confirm it" not in md
    assert f"- Action {create.actions[0].id}: **Create table books (title, year)** → done" in md
    assert f"- Action {add.id}: **Add 1 row to books: title=Ulysses, year=1922** → rejected: changed my mind" in md
    assert f"- Action {drop.id}: **Delete table books** → done · reason: test table no longer needed" in md
    assert f"- Action {forget.id}: **{forget.summary}** → waiting for your confirmation with a reason" in md
    assert f"- Action {query.id}: Read-only query `{query.params['sql']}` → done" in md
    assert "Adding up amount in expenses" in md  # what the query found, as the answer said it
    assert "Confidence" not in md  # the pane shows none for an action's answer: nothing of the files to weigh


def test_an_export_says_paragraph_for_a_docx_source_as_the_pane_does(ws: Workspace, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Lease for Flat B")
    document.add_paragraph("The tenant must give two months' notice before moving out.")
    document.save(str(tmp_path / "lease.docx"))
    ws.ingest([tmp_path / "lease.docx"])
    answer = ws.chat.ask("How much notice must the tenant give before moving out?")
    c = answer.citations[0]
    assert c.where().startswith("paragraph")
    assert f"[1] `{c.path}` ({c.where()})" in ws.chat.sessions.export_markdown(answer.session)  # was "(line 2)"
