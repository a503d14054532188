"""What a first hour in the GUI ran into (walkthrough sessions 31 and 32): the status bar kept
"Adding …" beside the result of a job long done; the empty chat's examples named tables as the
database spells them; a new table went to the end of the Tables list; the chat's link to the
waiting approvals took two Tab stops; every answer's chips and ratings lengthened the Tab chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace
from engine.settings import SETTINGS
from grace_desktop.qt import (
    QApplication,
    QCoreApplication,
    QPalette,
    QPoint,
    QPushButton,
    QRect,
    Qt,
    QVBoxLayout,
    QWidget,
)
from tests.ui.test_chat_pane import _tab_stops, ask
from tests.ui.test_tables_panes import PEOPLE
from ui import theme
from ui.chat import ChatPane
from ui.chat_widgets import TelemetryPanel
from ui.chat_worker import example_questions
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog
from ui.tables import TABLE_NAME, TablesPane


def test_the_status_bar_says_how_an_added_folder_went_once_it_is_read(shell, qtbot, docs: Path) -> None:
    shell.add_paths([str(docs)])
    news = shell.window.news_label
    assert news.text() == "Adding “docs”…"
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0, timeout=120_000)
    # Not "Adding “docs”…" for seconds more beside the workspace's new figures.
    assert news.text() == "Done: 5 files read.", news.text()
    assert news.toolTip().startswith("Done: 5 read, 0 unchanged;")  # the whole summary


def test_the_empty_chat_names_the_persons_own_table_first_as_a_person_says_it(ws: Workspace,
                                                                              tmp_path: Path) -> None:
    (tmp_path / "travel_costs.csv").write_text("date,category,amount\n2026-01-03,groceries,42.10\n"
                                               "2026-01-05,fuel,30\n", encoding="utf-8")
    assert ws.tables.import_file(tmp_path / "travel_costs.csv").status == "applied"
    ws.tables.add_row("notes", {"title": "Call the plumber"})  # a catalog table that holds a row
    ws.tables.create_empty("aardvarks", ["name"], source="a test")  # theirs, but nothing to count yet
    examples = example_questions(ws)
    assert examples[:2] == ["How many rows are in travel costs?", "How many rows are in notes?"]
    assert "**2 rows**" in ws.chat.ask(examples[0]).text  # the chat still finds the table
    made = ws.chat.ask(next(q for q in examples if q.startswith("Create a table"))).actions
    assert [(a.type, a.params["table"]) for a in made] == [("create_table", "reading_list")]


def _listed(pane: TablesPane) -> list[str]:
    items = (pane.table_list.topLevelItem(i) for i in range(pane.table_list.topLevelItemCount()))
    return [item.data(0, TABLE_NAME) for item in items if item.data(0, TABLE_NAME)]


def test_a_table_made_in_chat_takes_its_place_in_name_order_and_tables_opens_on_it(qtbot, ws: Workspace,
                                                                                   tmp_path: Path) -> None:
    for name, text in (("expenses", "date,category,amount\n2026-01-03,groceries,42.10\n2026-01-05,fuel,30\n"),
                       ("zoo_visits", PEOPLE)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        assert ws.tables.import_file(tmp_path / f"{name}.csv").status == "applied"
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.show()
    assert pane.model.table == "expenses"
    pane.on_changes(ws.tables.create_empty("cars", ["model"], source="a test"))  # the person is here: left alone
    assert _listed(pane) == ["cars", "expenses", "zoo_visits"] and pane.model.table == "expenses"
    pane.hide()  # in Chat: "create a table called books …", approved
    pane.on_changes(ws.tables.create_empty("books", ["title", "author"], source="a test"))
    assert _listed(pane) == ["books", "cars", "expenses", "zoo_visits"]  # not after the tables with rows
    assert pane.model.table == "books" and pane.table_list.currentItem().data(0, TABLE_NAME) == "books"


def test_one_tab_reaches_the_link_to_the_waiting_table_proposals_and_enter_follows_it(qtbot) -> None:
    host = QWidget()
    before = QPushButton("before", host)
    panel = TelemetryPanel(host)
    after = QPushButton("after", host)
    layout = QVBoxLayout(host)
    for widget in (before, panel, after):
        layout.addWidget(widget)
    qtbot.addWidget(host)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow)
    panel.show_values({"pending_proposals": 2})
    assert panel.waiting.text() == '<a href="approvals">2 table proposals</a>'
    before.setFocus()
    qtbot.keyClick(before, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is panel.waiting and panel.waiting.hasSelectedText()  # the link, at once
    with qtbot.waitSignal(panel.waiting_chosen) as chosen:
        qtbot.keyClick(panel.waiting, Qt.Key.Key_Return)
    assert chosen.args == ["approvals"]
    qtbot.keyClick(panel.waiting, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is after
    qtbot.keyClick(after, Qt.Key.Key_Backtab)  # and back: on the link again, in one stop
    assert QApplication.focusWidget() is panel.waiting and panel.waiting.hasSelectedText()


def test_each_answer_is_one_tab_stop_and_the_arrows_reach_its_sources_and_ratings(qtbot, pane: ChatPane) -> None:
    for question in ("How often should tomatoes be watered?", "When is the budget review?",
                     "What does basil need?"):
        ask(qtbot, pane, question)
    answers = [m for m in pane.message_widgets() if m.role == "assistant"]
    assert all(a.helpful is not None for a in answers)
    stops = _tab_stops(pane)
    in_answers = [w for w in stops if any(a.isAncestorOf(w) for a in answers)]
    assert len(in_answers) == len(answers)  # not every chip and both ratings of every answer
    pane.activateWindow()
    qtbot.waitUntil(pane.isActiveWindow)
    first = answers[0]
    group = [*first.chips, first.helpful, first.not_helpful]
    group[0].setFocus(Qt.FocusReason.TabFocusReason)
    reached = [QApplication.focusWidget()]
    for _ in group[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
        reached.append(QApplication.focusWidget())
    assert reached == group
    qtbot.keyClick(first.not_helpful, Qt.Key.Key_Space)  # rated from the keyboard
    assert first.not_helpful.isChecked()
    qtbot.keyClick(first.not_helpful, Qt.Key.Key_Home)
    assert QApplication.focusWidget() is group[0]
    qtbot.keyClick(group[0], Qt.Key.Key_End)
    assert QApplication.focusWidget() is first.not_helpful
    assert [w for w in _tab_stops(pane) if first.isAncestorOf(w)] == [first.not_helpful]  # Tab comes back to it


def test_settings_open_on_what_a_person_comes_to_change_not_on_the_reading_limits(qtbot) -> None:
    dialog = SettingsDialog({name: decl.default for name, decl in SETTINGS.items()})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    view = dialog.scroll_area.viewport()

    def in_sight(name: str) -> bool:
        editor = dialog.editors[name]
        return view.rect().contains(QRect(editor.mapTo(view, QPoint(0, 0)), editor.size()))

    assert dialog.scroll_area.verticalScrollBar().value() == 0
    assert in_sight("llm_base_url") and in_sight("search_k")  # the chat endpoint, without scrolling
    assert not in_sight("max_decompressed_mb")  # "Largest unpacked DOCX/XLSX (MB)" waits further down


def _link_colour(label: QWidget) -> set[str]:
    image = label.grab().toImage()
    return {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())}


def test_the_link_to_waiting_approvals_takes_the_dark_link_colour_when_the_system_switches(
        qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setPalette(theme.palette(False))  # as the app starts in a light system
    panel = TelemetryPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_values({"pending_proposals": 4})
    light, dark = (theme.palette(d).color(QPalette.ColorRole.Link).name() for d in (False, True))
    try:
        assert light in _link_colour(panel.waiting)
        monkeypatch.setattr(theme, "is_dark", lambda: True)
        app.setPalette(theme.palette(True))
        QCoreApplication.processEvents()
        colours = _link_colour(panel.waiting)
        assert dark in colours and light not in colours  # not the light blue, hard to read on the dark panel
    finally:
        monkeypatch.undo()
        app.setPalette(theme.palette(False))
        QCoreApplication.processEvents()


def test_the_keyboard_reaches_the_link_to_the_catalog_tables_in_a_new_workspace(qtbot, ws: Workspace) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    pane = TablesPane(ws)
    window.register_pane("Tables", pane)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert pane.stack.currentWidget() is pane.empty  # "No tables yet … show them"
    assert window.go_to_pane("tables")  # as Ctrl+N for the pane does
    assert QApplication.focusWidget() is pane.empty and pane.empty.hasSelectedText()  # on "show them"
    qtbot.keyClick(pane.empty, Qt.Key.Key_Return)
    assert pane.stack.currentWidget() is not pane.empty and pane.model.table is not None
    assert pane.keyboard_entry is pane.table_list


def test_the_watched_folders_hint_is_whole_in_a_small_window(shell, qtbot) -> None:
    window, watched = shell.window, shell.library.watched
    window.show_pane("library")
    window.resize(800, 560)
    QCoreApplication.processEvents()
    hint = watched.hint
    assert hint.isVisible() and hint.text().startswith("None yet. Add a folder")
    # Five lines at this width, each whole: not squeezed into the height of four (tops and tails cut off).
    qtbot.waitUntil(lambda: hint.height() >= hint.heightForWidth(hint.width()), timeout=5_000)
