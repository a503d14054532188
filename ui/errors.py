"""The one place errors reach a person: the status bar, a notification bar with a log,
and (only for something the person just asked for) a message box that does not block."""

from __future__ import annotations

import time
from dataclasses import dataclass

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

from . import breakable
from .theme import colors

MAX_LOG = 200


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
    """Shows the engine's sentences; ``presented(sentence)`` feeds the status bar."""

    presented = Signal(str)

    def __init__(self, window: QWidget | None = None, bar: NotificationBar | None = None,
                 allow_modal: bool = True) -> None:
        super().__init__(window)
        self.window, self.bar, self.allow_modal = window, bar, allow_modal
        self.log: list[Notice] = []
        self.last_box: QMessageBox | None = None
        self.log_window: QDialog | None = None
        self.log_view: QTextBrowser | None = None
        if bar is not None:
            bar.show_log.connect(self.show_log)

    def present(self, sentence: str, user_initiated: bool = False) -> None:
        """Record and show ``sentence``; a message box only for what the person just did."""
        self.log = self.log[-(MAX_LOG - 1):] + [Notice(time.time(), sentence)]
        self.presented.emit(sentence)
        if self.bar is not None:
            self.bar.notify(sentence, len(self.log))
        self._fill_log()
        if user_initiated and self.allow_modal and self.window is not None:
            box = QMessageBox(QMessageBox.Icon.Warning, "Grace", sentence, QMessageBox.StandardButton.Ok,
                              self.window)
            box.open()  # window-modal but never blocks the event loop
            self.last_box = box

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
