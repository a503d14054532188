"""Questions about who has no row: "who hasn't paid for October?" is answered with the names
that no October row holds, read from a roster table, never with the rows that have October."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace
from engine.chat.absent import negated, without_negation

TENANTS = """name,flat,floor,monthly_rent
Anna Kowalski,1A,0,850
Jonas Weber,1B,0,780
Greta Lindqvist,2A,1,920
Peter Novak,2B,1,900
"""
PAYMENTS = """date,tenant,month,amount
2026-10-01,Anna Kowalski,October,850
2026-10-03,Greta Lindqvist,October,920
2026-09-01,Anna Kowalski,September,850
2026-09-02,Jonas Weber,September,780
2026-09-04,Greta Lindqvist,September,920
2026-09-05,Peter Novak,September,900
"""


@pytest.fixture
def rented(ws: Workspace, tmp_path: Path) -> Workspace:
    for name, body in (("tenants.csv", TENANTS), ("payments.csv", PAYMENTS)):
        (tmp_path / name).write_text(body, encoding="utf-8")
        assert ws.tables.import_file(tmp_path / name).status == "applied"
    return ws


def test_negation_is_read_in_its_usual_spellings() -> None:
    assert all(map(negated, ["Who hasn't paid?", "who has not paid", "Who didn’t pay in May?", "which boats were "
                             "never used", "who is yet to pay?"]))
    assert not any(map(negated, ["who paid in May?", "what is noted on the invoice?", "Nottingham rent?"]))
    assert without_negation("Who hasn't PAID?").split() == ["Who", "has", "PAID?"]


@pytest.mark.parametrize("question", ["Who hasn't paid in October?", "Which tenants have not paid their rent for "
                                      "October?"])
def test_who_has_no_row_is_the_rosters_names_without_one(rented: Workspace, tmp_path: Path, question: str) -> None:
    answer = rented.chat.ask(question)
    assert not answer.abstained and answer.confidence >= 0.75
    said = answer.text.split("From table")[0]
    assert "Jonas Weber" in said and "Peter Novak" in said, answer.text
    assert "Anna Kowalski" not in said and "Greta Lindqvist" not in said
    assert [c.quote for c in answer.citations] == ["Jonas Weber,1B,0,780", "Peter Novak,2B,1,900"]
    assert all(c.path == str(tmp_path / "tenants.csv") for c in answer.citations)


def test_when_everyone_has_a_row_it_says_so(rented: Workspace) -> None:
    answer = rented.chat.ask("Which tenants haven't paid for September?")
    assert answer.text.startswith("Every one of the 4 in tenants › name has a row for “September”"), answer.text


def test_a_negated_question_the_tables_do_not_account_for_is_declined(rented: Workspace) -> None:
    answer = rented.chat.ask("Who hasn't booked a lesson in October?")
    assert answer.abstained and "Jonas" not in answer.text.split("Related rows")[0]
    assert "“hasn”" not in answer.text and "“booked”" in answer.text
