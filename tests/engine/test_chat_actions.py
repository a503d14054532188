"""Actions under governance tiers: read-only runs at once, writes wait, deletes need a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import GraceError, Workspace
from engine.errors import NotApproved, PolicyViolation


def audit_actions(ws: Workspace, action_id: int) -> list[str]:
    return [e["action"] for e in reversed(ws.audit_entries(500))
            if e["action"].startswith("action.") and e["subject"] == str(action_id)]


def test_status_and_errors_run_at_once_as_tier_one(ws: Workspace, docs: Path) -> None:
    (docs / "bad.pdf").write_text("not a pdf")
    ws.ingest([docs])
    status = ws.chat.ask("Show me the workspace status")
    assert [(a.type, a.tier, a.status) for a in status.actions] == [("status", 1, "executed")]
    assert "5 documents" in status.text or "documents" in status.text
    errors = ws.chat.ask("show me recent errors")
    assert errors.actions[0].type == "show_errors" and errors.actions[0].status == "executed"
    assert "bad.pdf" in errors.text and "not" in errors.text.lower()
    why = ws.chat.ask("Why did bad.pdf fail?")
    assert "bad.pdf" in why.text and why.actions[0].params == {"about": "bad.pdf"}
    assert audit_actions(ws, status.actions[0].id) == ["action.propose", "action.execute"]


def test_ingest_waits_for_approval_then_runs(ws: Workspace, docs: Path) -> None:
    answer = ws.chat.ask(f"please ingest the folder {docs}")
    action = answer.actions[0]
    assert (action.type, action.tier, action.status) == ("ingest", 2, "pending")
    assert ws.status()["documents"] == 0  # nothing happened yet
    assert "approval" in answer.text
    with pytest.raises(NotApproved):
        ws.chat.actions.execute(action.id)
    done, changes = ws.chat.actions.approve(action.id)
    assert done.status == "executed" and changes.documents and changes.actions
    assert ws.status()["documents"] == 5
    assert audit_actions(ws, action.id) == ["action.propose", "action.approve", "action.execute"]


def test_rejected_action_never_runs_and_keeps_its_reason(ws: Workspace, docs: Path) -> None:
    action = ws.chat.actions.propose("ingest", {"paths": [str(docs)]})
    with pytest.raises(GraceError):
        ws.chat.actions.reject(action.id, "")
    rejected, _ = ws.chat.actions.reject(action.id, "wrong folder")
    assert rejected.status == "rejected" and rejected.reason == "wrong folder"
    with pytest.raises(GraceError):
        ws.chat.actions.approve(action.id)
    assert ws.status()["documents"] == 0
    assert audit_actions(ws, action.id) == ["action.propose", "action.reject"]


def test_delete_needs_a_tier_three_confirmation_with_a_reason(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])
    answer = ws.chat.ask("forget the document notes.txt")
    action = answer.actions[0]
    assert (action.type, action.tier, action.params["path"]) == ("delete_document", 3, str(docs / "notes.txt"))
    with pytest.raises(NotApproved, match="reason"):
        ws.chat.actions.approve(action.id)
    with pytest.raises(NotApproved):
        ws.chat.actions.approve(action.id, reason="   ")
    assert ws.chat.actions.get(action.id).status == "pending"
    done, _ = ws.chat.actions.approve(action.id, reason="it is out of date")
    assert done.status == "executed" and done.reason == "it is out of date"
    assert str(docs / "notes.txt") not in {d["path"] for d in ws.documents()}


def test_policy_raises_a_tier_but_never_lowers_one(ws: Workspace, docs: Path) -> None:
    ws.set_setting("action_tiers", "ingest=3, delete_document=1")
    assert ws.chat.actions.tier_of("ingest") == 3
    assert ws.chat.actions.tier_of("delete_document") == 3
    action = ws.chat.actions.propose("ingest", {"paths": [str(docs)]})
    with pytest.raises(NotApproved):
        ws.chat.actions.approve(action.id)
    ws.set_setting("action_tiers", "nonsense")
    with pytest.raises(PolicyViolation):
        ws.chat.actions.tier_of("status")


def test_malformed_proposals_are_refused(ws: Workspace) -> None:
    with pytest.raises(PolicyViolation):
        ws.chat.actions.propose("format_disk", {})
    with pytest.raises(PolicyViolation, match="paths"):
        ws.chat.actions.propose("ingest", {})


def test_a_failed_action_is_kept_with_its_reason_and_shown_as_an_error(ws: Workspace, tmp_path: Path) -> None:
    action = ws.chat.actions.propose("ingest", {"paths": [str(tmp_path / "missing")]})
    failed, _ = ws.chat.actions.approve(action.id)
    assert failed.status == "failed" and "no such file" in failed.error
    errors = ws.chat.ask("show me recent errors")
    assert f"action {action.id}" in errors.text
    assert audit_actions(ws, action.id)[-1] == "action.fail"


def test_reindex_rebuilds_search_from_stored_embeddings(ws: Workspace, docs: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ws.ingest([docs])
    before = [h.chunk_id for h in ws.search("tomato watering", 3)]
    ws.index.clear()
    action = ws.chat.ask("rebuild the search index").actions[0]
    assert (action.type, action.tier, action.status) == ("reindex", 2, "pending")
    monkeypatch.setattr(ws.embedder, "embed", lambda *a, **k: pytest.fail("the model ran during a reindex"))
    done, _ = ws.chat.actions.approve(action.id)
    assert done.status == "executed" and done.result == {"vectors": ws.status()["chunks"]}
    monkeypatch.undo()
    assert [h.chunk_id for h in ws.search("tomato watering", 3)] == before


def test_table_is_created_only_after_approval(ws: Workspace) -> None:
    tables = getattr(ws, "tables", None)
    if tables is None:
        pytest.skip("memory tables are not in this build yet")
    answer = ws.chat.ask("Create a table called expenses with fields date, amount and category")
    action = answer.actions[0]
    assert (action.type, action.tier, action.status) == ("create_table", 2, "pending")
    names = {str(t.get("name") if isinstance(t, dict) else getattr(t, "name", t)) for t in tables.list()}
    assert "expenses" not in names
    done, _ = ws.chat.actions.approve(action.id)
    assert done.status == "executed", done.error
    names = {str(t.get("name") if isinstance(t, dict) else getattr(t, "name", t)) for t in tables.list()}
    assert "expenses" in names


def test_rows_are_added_after_approval_and_answer_questions_naming_the_table(ws: Workspace) -> None:
    tables = getattr(ws, "tables", None)
    if tables is None:
        pytest.skip("memory tables are not in this build yet")
    create = ws.chat.ask("Create a table called pantry with fields item, shelf and quantity").actions[0]
    ws.chat.actions.approve(create.id)
    add = ws.chat.ask("add a row to pantry: item=saffron, shelf=top, quantity=2").actions[0]
    assert (add.type, add.tier, add.status) == ("add_rows", 2, "pending")
    assert tables.query("SELECT count(*) FROM pantry")[1][0][0] == 0
    done, changes = ws.chat.actions.approve(add.id)
    assert done.status == "executed", done.error
    assert tables.query("SELECT item, shelf FROM pantry")[1] == [("saffron", "top")]
    answer = ws.chat.ask("Which shelf is the saffron on in the pantry?")
    assert not answer.abstained and "From table **pantry**" in answer.text and "| saffron | top |" in answer.text
    drop = ws.chat.ask("delete the table pantry").actions[0]
    assert (drop.type, drop.tier) == ("delete_table", 3)
    with pytest.raises(NotApproved):
        ws.chat.actions.approve(drop.id)
    ws.chat.actions.approve(drop.id, reason="spring cleaning")
    assert "pantry" not in {t.name for t in tables.list()}
