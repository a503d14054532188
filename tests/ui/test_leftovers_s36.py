"""What the session-36 walk at 800 px and 1280 px changed: the approvals list puts the detail below
itself in a narrow pane so the names read whole, money keeps its cents, the Library's filters match
its Status column, a deleted chat leaves another chat chosen, the Tables grid gets the room at 800 px,
and an empty job queue gives its height to the events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import Workspace
from grace_desktop.qt import QApplication, Qt
from grace_desktop.runner import Job, Runner
from tests.ui.conftest import WAIT_MS
from tests.ui.test_approvals_list import fits, pending_imports, shown_pane
from tests.ui.test_tables_panes import cells
from ui.activity import ActivityPane
from ui.approvals import SOURCE_COLUMN, TABLE_COLUMN
from ui.chat import ChatPane
from ui.chat_sessions import ID
from ui.library import _display
from ui.tables import TablesPane

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


RECEIPTS = "shop,amount,weight_kg\nCo-op,42.10,1.5\nBakery,3.5,0.125\nMarket,12,2\n"


def test_money_keeps_its_cents_in_the_grid_and_edits_as_shown(qtbot: Any, ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "receipts.csv").write_text(RECEIPTS, encoding="utf-8")
    assert ws.tables.import_file(tmp_path / "receipts.csv").status == "applied"
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    assert pane.select_table("receipts")

    assert cells(pane, 1) == ["42.10", "3.50", "12.00"]  # was 42.1, 3.5, 12
    assert cells(pane, 2) == ["1.5", "0.125", "2"]  # not money, not cents: each as it is
    amount = pane.model.index(0, 1)
    assert pane.model.data(amount, Qt.ItemDataRole.EditRole) == "42.10"  # the editor opens on what is shown
    assert not pane.model.setData(amount, "42.10")  # unchanged: nothing is written
    assert pane.model.setData(amount, "7.5")
    assert cells(pane, 1)[0] == "7.50"
    _names, stored = ws.tables.query("SELECT amount FROM receipts ORDER BY amount")
    assert [float(v) for (v,) in stored] == [3.5, 7.5, 12.0]  # the stored values keep their own form


def _shown(library: Any) -> dict[str, str]:
    """The rows the Library lists, by name, with what their Status column says."""
    rows = [library.model.rows[library.proxy.mapToSource(library.proxy.index(r, 0)).row()]
            for r in range(library.proxy.rowCount())]
    return {r["name"]: _display(r, "status") for r in rows}


def _choose_status(library: Any, label: str) -> None:
    combo = library.status_combo
    combo.setCurrentIndex(combo.findText(label))
    assert combo.currentText() == label


def test_the_library_s_read_filter_lists_what_its_status_column_calls_read(shell: Any, qtbot: Any,
                                                                           tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "note.md").write_text("# Note\n\nThe ferry leaves at nine.\n", encoding="utf-8")
    job = shell.runner.ingest([str(tmp_path)])
    qtbot.waitUntil(lambda: job.state == "done", timeout=WAIT_MS)
    library = shell.library
    qtbot.waitUntil(lambda: len(library.model.rows) == 2, timeout=WAIT_MS)

    _choose_status(library, "Read (ok)")
    assert _shown(library) == {"note.md": "ok"}  # "empty.txt", "no text", was listed too
    _choose_status(library, "No text")
    assert _shown(library) == {"empty.txt": "no text"}
    assert "1 of 2 documents" in library.count_label.text()
    _choose_status(library, "All documents")
    assert set(_shown(library)) == {"empty.txt", "note.md"}


def _chat_pane(qtbot: Any, ws: Workspace, width: int = 1100) -> ChatPane:
    pane = ChatPane(ws)
    qtbot.addWidget(pane)
    pane.resize(width, 600)
    pane.show()
    pane.activateWindow()
    qtbot.waitUntil(lambda: pane.isActiveWindow(), timeout=WAIT_MS)
    return pane


def _listed(pane: ChatPane) -> list[int]:
    return [pane.sessions.item(i).data(ID) for i in range(pane.sessions.count())]


def test_deleting_the_open_chat_opens_its_neighbour_and_the_last_leaves_a_new_chat(qtbot: Any,
                                                                                  ws: Workspace) -> None:
    for title in ("one", "two", "three"):
        ws.chat.sessions.new(title)
    pane = _chat_pane(qtbot, ws)
    top, middle, bottom = _listed(pane)
    pane.sessions.setCurrentRow(1)
    assert pane.session_id == middle

    delete = next(b for b in pane.chats.buttons if b.text() == "Delete")
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    assert pane.session_id == bottom  # was None: no chat chosen, nothing open
    assert pane.sessions.currentItem().data(ID) == bottom and pane.sessions.currentItem().isSelected()
    assert QApplication.focusWidget() is pane.input  # the person types at once
    pane.sessions.setFocus()
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Delete)  # the last row: the one above it opens
    assert pane.session_id == top and QApplication.focusWidget() is pane.sessions  # Delete, Ctrl+Z go on here
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Delete)  # none left: a new, empty chat
    assert pane.session_id is None and pane.message_widgets() == [] and pane.sessions.count() == 0
    assert pane.chats.undo_bar.isVisibleTo(pane)


def test_the_narrow_chat_list_s_more_button_is_a_proper_size_and_reached_with_tab(qtbot: Any,
                                                                                  ws: Workspace) -> None:
    ws.chat.sessions.new("a chat")
    pane = _chat_pane(qtbot, ws, width=650)
    more, new = pane.chats.more, pane.chats.buttons[0]
    assert pane.chats.compact and more.isVisible()
    assert more.height() == new.height() and more.width() >= more.height()  # was 28×22 beside a 30 px "New"
    assert more.fontInfo().pixelSize() >= 1.4 * new.fontInfo().pixelSize()  # the "⋯" was a speck
    assert more.accessibleName() == "More chat actions"
    new.setFocus()
    qtbot.keyClick(new, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is more


def _reads_whole(edit: Any) -> bool:
    """The line edit's placeholder fits it, beside its frame, margins and clear button."""
    return edit.width() >= edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + edit.height() + 12


