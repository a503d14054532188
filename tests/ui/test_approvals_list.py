"""The approval pane's list at a narrow window: the file names tell proposals apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import Workspace
from grace_desktop.qt import Qt
from ui.approvals import SOURCE_COLUMN, TABLE_COLUMN, ApprovalsPane

NAMES = ["garden-plan.csv", "household_expenses_by_month_2025.csv", "bike-costs.csv", "trips.csv"]
NARROW = 740  # the pane's width in a 900 px window


def pending_imports(ws: Workspace, folder: Path) -> None:
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    for name in NAMES:
        path = folder / name
        path.write_text("Region,Amount,Note,Extra,More\nnorth,10.5,,,\nsouth,20,,,\n", encoding="utf-8")
        assert ws.tables.import_file(path).status == "pending"


def shown_pane(qtbot: Any, ws: Workspace, width: int) -> ApprovalsPane:
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.resize(width, 560)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def fits(pane: ApprovalsPane, column: int, text: str) -> bool:
    """The cell of ``column`` that reads ``text`` shows it whole (not elided, not scrolled out of view)."""
    tree = pane.list
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(column) == text)
    needed = tree.sizeHintForIndex(tree.indexFromItem(item, column)).width()
    left = tree.columnViewportPosition(column)
    return tree.columnWidth(column) >= needed and 0 <= left and left + needed <= tree.viewport().width()


def test_a_narrow_list_shows_the_file_names_whole(qtbot, ws, tmp_path) -> None:
    pending_imports(ws, tmp_path)
    pane = shown_pane(qtbot, ws, NARROW)

    sources = {pane.list.topLevelItem(i).text(SOURCE_COLUMN) for i in range(pane.list.topLevelItemCount())}
    assert sources == set(NAMES)
    assert fits(pane, SOURCE_COLUMN, "bike-costs.csv")  # was scrolled out of view past the table names
    assert fits(pane, TABLE_COLUMN, "trips")  # the table names keep a share of their own
    long = next(pane.list.topLevelItem(i) for i in range(len(NAMES))
                if pane.list.topLevelItem(i).text(SOURCE_COLUMN) == NAMES[1])
    assert fits(pane, SOURCE_COLUMN, NAMES[1])  # whole, now the detail is under the list (it was elided)
    assert pane.list.textElideMode() == Qt.TextElideMode.ElideMiddle  # a longer one would keep its end
    assert long.toolTip(SOURCE_COLUMN) == str(tmp_path / NAMES[1])  # the whole path, when elided
    assert long.toolTip(TABLE_COLUMN) == long.text(TABLE_COLUMN)


def test_a_wide_list_shows_long_file_names_whole(qtbot, ws, tmp_path) -> None:
    pending_imports(ws, tmp_path)
    pane = shown_pane(qtbot, ws, 1400)

    assert fits(pane, SOURCE_COLUMN, NAMES[1])
    assert pane.list.columnWidth(TABLE_COLUMN) >= pane.list.columnWidth(SOURCE_COLUMN) // 2
