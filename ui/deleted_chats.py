""""Recently deleted chats": the chats deleted in the last 30 days (the engine keeps them that long,
then purges them), with when each was deleted, and Restore. Unlike the Undo bar it outlives a
restart. Arrows choose a chat, Enter (or a double-click) restores it, Esc closes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from engine.chat.conversations import PURGE_AFTER
from grace_desktop.qt import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

from . import human_time

if TYPE_CHECKING:
    from engine import Workspace

ID = Qt.ItemDataRole.UserRole
KEPT_DAYS = round(PURGE_AFTER / 86400)


class DeletedChats(QDialog):
    """The deleted chats of ``ws``; ``restore_chosen(id, title)`` once the person restores one
    (the dialog has closed by then, so the focus can go where the chat is shown)."""

    restore_chosen = Signal(int, str)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recently deleted chats")
        intro = QLabel(f"Deleted chats are kept for {KEPT_DAYS} days, then removed for good. "
                       "Restore brings one back with its messages and actions.")
        intro.setWordWrap(True)
        self.table = _table(ws)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self.restore)
        buttons.rejected.connect(self.reject)
        self.table.itemDoubleClicked.connect(lambda _item, _column: self.restore())
        self.table.currentItemChanged.connect(lambda _new, _old: self._enable())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        # Enter in the table restores the chosen chat. Set once the button is in the dialog: set
        # before, the dialog did not know of it and made Close its default.
        self.restore_button.setDefault(True)
        first = self.table.topLevelItem(0)  # (there is always one: a chat, or the sentence saying there is none)
        if first is not None:
            self.table.setCurrentItem(first)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._enable()
        self.resize(max(420, self.sizeHint().width()), 320)

    def _enable(self) -> None:
        self.restore_button.setEnabled(self.chosen() is not None)

    def chosen(self) -> tuple[int, str] | None:
        """The chat chosen in the table: (id, title); None when there is none."""
        item = self.table.currentItem()
        if item is None or item.data(0, ID) is None:
            return None
        return int(item.data(0, ID)), item.text(0)

    def restore(self) -> None:
        """Close, then ask for the chosen chat back (nothing when none is chosen)."""
        chosen = self.chosen()
        if chosen is None or not self.isVisible():
            return
        self.accept()
        self.restore_chosen.emit(*chosen)


def _table(ws: Workspace) -> QTreeWidget:
    """One row per deleted chat, the most recently deleted first: its title and when it was deleted."""
    table = QTreeWidget()
    table.setColumnCount(2)
    table.setHeaderLabels(["Chat", "Deleted"])
    table.setRootIsDecorated(False)
    table.setAllColumnsShowFocus(True)
    table.setAccessibleName("Deleted chats")
    header = table.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    for chat in ws.chat.sessions.deleted():
        item = QTreeWidgetItem([chat["title"], human_time(chat["deleted_at"])])
        item.setData(0, ID, int(chat["id"]))
        gone = time.strftime("%Y-%m-%d", time.localtime(chat["deleted_at"] + PURGE_AFTER))
        item.setToolTip(0, f"{chat['title']}: removed for good on {gone} unless restored")
        item.setToolTip(1, f"Removed for good on {gone} unless restored")
        table.addTopLevelItem(item)
    if not table.topLevelItemCount():
        empty = QTreeWidgetItem([f"No chat was deleted in the last {KEPT_DAYS} days.", ""])
        empty.setFlags(Qt.ItemFlag.NoItemFlags)  # a sentence, not a chat to restore
        table.addTopLevelItem(empty)
    return table
