"""The Chat pane's list of chats: a search box, the list, and New / Rename / Export / Delete.

The list says what the person chose (``open_requested``, ``new_requested``) and what it did
(``deleted``, ``restored``, ``changed``, ``said``); the pane decides what is on screen and tells
the list which chat that is (``show_current``). Arrows, Enter and clicks open the highlighted
chat; Delete deletes it at once, and a bar under the list offers to undo that (Undo, or Ctrl+Z
in the list: the engine keeps a deleted chat for a while); "Recently deleted…" (in the "⋯" and
context menus, and under the list while there are some) restores one after a restart too.
A double-click or F2 renames a chat.
A search chooses the first chat it finds, unless the one on screen is among them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grace_desktop.qt import (
    QAbstractButton,
    QAction,
    QApplication,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPoint,
    QPushButton,
    QSize,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

from . import file_dialogs
from .deleted_chats import KEPT_DAYS, DeletedChats
from .theme import tint

if TYPE_CHECKING:
    from engine import Workspace

ID = Qt.ItemDataRole.UserRole
MORE_GLYPH_SCALE = 1.6


def session_title(ws: Workspace, session_id: int) -> str:
    """A chat's title ("session N" once it is deleted)."""
    try:
        return str(ws.chat.sessions.get(session_id)["title"])
    except Exception:  # noqa: BLE001 - deleted meanwhile
        return f"session {session_id}"


def _short(title: str, chars: int = 40) -> str:
    return title if len(title) <= chars else title[: chars - 1].rstrip() + "…"


def _actions(n: int) -> str:
    return f"{n} action{'' if n == 1 else 's'}"


