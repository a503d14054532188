"""Questions typed in haste: misspelt, shortened or without an apostrophe, read as the files and
tables write those words; over real files, DuckDB and the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace
from engine.chat.respell import slipped

QUOTE = """# Resurfacing quote, courts 3 and 4

Remove the old surface and lay a new porous macadam base.
Guarantee: 5 years on the surface.
The crew will serve notice two weeks before they start.
"""
BANK = """date,description,money_out
03/06/2024,HEARTSAFE DEFIBRILLATOR,1185.00
10/06/2024,BRITISH GAS,201.10
"""
ENTRIES = """event,entries,finals_day
Men's singles,14,07/09/2024
Ladies' singles,9,07/09/2024
Mixed doubles,11,08/09/2024
"""
COACHES = """coach,session,dbs_expires
Becky Lund,Cardio tennis,31/03/2025
Liam Fairbrother,Juniors,08/01/2027
"""
MEMBERS = """member_no,first_name,last_name,phone,fob,email
1011,Chloe,Dixon,07700 900111,F594,chloe.dixon@example.org
1012,Chloe,Shaw,07700 900222,F352,chloe.shaw@example.org
1018,Megan,Jackson,07797 786886,F259,megan.jackson@example.org
1025,Fiona,Jackson,07957 333136,F794,fiona.jackson@example.org
"""
BOOKINGS = """booking_id,booked_by,member_no,court
5022,Megan Jackson,1018,2
5078,Megan Jackson,1018,2
5122,Megan Jackson,1018,4
5130,Chloe Dixon,1011,1
"""
INVOICES = """invoice,client,amount,status
24-001,Corrib,1200,paid
24-002,Corrib,800,overdue invoice
"""


@pytest.fixture
def club(ws: Workspace, tmp_path: Path) -> Workspace:
    folder = tmp_path / "club"
    folder.mkdir()
    (folder / "resurfacing quote.md").write_text(QUOTE, encoding="utf-8")
    for name, body in (("bank.csv", BANK), ("championship entries.csv", ENTRIES), ("coaches.csv", COACHES),
                       ("members.csv", MEMBERS), ("bookings.csv", BOOKINGS), ("invoices.csv", INVOICES)):
        (folder / name).write_text(body, encoding="utf-8")
    ws.ingest([folder])
    for p in ws.tables.proposals("pending"):
        ws.tables.approve(p.id)
    assert {"bank", "championship_entries", "coaches", "members", "bookings", "invoices"} <= {
        t.name for t in ws.tables.list() if t.rows}
    return ws


@pytest.mark.parametrize(("typed", "word", "slip"), [
    ("recieve", "receive", True),  # two letters swapped
    ("guarentee", "guarantee", True),  # a vowel for another
    ("accomodation", "accommodation", True),  # a letter left single
    ("untill", "until", True),  # a letter doubled
    ("goverment", "government", True),  # a letter left out of a long word
    ("wotk", "work", True),  # a key beside the one meant
    ("serde", "serve", False),  # d and v are far apart: another word, not a slip
    ("actix", "active", False),  # two letters off
    ("cart", "cat", False),  # a letter added to a short word, not doubling one
])
def test_a_slip_of_the_keyboard_is_told_from_another_word(typed: str, word: str, slip: bool) -> None:
    assert slipped(typed, word) is slip


def test_a_misspelt_word_is_read_as_the_files_write_it_and_the_answer_says_so(club: Workspace) -> None:
    answer = club.chat.ask("how long is the guarentee on the new surface")
    assert not answer.abstained
    assert answer.citations[0].quote == "Guarantee: 5 years on the surface."
    assert answer.text.endswith("Read “guarentee” as “guarantee”.")


def test_a_shortened_word_is_read_as_the_one_longer_word_a_table_writes(club: Workspace) -> None:
    text = club.chat.ask("how much did the defib cost").text
    assert "Read “defib” as “defibrillator”." in text
    assert "**1,185**" in text


def test_a_possessive_typed_without_its_apostrophe_finds_the_rows_it_names(club: Workspace) -> None:
    assert "**14**" in club.chat.ask("how many entries for the mens singles").text
    answer = club.chat.ask("when does beckys dbs run out").text
    assert "Read “beckys” as “becky's”." in answer
    assert "2025-03-31" in answer or "31 March 2025" in answer


def test_a_plural_stays_a_plural_and_a_name_the_files_lack_is_not_read_as_a_word_they_have(club: Workspace) -> None:
    assert "Read “invoices”" not in club.chat.ask("which invoices are overdue").text
    answer = club.chat.ask("how do I rename a field with serde?")
    assert answer.abstained
    assert "Read “serde”" not in answer.text


def test_a_first_and_last_name_look_up_the_persons_own_row(club: Workspace) -> None:
    text = club.chat.ask("whats chloe dixons fob number").text
    assert "**F594**" in text and "F352" not in text.split("\n\n")[0]
    text = club.chat.ask("megan jacksons phone no").text
    assert "**07797 786886**" in text.split("\n\n")[0]


CLIENTS = """name,contact,email,client_since,payment_terms_days
Corrib Cycle Tours,Sean Walsh,sean@corrib.example,2023-02-01,30
Harbour & Finch Solicitors LLP,Dana Finch,dana@hf.example,2024-04-08,14
"""
SUBSCRIPTIONS = """item,cost_gbp,renews
Ngozi's magazine,9.5,2025-01-01
Netflix,10.99,2025-02-01
"""


def test_a_name_in_lower_case_finds_no_answer_in_a_row_that_does_not_say_it(ws: Workspace, tmp_path: Path) -> None:
    for name, body in (("clients.csv", CLIENTS), ("subscriptions.csv", SUBSCRIPTIONS)):
        (tmp_path / name).write_text(body, encoding="utf-8")
        assert ws.tables.import_file(tmp_path / name).status == "applied"
    plan = ws.chat.ask("how much does corrib pay for their shopify plan")  # "pay" names no payment_terms_days
    assert "payment_terms_days" not in plan.text.split("\n\n")[0], plan.text
    paid = ws.chat.ask("when did harbour and finch say theyd pay the design instalment")
    assert "client_since" not in paid.text.split("\n\n")[0], paid.text  # the client's start is no payment
    costing = ws.chat.ask("how much is Ngozi's residential costing")  # her magazine is another thing
    assert "9.5" not in costing.text.split("\n\n")[0], costing.text
    assert "**sean@corrib.example**" in ws.chat.ask("whats seans email").text  # a person in a contact column


def test_a_first_name_two_people_share_looks_up_neither_until_the_surname_is_said(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    (tmp_path / "coaches.csv").write_text("coach,session,dbs_expires\nLiam Fairbrother,Juniors,2027-01-09\n",
                                          encoding="utf-8")
    (tmp_path / "bookings.csv").write_text("booked_by,court,guest_fee\nLiam Owen,2,6\nAnn Cole,1,0\n",
                                           encoding="utf-8")
    for name in ("coaches.csv", "bookings.csv"):
        assert ws.tables.import_file(tmp_path / name).status == "applied"
    liam = ws.chat.ask("what guest fee does liam pay")  # was "guest_fee of Liam Owen: 6": which Liam?
    assert "guest_fee of" not in liam.text, liam.text
    owen = ws.chat.ask("what guest fee does liam owen pay")
    assert "guest_fee of Liam Owen: **6**" in owen.text, owen.text
