"""Table files with the same bytes share one table: a copy shows the state of the file it
copies, and when that file is removed (or deleted), the copy takes over what came of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace

MESSY = "when,amount\n2025-01-03,£12.40\n03/01/2025,£7,95\n,N/A\n"  # doubtful: it waits at a bar of 1.0
CLEAN = "item,qty\nnails,40\nscrews,25\n"


@pytest.fixture
def copies(ws: Workspace, tmp_path: Path) -> Path:
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    folder = tmp_path / "spending"
    folder.mkdir()
    for name in ("jan.csv", "jan copy.csv"):
        (folder / name).write_text(MESSY, encoding="utf-8")
    ws.ingest([folder / "jan.csv"])
    ws.ingest([folder / "jan copy.csv"])
    return folder


def _sources(ws: Workspace) -> list[tuple[str, str]]:
    return [(Path(p.source).name, p.status) for p in ws.tables.proposals()]


def test_a_copy_of_a_table_file_is_not_proposed_twice(ws: Workspace, copies: Path) -> None:
    assert _sources(ws) == [("jan.csv", "pending")]
    assert {d["name"]: d["content_hash"] for d in ws.documents()}["jan copy.csv"] is not None


def test_removing_a_table_file_hands_its_waiting_table_to_its_copy(ws: Workspace, copies: Path) -> None:
    changes = ws.remove_documents([str(copies / "jan.csv")])
    assert changes.proposals  # Approvals reloads: the proposal now names the copy
    assert _sources(ws) == [("jan copy.csv", "pending")]
    assert ws.audit_entries(3)[1]["action"] == "hand_over"
    ws.ingest([copies / "jan.csv"])  # added again: a copy of the copy now, with nothing rejected
    assert _sources(ws) == [("jan copy.csv", "pending")]
    assert ws.verify_audit().ok


def test_a_copy_takes_over_the_rows_loaded_from_a_file_deleted_from_disk(ws: Workspace, copies: Path) -> None:
    (pid,) = [p.id for p in ws.tables.proposals()]
    ws.tables.approve(pid)
    (copies / "jan.csv").unlink()
    assert ws.ingest([copies]).removed == 1
    assert _sources(ws) == [("jan copy.csv", "applied")]
    loads = ws.tables.store.cursor().execute("SELECT source FROM _grace.loads").fetchall()
    assert loads == [(str(copies / "jan copy.csv"),)]  # a later change to the copy replaces these rows
    (copies / "jan copy.csv").write_text(MESSY + "2025-01-09,£1.00\n", encoding="utf-8")
    ws.ingest([copies])
    newest = ws.tables.proposals()[0]
    assert newest.table == "jan" and any("replaces the 3 rows" in r for r in newest.reasons), newest.reasons


def test_removing_a_file_with_no_copy_withdraws_its_waiting_table(ws: Workspace, tmp_path: Path) -> None:
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    path = tmp_path / "other.csv"
    path.write_text(MESSY, encoding="utf-8")
    ws.ingest([path])
    changes = ws.remove_documents([str(path)])
    assert changes.proposals  # so Approvals drops it from "Waiting for you" (it was left there)
    assert [(p.status, p.reason) for p in ws.tables.proposals()] == [("rejected", "its document was removed")]


def test_removing_a_workbook_withdraws_every_sheet_waiting(ws: Workspace, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    book = openpyxl.Workbook()
    book.active.title = "Tariffs"
    for row in (["tariff", "rate"], ["day", "0.3"], ["night", ""]):
        book.active.append(row)
    readings = book.create_sheet("Readings")
    for row in (["day", "kwh"], ["mon", ""], ["tue", "x"]):
        readings.append(row)
    book.save(tmp_path / "energy.xlsx")
    ws.ingest([tmp_path / "energy.xlsx"])
    assert len(ws.tables.proposals("pending")) == 2
    ws.remove_documents([str(tmp_path / "energy.xlsx")])
    assert ws.tables.proposals("pending") == []
