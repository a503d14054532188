"""What session 33's walkthrough ran into: at 800×560 the Library cut file names while Status and
Last ingested kept their fixed room; the Approvals column editor squeezed the names to slivers;
a read-only query card said "Action 1 · done"; the status bar cut the "Done: …" note beside an
error."""

from __future__ import annotations

from pathlib import Path

from grace_desktop.qt import QApplication


def _fits(view, row: int, column: int) -> bool:  # type: ignore[no-untyped-def]
    """The cell's text is drawn whole (with the item padding)."""
    text = view.model().index(row, column).data()
    return view.columnWidth(column) >= view.fontMetrics().horizontalAdvance(text) + 6


def test_library_names_take_the_spare_width_in_a_small_window(shell, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "household_spending.csv").write_text("date,shop,amount\n2026-01-03,Lidl,42.10\n", encoding="utf-8")
    (folder / "meeting notes.txt").write_text("The budget review moved to Thursday.\n", encoding="utf-8")
    window = shell.window
    window.resize(800, 560)
    window.show()
    window.show_pane("library")
    shell.add_paths([str(folder)])
    view = shell.library.table
    qtbot.waitUntil(lambda: view.model().rowCount() == 2, timeout=120_000)
    QApplication.processEvents()
    assert all(_fits(view, row, 0) for row in range(2)), [view.columnWidth(c) for c in range(6)]
    assert all(_fits(view, 0, column) for column in range(1, 6))  # the others whole too
    assert view.model().index(0, 0).data(3).endswith("household_spending.csv")  # the tooltip names it whole
