"""What the second session-35 walk through Library, Search, Tables, Approvals and Activity changed:
tables and documents sort from the keyboard, the status bar names the workspace's folder when its
path does not fit, a file with no text says so, the empty Tables and Approvals name the key that adds
a file, and a query naming a missing column lists the columns there are."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QContextMenuEvent

from engine import Workspace
from grace_desktop.qt import QAbstractItemView, QAction, QApplication, QKeySequence, QMenu
from tests.ui.conftest import WAIT_MS
from tests.ui.test_main_window import window as window  # the fixture
from tests.ui.test_tables_panes import cells, import_csv, set_policy
from tests.ui.test_tables_panes import people as people  # the fixture
from ui.approvals import ApprovalsPane
from ui.library import _display
from ui.main_window import WorkspaceLabel
from ui.tables import TablesPane


def _menu_key(view: QAbstractItemView) -> None:
    """What the Menu key (or Shift+F10) sends to a view: a keyboard context-menu event at its current cell."""
    at = view.visualRect(view.currentIndex()).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at, view.viewport().mapToGlobal(at))
    QApplication.sendEvent(view, event)


def _grid_menu(pane: TablesPane) -> QMenu:
    """The menu the Menu key opens on the grid's current cell."""
    _menu_key(pane.view)
    menus = [m for m in pane.findChildren(QMenu) if m.isVisible()]
    assert len(menus) == 1, "the Menu key opens one menu on the grid"
    return menus[0]


def _choose(menu: QMenu, text: str) -> None:
    (action,) = [a for a in menu.actions() if a.text() == text]
    assert action.isEnabled(), text
    action.trigger()
    menu.close()


def test_a_table_is_sorted_from_the_keyboard_by_the_column_of_the_current_cell(qtbot, ws: Workspace, people) -> None:  # type: ignore[no-untyped-def]
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.show()
    pane.view.setFocus()
    pane.view.setCurrentIndex(pane.model.index(0, 1))  # the "age" column

    _choose(_grid_menu(pane), "Sort by “age”, descending")
    assert cells(pane, 1) == ["85", "72", "41", "36"]
    assert pane.view.horizontalHeader().sortIndicatorSection() == 1
    menu = _grid_menu(pane)
    assert "Undo the last edit" in [a.text() for a in menu.actions()]  # the edits are there too, with their keys
    _choose(menu, "The table's own order")
    assert cells(pane, 0) == ["Ada", "Grace", "Alan", "Edsger"]
    assert pane.view.horizontalHeader().sortIndicatorSection() == -1


