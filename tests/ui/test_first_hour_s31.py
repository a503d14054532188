"""What a first hour in the GUI ran into (walkthrough session 31): the empty chat's example
questions stayed light after a switch to dark; the next proposal in Approvals opened scrolled
down where the last one was left, its title and reasons out of sight; an empty table showed a
blank grid that said nothing; a done "create table" card did not say where the table is."""

from __future__ import annotations

import pytest

from grace_desktop.qt import QApplication, QCoreApplication, QPalette
from ui import theme
from ui.chat import ChatPane


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
