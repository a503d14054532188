"""Actions under governance tiers: read-only runs at once, writes wait, deletes need a reason;
an action whose run was cut short (its process killed) is recorded as interrupted, and only then."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from engine import GraceError, Workspace
from engine.errors import NotApproved, PolicyViolation, SettingError

ROOT = Path(__file__).resolve().parents[2]


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
    _store_unchecked(ws, "action_tiers", "nonsense, ingest=3")  # a stored entry that cannot be read is left out
    assert ws.chat.actions.tier_of("status") == 1 and ws.chat.actions.tier_of("ingest") == 3
    assert "'nonsense'" in ws.chat.actions.policy_note()


def test_malformed_proposals_are_refused(ws: Workspace) -> None:
    with pytest.raises(PolicyViolation):
        ws.chat.actions.propose("format_disk", {})
    with pytest.raises(PolicyViolation, match="paths"):
        ws.chat.actions.propose("ingest", {})


def test_a_failed_action_is_kept_with_its_reason_and_shown_as_an_error(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(PolicyViolation, match="no such file or folder"):  # refused when proposed
        ws.chat.actions.propose("ingest", {"paths": [str(tmp_path / "missing")]})
    (tmp_path / "missing").mkdir()
    action = ws.chat.actions.propose("ingest", {"paths": [str(tmp_path / "missing")]})
    (tmp_path / "missing").rmdir()  # gone before it was approved: the run fails and says why
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


def test_table_rows_answer_only_questions_they_account_for(ws: Workspace) -> None:
    ws.chat.actions.approve(ws.chat.ask("Create a table called contacts with fields name, city, phone").actions[0].id)
    for row in ("name = Alice Meyer, city = Paris, phone = 555-0100",
                "name = Bob Stone, city = Berlin, phone = 555-0199"):
        ws.chat.actions.approve(ws.chat.ask(f"Add a row to contacts with {row}").actions[0].id)
    phone = ws.chat.ask("What is Alice Meyer's phone number?")
    assert not phone.abstained and "555-0100" in phone.text and 0.5 < phone.confidence <= 1
    assert not ws.chat.ask("List my contacts").abstained
    for unanswerable in ("What is Barack Obama's phone number in my contacts?", "What is the population of Paris?"):
        declined = ws.chat.ask(unanswerable)
        assert declined.abstained and declined.confidence < 0.5, unanswerable
        assert "Related rows (they do not answer it" in declined.text


def test_only_a_table_that_accounts_for_the_question_alone_is_added_to_the_files_answer(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "agm.md").write_text("# AGM 2024\n\nThe senior membership fee for 2024 is €210 a year.\n",
                                     encoding="utf-8")
    (tmp_path / "fees_2023.csv").write_text("name,category,fee,date\nAoife Brennan,Senior,180,2023-01-30\n"
                                            "Liam Burke,Senior,180,2023-02-01\nOrla Hynes,Junior,90,2023-02-03\n",
                                            encoding="utf-8")
    (tmp_path / "members.csv").write_text("name,membership,phone,joined\nAoife Brennan,Senior,087 123 4411,"
                                          "2024-01-15\nOrla Hynes,Junior,086 200 3456,2019-05-02\n",
                                          encoding="utf-8")
    ws.ingest([tmp_path / "agm.md"])
    for name in ("fees_2023.csv", "members.csv"):
        assert ws.tables.import_file(tmp_path / name).status == "applied"
    answer = ws.chat.ask("What is the senior membership fee for 2024?")
    assert not answer.abstained and "€210" in answer.text, answer.text
    # the 2023 fees say nothing of 2024, the members nothing of fees: together they "account" for it
    assert "From table" not in answer.text and "087 123 4411" not in answer.text, answer.text
    assert [c.path for c in answer.citations] == [str(tmp_path / "agm.md")]


HISTORY = ("The Western Roman Empire fell in 476 when Odoacer deposed Romulus Augustulus.\n\n"
           "Historians point to economic decline, reliance on mercenaries and political instability as causes.\n\n"
           "The Roman army recruited many Germanic soldiers in the late empire, and errors of command were common.\n")


def test_questions_about_file_content_are_not_taken_for_actions(ws: Workspace, docs: Path) -> None:
    (docs / "rome.txt").write_text(HISTORY, encoding="utf-8")
    (docs / "refunds.txt").write_text("A customer must send two documents with a refund request: the receipt "
                                      "and a photo.\n", encoding="utf-8")
    ws.ingest([docs])
    for question in ["Why did the Western Roman Empire fail?",
                     "What failed in the Western Roman Empire according to historians?",
                     "Show me the errors in the Roman army",
                     "How many documents must a customer send with a refund request?",
                     "Load balancing/failover: how does the deploy guide handle it?",
                     "Please add 2/3 cup of sugar to the dough?"]:
        answer = ws.chat.ask(question)
        assert answer.actions == [] and ws.chat.actions.list() == [], question
    why = ws.chat.ask("Why did the Western Roman Empire fail?")
    assert not why.abstained and why.citations[0].path == str(docs / "rome.txt")
    refund = ws.chat.ask("How many documents must a customer send with a refund request?")
    assert "two documents" in refund.text


def test_requests_about_the_workspace_are_still_recognised(ws: Workspace, docs: Path, tmp_path: Path) -> None:
    ws.ingest([docs])
    asked = {q: [(a.type, a.params) for a in ws.chat.ask(q).actions] for q in [
        "how many documents are in my workspace?", "What went wrong recently?", "Why did the import fail?",
        "Why did notes.txt fail?", f"ingest the folder {tmp_path / 'not-yet'}", f"load {docs / 'sub'}"]}
    assert asked == {
        "how many documents are in my workspace?": [("status", {})],
        "What went wrong recently?": [("show_errors", {})],
        "Why did the import fail?": [("show_errors", {})],
        "Why did notes.txt fail?": [("show_errors", {"about": "notes.txt"})],
        f"ingest the folder {tmp_path / 'not-yet'}": [],  # refused when proposed, and the answer says why
        f"load {docs / 'sub'}": [("ingest", {"paths": [str(docs / "sub")]})]}
    assert "no such file or folder" in ws.chat.ask(f"ingest the folder {tmp_path / 'not-yet'}").text


def test_row_values_keep_their_inner_and_and_commas(ws: Workspace) -> None:
    create = ws.chat.ask("Create a table called books with columns title, author and year").actions[0]
    ws.chat.actions.approve(create.id)
    add = ws.chat.ask("Add a row to books with title = War and Peace, author = Tolstoy, year = 1869").actions[0]
    assert add.params["rows"] == [{"title": "War and Peace", "author": "Tolstoy", "year": "1869"}]
    other = ws.chat.ask("add a row to books: title = Peace, Love and Understanding and author = Nick Lowe")
    assert other.actions[0].params["rows"] == [{"title": "Peace, Love and Understanding", "author": "Nick Lowe"}]
    for action in (add, other.actions[0]):
        assert ws.chat.actions.approve(action.id)[0].status == "executed"
    assert ws.tables.query("SELECT title, author FROM books ORDER BY title")[1] == [
        ("Peace, Love and Understanding", "Nick Lowe"), ("War and Peace", "Tolstoy")]
    placed = ws.chat.ask("Add a row to books with Dune, author = Herbert")  # a value in the first free column
    assert placed.actions[0].params["rows"] == [{"title": "Dune", "author": "Herbert"}]
    refused = ws.chat.ask("Add a row to books with Dune, Herbert, 1965, hardback")
    assert refused.actions == [] and "I could not place “hardback”" in refused.text, refused.text
    assert len(ws.chat.actions.list()) == 4


def test_a_raised_policy_applies_to_actions_already_pending(ws: Workspace, docs: Path) -> None:
    action = ws.chat.actions.propose("ingest", {"paths": [str(docs)]})
    assert action.tier == 2
    ws.set_setting("action_tiers", "ingest=3")
    with pytest.raises(NotApproved, match="reason"):
        ws.chat.actions.approve(action.id)
    assert ws.chat.actions.get(action.id).status == "pending" and ws.status()["documents"] == 0
    done, _ = ws.chat.actions.approve(action.id, reason="checked the folder")
    assert done.status == "executed" and done.tier == 3 and done.reason == "checked the folder"


def test_delete_document_names_a_workspace_document_or_proposes_nothing(ws: Workspace, docs: Path) -> None:
    (docs / "my notes.txt").write_text("Buy more seed potatoes.\n", encoding="utf-8")
    (docs / "sub" / "notes.txt").write_text("Second notes file.\n", encoding="utf-8")
    ws.ingest([docs])
    spaced = ws.chat.ask("Delete the document my notes.txt").actions
    assert [(a.type, a.params["path"]) for a in spaced] == [("delete_document", str(docs / "my notes.txt"))]
    ghost = ws.chat.ask("Delete the document ghost.txt")
    assert ghost.actions == [] and "No document in your workspace is called ghost.txt" in ghost.text
    both = ws.chat.ask("forget the file notes.txt")
    assert both.actions == [] and str(docs / "notes.txt") in both.text and str(docs / "sub" / "notes.txt") in both.text
    one = ws.chat.ask("forget the file sub/notes.txt").actions
    assert [a.params["path"] for a in one] == [str(docs / "sub" / "notes.txt")]
    with pytest.raises(PolicyViolation, match="ghost.txt"):
        ws.chat.actions.propose("delete_document", {"path": str(docs / "ghost.txt")})
    assert len(ws.chat.actions.list()) == 2


def test_created_columns_are_named_as_the_table_names_them(ws: Workspace) -> None:
    create = ws.chat.ask("Create a table called weird with columns first name, select, from, order").actions[0]
    assert create.summary == "Create table weird (first_name, select_, from_, order_)"
    done, _ = ws.chat.actions.approve(create.id)
    assert done.result["columns"] == ["first_name", "select_", "from_", "order_"]
    add = ws.chat.ask("Add a row to weird with First Name = Ann, Select: yes").actions[0]
    assert add.params["rows"] == [{"first_name": "Ann", "select_": "yes"}]
    assert ws.chat.actions.approve(add.id)[0].status == "executed"
    assert ws.tables.query("SELECT first_name, select_ FROM weird")[1] == [("Ann", "yes")]
    unknown = ws.chat.ask("Add a row to weird with nickname = Annie")
    assert unknown.actions == [] and "no column called 'nickname'" in unknown.text
    duplicate = ws.chat.ask("Create a table called people with columns name, Name, name")
    assert duplicate.actions == [] and "would all be called 'name'" in duplicate.text
    budget = ws.chat.ask("Create a table called budget with columns R&D budget; year").actions[0]
    assert budget.params["columns"] == ["r_d_budget", "year"]


def _store_unchecked(ws: Workspace, name: str, value: str) -> None:
    """A setting as an older build (or a hand edit) may have left it: not checked."""
    import json

    from sqlalchemy import text

    with ws._write_engine.begin() as conn:
        conn.execute(text("INSERT INTO settings(name, value) VALUES (:n, :v) "
                          "ON CONFLICT(name) DO UPDATE SET value=excluded.value"), {"n": name, "v": json.dumps(value)})


def test_a_malformed_policy_setting_is_refused_and_never_blocks_tier_one(ws: Workspace) -> None:
    with pytest.raises(SettingError, match="add_rows=three"):
        ws.set_setting("action_tiers", "add_rows=three")
    _store_unchecked(ws, "action_tiers", "add_rows=three")
    status = ws.chat.ask("Show me the workspace status")
    assert [(a.type, a.status) for a in status.actions] == [("status", "executed")]
    assert "add_rows=three" in status.text and "default tier" in status.text
    from engine.chat.actions import check_setting  # what the code that stores settings calls first

    with pytest.raises(PolicyViolation, match="add_rows=three"):
        check_setting("action_tiers", "add_rows=three")
    check_setting("action_tiers", "add_rows=3, ingest=3")


def test_status_counts_memory_tables_and_tabular_files_apart(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])  # sales.csv is a tabular file
    create = ws.chat.ask("Create a table called pantry with fields item and shelf").actions[0]
    ws.chat.actions.approve(create.id)
    tables = ws.chat.telemetry()["tables"]
    status = ws.chat.ask("how many tables do I have?")
    assert status.actions[0].type == "status"
    assert f"**{tables} memory tables**" in status.text and "1 tabular file)" in status.text


def test_a_folder_named_in_words_is_ingested_only_when_it_exists(ws: Workspace, tmp_path: Path, monkeypatch) -> None:
    from engine.chat.intents import match

    monkeypatch.setenv("HOME", str(tmp_path))
    for request in ["index my Documents folder", "Import the files folder", "load my docs folder please"]:
        assert match(request) == []  # no such folder: nothing made up from the current directory
    (tmp_path / "Documents").mkdir()
    assert match("index my Documents folder") == [("ingest", {"paths": [str(tmp_path / "Documents")]})]
    assert match("Load balancing/failover: how does the guide handle it?") == []


def test_a_created_table_has_exactly_the_columns_approved(ws: Workspace) -> None:
    create = ws.chat.ask("Create a table called survey with columns question, yes, no").actions[0]
    done, _ = ws.chat.actions.approve(create.id)
    assert done.status == "executed" and done.result["columns"] == ["question", "yes", "no"]
    assert ws.tables.query("SELECT count(*) FROM survey")[1] == [(0,)]  # the names are not a row
    add = ws.chat.ask("Add a row to survey with question = Coffee?, yes = 3, no = 1").actions[0]
    assert ws.chat.actions.approve(add.id)[0].status == "executed"
    assert ws.tables.query("SELECT question, yes, no FROM survey")[1] == [("Coffee?", "3", "1")]


def test_an_action_interrupted_while_it_runs_is_recorded_as_failed(ws: Workspace, docs: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    action = ws.chat.actions.propose("ingest", {"paths": [str(docs)]})

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ws, "ingest", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ws.chat.actions.approve(action.id)
    stopped = ws.chat.actions.get(action.id)
    assert stopped.status == "failed" and (stopped.error or "").startswith("Interrupted (KeyboardInterrupt)")
    assert audit_actions(ws, action.id) == ["action.propose", "action.approve", "action.fail"]
    monkeypatch.undo()
    again, _ = ws.chat.actions.approve(action.id)  # approving it again runs it again
    assert again.status == "executed" and again.error is None and ws.status()["documents"] == 5
    assert audit_actions(ws, action.id)[3:] == ["action.approve", "action.execute"]


@pytest.mark.parametrize("request_text", [
    "create a table called pets with name and age",
    "make a pets table with name and age columns",
    "create table pets (name text, age integer)",
    "Please create a table named pets with name and age columns",
])
def test_table_requests_in_everyday_words_are_recognised(ws: Workspace, request_text: str) -> None:
    create = ws.chat.ask(request_text).actions[0]
    assert (create.type, create.params["table"], create.params["columns"]) == ("create_table", "pets", ["name", "age"])
    ws.chat.actions.approve(create.id)
    drop = ws.chat.ask("delete the pets table").actions[0]
    assert (drop.type, drop.params["table"], drop.tier) == ("delete_table", "pets", 3)


def test_a_table_made_in_chat_has_the_column_types_asked_for(ws: Workspace) -> None:
    create = ws.chat.ask("Create a table trips with columns date (date), city, cost (number)").actions[0]
    assert create.summary == "Create table trips (date: date, city: text, cost: number)"  # the card shows them
    assert ws.chat.actions.approve(create.id)[0].status == "executed"
    assert [(c.name, c.type) for c in ws.tables.columns("trips")] == [
        ("date", "DATE"), ("city", "VARCHAR"), ("cost", "DOUBLE")]
    add = ws.chat.ask("add a row to trips: date = 2025-05-12, city = Lisbon, cost = 48.50").actions[0]
    assert ws.chat.actions.approve(add.id)[0].status == "executed"
    assert ws.tables.query("SELECT sum(cost), max(date) FROM trips")[1][0][0] == 48.5
    other = ws.chat.ask("create a table called years with columns year: whole number, paid (amount), ok as yes/no")
    assert other.actions[0].params["types"] == {"year": "BIGINT", "paid": "DECIMAL(18,2)", "ok": "BOOLEAN"}
    bills = ws.chat.ask("create a table called bills with columns cost (number), due date, phone number").actions[0]
    assert bills.params["columns"] == ["cost", "due_date", "phone_number"]  # names ending in a type word
    assert bills.params["types"] == {"cost": "DOUBLE"}


def test_a_column_type_grace_does_not_know_is_refused_naming_the_types_it_knows(ws: Workspace) -> None:
    answer = ws.chat.ask("Create a table trips with columns date (date), cost (banana)")
    assert answer.actions == []
    assert ("I could not propose that: “banana” (the type of column cost) is not a column type Grace knows; a column "
            "can be text, whole number, number, amount, yes/no, date, date and time, time, JSON.") in answer.text
    with pytest.raises(PolicyViolation, match="“VARCHAR; DROP TABLE x” .* is not a column type"):
        ws.chat.actions.propose("create_table", {"table": "t", "columns": ["a"],
                                                 "types": {"a": "VARCHAR; DROP TABLE x"}})


def test_the_outcomes_of_actions_that_waited_for_a_decision_are_events_for_the_activity_log(ws: Workspace) -> None:
    create = ws.chat.ask("create a table called books with columns title and year").actions[0]
    ws.chat.actions.approve(create.id)
    add = ws.chat.ask("add a row to books: title = Ulysses, year = 1922").actions[0]
    ws.chat.actions.reject(add.id, "changed my mind")
    drop = ws.chat.ask("delete the table books").actions[0]
    ws.chat.actions.approve(drop.id, "test table no longer needed")
    ws.chat.ask("show me the workspace status")  # read-only: it ran at once, nothing was decided
    events = ws.chat.actions.events()
    assert [(e["action"], e["governed"].id, e["actor"]) for e in events] == [
        ("action.execute", drop.id, "user"), ("action.reject", add.id, "user"), ("action.execute", create.id, "user")]
    assert events[0]["governed"].reason == "test table no longer needed"
    assert events[1]["details"]["reason"] == "changed my mind"


def test_questions_about_creating_tables_are_questions_and_a_missing_table_is_not_proposed_for_deletion(
        ws: Workspace) -> None:
    for question in ("Can you create a table in SQLite with a primary key?",
                     "Can you make a temporary table with the same name as a regular one?",
                     "How do I create a table with a generated column?"):
        assert ws.chat.ask(question).actions == [], question
    contents = ws.chat.ask("Remove the table of contents.")
    assert contents.actions == [] and "There is no memory table called of_contents" in contents.text


def test_the_person_s_reason_is_the_one_a_drop_records(ws: Workspace) -> None:
    ws.chat.actions.approve(ws.chat.ask("create a table called pets with name and age").actions[0].id)
    drop = ws.chat.actions.propose("delete_table", {"table": "pets", "reason": "the model's own reason"},
                                   proposed_by="endpoint")
    ws.chat.actions.approve(drop.id, reason="typed by the person")
    drops = [e for e in ws.audit_entries(100) if "typed by the person" in str(e["details"])]
    assert drops and not any("the model's own reason" in str(e["details"]) for e in ws.audit_entries(100)
                             if e["action"] != "action.propose")


def test_rows_a_protected_table_holds_for_approval_are_said_to_wait(ws: Workspace, docs: Path) -> None:
    from engine.chat.render import action_text

    ws.ingest([docs])  # the catalog's tables exist from the first ingest; compliance is protected
    column = next(c.name for c in ws.tables.columns("compliance") if not c.name.startswith("_"))
    add = ws.chat.ask(f"Add a row to compliance with {column} = GDPR-1").actions[0]
    done, _ = ws.chat.actions.approve(add.id)
    assert ws.tables.query("SELECT count(*) FROM compliance")[1] == [(0,)]
    waiting = done.result["proposals"]
    assert action_text([done]) == (f"Table compliance keeps new rows for your approval, so 1 row waits as proposal "
                                   f"{waiting[0]} in Approvals.")


# -- a run cut short ----------------------------------------------------------------------------------

STUCK = """
import os, sys, time
from engine import Workspace

