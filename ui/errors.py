"""The one place errors reach a person: the status bar, a notification bar with a log,
and (only for something the person just asked for) a message box that does not block."""

from __future__ import annotations

import time
from dataclasses import dataclass

from grace_desktop.qt import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QObject,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

from .theme import colors

MAX_LOG = 200


@dataclass
class Notice:
    when: float
    sentence: str


class NotificationBar(QFrame):
    """A slim bar above the panes showing the newest error, with "Show all" and "Dismiss"."""

    show_log = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notificationBar")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.more = QToolButton(self)
        self.more.setText("Show all…")
        self.more.setAutoRaise(True)
        self.more.clicked.connect(self.show_log)
        close = QToolButton(self)
        close.setText("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.more)
        row.addWidget(close)
        self.hide()

    def notify(self, sentence: str, count: int) -> None:
        """Show ``sentence``; ``count`` is how many notices the log holds."""
        c = colors()
        self.setStyleSheet(f"#notificationBar {{ border: 1px solid {c['error']}; border-radius: 4px; }}")
        self.label.setText(f"<span style='color:{c['error']}'>&#9888;</span> {_escape(sentence)}")
        self.more.setVisible(count > 1)
        self.show()


class ErrorPresenter(QObject):
    """Shows the engine's sentences; ``presented(sentence)`` feeds the status bar."""

    presented = Signal(str)

    def __init__(self, window: QWidget | None = None, bar: NotificationBar | None = None,
                 allow_modal: bool = True) -> None:
        super().__init__(window)
        self.window, self.bar, self.allow_modal = window, bar, allow_modal
        self.log: list[Notice] = []
        self.last_box: QMessageBox | None = None
        if bar is not None:
            bar.show_log.connect(self.show_log)

    def present(self, sentence: str, user_initiated: bool = False) -> None:
        """Record and show ``sentence``; a message box only for what the person just did."""
        self.log = self.log[-(MAX_LOG - 1):] + [Notice(time.time(), sentence)]
        self.presented.emit(sentence)
        if self.bar is not None:
            self.bar.notify(sentence, len(self.log))
        if user_initiated and self.allow_modal and self.window is not None:
            box = QMessageBox(QMessageBox.Icon.Warning, "Grace", sentence, QMessageBox.StandardButton.Ok,
                              self.window)
            box.open()  # window-modal but never blocks the event loop
            self.last_box = box

    def show_log(self) -> None:
        """A non-modal window listing every notice of this session, newest first."""
        dialog = QDialog(self.window)
        dialog.setWindowTitle("Grace — notices")
        dialog.resize(640, 360)
        view = QTextBrowser(dialog)
        view.setHtml("".join(f"<p><b>{time.strftime('%H:%M:%S', time.localtime(n.when))}</b> "
                             f"{_escape(n.sentence)}</p>" for n in reversed(self.log)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        layout.addWidget(buttons)
        dialog.show()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
