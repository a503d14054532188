"""What a first hour in the GUI ran into (walkthrough session 31): the empty chat's example
questions stayed light after a switch to dark; the next proposal in Approvals opened scrolled
down where the last one was left, its title and reasons out of sight; an empty table showed a
blank grid that said nothing; a done "create table" card did not say where the table is."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace
from grace_desktop.qt import QApplication, QCoreApplication, QPalette, QScrollArea
from tests.ui.test_approvals_list import pending_imports, shown_pane
from tests.ui.test_chat_pane import ask
from ui import theme
from ui.chat import ChatPane
from ui.chat_widgets import ActionCard
from ui.tables import TablesPane


def test_the_example_questions_take_the_dark_colours_when_the_system_switches(
        qtbot, pane: ChatPane, monkeypatch: pytest.MonkeyPatch) -> None:
    pane.examples.show_examples(["How often should tomatoes be watered?"])
    QCoreApplication.processEvents()
    button = pane.examples.buttons[0]
    assert button.isVisible()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    monkeypatch.setattr(theme, "is_dark", lambda: True)
    app.setPalette(theme.palette(True))
    try:
        QCoreApplication.processEvents()
        inside = button.grab().toImage().pixelColor(button.width() // 2, 3)
        assert inside == theme.palette(True).color(QPalette.ColorRole.AlternateBase)  # not the light one left behind
    finally:
        monkeypatch.undo()
        app.setPalette(theme.palette(False))
        QCoreApplication.processEvents()


def test_the_next_proposal_opens_at_its_top_not_where_the_last_was_scrolled(qtbot, ws: Workspace,
                                                                          tmp_path: Path) -> None:
    pending_imports(ws, tmp_path)
    pane = shown_pane(qtbot, ws, 900)
    pane.resize(900, 420)  # short: the proposal scrolls
    pane.list.setCurrentItem(pane.list.topLevelItem(0))
    scroll = pane.detail.findChild(QScrollArea)
    assert scroll is not None
    bar = scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())  # read down to the sample (or tabbed to it)
    pane.list.setCurrentItem(pane.list.topLevelItem(1))
    assert bar.value() == 0  # the next one's title, confidence and reasons are in sight
    bar.setValue(bar.maximum())
    pane.detail.show_proposal(pane.detail.proposal)  # the same one shown again (refreshed): left where it was
    assert bar.value() == bar.maximum()


def test_an_empty_table_says_how_to_add_its_first_row(qtbot, ws: Workspace) -> None:
    ws.tables.create_empty("books", ["title", "author"], source="a test")
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.show()
    assert pane.select_table("books")
    assert pane.message.text() == "“books” has no rows yet: Add row (Ins) adds one."
    pane.add_row({"title": "Dune", "author": "Herbert"})
    assert "no rows yet" not in pane.message.text()


def test_a_done_create_table_card_says_where_the_table_is(qtbot, pane: ChatPane) -> None:
    answer = ask(qtbot, pane, "create a table called books with title and author")
    card = next(c for c in pane.findChildren(ActionCard) if c.action.id == answer.actions[0].id)
    card.approve.click()
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=60_000)
    assert card.state.text() == "Done: made the table “books”"  # (s34: what it did, not where it is now)
