"""Settings: the dialog is generated from the one declaration, and what is changed stays
changed; the window's geometry and pane are kept with QSettings."""

from __future__ import annotations

from engine.settings import SETTINGS
from grace_desktop import appsettings
from grace_desktop.qt import QCheckBox, QDoubleSpinBox, QLineEdit, QSpinBox
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
    assert title("max_file_mb") == "Max file (MB)"


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
