"""The Library's list of watched folders, with Add… and Remove.

Adding a folder records it in the workspace (``Workspace.add_watch``) and queues a first
read of it; the shell's folder watcher follows the list through ``Changes.watches``. The list
shows an added folder at once: recording it waits for the workspace's writer, which an ingest
running meanwhile holds until it ends. A watched folder that is gone is shown missing, its
documents kept: Remove asks whether to keep what was read or forget it. Which folders are
missing is the folder watcher's to say (``set_missing``, from ``FolderWatcher.missing``): it
already looks every few seconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import ui
from engine.paths import inside
from grace_desktop.qt import (
    QAbstractItemView,
    QColor,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    Qt,
    QUrl,
    QVBoxLayout,
    QWidget,
)

from . import file_dialogs
from .theme import colors

if TYPE_CHECKING:
    from engine import Changes, Workspace
    from grace_desktop.runner import Runner

FOLDER_ROLE = Qt.ItemDataRole.UserRole
MISSING_TIP = ("Grace cannot find this folder: it was deleted or renamed, or it is on a disk or share that is not "
               "connected. Nothing read from it was forgotten; when it comes back it is read again. Remove offers "
               "to forget its documents.")


class WatchedFolders(QWidget):
    """Folders Grace keeps in step with; see the module docstring."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.folders: list[str] = []
        self.missing: set[str] = set()
        self.documents: list[str] = []  # every document's path, given by the Library (for the counts)
        self._adding: set[str] = set()  # added, not yet in the workspace: listed all the same
        self.confirm_remove: Callable[[str], str] = self._ask  # "keep", "forget" or "cancel"; tests replace it
        title = QLabel("<b>Watched folders</b>")
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {colors()['muted']}")
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(lambda item: ui.open_url(QUrl.fromLocalFile(_folder(item))))
        self.list.itemSelectionChanged.connect(self._update_buttons)
        add_delete_key(self.list, "Stop watching the selected folders", self.remove_selected)
        add = QPushButton("Add…")
        add.clicked.connect(self.choose)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Stop watching the selected folders (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        layout.addStretch()  # keeps the title, hint and buttons together while the list is hidden
        self._render()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """As high as the hint's lines need at this width, at least: in a small window the Library's
        splitter squeezed it, cutting the top and the tail of its text."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        layout = self.layout()  # with folders listed, the list gives way instead
        need = layout.totalHeightForWidth(self.width()) if layout is not None and not self.folders else 0
        if need != self.minimumHeight():
            self.setMinimumHeight(need)

    def refresh(self) -> None:
        """Read the list of watched folders again."""
        self.runner.fetch("watched folders", lambda ws: ws.watched_folders(), self._show, owner=self)

    def set_missing(self, folders: list[str]) -> None:
        """The watched folders that are missing now (the folder watcher tells)."""
        if set(folders) != self.missing:
            self.missing = set(folders)
            self._render()

    def set_documents(self, paths: list[str]) -> None:
        """Every document's path, for the counts of missing folders and of what Remove may forget."""
        self.documents = paths
        if self.missing:
            self._render()

    def folder_holding(self, path: str) -> str | None:
        """The watched folder ``path`` lies in, if any."""
        return next((f for f in self.folders if inside(path, f)), None)

    def _show(self, folders: list[str]) -> None:
        if self._adding:  # a read from before they were stored does not take them off the list
            folders = sorted({*folders, *self._adding})
        if folders != self.folders:  # unchanged: keep the selection as it is
            self.folders = folders
            self._render()

    def _render(self) -> None:
        selected = {_folder(item) for item in self.list.selectedItems()}
        self.list.clear()
        for folder in self.folders:
            item = QListWidgetItem(self._missing_text(folder) if folder in self.missing else folder)
            item.setData(FOLDER_ROLE, folder)
            item.setToolTip(MISSING_TIP if folder in self.missing else folder)
            if folder in self.missing:
                item.setForeground(QColor(colors()["error"]))
            self.list.addItem(item)
            item.setSelected(folder in selected)
        self.list.setVisible(bool(self.folders))
        self.hint.setText("Changes in these folders are read automatically." if self.folders else
                          "None yet. Add a folder (or File ▸ Watch folder…, Ctrl+Shift+W) and Grace keeps it in "
                          "step: new and changed files are read, deleted ones forgotten.")
        self._update_buttons()
        self._fit()

    def _missing_text(self, folder: str) -> str:
        n = self._count(folder)
        kept = f"its {n} document{' is' if n == 1 else 's are'} kept"
        return f"{folder}\nmissing — {kept} until it comes back or you remove it"

    def _count(self, folder: str) -> int:
        return sum(1 for p in self.documents if inside(p, folder))

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.list.selectedItems()))

    def choose(self) -> None:
        folder = file_dialogs.existing_folder(self, "Watch a folder", file_dialogs.WATCH)
        if folder:
            self.add(folder)

    def add(self, folder: str) -> None:
        """Watch ``folder`` and read what it holds now. It is listed at once, not when the workspace
        has stored it (that waits for a running ingest) and the list was read again."""
        path = os.path.abspath(os.path.expanduser(folder))
        self._adding.add(path)
        self._show(self.folders)
        self.runner.run_op(partial(_watch, folder=folder), f"watching {folder}", partial(self._added, path, folder))
        self.runner.ingest([folder], label=f"Reading watched folder {os.path.basename(folder) or folder}",
                           user=True)

    def _added(self, path: str, folder: str, result: Changes | Exception) -> None:
        """The workspace has stored ``folder`` (its ``Changes`` went out first: the list is being read
        again), or it could not: then the list shows what the workspace has, and the error says why."""
        self._adding.discard(path)
        if isinstance(result, Exception):
            self.refresh()
            self.runner.report_error(result, user=True, doing=f"watching {folder}")

    def remove_selected(self) -> None:
        """Stop watching the selected folders, after asking whether to keep or forget what was read."""
        folders = [_folder(item) for item in self.list.selectedItems()]
        if not folders:
            return
        choice = self.confirm_remove(self._removal_question(folders))
        if choice not in ("keep", "forget"):
            return
        op = _forget if choice == "forget" else _unwatch
        for folder in folders:
            self.runner.run_op(partial(op, folder=folder), f"no longer watching {folder}")

    def _removal_question(self, folders: list[str]) -> str:
        n = sum(self._count(f) for f in folders)
        what = folders[0] if len(folders) == 1 else f"these {len(folders)} folders"
        owner = "its" if len(folders) == 1 else "their"
        docs, one = (f"{owner} document", True) if n == 1 else (f"{owner} {n} documents", False)
        return (f"Stop watching {what}?\n\nKeep what was read: {docs} {'stays' if one else 'stay'} searchable, but "
                f"{'is' if one else 'are'} no longer kept in step (a file changed or deleted later is not noticed)."
                f"\n\nForget: Grace forgets {docs}. Either way the files themselves are left alone.")

    def _ask(self, question: str) -> str:
        box = QMessageBox(QMessageBox.Icon.Question, "Grace", question, parent=self)
        keep = box.addButton("Keep what was read", QMessageBox.ButtonRole.AcceptRole)
        forget = box.addButton("Forget the documents", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return "keep" if clicked is keep else "forget" if clicked is forget else "cancel"


def add_delete_key(widget: QWidget, text: str, slot: Callable[[], object]) -> None:
    """Delete (or Backspace) does ``slot`` while ``widget`` has focus."""
    ui.add_shortcut(widget, [QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Backspace)], slot, text,
                    Qt.ShortcutContext.WidgetShortcut)


def _folder(item: QListWidgetItem) -> str:
    return str(item.data(FOLDER_ROLE))


def _watch(ws: Workspace, folder: str) -> Changes | Exception:
    """Store ``folder`` as watched; a failure is returned, for the pane to take it off its list."""
    try:
        return ws.add_watch(folder)
    except Exception as exc:  # noqa: BLE001 - reported by the pane, as the runner would have
        return exc


def _unwatch(ws: Workspace, folder: str) -> Changes:
    return ws.remove_watch(folder)


def _forget(ws: Workspace, folder: str) -> Changes:
    """Stop watching ``folder`` and forget its documents (those also in another watched folder stay)."""
    changes = ws.remove_watch(folder)  # first: a rescan of the folder meanwhile would read them back
    others = ws.watched_folders()
    paths = [d["path"] for d in ws.documents()
             if inside(d["path"], folder) and not any(inside(d["path"], o) for o in others)]
    return changes | ws.remove_documents(paths)
