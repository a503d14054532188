"""The main window's own parts: the notification bar and the status bar's error, the notices
window, the light/dark switch, the Quit shortcut and About."""

from __future__ import annotations

import pytest

from grace_desktop.qt import (
    QAction,
    QApplication,
    QDialog,
    QIcon,
    QKeySequence,
    QLabel,
    QMessageBox,
    QPalette,
    QToolButton,
)
from ui import theme
from ui.errors import ErrorPresenter
from ui.main_window import MainWindow

LONG_NAME = ("Quarterly_Financial_Report_Department_of_Regional_Infrastructure_and_Transport_"
             "Final_Draft_Reviewed_by_Legal_and_Compliance_2024-03-15_v7_signed.pdf")


@pytest.fixture
def window(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow()
    qtbot.addWidget(w)
    w.presenter = ErrorPresenter(w, w.notifications, allow_modal=False)
    w.presenter.presented.connect(w.show_error)  # as the shell wires them
    w.resize(800, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_long_file_name_in_an_error_keeps_the_window_its_size(window, qtbot) -> None:
    window.presenter.present(f"Grace could not read {LONG_NAME}: the PDF is damaged.")
    window.presenter.present("x" * 400)  # one word no wrap can break: clipped, not widening
    QApplication.processEvents()
    assert window.minimumSizeHint().width() < 800 and window.width() == 800


def test_dismiss_clears_the_error_in_the_status_bar_too(window) -> None:
    window.presenter.present("Grace could not read notes.pdf: the file is damaged.")
    assert window.error_label.text()
    dismiss = next(b for b in window.notifications.findChildren(QToolButton) if b.text() == "Dismiss")
    dismiss.click()
    assert window.notifications.isHidden() and window.error_label.text() == ""


def test_a_failure_notice_keeps_to_the_files_that_still_fail(window) -> None:
    presenter = window.presenter
    presenter.present_failures([{"path": "/d/report.pdf", "reason": "it is not a PDF"},
                                {"path": "/d/minutes.docx", "reason": "it is not a valid DOCX file"}])
    assert window.notifications.sentence.startswith("2 files could not be read.")
    presenter.follow_failures([{"path": "/d/minutes.docx", "error": "it is not a valid DOCX file"},
                               {"path": "/d/other.txt", "error": "it is empty"}])  # report.pdf was read
    assert window.notifications.sentence == "Grace could not read minutes.docx: it is not a valid DOCX file."
    assert window.error_label.toolTip() == window.notifications.sentence  # the status bar follows
    presenter.follow_failures([])  # minutes.docx removed: nothing the notice named fails any more
    assert window.notifications.isHidden() and window.error_label.text() == ""
    assert len(presenter.log) == 1  # the notices window still lists what happened


def test_an_error_after_a_failure_notice_stays_when_the_failures_are_fixed(window) -> None:
    window.presenter.present_failures([{"path": "/d/report.pdf", "reason": "it is not a PDF"}])
    window.presenter.present("The disk is full, so nothing was saved.")
    window.presenter.follow_failures([])
    assert window.notifications.isVisible() and window.error_label.toolTip().startswith("The disk is full")


def test_the_status_bar_keeps_the_workspace_figures_whole_beside_a_long_error(window, qtbot) -> None:
    window.set_status(workspace="Workspace: ~/Documents/Grace — 5 documents, 5 passages, 1 failed",
                      model="Model: ready", queue="Queue: 1 job (reading, 30%)")
    window.presenter.present("2 files could not be read. Grace could not read meeting_minutes.docx: it is "
                             "not a valid DOCX file (not a zip archive). The Library lists all of them.")
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5_000)
    QApplication.processEvents()
    label = window.workspace_label
    assert label.shown().endswith(" — 5 documents, 5 passages, 1 failed")  # the figures whole (the path may give way)
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.shown())
    assert window.error_label.shown().endswith("…") and window.error_label.toolTip().endswith("all of them.")


def test_show_all_reuses_one_notices_window_that_follows_new_notices(window, qtbot) -> None:
    window.presenter.present("The first notice.")
    window.presenter.present("The second notice.")
    window.notifications.more.click()
    window.notifications.more.click()
    logs = [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert len(logs) == 1
    window.presenter.present("The third notice.")
    assert "The third notice." in window.presenter.log_view.toPlainText()
    logs[0].close()
    qtbot.waitUntil(lambda: not window.findChildren(QDialog), timeout=10_000)  # deleted on close
    window.notifications.more.click()
    assert "The first notice." in window.presenter.log_view.toPlainText()


def test_the_error_colours_follow_a_switch_to_dark(window, qtbot, monkeypatch) -> None:
    window.presenter.present("Grace could not read notes.pdf: the file is damaged.")
    assert theme.colors()["error"] in window.notifications.label.text()
    app = QApplication.instance()
    monkeypatch.setattr(theme, "is_dark", lambda: True)
    try:
        app.setPalette(theme.palette(True))  # what the handler of the system's scheme change does
        dark = theme.colors()["error"]
        qtbot.waitUntil(lambda: dark in window.notifications.label.text(), timeout=10_000)
        assert window.error_label.palette().color(QPalette.ColorRole.WindowText).name() == dark
    finally:
        monkeypatch.undo()
        app.setPalette(theme.palette(False))


def test_quit_has_a_shortcut_even_where_the_platform_has_none(window) -> None:
    quit_action = next(a for a in window.findChildren(QAction) if a.text() == "&Quit")
    assert not quit_action.shortcut().isEmpty()
    if not QKeySequence.keyBindings(QKeySequence.StandardKey.Quit):  # offscreen and Windows
        assert quit_action.shortcut() == QKeySequence("Ctrl+Q")


def test_about_names_the_licences_and_about_qt_is_offered(window, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda _parent, _title, text: shown.append(text)))
    window._about()
    assert all(word in shown[0] for word in ("Apache-2.0", "PySide6", "LGPL-3.0", "licenses"))
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "aboutQt", staticmethod(lambda _parent, title: asked.append(title)))
    next(a for a in window.findChildren(QAction) if a.text() == "About &Qt").trigger()
    assert asked == ["About Qt"]


def test_a_sidebar_icon_is_drawn_untinted_on_the_selected_row(window) -> None:
    icon = window.style().standardIcon(window.style().StandardPixmap.SP_DirIcon)
    window.register_pane("Files", QLabel("files"), icon)
    item = window.panes["files"].item
    size = window.sidebar.iconSize()
    normal = item.icon().pixmap(size, QIcon.Mode.Normal).toImage()
    assert item.icon().pixmap(size, QIcon.Mode.Selected).toImage() == normal
    assert icon.pixmap(size, QIcon.Mode.Selected).toImage() != normal  # what the style did to it


def test_a_passing_note_leaves_the_workspace_figures_in_view_and_goes(window, qtbot) -> None:
    window.workspace_label.setText("Workspace: /data — 9 documents, 13 passages")
    window.flash("Reading 3 files…", ms=50)
    assert window.workspace_label.isVisible() and window.news_label.text() == "Reading 3 files…"
    qtbot.waitUntil(lambda: window.news_label.text() == "", timeout=5_000)
    assert window.workspace_label.isVisible()