folder, action_id, started, go_on = sys.argv[1:]
ws = Workspace(folder)
ingest = ws.ingest

def stuck(*args, **kwargs):
    open(started, "w").close()
    while not os.path.exists(go_on):
        time.sleep(0.05)
    return ingest(*args, **kwargs)

ws.ingest = stuck
print(ws.chat.actions.approve(int(action_id))[0].status)
ws.close()
"""


@contextmanager
def approving_elsewhere(folder: Path, action_id: int, scratch: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Another process approving the ingest ``action_id``, its run held up inside the ingest until
    the file it yields is made; yields once the run has begun (a bounded wait, no measure of time)."""
    started, go_on = scratch / "started", scratch / "go-on"
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    with open(scratch / "stderr.txt", "w") as err:
        proc = subprocess.Popen([sys.executable, "-c", STUCK, str(folder), str(action_id), str(started), str(go_on)],
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": path}, stdout=subprocess.PIPE,
                                stderr=err, text=True)
    try:
        for _ in range(3000):
            if started.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert started.exists(), (scratch / "stderr.txt").read_text()
        yield proc, go_on
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=600)


def test_an_action_whose_process_was_killed_is_recorded_as_interrupted_and_runs_again(
        ws: Workspace, docs: Path, tmp_path: Path) -> None:
    action = ws.chat.actions.propose("ingest", {"paths": [str(docs)]})
    with approving_elsewhere(ws.folder, action.id, tmp_path) as (proc, _):
        assert ws.chat.actions.get(action.id).status == "approved"  # it runs: left alone
        proc.kill()  # kill -9: nothing in that process records anything
        proc.wait(600)
    listed = {a.id: a for a in ws.chat.actions.list()}[action.id]
    assert listed.status == "failed"
    assert (listed.error or "").startswith("Interrupted: Grace stopped while it ran")
    assert audit_actions(ws, action.id) == ["action.propose", "action.approve", "action.fail"]
    assert ws.chat.actions.list(status="approved") == []
    assert f"action {action.id} (ingest)" in ws.chat.ask("show me recent errors").text

    again, _ = ws.chat.actions.approve(action.id)
    assert again.status == "executed" and again.error is None and ws.status()["documents"] == 5
    assert audit_actions(ws, action.id)[3:] == ["action.approve", "action.execute"]
    approvals = [e for e in ws.audit_entries(100) if e["action"] == "action.approve"]
    assert approvals[0]["details"]["again"] is True  # (newest first)


