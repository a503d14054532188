"""What the session-36 walk at 800 px and 1280 px changed: the approvals list puts the detail below
itself in a narrow pane so the names read whole, money keeps its cents, the Library's filters match
its Status column, a deleted chat leaves another chat chosen, the Tables grid gets the room at 800 px,
and an empty job queue gives its height to the events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import Workspace
from grace_desktop.qt import Qt
from tests.ui.test_approvals_list import fits, pending_imports, shown_pane
from ui.approvals import SOURCE_COLUMN, TABLE_COLUMN

PANE_AT_800 = 634  # the pane's width in an 800 px window, beside the pane list


def test_the_approvals_list_reads_its_names_whole_in_an_800_px_window(qtbot: Any, ws: Workspace,
                                                                      tmp_path: Path) -> None:
    pending_imports(ws, tmp_path)
    (tmp_path / "receipts.csv").write_text("shop,amount\nCo-op,12.40\n", encoding="utf-8")
    assert ws.tables.import_file(tmp_path / "receipts.csv").status == "pending"
    pane = shown_pane(qtbot, ws, PANE_AT_800)

    assert fits(pane, TABLE_COLUMN, "receipts")  # was "re…ts"
    assert fits(pane, SOURCE_COLUMN, "receipts.csv")  # was "rece….csv"
    assert fits(pane, SOURCE_COLUMN, "garden-plan.csv")
    assert pane.split.orientation() == Qt.Orientation.Vertical  # the detail below the list, not beside it
    assert pane.detail.isVisible() and pane.detail.height() >= 200
    pane.resize(1300, 700)  # a wide pane puts them side by side again
    qtbot.waitUntil(lambda: pane.split.orientation() == Qt.Orientation.Horizontal, timeout=5_000)