def test_the_library_is_sorted_from_the_keyboard_by_the_current_column(shell, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name, text in (("a short.md", "One line."), ("b long.md", "# Long\n\n" + "A line of words.\n\n" * 400)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    shell.runner.ws.ingest([tmp_path])
    library = shell.library
    library.refresh()
    qtbot.waitUntil(lambda: library.proxy.rowCount() == 2, timeout=60_000)
    library.table.setFocus()
    library.table.setCurrentIndex(library.proxy.index(0, 3))  # "Passages"

    _menu_key(library.table)
    (menu,) = [m for m in library.findChildren(QMenu) if m.isVisible()]
    _choose(menu, "Sort by Passages, descending")
    names = [library.proxy.index(r, 0).data() for r in range(2)]
    assert names == ["b long.md", "a short.md"]
    assert library.table.horizontalHeader().sortIndicatorSection() == 3


def test_a_workspace_path_too_long_for_the_status_bar_gives_way_to_the_folder_s_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    figures = " — 4 documents, 0 passages, 1 failed"
    label = WorkspaceLabel(f"Workspace: /tmp/s35/ui2-fresh{figures}")
    qtbot.addWidget(label)
    metrics = label.fontMetrics()

    def shown_at(text: str) -> str:  # the label as wide as ``text`` needs (and a little more)
        label.resize(metrics.horizontalAdvance(text) + 12 + label.contentsMargins().left() * 2, 20)
        return label.shown()

    assert shown_at(f"Workspace: ui2-fresh{figures}") == f"Workspace: ui2-fresh{figures}"  # was "/t…sh"
    assert shown_at(f"Workspace: /tmp/…/ui2-fresh{figures}").endswith(f"/ui2-fresh{figures}")  # cut in the middle
    assert shown_at(f"Workspace: ui2-f{figures}").startswith("Workspace: ui2-")  # the name, cut at its end


def test_a_file_with_no_text_says_that_nothing_in_it_can_be_searched(shell, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "note.md").write_text("# Note\n\nThe ferry leaves at nine.\n", encoding="utf-8")
    job = shell.runner.ingest([str(tmp_path)])
    qtbot.waitUntil(lambda: job.state == "done", timeout=WAIT_MS)
    library = shell.library
    qtbot.waitUntil(lambda: len(library.model.rows) == 2, timeout=WAIT_MS)

    status = {r["name"]: _display(r, "status") for r in library.model.rows}
    assert status == {"empty.txt": "no text", "note.md": "ok"}  # was "ok" with 0 passages, as if all was well
    assert library.select_path(str(tmp_path / "empty.txt"))
    assert "Nothing to search:" in library.details.text() and "search and chat cannot use it" in library.details.text()
    log = shell.activity.log
    qtbot.waitUntil(lambda: "Read empty.txt: no text was found in it" in log.toPlainText(), timeout=WAIT_MS)
    assert "Read note.md (1 passage)." in log.toPlainText()


def test_the_empty_tables_and_approvals_name_the_key_that_adds_a_file(shell) -> None:  # type: ignore[no-untyped-def]
    (add,) = [a for a in shell.window.findChildren(QAction) if a.text() == "&Add files…"]
    key = add.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    shell.build_late_panes()
    tables, approvals = shell.window.panes["tables"].widget, shell.window.panes["approvals"].widget
    for empty in (tables.empty.text(), approvals.empty.text()):  # both spoke only of dropping a file
        assert "File ▸ Add files…" in empty and key in empty
    assert "approves a clean one at once" in approvals.empty.text()  # why a dropped CSV is not waiting here


def test_a_query_naming_a_column_the_table_lacks_lists_the_columns_it_has(qtbot, ws: Workspace, people) -> None:  # type: ignore[no-untyped-def]
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    box = pane.query_box
    box.editor.setPlainText("SELECT shop, count(*) FROM people GROUP BY 1")
    assert box.run()  # without a runner it runs here
    assert box.message.error
    assert box.message.text().endswith('there is no column "shop". Columns of “people”: name, age, city.')
    box.editor.setPlainText("SELECT nmae FROM people")  # a close match is offered, and the columns too
    box.run()
    said = box.message.text()
    assert 'did you mean "name"? Columns of “people”: name, age, city.' in said


def test_the_workspace_figures_stay_readable_beside_a_note_and_an_error_at_800(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.set_status(workspace="Workspace: /tmp/s35/ui2-ws — 36 documents, 58 passages, 1 failed",
                      model="Model: ready", queue="Queue: empty")
    window.presenter.present("Grace could not read scan of receipt.pdf: the PDF is damaged or truncated.")
    window.flash("Done: 3 files read, 1 not read.")
    window.resize(800, 560)
    qtbot.waitUntil(lambda: window.width() == 800, timeout=5_000)
    QApplication.processEvents()
    label = window.workspace_label
    shown = label.shown()
    assert shown.endswith("36 documents, 58 passages, 1 failed")
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()  # was cut at "58 passage"
    assert window.news_label.shown() == "Done: 3 files read, 1 not read."


def test_a_proposal_s_reasons_name_types_as_its_type_list_does(qtbot, ws: Workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    set_policy(ws, auto_approve_threshold=1.0)
    import_csv(ws, tmp_path, "receipts", "when,shop\n2025-01-03,Tesco\n03/01/2025,Lidl\n")  # day or month first?
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.list.setCurrentItem(pane.list.topLevelItem(0))
    why = pane.detail.reasons.text()
    assert "approve with the type “Text” to keep the dates as written" in why
    assert "VARCHAR" not in why + pane.list.topLevelItem(0).toolTip(0)  # the Type list offers no such word


def test_the_sidebar_counts_the_proposals_waiting_for_approval(shell, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = shell.runner.ws
    item = shell.window.panes["approvals"].item
    assert item.text() == "Approvals"
    set_policy(ws, auto_approve_threshold=1.0)
    (tmp_path / "receipts.csv").write_text("when,shop\n2025-01-03,Tesco\n03/01/2025,Lidl\n", encoding="utf-8")
    job = shell.runner.ingest([str(tmp_path / "receipts.csv")])
    qtbot.waitUntil(lambda: job.state == "done", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: item.text() == "Approvals (1)", timeout=WAIT_MS)  # said only "Done: 1 file read."
    assert item.toolTip() == "1 proposal waits for your approval"

    shell.build_late_panes()
    approvals = shell.window.panes["approvals"].widget
    qtbot.waitUntil(lambda: approvals.selected() is not None, timeout=WAIT_MS)
    approvals.detail.approve_button.click()
    qtbot.waitUntil(lambda: item.text() == "Approvals", timeout=WAIT_MS)