def test_an_approved_action_that_is_stale_is_run_again_by_approving_it(ws: Workspace, docs: Path,
                                                                      tmp_path: Path) -> None:
    action = ws.chat.actions.propose("ingest", {"paths": [str(docs)]})
    with approving_elsewhere(ws.folder, action.id, tmp_path) as (proc, _):
        proc.kill()
        proc.wait(600)
    done, _ = ws.chat.actions.approve(action.id)  # no listing first
    assert done.status == "executed" and ws.status()["documents"] == 5
    assert audit_actions(ws, action.id) == ["action.propose", "action.approve", "action.fail", "action.approve",
                                            "action.execute"]


def test_an_action_another_process_is_running_is_left_approved(ws: Workspace, docs: Path, tmp_path: Path) -> None:
    action = ws.chat.actions.propose("ingest", {"paths": [str(docs)]})
    with approving_elsewhere(ws.folder, action.id, tmp_path) as (proc, go_on):
        assert [a.status for a in ws.chat.actions.list()] == ["approved"]
        assert ws.chat.actions.get(action.id).status == "approved"
        with pytest.raises(GraceError, match="running now"):
            ws.chat.actions.approve(action.id)
        with pytest.raises(GraceError, match="running now"):
            ws.chat.actions.execute(action.id)
        go_on.touch()
        out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0 and out.strip() == "executed"
    assert ws.chat.actions.get(action.id).status == "executed" and ws.status()["documents"] == 5
    assert audit_actions(ws, action.id) == ["action.propose", "action.approve", "action.execute"]
    assert list((ws.folder / "tmp" / "actions").iterdir()) == []  # no lock file is left behind


