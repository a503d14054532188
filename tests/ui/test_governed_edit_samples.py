"""Edits that wait for approval show the rows they change, and a malformed stored sample
never takes the app down (an exception inside a Qt model's ``data`` aborts PySide6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import Workspace
from engine.tables import proposals
from engine.tables.model import Column
from ui.approvals import ApprovalsPane
from ui.table_model import ResultModel
from ui.tables import TablesPane

PEOPLE = "name,age,city\nAda,36,London\nGrace,85,New York\n"


def _people(ws: Workspace, folder: Path) -> None:
    path = folder / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    assert ws.tables.import_file(path).status == "applied"
    ws.tables.set_policy({**ws.tables.policy(), "edits_need_approval_for": ["people"]})


def _sample(pane: ApprovalsPane) -> list[list[Any]]:
    model = pane.detail.sample
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_a_short_row_shows_empty_cells_past_its_end(qtbot) -> None:
    model = ResultModel()
    model.set_result(["a", "b", "c"], [[1], [1, 2, 3], []])
    assert [model.data(model.index(0, c)) for c in range(3)] == ["1", "", ""]
    assert model.data(model.index(2, 1)) == ""
    assert model.data(model.index(1, 2)) == "3"


def test_a_stored_sample_narrower_than_its_columns_is_shown_not_fatal(qtbot, ws) -> None:
    columns = [Column(f"c{i}", f"c{i}", "VARCHAR") for i in range(13)]
    with ws.tables.sqlite_write() as conn:  # as session 25 found one: [[None]] under 13 columns
        proposals.create(conn, kind="edit", target="finance_treasury", confidence=0.0, reasons=["delete 1 row"],
                         row_count=1, columns=columns, sample=[[None]], source="edit of finance_treasury",
                         plan={"op": "delete", "row_keys": [1]})
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    pane.show()
    qtbot.waitUntil(lambda: pane.detail.sample.columnCount() == 13, timeout=10_000)
    assert _sample(pane) == [[""] * 13]


def test_deleting_a_row_that_needs_approval_shows_the_row_in_approvals(qtbot, ws, tmp_path, monkeypatch) -> None:
    _people(ws, tmp_path)
    tables, approvals = TablesPane(ws), ApprovalsPane(ws)
    for pane in (tables, approvals):
        qtbot.addWidget(pane)
    tables.changed.connect(approvals.on_changes)
    approvals.show()
    tables.view.selectRow(1)
    monkeypatch.setattr(tables, "confirm", lambda question: True)
    tables.delete_selected()
    qtbot.waitUntil(lambda: approvals.list.topLevelItemCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: approvals.detail.sample.rowCount() == 1, timeout=10_000)
    assert _sample(approvals) == [["Grace", "85", "New York"]]
    assert ws.tables.count("people") == 2  # the row stays until the deletion is approved


def test_a_proposal_decided_elsewhere_leaves_the_list_when_approving_it_fails(qtbot, ws, tmp_path) -> None:
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    path = tmp_path / "other.csv"
    path.write_text("when,amount\n2025-01-03,£12.40\n03/01/2025,£7,95\n", encoding="utf-8")
    ws.ingest([path])
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    assert pane.list.topLevelItemCount() == 1
    ws.tables.reject(pane.selected().id, "decided on the command line")  # no Changes reach this pane
    pane.approve_selected()
    assert "already rejected" in pane.message.text()
    qtbot.waitUntil(lambda: pane.list.topLevelItemCount() == 0, timeout=10_000)
    assert "already rejected" in pane.message.text()  # the reason stays in view


def test_adding_a_row_to_a_catalog_table_asks_only_for_its_own_fields_and_says_it_waits(qtbot, ws,
                                                                                       monkeypatch) -> None:
    from ui.tables import AddRowDialog

    pane = TablesPane(ws)  # finance_treasury needs approval for edits, by the default policy
    qtbot.addWidget(pane)
    pane.select_table("finance_treasury")
    seen: list[tuple[list[str], str]] = []

    def fill_in(dialog: AddRowDialog) -> int:
        seen.append((list(dialog._fields), dialog.note.text() if dialog.note.isVisibleTo(dialog) else ""))
        dialog._fields["title"].setText("Emergency fund")
        dialog._fields["amount"].setText("2500")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(AddRowDialog, "exec", fill_in)
    pane.add_row()
    fields, note = seen[0]
    assert "title" in fields and not {"source_document", "trust_score", "created_at", "updated_at"} & set(fields)
    assert note == "The policy holds edits to “finance_treasury” for approval: the row waits in Approvals until " \
                   "approved."
    (waiting,) = ws.tables.proposals("pending")
    shown = dict(zip([c.name for c in waiting.columns], waiting.sample[0], strict=True))
    assert shown["title"] == "Emergency fund" and shown["created_at"] == shown["updated_at"] is not None
