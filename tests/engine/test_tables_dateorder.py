"""Numeric dates either way round (07/09/2024) are read in the order the person's files show:
the file's own other dates, the workspace's earlier tables, its documents, the computer's region."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import Workspace
from engine.tables import dateorder
from engine.tables.classify import DocText, extract_fields
from engine.tables.domain import load_catalog

FINALS = "finals_day,event,fee\n07/09/2024,singles,12\n07/09/2024,doubles,15\n08/09/2024,mixed,10\n"


def _finals(ws: Workspace, path: Path) -> tuple[list[str], list[dt.date]]:
    path.write_text(FINALS, encoding="utf-8")
    p = ws.tables.import_file(path)
    ws.tables.approve(p.id)
    return p.reasons, [r[0] for r in ws.tables.query("SELECT finals_day FROM finals ORDER BY 1")[1]]


def test_an_earlier_tables_dates_settle_a_later_files(ws: Workspace, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")  # no region to go by
    (tmp_path / "bank.csv").write_text("date,item,amount\n16/01/2024,balls,20\n03/02/2024,nets,40\n", encoding="utf-8")
    assert ws.tables.import_file(tmp_path / "bank.csv").status == "applied"
    reasons, days = _finals(ws, tmp_path / "finals.csv")  # was read as 9 July (month first)
    assert days == [dt.date(2024, 9, 7), dt.date(2024, 9, 7), dt.date(2024, 9, 8)]
    assert any("read as day/month, as your other tables write dates" in r for r in reasons), reasons


def test_the_documents_dates_settle_a_tables_and_a_documents_own_date(ws: Workspace, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    (tmp_path / "minutes.md").write_text("# Committee meeting\n\nHeld on 16/01/2024 at the pavilion. The AGM is "
                                         "on 12/03/2024 and the accounts close on 31/03/2024.\n", encoding="utf-8")
    ws.ingest([tmp_path / "minutes.md"])
    reasons, days = _finals(ws, tmp_path / "finals.csv")
    assert days[0] == dt.date(2024, 9, 7) and any("as your documents write dates" in r for r in reasons), reasons
    notes = load_catalog()["notes"]  # a document's own date, read as its other dates are written
    doc = DocText("agm.md", "AGM", "The AGM was held on 12/03/2024; 41 attended. Next: 29/11/2024.", [], None)
    assert extract_fields(notes, doc, [])["document_date"] == "2024-03-12"  # was 3 December


def test_with_nothing_to_go_by_the_region_decides_and_else_the_month_comes_first(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert dateorder.region_order({"LANG": "en_GB.UTF-8"}) == dateorder.DAY
    assert dateorder.region_order({"LC_ALL": "en_US.UTF-8", "LANG": "en_GB.UTF-8"}) == dateorder.MONTH
    assert dateorder.region_order({"LANG": "C.UTF-8"}) is None and dateorder.region_order({}) is None
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_TIME", raising=False)
    reasons, days = _finals(ws, tmp_path / "finals.csv")
    assert days[0] == dt.date(2024, 7, 9) and any("read as month/day" in r for r in reasons), reasons
    assert dateorder.order_of(["16/01/2024", "13/02/2024", "02/13/2024"]) is None  # no clear order
    assert dateorder.order_of(["16/01/2024", "13/02/2024", "29/11/2023", "30/01/2024", "02/13/2024"]) == "day"