def test_an_action_another_thread_is_running_is_left_approved(ws: Workspace, docs: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    action = ws.chat.actions.propose("ingest", {"paths": [str(docs)]})
    started, go_on = threading.Event(), threading.Event()
    ingest = ws.ingest

    def stuck(*args: object, **kwargs: object) -> object:
        started.set()
        go_on.wait(600)
        return ingest(*args, **kwargs)

    monkeypatch.setattr(ws, "ingest", stuck)
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(ws.chat.actions.approve(action.id)[0]), daemon=True)
    worker.start()
    try:
        assert started.wait(600)
        assert [a.status for a in ws.chat.actions.list()] == ["approved"]
        assert ws.chat.actions.get(action.id).status == "approved"
    finally:
        go_on.set()
        worker.join(600)
    assert ws.chat.actions.get(action.id).status == "executed"


def test_proposals_that_could_not_run_are_refused_when_proposed(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])  # the catalog's tables exist from the first ingest; finance_treasury is protected
    propose = ws.chat.actions.propose
    with pytest.raises(PolicyViolation, match="no memory table called unicorns to add rows to"):
        propose("add_rows", {"table": "unicorns", "rows": [{"name": "Sparkle"}]})
    with pytest.raises(PolicyViolation, match="finance_treasury is protected"):
        propose("delete_table", {"table": "finance_treasury"})
    create = propose("create_table", {"table": "books", "columns": ["title", "year"]})
    waiting = propose("add_rows", {"table": "books", "rows": [{"title": "Dune", "year": "1965"}]})  # after it
    assert waiting.summary == "Add 1 row to books: title=Dune, year=1965"
    ws.chat.actions.approve(create.id)
    with pytest.raises(PolicyViolation, match=r"books exists already \(columns: title, year\)"):
        propose("create_table", {"table": "books", "columns": ["name", "age"]})
    many = propose("add_rows", {"table": "books", "rows": [{"title": t, "year": "2000"} for t in "ABC"]})
    assert many.summary == "Add 3 rows to books: title=A, year=2000; title=B, year=2000; and 1 more"
    assert ws.chat.actions.list(status="pending")[0].id == many.id and len(ws.chat.actions.list()) == 3


