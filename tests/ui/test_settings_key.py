"""The endpoint URL in Settings and its API key: where the key is entered, and the key following
a corrected URL (a key is kept for one exact URL)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail

from engine.settings import SETTINGS
from ui.settings_dialog import KEY_MENU, SettingsDialog

OLD, NEW = "http://127.0.0.1:9/v1", "http://127.0.0.1:18082/v1"
WAIT_MS = 300_000


@pytest.fixture
def session_keys() -> Iterator[None]:
    """No system keyring: keys are kept for the session, in memory (never the real keyring)."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def dialog_for(qtbot, url: str, keyed: bool) -> SettingsDialog:  # type: ignore[no-untyped-def]
    values = {name: decl.default for name, decl in SETTINGS.items()} | {"llm_base_url": url}
    dialog = SettingsDialog(values, key_stored=keyed)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_url_says_where_its_key_is_entered_and_offers_to_move_it_when_changed(qtbot) -> None:
    dialog = dialog_for(qtbot, OLD, keyed=True)
    note, url = dialog.key_note, dialog.editors["llm_base_url"]
    assert note is not None and not note.carry.isVisible()
    assert note.label.text() == f"An API key is stored for this URL; {KEY_MENU} replaces it."

    url.setText(NEW)
    assert note.carry.isVisible() and note.carry.isChecked()
    said = note.label.text().replace("\u200b", "")
    assert said.startswith(f"The API key stored for {OLD} is kept for that exact URL") and dialog.key_from() == OLD
    form = dialog.scroll_area.widget()  # the note wraps: the settings do not scroll sideways
    assert form.minimumSizeHint().width() <= dialog.scroll_area.viewport().width()
    note.carry.setChecked(False)
    assert dialog.key_from() is None
    url.setText("")
    assert not note.carry.isVisible() and not note.label.isVisible() and dialog.key_from() is None

    fresh = dialog_for(qtbot, "", keyed=False)
    fresh.editors["llm_base_url"].setText(NEW)
    assert fresh.key_note.label.text() == f"If the endpoint needs an API key, enter it in {KEY_MENU} after saving."
    assert not fresh.key_note.carry.isVisible() and fresh.key_from() is None


def open_dialog(shell, qtbot) -> SettingsDialog:  # type: ignore[no-untyped-def]
    shell.window.settings_requested.emit()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in shell.window.findChildren(SettingsDialog)), timeout=WAIT_MS)
    return next(d for d in shell.window.findChildren(SettingsDialog) if d.isVisible())


def test_a_corrected_url_takes_its_key_along(shell, qtbot, session_keys) -> None:  # type: ignore[no-untyped-def]
    ws = shell.runner.ws
    ws.set_setting("llm_base_url", OLD)
    ws.chat.set_api_key("sk-walk-0123")
    dialog = open_dialog(shell, qtbot)
    assert dialog.key_note.label.text().startswith("An API key is stored for this URL")

    dialog.editors["llm_base_url"].setText(NEW)
    dialog.accept()
    qtbot.waitUntil(lambda: ws.chat.keys.get(NEW) == "sk-walk-0123", timeout=WAIT_MS)  # was: no key, no word
    assert not ws.chat.keys.has(OLD)
    qtbot.waitUntil(lambda: shell.window.news_label.text() == f"Saved: Chat endpoint URL. Moved the API key to {NEW}.",
                    timeout=20_000)


def test_a_url_left_without_its_key_says_so(shell, qtbot, session_keys) -> None:  # type: ignore[no-untyped-def]
    ws = shell.runner.ws
    ws.set_setting("llm_base_url", OLD)
    ws.chat.set_api_key("sk-walk-0123")
    dialog = open_dialog(shell, qtbot)
    dialog.editors["llm_base_url"].setText(NEW)
    dialog.key_note.carry.setChecked(False)
    dialog.accept()
    qtbot.waitUntil(lambda: shell.window.news_label.text() == (
        f"Saved: Chat endpoint URL. No API key is stored for {NEW}; if the endpoint needs one, enter it in "
        f"{KEY_MENU}"), timeout=WAIT_MS)
    assert ws.chat.keys.get(OLD) == "sk-walk-0123" and not ws.chat.keys.has(NEW)