def test_at_800_px_the_tables_grid_gets_the_room_and_its_filters_read_whole(qtbot: Any, ws: Workspace,
                                                                            tmp_path: Path) -> None:
    (tmp_path / "receipts.csv").write_text(RECEIPTS, encoding="utf-8")
    ws.tables.import_file(tmp_path / "receipts.csv")
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.resize(PANE_AT_800, 500)
    pane.show()
    qtbot.waitExposed(pane)
    assert pane.select_table("receipts")
    QApplication.processEvents()

    assert pane.table_list.width() <= 0.25 * PANE_AT_800  # was 210 of 634 px
    assert _reads_whole(pane.search) and _reads_whole(pane.filter_text)  # was "Search every colu…", "contain…"
    pane.resize(1300, 700)
    QApplication.processEvents()
    assert pane.table_list.width() >= 210  # a wide pane keeps the list's long names whole


def test_an_empty_job_queue_gives_its_height_to_the_recent_events(qtbot: Any) -> None:
    runner = Runner()
    pane = ActivityPane(runner)
    qtbot.addWidget(pane)
    pane.resize(1114, 760)  # its room in a 1280×800 window
    pane.show()
    qtbot.waitExposed(pane)

    assert pane.jobs.height() <= 0.15 * pane.height()  # "No jobs yet" took about 40%
    assert pane.log.height() >= 0.7 * pane.height()
    runner.jobs = [Job(i, f"Adding file {i}.md", [f"/tmp/{i}.md"], state="done", message="Read it.")
                   for i in range(1, 16)]
    pane.show_jobs()
    QApplication.processEvents()
    assert pane.jobs.height() >= 0.25 * pane.height()  # a long queue gets the room to show itself
    assert pane.log.height() >= 0.3 * pane.height()
