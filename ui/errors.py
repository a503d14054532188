"""The one place errors reach a person: the status bar, a notification bar with a log,
and (only for something the person just asked for) a message box that does not block."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from grace_desktop.qt import (
    QColor,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QObject,
    QPainter,
    QPen,
    QSizePolicy,
    Qt,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
    isValid,
)
from grace_desktop.runner import failures_sentence

from . import breakable
from .theme import colors

MAX_LOG = 200


def confirmed(parent: QWidget, question: str, title: str = "Grace") -> bool:
    """Ask before something is removed: Yes or No, with No the default (Enter keeps things)."""
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, title, question, buttons, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


@dataclass
class Notice:
    when: float
    sentence: str


class NotificationBar(QFrame):
    """A slim bar above the panes showing the newest error, with "Show all" and "Dismiss"."""

    show_log = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notificationBar")
        self.sentence = ""
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        # Ignored: a word the wrap cannot break is clipped rather than widening the window.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.more = QToolButton(self)
        self.more.setText("Show all…")
        self.more.setAutoRaise(True)
        self.more.clicked.connect(self.show_log)
        close = QToolButton(self)
        close.setText("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.more)
        row.addWidget(close)
        self.hide()

    def notify(self, sentence: str, count: int) -> None:
        """Show ``sentence``; ``count`` is how many notices the log holds."""
        self.sentence = sentence
        self._render()
        self.more.setVisible(count > 1)
        self.show()

    def dismiss(self) -> None:
        """Hide the bar; ``dismissed`` lets the status bar drop the same error."""
        self.hide()
        self.dismissed.emit()

    def _render(self) -> None:
        icon = f"<span style='color:{colors()['error']}'>&#9888;</span>"
        self.label.setText(f"{icon} {_escape(breakable(self.sentence))}")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.sentence:  # light/dark switch: new colours
            self._render()

    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        """The border, in the error colour of the scheme in use when it is painted."""
        super().paintEvent(event)  # type: ignore[arg-type]
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(colors()["error"]), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 4, 4)


class ErrorPresenter(QObject):
    """Shows the engine's sentences; ``presented(sentence)`` feeds the status bar (an empty one
    when the error it showed is over: the files it named were read or removed)."""

    presented = Signal(str)

    def __init__(self, window: QWidget | None = None, bar: NotificationBar | None = None,
                 allow_modal: bool = True) -> None:
        super().__init__(window)
        self.window, self.bar, self.allow_modal = window, bar, allow_modal
        self.log: list[Notice] = []
        self.last_box: QMessageBox | None = None
        self.log_window: QDialog | None = None
        self.log_view: QTextBrowser | None = None
        self.failing: dict[str, str] = {}  # the failed files the newest failure notice is about: path -> reason
        self.shown = ""  # the sentence on show in the bar and the status bar
        if bar is not None:
            bar.show_log.connect(self.show_log)
            bar.dismissed.connect(self._dismissed)

    def present(self, sentence: str, user_initiated: bool = False) -> None:
        """Record and show ``sentence``; a message box only for what the person just did."""
        self.log = self.log[-(MAX_LOG - 1):] + [Notice(time.time(), sentence)]
        self._show(sentence)
        self._fill_log()
        if user_initiated and self.allow_modal and self.window is not None:
            box = QMessageBox(QMessageBox.Icon.Warning, "Grace", sentence, QMessageBox.StandardButton.Ok,
                              self.window)
            box.open()  # window-modal but never blocks the event loop
            self.last_box = box

    def present_failures(self, failed: list[dict[str, str]]) -> None:
        """Show an ingest's failed files ({path, reason}) as one notice, together with those of an
        earlier notice that still fail; ``follow_failures`` updates it as files are fixed."""
        earlier = self.failing if self.shown and self.shown == self._failures_text() else {}
        self.failing = {f["path"]: f["reason"] for f in failed}  # the newest first, with its new reason
        for path, reason in earlier.items():
            self.failing.setdefault(path, reason)
        self.present(self._failures_text())

    def follow_failures(self, failed_now: list[dict[str, Any]]) -> None:
        """Keep the failure notice to the files in ``failed_now`` (the workspace's failed documents):
        a file read since, or removed, leaves it; with none left, the notice goes."""
        reasons = {f["path"]: str(f.get("error") or f.get("reason") or "") for f in failed_now}
        left = {p: reasons[p] or r for p, r in self.failing.items() if p in reasons}
        if left.keys() == self.failing.keys():
            return
        on_show = self.shown and self.shown == self._failures_text()
        self.failing = left
        if on_show:  # an error that came after it stays as it is
            self._show(self._failures_text())

    def _failures_text(self) -> str:
        return failures_sentence([{"path": p, "reason": r} for p, r in self.failing.items()]) if self.failing else ""

    def _show(self, sentence: str) -> None:
        """Put ``sentence`` in the bar and the status bar; an empty one clears both."""
        self.shown = sentence
        self.presented.emit(sentence)
        if self.bar is not None and sentence:
            self.bar.notify(sentence, len(self.log))
        elif self.bar is not None:
            self.bar.hide()

    def _dismissed(self) -> None:
        self.shown, self.failing = "", {}

    def show_log(self) -> None:
        """A non-modal window listing every notice of this session, newest first (one window,
        kept up to date while open, deleted when closed)."""
        if self.log_window is None or not isValid(self.log_window):
            self.log_window = self._log_dialog()
        self._fill_log()
        self.log_window.show()
        self.log_window.raise_()
        self.log_window.activateWindow()

    def _log_dialog(self) -> QDialog:
        dialog = QDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle("Grace — notices")
        dialog.resize(640, 360)
        self.log_view = QTextBrowser(dialog)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(self.log_view)
        layout.addWidget(buttons)
        dialog.destroyed.connect(self._log_closed)
        return dialog

    def _log_closed(self) -> None:
        self.log_window = self.log_view = None

    def _fill_log(self) -> None:
        if self.log_view is None or not isValid(self.log_view):
            return
        self.log_view.setHtml("".join(f"<p><b>{time.strftime('%H:%M:%S', time.localtime(n.when))}</b> "
                                      f"{_escape(n.sentence)}</p>" for n in reversed(self.log)))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