def test_table_rows_never_answer_for_a_column_the_table_lacks(ws: Workspace) -> None:
    ws.chat.actions.approve(ws.chat.ask("create a table called books with title, author and year").actions[0].id)
    ws.chat.actions.approve(ws.chat.ask("add rows to books: title = Emma, author = Jane Austen, year = 1815; "
                                        "title = Dune, author = Frank Herbert, year = 1965").actions[0].id)
    isbn = ws.chat.ask("What is the ISBN of books by Jane Austen?")
    assert isbn.abstained and isbn.confidence < 0.5
    assert "no column or value in them matches “ISBN”" in isbn.text and "| Emma | Jane Austen | 1815 |" in isbn.text
    year = ws.chat.ask("What is the year of Emma by Jane Austen in my books?")
    assert not year.abstained and "| Emma | Jane Austen | 1815 |" in year.text
    wrote = ws.chat.ask("Who wrote Dune?")  # "wrote" asks for the author column, by meaning: less sure
    assert not wrote.abstained and "| Dune | Frank Herbert | 1965 |" in wrote.text and 0.5 < wrote.confidence < 0.9
    published = ws.chat.ask("Who published Dune?")  # no publisher column: the author is not the answer
    assert published.abstained and "no column or value in them matches “published”" in published.text


def test_a_row_only_the_tables_hold_is_looked_up_by_the_column_a_question_names(ws: Workspace, tmp_path: Path) -> None:
    for request in ("create a table called batches with batch_id, beer, tank and brewer",
                    "add rows to batches: batch_id = 24-007, beer = Nightjar, tank = FV4, brewer = Leo Marsh; "
                    "batch_id = 24-008, beer = Pale Ghost, tank = FV2, brewer = Ana Silva"):
        ws.chat.actions.approve(ws.chat.ask(request).actions[0].id)
    (tmp_path / "cellar.txt").write_text(
        "Cellar notes\n\nEvery batch is fermented for ten days in one of our six tanks, FV1 to FV6, before it is "
        "moved to a conditioning tank. The brewer who brewed a batch writes the tank on the batch sheet.\n")
    ws.ingest([tmp_path / "cellar.txt"])
    tank = ws.chat.ask("Which tank was batch 24-007 fermented in?")  # "fermented" names no column
    assert not tank.abstained and tank.text.startswith("tank of 24-007: **FV4**"), tank.text
    brewer = ws.chat.ask("Who brewed batch 24-008?")  # the files speak of brewers, not of 24-008
    assert not brewer.abstained and brewer.text.startswith("brewer of 24-008: **Ana Silva**"), brewer.text
    assert not any(c.path.endswith("cellar.txt") for c in brewer.citations)
    abv = ws.chat.ask("What's the ABV of batch 24-007?")  # no column for it: the row is only related
    assert abv.abstained and "Related rows (they do not answer it" in abv.text and "| 24-007 |" in abv.text


