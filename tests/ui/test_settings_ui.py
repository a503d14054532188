"""Settings: the dialog is generated from the one declaration, and what is changed stays
changed; the window's geometry and pane are kept with QSettings."""

from __future__ import annotations

from engine.settings import SETTINGS
from grace_desktop import appsettings
from grace_desktop.qt import QCheckBox, QDialogButtonBox, QDoubleSpinBox, QLabel, QLineEdit, QSpinBox
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog, title

WAIT_MS = 300_000  # generous: the real model (and tables) on a busy 2-core machine


def test_the_dialog_has_one_editor_per_declared_setting_with_its_help(qtbot) -> None:
    dialog = SettingsDialog({name: decl.default for name, decl in SETTINGS.items()})
    qtbot.addWidget(dialog)
    assert set(dialog.editors) == set(SETTINGS)
    kinds = {bool: QCheckBox, int: QSpinBox, float: QDoubleSpinBox, str: QLineEdit}
    for name, decl in SETTINGS.items():
        editor = dialog.editors[name]
        assert isinstance(editor, kinds[decl.type]) and editor.toolTip() == decl.help
    assert dialog.changed() == {}
    labels = {label.buddy(): label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None}
    assert labels[dialog.editors["watch_debounce_ms"]] == "Wait after a change (ms)"  # words, not a name
    assert not [text for text in labels.values() if "_" in text or "debounce" in text.lower()]
    assert title("max_file_mb") == "Max file (MB)"  # a setting declared without a label


def _open_dialog(shell, qtbot) -> SettingsDialog:  # type: ignore[no-untyped-def]
    shell.window.settings_requested.emit()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in shell.window.findChildren(SettingsDialog)), timeout=WAIT_MS)
    return next(d for d in shell.window.findChildren(SettingsDialog) if d.isVisible())


def test_a_changed_setting_is_kept_when_the_dialog_opens_again(shell, qtbot) -> None:
    dialog = _open_dialog(shell, qtbot)
    dialog.editors["search_k"].setValue(17)
    dialog.editors["max_file_mb"].setValue(3.5)
    assert dialog.changed() == {"search_k": 17, "max_file_mb": 3.5}
    dialog.accept()
    qtbot.waitUntil(lambda: shell.runner.ws.setting("search_k") == 17, timeout=WAIT_MS)
    assert shell.runner.ws.setting("max_file_mb") == 3.5

    again = _open_dialog(shell, qtbot)
    assert again is not dialog
    assert again.editors["search_k"].value() == 17 and again.editors["max_file_mb"].value() == 3.5
    again.restore_defaults()
    assert again.editors["search_k"].value() == SETTINGS["search_k"].default
    again.reject()


def test_a_cancelled_dialog_changes_nothing(shell, qtbot) -> None:
    dialog = _open_dialog(shell, qtbot)
    dialog.editors["search_k"].setValue(42)
    dialog.reject()
    assert shell.runner.ws.setting("search_k") == SETTINGS["search_k"].default


