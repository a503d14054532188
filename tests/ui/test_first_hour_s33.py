"""What session 33's walkthrough ran into: at 800×560 the Library cut file names while Status and
Last ingested kept their fixed room; the Approvals column editor squeezed the names to slivers;
a read-only query card said "Action 1 · done"; the status bar cut the "Done: …" note beside an
error."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace
from grace_desktop.qt import QApplication, QCoreApplication, QPalette, QPushButton, Qt, QVBoxLayout, QWidget
from tests.ui.test_chat_pane import ask
from tests.ui.test_tables_panes import import_csv, set_policy
from ui import theme
from ui.approvals import ApprovalsPane
from ui.chat import ChatPane
from ui.chat_widgets import TelemetryPanel
from ui.links import LinkLabel


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


def test_the_column_names_of_a_proposal_read_whole_in_a_small_window(qtbot, ws, tmp_path: Path) -> None:
    set_policy(ws, auto_approve_threshold=1.0)
    import_csv(ws, tmp_path, "minutes", "document_date,summary,owner\n2026-03-04,Budget review moved,Alice\n")
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.resize(634, 480)  # its room in an 800×560 window
    pane.show()
    columns = pane.detail.columns
    qtbot.waitUntil(lambda: len(columns.names()) == 3, timeout=10_000)
    QApplication.processEvents()
    for column in ("document_date", "summary", "owner"):
        name, kind = columns.editor(column)
        assert name.width() >= name.fontMetrics().horizontalAdvance(column) + 10, (column, name.width())
        assert kind.width() >= kind.minimumSizeHint().width()
    assert not columns.stacked()  # under the list (session 36), the detail has the pane's width
    pane.resize(1100, 600)  # with room enough, heading, name and type on one line again
    QApplication.processEvents()
    assert not columns.stacked()
    name, kind = columns.editor("document_date")
    assert name.width() >= name.fontMetrics().horizontalAdvance("document_date") + 10


def test_a_read_only_query_card_says_what_it_did_and_keeps_its_number_in_the_tooltip(
        qtbot, pane: ChatPane, ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "expenses.csv").write_text("date,category,amount\n2026-02-20,fuel,55.00\n", encoding="utf-8")
    assert ws.tables.import_file(tmp_path / "expenses.csv").status == "applied"
    ask(qtbot, pane, "how much did we spend on fuel in February?")
    card = pane.message_widgets()[-1].cards[0]
    assert card.state.text() == "Ran on your tables; nothing was changed"  # not "Action 1 · done"
    assert card.state.toolTip().startswith(f"Action {card.action.id}:") and "grace actions" in card.state.toolTip()
    pending = ask(qtbot, pane, "create a table called reading list with title, author").actions[0]
    card = next(c for c in pane.message_widgets()[-1].cards if c.action.id == pending.id)
    assert card.state.text() == "Waits for your approval"
    assert f"grace actions approve {pending.id}" in card.state.toolTip()  # the number, for a terminal


def test_the_done_note_and_an_error_both_read_in_the_status_bar_at_1024(shell, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    for n in range(4):
        (folder / f"note {n}.md").write_text(f"# Note {n}\n\nThe plumber comes on day {n}.\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"not a pdf at all")
    window = shell.window
    window.resize(1024, 700)
    window.show()
    shell.add_paths([str(folder)])
    qtbot.waitUntil(lambda: window.news_label.text().startswith("Done"), timeout=120_000)
    qtbot.waitUntil(lambda: "1 failed" in window.workspace_label.text(), timeout=10_000)
    window.set_status(workspace=window.workspace_label.text().replace(str(shell.runner.ws.folder),
                                                                      "~/.local/share/Grace"))
    QApplication.processEvents()
    news, error, where = window.news_label, window.error_label, window.workspace_label
    assert news.text() == "Done: 4 files read, 1 not read." and news.shown() == news.text()  # whole
    assert news.toolTip().startswith("Done: 4 read, 0 unchanged, 1 failed;")  # the whole summary
    assert error.text().startswith("Grace could not read broken.pdf") and len(error.shown().split()) >= 5
    assert " — 5 documents, " in where.shown() and where.shown().endswith(", 1 failed")  # the figures whole
    assert where.toolTip() == where.text()


def test_shift_tab_goes_back_through_each_link_and_out_of_the_label(qtbot) -> None:
    box = QWidget()
    before, after = QPushButton("Before"), QPushButton("After")
    links = LinkLabel('<a href="chat">1 action in chat</a> · <a href="approvals">4 table proposals</a>')
    one = LinkLabel('<a href="approvals">4 table proposals</a>')
    layout = QVBoxLayout(box)
    for widget in (before, links, one, after):
        layout.addWidget(widget)
    qtbot.addWidget(box)
    box.show()
    box.activateWindow()
    qtbot.waitUntil(box.isActiveWindow)
    after.setFocus()
    reached = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
        focus = QApplication.focusWidget()
        reached.append(focus.selectedText() if isinstance(focus, LinkLabel) else focus.text())
    # Not stuck on the first link of a label for good (the workspace panel's, in the chat).
    assert reached == ["4 table proposals", "4 table proposals", "1 action in chat", "Before"]
    for expected in ("1 action in chat", "4 table proposals", "4 table proposals", "After"):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        assert (focus.selectedText() if isinstance(focus, LinkLabel) else focus.text()) == expected


def test_each_link_to_waiting_approvals_reads_whole_in_the_narrow_workspace_panel(qtbot) -> None:
    panel = TelemetryPanel()
    qtbot.addWidget(panel)
    panel.resize(150, 400)  # as narrow as it gets in an 800×560 window
    panel.show()
    panel.show_values({"pending_actions": 1, "pending_proposals": 4})
    QApplication.processEvents()
    label = panel.waiting
    lines = label.height() // label.fontMetrics().lineSpacing()
    assert label.text().count("<br>") == 1 and lines == 2  # "4" and "table proposals" not split apart
    assert all(label.fontMetrics().horizontalAdvance(words) <= label.width()
               for words in ("1 action in chat", "4 table proposals"))


def test_the_reason_box_of_an_action_card_shows_its_edges_in_dark_mode(qtbot, pane: ChatPane, monkeypatch) -> None:
    answer = ask(qtbot, pane, "forget the document notes.txt")
    card = next(c for c in pane.message_widgets()[-1].cards if c.action.id == answer.actions[0].id)
    app = QApplication.instance()
    monkeypatch.setattr(theme, "is_dark", lambda: True)
    app.setPalette(theme.palette(True))
    try:
        QCoreApplication.processEvents()
        image = card.grab().toImage()
        box = card.reason.geometry()
        inside = image.pixelColor(box.center().x(), box.center().y())
        edge = image.pixelColor(box.center().x(), box.top())
        assert inside == theme.palette(True).color(QPalette.ColorRole.Base)  # the box is the card's colour …
        assert abs(edge.lightness() - inside.lightness()) >= 20, (edge.name(), inside.name())  # … its edge is not
    finally:
        monkeypatch.undo()
        app.setPalette(theme.palette(False))
        QCoreApplication.processEvents()
