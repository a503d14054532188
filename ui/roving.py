"""One Tab stop for a row of small controls, the arrow keys moving within it.

Each answer in a chat has its citation chips and its two rating buttons: with every one of
them a Tab stop, a long chat took dozens of Tabs to cross. Here one of them (the first, or
the one last used) is the Tab stop; Left/Right (Up/Down) move to the previous/next one, Home
and End to the first and last. The others keep ``ClickFocus``: a click still focuses them.
"""

from __future__ import annotations

from grace_desktop.qt import QEvent, QKeyEvent, QObject, Qt, QWidget

_BACK = (Qt.Key.Key_Left, Qt.Key.Key_Up)
_ON = (Qt.Key.Key_Right, Qt.Key.Key_Down)


class RovingFocus(QObject):
    """Makes ``widgets`` (in reading order) one Tab stop; see the module docstring."""

    def __init__(self, widgets: list[QWidget], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.widgets = list(widgets)
        for widget in self.widgets:
            widget.installEventFilter(self)
        self.stop_at(self.widgets[0] if self.widgets else None)

    def stop_at(self, chosen: QWidget | None) -> None:
        """Make ``chosen`` the group's Tab stop (the others: click focus only)."""
        for widget in self.widgets:
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus if widget is chosen else Qt.FocusPolicy.ClickFocus)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(watched, QWidget) or watched not in self.widgets:
            return False
        if event.type() == QEvent.Type.FocusIn:
            self.stop_at(watched)  # Tab comes back to the one last used
        elif isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress and not event.modifiers():
            target = self._next(watched, event.key())
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def _next(self, current: QWidget, key: int) -> QWidget | None:
        """Where ``key`` moves the focus from ``current`` (None: a key the group leaves alone)."""
        shown = [w for w in self.widgets if w.isVisible()]
        if current not in shown or key not in (*_BACK, *_ON, Qt.Key.Key_Home, Qt.Key.Key_End):
            return None
        i = shown.index(current)
        if key == Qt.Key.Key_Home:
            return shown[0]
        if key == Qt.Key.Key_End:
            return shown[-1]
        return shown[max(i - 1, 0)] if key in _BACK else shown[min(i + 1, len(shown) - 1)]
