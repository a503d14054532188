"""A row said in words, added to the table a request names in words (``engine.chat.placing``):
over real DuckDB and the real model, and the placing rules alone."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from engine import Workspace
from engine.chat.placing import place, table_named

BOXES = """box_no,room,contents,fragile,weight_kg
1,kitchen,plates and bowls,yes,14.5
2,kitchen,pans,no,16.2
3,study,books,no,21.0
"""
COLUMNS = [("box_no", "BIGINT"), ("room", "VARCHAR"), ("contents", "VARCHAR"), ("fragile", "BOOLEAN"),
           ("weight_kg", "DOUBLE")]


@pytest.fixture
def boxes(ws: Workspace, tmp_path: Path) -> Workspace:
    path = tmp_path / "packing_inventory.csv"
    path.write_text(BOXES)
    assert ws.tables.import_file(path).status == "applied"
    return ws


def test_a_row_for_a_table_named_in_words_is_placed_in_its_columns_and_added_after_approval(
        boxes: Workspace) -> None:
    answer = boxes.chat.ask("add a row to the packing inventory: box 37, hall, shoe rack, not fragile, 6 kg")
    (action,) = answer.actions
    assert (action.type, action.status, action.params["table"]) == ("add_rows", "pending", "packing_inventory")
    assert action.params["rows"] == [{"box_no": "37", "room": "hall", "contents": "shoe rack", "fragile": "no",
                                      "weight_kg": "6"}]
    boxes.chat.actions.approve(action.id)
    assert boxes.tables.query("SELECT room, contents, fragile, weight_kg FROM packing_inventory WHERE box_no = 37"
                              ) == (["room", "contents", "fragile", "weight_kg"], [("hall", "shoe rack", False, 6.0)])


def test_values_written_as_pairs_keep_their_columns_for_a_table_named_in_words(boxes: Workspace) -> None:
    (action,) = boxes.chat.ask("add a row to the packing inventory: box_no = 38, room = loft").actions
    assert action.params == {"table": "packing_inventory", "rows": [{"box_no": "38", "room": "loft"}]}


def test_a_value_no_column_can_hold_is_named_and_nothing_is_proposed(boxes: Workspace) -> None:
    answer = boxes.chat.ask("add a row to the packing inventory: 4, attic, lamp, yes, 3.5, blue")
    assert answer.actions == []
    assert "I could not place “blue” in a column of the table" in answer.text, answer.text


@pytest.mark.parametrize(("parts", "row"), [
    (["Hollie Grant", "bride side", "rsvp yes", "table 6"],
     {"name": "Hollie Grant", "side": "bride", "rsvp": "yes", "table_no": "6"}),
    (["Ana Ruiz", "plus one", "groom side"], {"name": "Ana Ruiz", "side": "groom", "plus_one": "yes"}),
])
def test_parts_find_their_columns_by_a_word_of_the_column_s_name(parts: list[str], row: dict[str, str]) -> None:
    columns = [("name", "VARCHAR"), ("side", "VARCHAR"), ("rsvp", "BOOLEAN"), ("table_no", "BIGINT"),
               ("plus_one", "BOOLEAN")]
    assert place(parts, columns) == row


def test_a_table_is_named_by_the_first_words_of_its_name_and_the_shortest_such_name_wins() -> None:
    tables = [("moving_budget", COLUMNS), ("moving_budget_v1_12_01_2026", COLUMNS), ("guest_list", COLUMNS),
              ("guest_rooms", COLUMNS)]
    assert table_named("moving budget", tables) == ("moving_budget", COLUMNS)
    assert table_named("guests list", tables) == ("guest_list", COLUMNS)
    assert table_named("guest", tables) is None  # two tables begin so: which one is not guessed


def test_a_row_said_as_a_sentence_is_not_guessed_into_columns(boxes: Workspace) -> None:
    answer = boxes.chat.ask("add a row to the packing inventory - the lamp went in box 40 in the hall")
    assert answer.actions == []
    assert "Give the values separated by commas, in the order box_no, room, contents, fragile, weight_kg" in answer.text


def test_a_day_said_in_words_is_a_date_a_code_is_no_date_and_a_number_keeps_no_unit() -> None:
    columns = [("date", "DATE"), ("form", "VARCHAR"), ("material", "VARCHAR"), ("kg", "DOUBLE"),
               ("weighed_by", "VARCHAR")]
    day = datetime.date(2026, 11, 24)
    placed = place(["today", "10C", "cans", "3.4 kg", "weighed by Mrs H"], columns, today=day)
    # was date=10C, form=today, weighed_by="by Mrs H"
    assert placed == {"date": "2026-11-24", "form": "10C", "material": "cans", "kg": "3.4", "weighed_by": "Mrs H"}
    costs = [("date", "DATE"), ("item", "VARCHAR"), ("cost", "DOUBLE")]
    assert place(["yesterday", "burrs", "£1,075.50"], costs, today=day) == {
        "date": "2026-11-23", "item": "burrs", "cost": "1075.50"}


def test_a_table_is_named_by_words_that_come_together_in_its_name_when_none_begins_with_them() -> None:
    tables = [("equipment_maintenance_log", COLUMNS), ("maintenance_contracts", COLUMNS), ("log_book", COLUMNS)]
    assert table_named("maintenance log", tables) == ("equipment_maintenance_log", COLUMNS)  # was no table
    assert table_named("maintenance", tables) == ("maintenance_contracts", COLUMNS)  # begins: as before
    assert table_named("log", tables) == ("log_book", COLUMNS)  # one word: only a name's beginning