class SessionList(QWidget):
    """See the module docstring. ``answering`` tells which chat is being answered (None: none):
    that one is not deleted until its answer is in."""

    open_requested = Signal(int)
    new_requested = Signal()
    deleted = Signal(int)
    restored = Signal(int)
    changed = Signal(object)  # Changes
    said = Signal(str, bool)  # a sentence for the pane's note; True: an error

    def __init__(self, ws: Workspace, answering: Callable[[], int | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self._answering = ws, answering
        self.current: int | None = None  # the chat on screen
        self.undoable: list[tuple[int, str]] = []  # the chats deleted here, newest last: (id, title)
        self.choose_export_file = self._choose_export_file  # and this to avoid a file dialog
        self.search = QLineEdit(placeholderText="Search chats…", clearButtonEnabled=True)
        self.search.textChanged.connect(lambda _t: self._searched())
        self.list = self._build_list()
        self.buttons: list[QAbstractButton] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self._build_undo_bar())
        layout.addWidget(self._build_trash())
        pairs = ((("New", self.new_requested.emit, "A new chat (Ctrl+N)"),
                  ("Rename", self.rename_chosen, "Rename the chosen chat (F2, or double-click it)")),
                 (("Export…", lambda: self.export(), "Save the chosen chat as a Markdown file"),
                  ("Delete", lambda: self.delete(), "Delete the chosen chat (Delete key; Ctrl+Z undoes it)")))
        rows = [self._button_row(pair) for pair in pairs]
        for row in rows:
            layout.addLayout(row)
        self.more = self._build_more()
        rows[0].addWidget(self.more)  # beside New, in a narrow window
        self.buttons.append(self.more)
        self.list.itemSelectionChanged.connect(self._enable_buttons)
        self._enable_buttons()
        self._full_width = max(self._row_width(self.buttons[0:2]), self._row_width(self.buttons[2:4]))
        self.setMinimumWidth(self._row_width([self.buttons[0], self.more]))  # the narrow layout's
        self._set_compact(False)

    def _build_more(self) -> QToolButton:
        """"⋯": Rename, Export and Delete in a menu, in place of their buttons in a narrow window (a
        tool button: a push button is at least 80 px wide in Fusion). Tab reaches it; Space opens it."""
        more = QToolButton()
        more.setText("⋯")
        more.setToolTip("Rename, export or delete the chosen chat")
        more.setAccessibleName("More chat actions")
        more.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        font = more.font()
        font.setBold(True)  # the thin "⋯" of a normal weight read as a disabled button
        font.setPointSizeF(font.pointSizeF() * MORE_GLYPH_SCALE)  # at the text's size it was a speck
        more.setFont(font)
        more.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")  # "⋯" says it: a menu
        side = self.buttons[0].sizeHint().height()
        more.setFixedSize(max(side, more.sizeHint().width()), side)  # square, as tall as New beside it
        menu = QMenu(more)
        self._chosen_actions = [menu.addAction("Rename\tF2", self.rename_chosen),
                                menu.addAction("Export as Markdown…", lambda: self.export()),
                                menu.addAction("Delete\tDel", lambda: self.delete())]
        menu.addSeparator()
        menu.addAction("Recently deleted…", self.show_deleted)
        more.setMenu(menu)
        return more

    def _build_trash(self) -> QToolButton:
        """"Recently deleted (N)…" under the list while there are deleted chats: it opens them."""
        self.trash = trash = QToolButton()
        trash.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        trash.setToolTip(f"The chats deleted in the last {KEPT_DAYS} days, to restore")
        trash.clicked.connect(self.show_deleted)
        trash.hide()
        return trash

    def _show_trash(self) -> None:
        """The button says how many deleted chats there are (hidden when none)."""
        n = len(self.ws.chat.sessions.deleted())
        self.trash.setText(f"{'Deleted' if self.compact else 'Recently deleted'} ({n})…")
        self.trash.setAccessibleName(f"Recently deleted chats: {n}")
        self.trash.setVisible(n > 0)

    def focus_chain(self) -> list[QWidget]:
        """The column's widgets in the order Tab visits them (the hidden ones are passed over)."""
        return [self.search, self.list, self.undo_button, self.trash, *self.buttons]

    def _row_width(self, buttons: list[QAbstractButton]) -> int:
        layout = self.layout()
        spacing = max(0, layout.spacing()) if layout is not None else 0
        return sum(b.sizeHint().width() for b in buttons) + spacing * (len(buttons) - 1)

    @property
    def compact(self) -> bool:
        """True while Rename, Export and Delete are in the "⋯" menu (the column is narrow)."""
        return not self.more.isHidden()

    def _set_compact(self, compact: bool) -> None:
        for button in self.buttons[1:4]:
            button.setVisible(not compact)
        self.more.setVisible(compact)
        if hasattr(self, "trash"):  # (its words are shorter in the narrow layout)
            self._show_trash()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Narrower than the two rows of buttons: one row, New and "⋯" (the conversation gets the room)."""
        super().resizeEvent(event)
        compact = self.width() < self._full_width
        if compact != self.compact:
            self._set_compact(compact)

    def _build_list(self) -> QListWidget:
        chats = QListWidget()
        chats.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        chats.setTextElideMode(Qt.TextElideMode.ElideRight)
        # The highlighted chat is the one on screen: arrows, Enter and clicks all open it.
        chats.currentItemChanged.connect(lambda item, _old: self._highlighted(item))
        chats.itemActivated.connect(self._highlighted)
        chats.itemClicked.connect(self._highlighted)
        chats.itemChanged.connect(self._renamed)
        chats.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        chats.customContextMenuRequested.connect(self._menu_at)
        delete_key = QAction("Delete chat", chats)
        delete_key.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # not while a title is edited
        delete_key.triggered.connect(lambda: self.delete())
        chats.addAction(delete_key)
        return chats

    def _build_undo_bar(self) -> QWidget:
        """"Chat “X” deleted" with Undo, under the list while a deletion can be undone."""
        self.undo_bar = bar = QWidget()
        self.undo_label = QLabel("")
        self.undo_label.setWordWrap(True)
        tint(self.undo_label, "muted")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Bring the deleted chat back, with its messages and actions (Ctrl+Z in the list)")
        self.undo_button.clicked.connect(lambda: self.undo())
        column = QVBoxLayout(bar)  # the sentence above its button: the list may be narrow
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.undo_label)
        column.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignLeft)
        bar.hide()
        # Ctrl+Z anywhere in the list's column (the search box and a title being edited keep their
        # own Ctrl+Z for their text).
        self.undo_action = QAction("Undo delete chat", self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_action.triggered.connect(lambda: self.undo())
        self.addAction(self.undo_action)
        return bar

    def _show_undo(self) -> None:
        """The bar offers to undo the newest deletion (hidden when there is none)."""
        if not self.undoable:
            self.undo_bar.hide()
            return
        sid, title = self.undoable[-1]
        self.undo_label.setText(f"Chat “{_short(title)}” deleted")
        self.undo_label.setToolTip(f"The chat “{title}” was deleted. Undo brings it back.")
        self.undo_bar.show()

    def _button_row(self, pair: tuple[tuple[str, Callable[[], object], str], ...]) -> QHBoxLayout:
        row = QHBoxLayout()
        for label, slot, tip in pair:
            button = QPushButton(label)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons.append(button)
        return row

    def _enable_buttons(self) -> None:
        """Rename, Export and Delete act on the chosen chat: enabled only while one is chosen (the
        "⋯" button stays enabled: its "Recently deleted…" needs no chosen chat)."""
        chosen = self.chosen() is not None
        for widget in (*self.buttons[1:4], *getattr(self, "_chosen_actions", ())):
            widget.setEnabled(chosen)

    # -- what is listed, and which is on screen ----------------------------------------------

    def refresh(self) -> None:
        """List the chats matching the search, the one on screen highlighted."""
        self.list.blockSignals(True)
        self.list.clear()
        height = self.list.fontMetrics().height() + 8
        for s in self.ws.chat.sessions.list(self.search.text()):
            item = QListWidgetItem(s["title"])
            item.setData(ID, s["id"])
            item.setToolTip(s["title"])
            item.setSizeHint(QSize(0, height))  # as wide as the list: a long title is elided
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.list.addItem(item)
            if s["id"] == self.current:
                self.list.setCurrentItem(item)  # the arrows move on from the chat on screen
        if not self.list.count() and self.search.text().strip():
            nothing = QListWidgetItem(f"No chat matches “{self.search.text().strip()}”.")
            nothing.setFlags(Qt.ItemFlag.NoItemFlags)  # a sentence, not a chat: nothing to open or rename
            self.list.addItem(nothing)
        self.list.blockSignals(False)
        self._enable_buttons()
        self._show_trash()

    def _searched(self) -> None:
        """List the chats matching the search; the one on screen stays chosen when it matches, else
        the first match is chosen (and so opened: Rename, Export and Delete act on it)."""
        self.refresh()
        first = self.list.item(0)
        if not self.search.text().strip() or self.list.currentItem() is not None or first is None:
            return
        if first.data(ID) is not None:  # a chat, not the "No chat matches" line
            self.list.setCurrentItem(first)

    def show_current(self, session_id: int | None) -> None:
        """``session_id`` is on screen now (None: a new chat, in no row)."""
        self.current = session_id
        if session_id is None:
            self.list.blockSignals(True)
            self.list.setCurrentRow(-1)
            self.list.clearSelection()
            self.list.blockSignals(False)
        self._enable_buttons()

    def _highlighted(self, item: QListWidgetItem | None) -> None:
        """Open the chat highlighted in the list (by the arrows, Enter or a click), unless it is on screen."""
        if item is not None and not item.isSelected() and item.data(ID) is not None:
            item.setSelected(True)  # made current by the focus coming in: chosen too (Rename, Delete act on it)
        if item is not None and item.data(ID) != self.current:
            self.open_requested.emit(int(item.data(ID)))

    def chosen(self, session_id: int | None = None) -> tuple[int, str] | None:
        """The session ``session_id``, else the one chosen in the list: (id, title)."""
        if session_id is None:
            item = self.list.currentItem()
            if item is None or not item.isSelected():
                return None
            session_id = item.data(ID)
        return int(session_id), session_title(self.ws, int(session_id))

    # -- rename, delete, export --------------------------------------------------------------

    def rename_chosen(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def _renamed(self, item: QListWidgetItem) -> None:
        """A title edited in the list: stored, or refused in a sentence. The item is read first:
        ``changed`` rebuilds the list in the window (the pane refreshes it), which deletes the item."""
        session_id, title = item.data(ID), item.text()
        try:
            changes = self.ws.chat.sessions.rename(session_id, title)
        except Exception as exc:  # noqa: BLE001 - shown as a sentence
            self.said.emit(str(exc), True)
        else:
            self.said.emit(f"Renamed the chat to “{title.strip()}”.", False)  # no earlier error left showing
            self.changed.emit(changes)
        self.refresh()

    def delete(self, session_id: int | None = None) -> None:
        """Delete ``session_id`` (else the chosen chat) at once; the bar under the list can undo it."""
        chosen = self.chosen(session_id)
        if chosen is None:
            return
        sid, title = chosen
        if self._answering() == sid:
            self.said.emit("Grace is still answering in this chat; delete it once the answer is in.", True)
            return
        waiting = len(self.ws.chat.sessions.waiting(sid))
        try:
            changes = self.ws.chat.sessions.delete(sid)  # (rejects the actions still waiting; Undo puts them back)
        except Exception as exc:  # noqa: BLE001 - shown as a sentence
            self.said.emit(str(exc), True)
            return
        self.undoable.append((sid, title))
        row = self._row_of(sid)
        self.refresh()  # before the pane hears of it: the focus it may put on the list must not open the deleted row
        self._show_undo()
        if sid == self.current:
            self._open_neighbour(row)
        self.changed.emit(changes)
        self.deleted.emit(sid)
        rejected = f"; its {_actions(waiting)} waiting for approval {'was' if waiting == 1 else 'were'} rejected"
        self.said.emit(f"Deleted the chat “{title}”{rejected if waiting else ''}.", False)

    def _row_of(self, session_id: int) -> int:
        item = self._item(session_id)
        return self.list.row(item) if item is not None else -1

    def _open_neighbour(self, row: int) -> None:
        """The chat deleted from ``row`` was on screen: open the one now in its row (else the one above),
        so a chat is chosen and open, not none (with none left, the pane shows a new chat)."""
        at = min(row, self.list.count() - 1)
        item = self.list.item(at) if row >= 0 else None
        if item is not None and item.data(ID) is not None:  # not the "No chat matches" line
            self.list.setCurrentItem(item)  # opens it
            self.list.scrollToItem(item)

    def undo(self) -> None:
        """Bring back the newest chat deleted here, open it, and put the focus on it in the list."""
        if self.undoable:
            self.restore(*self.undoable[-1], focus=self.has_focus())

    def restore(self, sid: int, title: str, focus: bool = False) -> None:
        """Bring back the deleted chat ``sid``, open it and choose it in the list; ``focus``: the
        focus goes to the list (the button that had it may have gone with the bar)."""
        self.undoable = [u for u in self.undoable if u[0] != sid]
        try:
            changes = self.ws.chat.sessions.restore(sid)
        except Exception as exc:  # noqa: BLE001 - purged meanwhile: shown as a sentence
            self.said.emit(str(exc), True)
            self._show_undo()
            return
        self.changed.emit(changes)
        waiting = len(self.ws.chat.sessions.waiting(sid))
        again = f"; its {_actions(waiting)} {'waits' if waiting == 1 else 'wait'} for approval again"
        self.said.emit(f"Restored the chat “{title}”{again if waiting else ''}.", False)
        self.restored.emit(sid)
        self.refresh()
        self._show_undo()
        item = self._item(sid)
        if item is not None:
            self.list.setCurrentItem(item)  # opens it (unless the pane opened it already)
            self.list.scrollToItem(item)
        else:  # not among the chats the search finds
            self.open_requested.emit(sid)
        if focus:
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_deleted(self) -> DeletedChats:
        """Open "Recently deleted chats" (without blocking); a chat restored there opens here."""
        dialog = DeletedChats(self.ws, self)
        dialog.restore_chosen.connect(lambda sid, title: self.restore(sid, title, focus=True))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def has_focus(self) -> bool:
        """The focus is in the list's column (the list, its buttons or the Undo bar)."""
        focus = QApplication.focusWidget()
        return focus is not None and self.isAncestorOf(focus)

    def _item(self, session_id: int) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID) == session_id:
                return item
        return None

    def export(self, session_id: int | None = None) -> str | None:
        """Save ``session_id`` (else the chosen chat, else the one on screen) as Markdown in a file
        the person names; returns the file's path (None when nothing was written)."""
        chosen = self.chosen(session_id)
        if chosen is None and self.current is not None:
            chosen = self.chosen(self.current)
        if chosen is None:
            self.said.emit("Choose a chat in the list to export.", False)
            return None
        sid, title = chosen
        path = self.choose_export_file(title)
        if not path:
            return None
        try:
            Path(path).write_text(self.ws.chat.sessions.export_markdown(sid), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - shown as a sentence
            self.said.emit(f"The chat “{title}” could not be exported: {exc}", True)
            return None
        self.said.emit(f"Exported the chat “{title}” to {path}.", False)
        return str(path)

    def _choose_export_file(self, title: str) -> str | None:
        name = re.sub(r"[^\w\- ]+", "", title).strip()[:60] or "chat"
        path, _filter = file_dialogs.save_file(self, "Export chat as Markdown", f"{name}.md",
                                               "Markdown (*.md);;All files (*)")
        if path and not os.path.splitext(path)[1]:
            path += ".md"
        return path or None

    def menu(self, item: QListWidgetItem) -> QMenu:
        """The context menu of a chat in the list: open, rename, export, delete."""
        sid = int(item.data(ID))
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.open_requested.emit(sid))
        menu.addAction("Rename", lambda: self.list.editItem(item))
        menu.addAction("Export as Markdown…", lambda: self.export(sid))
        menu.addSeparator()
        menu.addAction("Delete", lambda: self.delete(sid))
        menu.addAction("Recently deleted…", self.show_deleted)
        return menu

    def list_menu(self) -> QMenu:
        """The context menu of the list away from any chat: a new chat, the deleted ones."""
        menu = QMenu(self)
        menu.addAction("New chat", self.new_requested.emit)
        menu.addAction("Recently deleted…", self.show_deleted)
        return menu

    def _menu_at(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is not None and item.data(ID) is None:
            item = None  # the "No chat matches" sentence
        if item is not None:
            self.list.setCurrentItem(item)
        menu = self.menu(item) if item is not None else self.list_menu()
        menu.exec(self.list.viewport().mapToGlobal(pos))
        menu.deleteLater()
