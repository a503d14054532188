"""Finding the rows of the person's tables that hold the words of a search (``Tables.find_rows``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace
from engine.tables import find
from engine.tables.api import DUCKDB_NAME

SUBSCRIPTIONS = ("service,plan,price,renews\n"
                 "Spotify Family,monthly,16.99,2024-03-01\n"
                 "Netflix,Standard,15.49,2024-03-05\n"
                 "The Times,digital 50%_off,9.5,2024-04-01\n")


@pytest.fixture
def subs(ws: Workspace, tmp_path: Path) -> Workspace:
    path = tmp_path / "subscriptions.csv"
    path.write_text(SUBSCRIPTIONS, encoding="utf-8")
    assert ws.tables.import_file(path).status == "applied"
    return ws


def _found(ws: Workspace, query: str, limit: int = 20) -> list[tuple[str, int]]:
    return [(r["table"], r["key"]) for r in ws.tables.find_rows(query, limit)]


def test_a_word_in_a_row_finds_the_row_with_its_key_cells_and_matched_column(subs: Workspace) -> None:
    assert subs.tables.find_rows("spotify") == [{
        "table": "subscriptions", "key": 1, "columns": ["service", "plan", "price", "renews"],
        "values": ["Spotify Family", "monthly", 16.99, "2024-03-01"], "matched": ["service"]}]


def test_every_word_must_be_in_the_row_in_any_text_column_and_any_case(subs: Workspace) -> None:
    row = subs.tables.find_rows("FAMILY Monthly?")[0]  # two columns, punctuation around a word dropped
    assert (row["key"], row["matched"]) == (1, ["service", "plan"])
    assert _found(subs, "spot") == [("subscriptions", 1)]  # a part of a word is enough
    assert _found(subs, "netflix spotify") == []  # in two rows, but no row holds both
    assert _found(subs, "the netflix") == [("subscriptions", 2)]  # a stop word is not asked for


def test_numbers_typed_match_numbers_and_dates_as_text(subs: Workspace) -> None:
    assert subs.tables.find_rows("16.99")[0]["matched"] == ["price"]
    assert _found(subs, "2024-03") == [("subscriptions", 1), ("subscriptions", 2)]
    assert _found(subs, "monthly 2024-03-01") == [("subscriptions", 1)]


def test_the_query_is_only_ever_text(subs: Workspace) -> None:
    assert _found(subs, "'; DROP TABLE subscriptions; --") == []
    assert _found(subs, "\" OR 1=1 --") == []
    assert _found(subs, "50%_off") == [("subscriptions", 3)]  # wildcards are literal
    assert _found(subs, "0%_o") == [("subscriptions", 3)]  # not "0, anything, one character, o"
    assert _found(subs, "%") == _found(subs, "_") == []  # punctuation alone is no word
    assert subs.tables.count("subscriptions") == 3


def test_blank_queries_find_nothing(subs: Workspace) -> None:
    for query in ("", "   ", "?!", "“”"):
        assert subs.tables.find_rows(query) == []
    assert subs.tables.find_rows("spotify", limit=0) == []


def test_a_workspace_without_tables_finds_nothing_and_makes_no_tables_file(ws: Workspace) -> None:
    assert not (ws.folder / DUCKDB_NAME).exists()
    assert ws.tables.find_rows("spotify") == []
    assert not (ws.folder / DUCKDB_NAME).exists()


def test_a_table_that_disappears_meanwhile_is_skipped(subs: Workspace, tmp_path: Path) -> None:
    other = tmp_path / "music.csv"
    other.write_text("artist,service,albums\nNina Simone,Spotify,40\nMiles Davis,Tidal,51\n", encoding="utf-8")
    assert subs.tables.import_file(other).status == "applied"
    listed = subs.tables.list()  # what find_rows read before the table went
    subs.tables.drop_table("subscriptions", "cancelled them all")
    found = find.find_rows(subs.tables.store, listed, "spotify")
    assert [(r["table"], r["key"]) for r in found] == [("music", 1)]


def test_rows_from_every_table_come_whose_cells_are_most_the_words_first(subs: Workspace, tmp_path: Path) -> None:
    other = tmp_path / "payments.csv"
    other.write_text("memo,amount\nA long note that mentions spotify among many other words,3\nSpotify,16.99\n",
                     encoding="utf-8")
    assert subs.tables.import_file(other).status == "applied"
    assert _found(subs, "spotify") == [("payments", 2), ("subscriptions", 1), ("payments", 1)]
    assert _found(subs, "spotify", limit=2) == [("payments", 2), ("subscriptions", 1)]


def test_a_big_table_gives_at_most_the_limit_in_key_order(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("id,memo\n")
        out.writelines(f"{i},payment {i} to {'Spotify' if i % 1000 == 7 else 'grocer'}\n" for i in range(100_000))
    assert ws.tables.import_file(path).status == "applied"
    found = ws.tables.find_rows("spotify payment", limit=5)
    assert [r["values"][0] for r in found] == [7, 1007, 2007, 3007, 4007]
    assert all(r["matched"] == ["memo"] for r in found)
    assert [r["values"][0] for r in ws.tables.find_rows("99999 grocer")] == [99_999]  # the id and the memo