def test_rows_that_only_share_a_name_are_left_out_of_an_answer_from_the_files(ws: Workspace, tmp_path: Path) -> None:
    for request in ("create a table called subscriptions with service, owner and price",
                    "add rows to subscriptions: service = Netflix, owner = Tom, price = 13.99"):
        ws.chat.actions.approve(ws.chat.ask(request).actions[0].id)
    (tmp_path / "running.txt").write_text("Running plans\n\nTom's marathon goal time is 3 hours 45 minutes, set for "
                                          "the Hamburg marathon in April.\n")
    ws.ingest([tmp_path / "running.txt"])
    goal = ws.chat.ask("What is Tom's marathon goal time?")
    assert not goal.abstained and "3 hours 45 minutes" in goal.text
    assert "Netflix" not in goal.text and all(c.path.endswith("running.txt") for c in goal.citations)
    named = ws.chat.ask("What does Tom pay for subscriptions?")  # the table named: its rows come along
    assert "| Netflix | Tom | 13.99 |" in named.text


def test_telemetry_counts_the_persons_tables_not_the_empty_catalog(ws: Workspace) -> None:
    assert ws.chat.telemetry()["tables"] == 0  # the catalog's domain tables are there, empty
    create = ws.chat.ask("Create a table called pantry with fields item and shelf").actions[0]
    ws.chat.actions.approve(create.id)
    assert ws.chat.telemetry()["tables"] == 1  # an empty table the person made counts


