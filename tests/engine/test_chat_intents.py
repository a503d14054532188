"""The offline intent matcher reads requests in the words people use, and leaves questions
about the files alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace
from engine.chat.intents import SAY, match

PETS = ("create_table", {"table": "pets", "columns": ["name", "age"]})


@pytest.mark.parametrize(("request_text", "expected"), [
    ("set up a table for tracking pets with name and age", PETS),
    ("I need a new table for pets: name, age", PETS),
    ("new table pets (name, age)", PETS),
    ("create a pets table with a name and an age", PETS),
    ("I want a table to track my pets with name and age", PETS),
    ("create table pets (name varchar(20), age integer)",
     ("create_table", {"table": "pets", "columns": ["name", "age"], "types": {"name": "varchar", "age": "integer"}})),
    ("insert into books title = Dune, year = 1965",
     ("add_rows", {"table": "books", "rows": [{"title": "Dune", "year": "1965"}]})),
    ("add to the books table: title = Dune, year = 1965",
     ("add_rows", {"table": "books", "rows": [{"title": "Dune", "year": "1965"}]})),
    ("add rows to books: title = Dune, year = 1965; title = Emma, year = 1815",
     ("add_rows", {"table": "books", "rows": [{"title": "Dune", "year": "1965"}, {"title": "Emma", "year": "1815"}]})),
    ("insert into books (title, year) values ('Emma, a novel', 1815), ('Dune', 1965)",
     ("add_rows", {"table": "books", "rows": [{"title": "Emma, a novel", "year": "1815"},
                                             {"title": "Dune", "year": "1965"}]})),
    ("remove table vendors, we don't need it", ("delete_table", {"table": "vendors"})),
    ("get rid of the vendors table", ("delete_table", {"table": "vendors"})),
    ("give me a status report", ("status", {})),
    ("what errors happened during ingest", ("show_errors", {})),
    ("any issues with my files?", ("show_errors", {})),
    ("why did the PDF fail", ("show_errors", {"about": "pdf"})),
    ("why couldn't you read my json file", ("show_errors", {"about": "json"})),
    ("why wasn't my spreadsheet loaded?", ("show_errors", {"about": "xls"})),
    ("set ingest to tier 3", ("change_policy", {"kind": "ingest", "tier": 3})),
    ("require confirmation for adding rows", ("change_policy", {"kind": "add_rows", "tier": 3})),
    ("please change the policy so that new tables need tier 3", ("change_policy", {"kind": "create_table", "tier": 3})),
])
def test_requests_in_everyday_words_are_read(request_text: str, expected: tuple) -> None:
    assert match(request_text) == [expected]


@pytest.mark.parametrize("question", [
    "Can you make a temporary table with the same name as a regular one?",
    "Can you create a table in SQLite with a primary key?",
    "make a table of contents",
    "Please add 2/3 cup of sugar to the dough?",
    "why did the Roman empire fail",
    "Why didn't the treaty of Versailles hold?",
    "set the thermostat to tier 2",
    "what is the status of the Apollo project",
])
def test_questions_stay_questions(question: str) -> None:
    assert match(question) == []


def test_a_table_named_without_columns_is_asked_about() -> None:
    [(kind, params)] = match("create a table called orders")
    assert kind == SAY and "Which columns should the table orders have?" in params["text"]


def test_a_policy_change_is_a_tier_three_action_that_can_only_raise_a_tier(ws: Workspace, docs: Path) -> None:
    asked = ws.chat.ask("set ingest to tier 3")
    [action] = asked.actions
    assert (action.type, action.tier, action.status) == ("change_policy", 3, "pending")
    assert ws.setting("action_tiers") == ""  # nothing changes before the confirmation
    ws.chat.actions.approve(action.id, reason="check every import")
    assert ws.setting("action_tiers") == "ingest=3" and ws.chat.actions.tier_of("ingest") == 3
    lowered = ws.chat.ask("set ingest to tier 1")
    assert lowered.actions == [] and "never lower it below 2" in lowered.text
    back = ws.chat.ask("set ingest to tier 2").actions[0]
    ws.chat.actions.approve(back.id, reason="back to approval")
    assert ws.setting("action_tiers") == "" and ws.chat.actions.tier_of("ingest") == 2
    same = ws.chat.ask("require approval for adding rows")  # add_rows waits for approval already
    assert same.actions == [] and "add_rows actions are tier 2 already" in same.text


@pytest.mark.parametrize("follow_up", ["and what happens if it fails?", "why did it fail?", "is it broken?",
                                       "what went wrong with that one?"])
def test_a_question_pointing_back_into_the_chat_is_not_a_request(follow_up: str) -> None:
    assert match(follow_up) == []


def test_a_pointing_word_with_a_workspace_noun_is_still_a_request() -> None:
    assert match("did that file fail?") == [("show_errors", {})]
    assert match("why did this import fail?") == [("show_errors", {})]


DOCS = ["/notes/home/lease_summary.md", "/notes/pets/vet_records_pepper.txt", "/notes/recipes/sourdough_notes.txt",
        "/notes/work/notes.txt", "/notes/recipes/banana_bread.txt"]


@pytest.mark.parametrize(("request_text", "expected"), [
    ("could you start a table of my car repairs with date, garage and cost",
     ("create_table", {"table": "car repairs", "columns": ["date", "garage", "cost"]})),
    ("I'd like a new table for Lena's piano lessons with date, piece and teacher",
     ("create_table", {"table": "Lena's piano lessons", "columns": ["date", "piece", "teacher"]})),
    ("drop the car repairs table", ("delete_table", {"table": "car_repairs"})),
    ("remove table vendors please", ("delete_table", {"table": "vendors"})),
    ("add a row to car_repairs with date 2026-04-01, garage AutoFix and cost 95",
     ("add_rows", {"table": "car_repairs", "rows": [{"date": "2026-04-01", "garage": "AutoFix", "cost": "95"}]})),
    ("forget the lease document", ("delete_document", {"path": "/notes/home/lease_summary.md"})),
    ("remove Pepper's vet records, they're outdated",
     ("delete_document", {"path": "/notes/pets/vet_records_pepper.txt"})),
    ("remove notes", ("delete_document", {"path": "/notes/work/notes.txt"})),  # the one called so, not sourdough_notes
    ("please re-scan the recipes folder", ("ingest", {"paths": ["/notes/recipes"]})),
    ("refresh my pets folder please", ("ingest", {"paths": ["/notes/pets"]})),
])
def test_requests_name_tables_documents_and_folders_in_everyday_words(request_text: str, expected: tuple) -> None:
    assert match(request_text, lambda: DOCS) == [expected]


@pytest.mark.parametrize("question", ["delete the table", "remove my table", "delete the stain from the carpet",
                                      "how do I remove a stain?", "delete everything", "update the project folder "
                                      "structure", "remove the banana peel before baking"])
def test_a_verb_of_removing_without_a_table_or_document_it_names_stays_a_question(question: str) -> None:
    assert match(question, lambda: DOCS) == []


def test_a_document_that_is_not_there_is_said_so_and_a_folder_is_left_to_the_reasoner() -> None:
    assert match("please re-scan the corpus folder", lambda: DOCS) == []  # an endpoint may know better
    (doc,) = match("forget the tax document", lambda: DOCS)
    assert doc[0] == SAY and "No document in your workspace is called tax" in doc[1]["text"]


TRIPS = ("create_table", {"table": "trips", "columns": ["date", "city", "cost"],
                          "types": {"date": "date", "cost": "number"}})


@pytest.mark.parametrize(("request_text", "expected"), [
    ("Create a table trips with columns date (date), city, cost (number)", TRIPS),
    ("create a table called trips with columns date: date, city, cost: number", TRIPS),
    ("create a table called trips with columns date as a date, city and cost as number", TRIPS),
    ("create a table called trips with columns date DATE, city, cost NUMBER",
     ("create_table", {"table": "trips", "columns": ["date", "city", "cost"], "types": {"date": "DATE",
                                                                                      "cost": "NUMBER"}})),
    ("create a table called log with columns start (date and time), end: date and time, done (yes/no)",
     ("create_table", {"table": "log", "columns": ["start", "end", "done"],
                       "types": {"start": "date and time", "end": "date and time", "done": "yes/no"}})),
    ("create a table called years with columns year (integer)",
     ("create_table", {"table": "years", "columns": ["year"], "types": {"year": "integer"}})),
    ("create a table called contacts with columns name, phone number, due date",  # names, not types
     ("create_table", {"table": "contacts", "columns": ["name", "phone number", "due date"]})),
])
def test_a_column_type_in_parentheses_after_a_colon_or_as_is_read_apart_from_its_name(
        request_text: str, expected: tuple) -> None:
    assert match(request_text) == [expected]