def test_window_geometry_and_pane_are_kept_in_qsettings(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    from grace_desktop.qt import QLabel

    window.register_pane("Library", QLabel("a"))
    window.register_pane("Search", QLabel("b"))
    window.restore_state()
    window.resize(700, 500)  # within the offscreen screen (800 x 600)
    window.show_pane("search")
    window.close()
    assert appsettings.load("window/geometry") is not None
    assert appsettings.load("window/pane") == "search"

    again = MainWindow()
    qtbot.addWidget(again)
    again.register_pane("Library", QLabel("a"))
    again.register_pane("Search", QLabel("b"))
    again.restore_state()
    assert (again.width(), again.height()) == (700, 500)
    assert again.current_pane() == "search"


def test_tests_never_write_to_the_real_profile(tmp_path) -> None:
    settings = appsettings.app_settings()
    assert settings.fileName().startswith(str(tmp_path))


def test_a_base_url_that_is_not_a_url_is_refused_with_a_reason(shell, qtbot) -> None:
    dialog = _open_dialog(shell, qtbot)
    dialog.editors["llm_base_url"].setText("not a url at all")
    dialog.editors["search_k"].setValue(17)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert dialog.isVisible() and not dialog.problem.isHidden()  # it stays open and says why
    assert "'not a url at all' is not a URL" in dialog.problem.text() and "http://" in dialog.problem.text()
    assert dialog.problem.text().startswith("Chat endpoint URL: ")  # the field's label, not "LLM base URL"
    dialog.editors["llm_base_url"].setText("http://localhost:99999/v1")
    ok.click()
    assert "its port must be a number from 0 to 65535" in dialog.problem.text()  # not urllib's "Port out of range"
    for bad in ("ftp://example.com/v1", "localhost:8080/v1", "http:///v1", "http://host:port/v1"):
        dialog.editors["llm_base_url"].setText(bad)
        ok.click()
        assert dialog.isVisible() and "is not a URL" in dialog.problem.text(), bad
    dialog.editors["llm_base_url"].setText("http://127.0.0.1:8080/v1")
    ok.click()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: shell.runner.ws.setting("search_k") == 17, timeout=WAIT_MS)
    assert shell.runner.ws.setting("llm_base_url") == "http://127.0.0.1:8080/v1"


def test_only_the_pane_on_show_sets_the_windows_minimum_width(qtbot) -> None:
    from grace_desktop.qt import QLabel

    window = MainWindow()
    qtbot.addWidget(window)
    window.register_pane("Chat", QLabel("narrow"))
    window.register_pane("Approvals", QLabel("a pane whose content is wide " * 12))  # ~2000 px, hidden
    window.show_pane("chat")
    window.show()
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800, timeout=WAIT_MS)
    assert window.minimumSizeHint().width() < 800
    window.show_pane("approvals")  # shown, the wide pane widens the window as before
    qtbot.waitUntil(lambda: window.minimumSizeHint().width() > 1000, timeout=WAIT_MS)
    window.show_pane("chat")
    qtbot.waitUntil(lambda: window.minimumSizeHint().width() < 800, timeout=WAIT_MS)


def test_an_action_policy_that_cannot_be_read_keeps_the_dialog_open_and_saves_nothing(shell, qtbot) -> None:
    dialog = _open_dialog(shell, qtbot)
    dialog.editors["search_k"].setValue(25)
    dialog.editors["action_tiers"].setText("ingest=banana")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.editors["action_tiers"].text() == "ingest=banana"
    assert "'ingest=banana' is not 'kind=tier'" in dialog.problem.text()
    assert shell.runner.ws.setting("search_k") == SETTINGS["search_k"].default
    dialog.editors["action_tiers"].setText("ingest=3")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: shell.runner.ws.setting("action_tiers") == "ingest=3", timeout=WAIT_MS)
    assert shell.runner.ws.setting("search_k") == 25


def test_saving_is_all_or_nothing(shell, qtbot) -> None:
    from ui.settings_dialog import save_settings

    with qtbot.waitSignal(shell.runner.error, timeout=WAIT_MS) as refused:
        save_settings(shell.runner, {"search_k": 25, "action_tiers": "ingest=banana"})
    assert "ingest=banana" in refused.args[0]
    assert shell.runner.ws.setting("search_k") == SETTINGS["search_k"].default  # not stored before the refusal


def test_ok_without_edits_changes_nothing_however_precise_the_stored_values(qtbot) -> None:
    values = {name: decl.default for name, decl in SETTINGS.items()}
    values.update(abstain_threshold=0.333, max_file_mb=0.0015, reconcile_minutes=2.125)
    dialog = SettingsDialog(values)
    qtbot.addWidget(dialog)
    assert dialog.changed() == {}
    assert dialog.editors["abstain_threshold"].value() == 0.333
    assert dialog.editors["max_file_mb"].value() == 0.0015
    dialog.editors["abstain_threshold"].setValue(0.334)
    assert dialog.changed() == {"abstain_threshold": 0.334}


LATER_NOTE = "files read from now on"


