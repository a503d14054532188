"""Everyday questions of a carer's tables: how long visits last (the time between two time
columns), who did the most, when someone last came, what is still going on or has stopped, and a
table called by its initials ("bp"); over real DuckDB and the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace
from engine.chat import aggregates

VISITS = """date,carer,arrived,left,notes
2026-10-01,Joy,08:00,08:40,
2026-10-02,Helen M,08:20,09:05,ankles swollen
2026-10-03,Joy,07:50,08:30,
2026-10-04,Tomasz,23:40,00:25,late call
2026-11-02,Helen M,08:00,09:35,stayed after the fall
2026-11-03,Tomasz,18:00,18:45,
2026-11-05,Joy,8.10,8.50,
"""
PRESSURE = """date,systolic,diastolic,pulse,taken_by
2026-11-01,160,79,73,Dad
2026-11-12,171,92,80,Helen M
2026-11-21,138,90,70,Tomasz
"""
MEDS = """drug,dose,started,stopped
Amlodipine,10mg,2025-02-14,
Ramipril,5mg,2026-04-03,
Sertraline,50mg,2025-07-12,2026-06-15
Omeprazole,20mg,2024-01-10,2026-08-20
"""
EQUIPMENT = """item,start_date,end_date,weekly_cost
Stairlift,2026-03-01,,17.30
Bath lift,2026-04-01,,9.75
Wheelchair,2026-05-02,2026-07-30,12.50
"""


@pytest.fixture
def care(ws: Workspace, tmp_path: Path) -> Workspace:
    for name, body in (("visit_log.csv", VISITS), ("blood_pressure.csv", PRESSURE), ("current_meds.csv", MEDS),
                       ("equipment_hire.csv", EQUIPMENT)):
        (tmp_path / name).write_text(body)
        proposal = ws.tables.import_file(tmp_path / name)
        if proposal.status != "applied":
            ws.tables.approve(proposal.id)
    return ws


def _answer(ws: Workspace, question: str) -> str:
    return ws.chat.ask(question).text


def test_the_time_between_two_time_columns_is_averaged_summed_and_ranked(care: Workspace) -> None:
    # 40, 45, 40, 45 (past midnight), 95, 45, 40 minutes
    average = _answer(care, "how long do the carers usually stay")
    assert "Averaging minutes from arrived to left in visit_log: **50**, over 7 rows." in average, average
    october = _answer(care, "how many hours were the carers there in october")
    assert "Adding up hours from arrived to left in visit_log where date is in October: **2.83**" in october, october
    longest = _answer(care, "which carer stayed longest")
    assert "The row of visit_log with the highest minutes from arrived to left" in longest, longest
    assert "| 2026-11-02 | Helen M | 08:00 | 09:35 | stayed after the fall | 95 |" in longest, longest
    most = _answer(care, "who did the most hours")
    assert "| Helen M | 2.33 |" in most.replace("2.3333", "2.33"), most


def test_a_table_without_a_start_and_an_end_time_has_no_span(care: Workspace) -> None:
    assert not aggregates.plans("how long were the blood pressure readings", care.tables, care.embedder.embed)


def test_who_did_the_most_counts_each_persons_rows(care: Workspace) -> None:
    text = _answer(care, "whos done the most visits")
    assert "Counting the rows of visit_log by carer, most first" in text and "| Joy | 3 |" in text, text


def test_when_someone_last_came_is_their_latest_row(care: Workspace) -> None:
    text = _answer(care, "when did tomasz last come")
    assert "The row of visit_log with the latest date where carer is Tomasz" in text, text
    assert "2026-11-03" in text and "blood_pressure" not in text, text


def test_a_table_is_called_by_the_initials_of_its_name(care: Workspace) -> None:
    text = _answer(care, "whats his latest bp")
    assert "The row of blood_pressure with the latest date" in text and "| 2026-11-21 | 138 | 90 |" in text, text


def test_a_stop_date_left_empty_means_still_going_and_filled_in_means_stopped(care: Workspace) -> None:
    stopped = _answer(care, "which meds has he stopped")
    assert "where stopped is filled in" in stopped and "Sertraline" in stopped and "Amlodipine" not in stopped, stopped
    taking = _answer(care, "what meds is he still taking")
    assert "where stopped is empty" in taking and "Ramipril" in taking and "Omeprazole" not in taking, taking
    count = _answer(care, "how many meds is he on at the moment")
    assert "**2 rows**" in count, count
    weekly = _answer(care, "how much a week are we paying for equipment hire right now")
    assert "where end date is empty" in weekly and "**27.05**" in weekly, weekly


MARKS = """student,form,atomic_structure_test_40,bonding_test_50,end_of_unit_test_60
Evie Begum,10D,28,27,28
Arthur Chapman,10C,21,absent,38
Luca Fletcher,10C,14,31,absent
Samuel Pearce,10D,37,26,13
Ella Brooks,10C,37,16 (late),58
"""


def test_marks_kept_as_text_for_a_few_absent_cells_are_read_as_their_numbers(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "gradebook_marks.csv").write_text(MARKS)
    proposal = ws.tables.import_file(tmp_path / "gradebook_marks.csv")
    if proposal.status != "applied":
        ws.tables.approve(proposal.id)
    lowest = _answer(ws, "lowest end of unit test mark")  # was the atomic structure test's lowest: Luca, absent
    assert "with the lowest end of unit test 60" in lowest and "such as “absent”, left out" in lowest, lowest
    assert "| Samuel Pearce |" in lowest and "Luca" not in lowest, lowest
    average = _answer(ws, "average bonding test mark")
    assert "**25**, over 4 rows" in average, average  # 27, 31, 26 and the late 16
    (form,) = [p for p in aggregates.plans("how many in form 10c", ws.tables, ws.embedder.embed)]
    assert "REPLACE" not in form.sql  # "10C" is a code, not a number
