"""A label with links that the keyboard reaches in one Tab per link.

A QLabel with ``LinksAccessibleByKeyboard`` took two Tab stops for one link: the label
itself (nothing shown as focused), then its link; and Shift+Tab never left its first link.
Here Tab (or Shift+Tab) into the label, or a shortcut that puts the keyboard there, lands on
its first (last) link at once, goes from link to link and then on out of the label, and
Enter follows it. After a switch between light and dark, the links take the new palette's
colour (a QLabel kept the light blue on dark).
"""

from __future__ import annotations

from grace_desktop.qt import QEvent, QFocusEvent, QLabel, Qt, QWidget


class LinkLabel(QLabel):
    """Rich text whose links the mouse and the keyboard follow (``linkActivated``)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusInEvent(event)
        reason = event.reason()
        if reason in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                      Qt.FocusReason.ShortcutFocusReason):
            # The first link (the last, going back) at once, not the label and then its link.
            self.focusNextPrevChild(reason != Qt.FocusReason.BacktabFocusReason)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt's names
        """The next (previous) link, else the next (previous) widget: going back from the first
        link, QLabel found that same link again, and Shift+Tab stayed there for good."""
        before = (self.selectionStart(), self.selectedText())
        if super().focusNextPrevChild(next) and (self.selectionStart(), self.selectedText()) != before:
            return True
        return QWidget.focusNextPrevChild(self, next)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.text():
            text = self.text()  # laid out again: QLabel colours its links once, when the text is set
            self.setText("")
            self.setText(text)