def test_settings_read_only_with_a_file_say_once_that_they_apply_to_files_read_from_now_on(qtbot) -> None:
    from grace_desktop.qt import QLabel

    dialog = SettingsDialog({name: decl.default for name, decl in SETTINGS.items()})
    qtbot.addWidget(dialog)
    notes = [label.text() for label in dialog.findChildren(QLabel) if LATER_NOTE in label.text()]
    assert len(notes) == 2  # once for the limits, once for how files are cut into passages
    form = dialog.editors["chunk_tokens"].parentWidget().layout()

    def section_of(name: str) -> str:
        row = form.getWidgetPosition(dialog.editors[name])[0]
        while form.itemAt(row, form.ItemRole.SpanningRole) is None:
            row -= 1
        return form.itemAt(row, form.ItemRole.SpanningRole).widget().text()

    assert LATER_NOTE in section_of("chunk_tokens") and "cut short" not in section_of("chunk_tokens")
    assert "cut short or refused is read again" in section_of("max_pages")
    assert LATER_NOTE not in section_of("search_k")
    assert all(LATER_NOTE not in form.itemAt(form.getWidgetPosition(editor)[0] + 1, form.ItemRole.FieldRole)
               .widget().text() for editor in dialog.editors.values())  # not under every setting


def test_a_changed_watcher_timing_applies_at_once(shell, qtbot) -> None:
    shell.start_watcher()
    assert shell.watcher._core.debounce == 0.3
    with qtbot.waitSignal(shell.runner.changed, timeout=WAIT_MS):
        shell.runner.run_op(lambda ws: ws.set_setting("watch_debounce_ms", 5000), "saving the settings")
    qtbot.waitUntil(lambda: shell.watcher._core.debounce == 5.0, timeout=10_000)  # the running watcher's
    assert shell.watch_timing == {"debounce_ms": 5000, "reconcile_seconds": 600.0}
    again = shell.watcher
    shell._retime_watcher(dict(shell.watch_timing))  # another setting changed: the timing did not
    assert shell.watcher is again


def test_each_help_text_is_as_tall_as_its_lines_and_numbers_show_no_padding_zeros(qtbot) -> None:
    from ui.settings_dialog import FittedLabel

    dialog = SettingsDialog({name: decl.default for name, decl in SETTINGS.items()})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = [label for label in dialog.findChildren(FittedLabel) if label.isVisible()]
    assert len(labels) > len(SETTINGS)  # each setting's help, and the section headings
    for label in labels:  # a one-line help no longer takes two lines' height (uneven gaps)
        qtbot.waitUntil(lambda label=label: label.height() == label.heightForWidth(label.width()))
    assert dialog.editors["max_file_mb"].text() == "25"  # not "25.000", read as 25 thousand in some places
    dialog.editors["max_file_mb"].setValue(0.5)
    assert dialog.editors["max_file_mb"].text() == "0.5" and dialog.editors["max_file_mb"].value() == 0.5


def test_saving_says_what_was_saved_in_the_status_bar(shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _open_dialog(shell, qtbot)
    dialog.editors["search_k"].setValue(23)
    dialog.accept()
    qtbot.waitUntil(lambda: shell.runner.ws.setting("search_k") == 23, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shell.window.news_label.text() == "Saved: Search results.", timeout=20_000)


def test_the_dialog_opens_with_the_keyboard_in_its_first_field(shell, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _open_dialog(shell, qtbot)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.focusWidget() is not None, timeout=20_000)
    assert dialog.focusWidget() in dialog.editors.values()  # not the scroll area around them


def test_a_decimal_comma_typed_into_a_number_box_is_read_as_the_point(qtbot) -> None:
    from PySide6.QtTest import QTest

    from grace_desktop.qt import QLocale

    dialog = SettingsDialog({name: decl.default for name, decl in SETTINGS.items()})
    qtbot.addWidget(dialog)
    box = dialog.editors["max_file_mb"]
    box.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), "2,5")
    box.interpretText()
    assert box.value() == 2.5  # Qt alone took the comma for grouping and read 25
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), "2,500")
    box.interpretText()
    assert box.value() == 2500  # three digits after it: that comma groups thousands