def test_when_of_a_row_is_its_date_of_what_the_question_says(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "enrolments.csv").write_text(
        "enrolment_id,enrolled_on,student_name,course_code,payment_method,paid_on\n"
        "E-31,2025-08-06,Małgorzata Nowak,ES-A1,bank transfer,2025-08-13\n"
        "E-40,2025-09-01,Tom Weber,FR-B1,card,2025-09-20\n")
    assert ws.tables.import_file(tmp_path / "enrolments.csv").status == "applied"
    # her row in another table, whose date is of something else, does not count as a row asked about
    (tmp_path / "students.csv").write_text("student_name,registered_on\nMałgorzata Nowak,2025-07-01\n"
                                           "Tom Weber,2025-08-20\n")
    ws.tables.import_file(tmp_path / "students.csv")
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    # "pay" and "course" name payment_method and course_code, neither a date: the date of paying answers
    paid = ws.chat.ask("When did Małgorzata Nowak pay for her course?")
    assert paid.text.startswith("paid_on of Małgorzata Nowak: **2025-08-13**"), paid.text
    assert "registered_on of" not in paid.text


def test_a_look_up_by_a_name_the_notes_also_say_answers_from_its_row_and_says_a_blank_cell(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text("name,role,mobile\nGráinne Walsh,nurse,087 662 0415\n"
                                        "Mateusz Wójcik,vet,\n")
    (tmp_path / "clients.csv").write_text("client,town,phone\nConor Walsh,Bandon,021 555 0101\n"
                                          "Aoife Walsh,Kinsale,021 555 0102\nSeán Walsh,Cork,021 555 0103\n")
    (tmp_path / "minutes.md").write_text("# Staff meeting\n\nGráinne Walsh and Mateusz Wójcik will run the rabbit "
                                         "morning in October.\n")
    ws.ingest([tmp_path / "minutes.md"])
    for name in ("staff.csv", "clients.csv"):
        ws.tables.import_file(tmp_path / name)
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    found = ws.chat.ask("What's Gráinne Walsh's mobile number?")  # her row, not the other Walshes'
    assert found.text.startswith("mobile of Gráinne Walsh: **087 662 0415**"), found.text
    blank = ws.chat.ask("What's Mateusz Wójcik's mobile number?")  # his row has none: not the row as an answer
    assert blank.abstained and "the mobile of Mateusz Wójcik is blank in staff" in blank.text, blank.text


def test_a_look_up_goes_before_notes_that_answer_around_it_and_asks_for_the_right_kind(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "tenants.csv").write_text("name,flat,phone,e-mail,moved_in\n"
                                          "Anna Kowalski,A1,+49 170 4412 883,anna.k@example.org,2019-03-01\n"
                                          "Greta Lindqvist,B3,+49 175 6602 7731,greta.l@example.org,2018-06-01\n")
    (tmp_path / "call-anna.md").write_text("# Call with Anna Kowalski\n\nAnna Kowalski called about her phone "
                                           "contract and the new dishwasher in the kitchen.\n")
    ws.ingest([tmp_path / "call-anna.md"])
    ws.tables.import_file(tmp_path / "tenants.csv")
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    phone = ws.chat.ask("what's Anna Kowalski's phone number")  # the notes answer around it: the row goes first
    assert phone.text.startswith("phone of Anna Kowalski: **+49 170 4412 883**"), phone.text
    # a column of one-letter part ("e_mail") said as written, in a cell that holds the name too
    email = ws.chat.ask("Greta's email?")
    assert "e_mail of Greta Lindqvist: **greta.l@example.org**" in email.text, email.text
    keys = ws.chat.ask("how many keys did Greta get when she moved in?")  # a number: not the date moved in
    assert "moved_in of Greta" not in keys.text, keys.text


def _table(ws: Workspace, path: Path, body: str) -> None:
    """``body`` written to ``path`` and made a table (approved when it waits for approval)."""
    path.write_text(body, encoding="utf-8")
    proposal = ws.tables.import_file(path)
    if proposal.status == "pending":
        ws.tables.approve(proposal.id)


def test_rows_answer_only_when_one_row_holds_the_words_only_cells_say(ws: Workspace, tmp_path: Path) -> None:
    _table(ws, tmp_path / "equipment.csv",
           "item,location,status,notes\nX-ray unit,Storage,sold,sold to Hilltop Farm Vets July 2024\n"
           "Ultrasound scanner,Consult room 3,under repair,probe fault reported 2 May 2024\n"
           "Autoclave,Prep room,in use,\nAnaesthetic machine,Theatre,in use,serviced in March\n"
           "Dental unit,Theatre,in use,\n")
    # "consult" is in one row, "July 2024" in another: together they "account" for it, yet neither answers
    scattered = ws.chat.ask("How many consultations were there in July 2024?")
    assert scattered.abstained and scattered.confidence < 0.5, scattered.text
    together = ws.chat.ask("Which equipment was sold to Hilltop Farm Vets in July 2024?")
    assert not together.abstained and "| X-ray unit |" in together.text, together.text


def test_who_is_playing_a_part_is_the_person_of_the_row_that_names_it(ws: Workspace, tmp_path: Path) -> None:
    _table(ws, tmp_path / "cast_list.csv",
           "Role,Actor,Understudy,Email\nJack Worthing,Tomás Ferreira,Arjun Mehta,tomas@example.org\n"
           "Lady Bracknell,Hélène Marchetti,,helene@example.org\n"
           "Gwendolen Fairfax,Chloé Dubois,Niamh Walsh,chloe@example.org\n"
           "Cecily Cardew,Rosa Lind,Mia Stone,rosa@example.org\nMiss Prism,Gwen Lloyd,,gwen@example.org\n")
    for question in ("Who's playing Lady Bracknell?", "Who plays Lady Bracknell?"):
        answer = ws.chat.ask(question)  # it was declined, the answering row shown as "they do not answer it"
        assert not answer.abstained and answer.text.startswith("actor of Lady Bracknell: **Hélène Marchetti**"), \
            answer.text
    published = ws.chat.ask("Who published Lady Bracknell?")  # a verb naming no column is still no look-up
    assert published.abstained, published.text


def test_a_name_typed_without_its_accent_looks_up_its_row(ws: Workspace, tmp_path: Path) -> None:
    _table(ws, tmp_path / "staff.csv",
           "name,role,email,extension\nChloé Martin,Receptionist,chloe@millbrookvets.org,100\n"
           "Zoë Lindqvist,Head nurse,zoe@millbrookvets.org,210\nKwame Mensah,Nurse,kwame@millbrookvets.org,211\n"
           "Ben Hartley,Student nurse,ben@millbrookvets.org,212\n")
    (tmp_path / "minutes.txt").write_text("Staff meeting\n\nChloé to update the website and the phone message.\n")
    ws.ingest([tmp_path / "minutes.txt"])
    answer = ws.chat.ask("What's Chloe's email address?")
    assert answer.text.startswith("email of Chloé Martin: **chloe@millbrookvets.org**"), answer.text


def test_a_day_of_the_week_picks_the_rows_dated_on_it_and_rows_saying_every_word_come_first(
        ws: Workspace, tmp_path: Path) -> None:
    rows = [("Wed 07/05/2025", "Evening", "Bar", "Owain Price"), ("Wed 07/05/2025", "Evening", "Usher", "Sam Okonjo"),
            ("Thu 08/05/2025", "Evening", "Bar", "Dave Pritchard"),
            ("Fri 09/05/2025", "Evening", "Bar", "Ffion Roberts"),
            ("Sat 10/05/2025", "Matinee", "Duty manager", "Priya Raman")]
    rows += [("Sat 10/05/2025", "Matinee", "Usher", name) for name in ("Margaret Okafor", "Bea Lind", "Sam Okonjo",
                                                                        "Tom Hale", "Aoife Brennan", "Ollie Stanton")]
    rows += [("Sat 10/05/2025", "Matinee", "Bar", "Ewan MacLeod"), ("Sat 10/05/2025", "Matinee", "Bar", "Owain Price"),
             ("Sat 10/05/2025", "Evening", "Bar", "Rosalind Achterberg")]
    _table(ws, tmp_path / "foh_rota.tsv",
           "Date\tPerformance\tRole\tVolunteer\n" + "".join("\t".join(r) + "\n" for r in rows))
    answer = ws.chat.ask("Who's doing the bar at the Saturday matinee?")
    assert not answer.abstained, answer.text
    assert "| Ewan MacLeod |" in answer.text and "| Owain Price |" in answer.text, answer.text
    assert "Priya Raman" not in answer.text and "Rosalind Achterberg" not in answer.text, answer.text
