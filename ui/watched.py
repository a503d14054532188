"""The Library's list of watched folders, with Add… and Remove.

Adding a folder records it in the workspace (``Workspace.add_watch``) and queues a first
read of it; the shell's folder watcher follows the list through ``Changes.watches``.
"""

from __future__ import annotations

import os
from functools import partial
from typing import TYPE_CHECKING

import ui
from grace_desktop.qt import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QUrl,
    QVBoxLayout,
    QWidget,
)

from .theme import colors

if TYPE_CHECKING:
    from engine import Changes, Workspace
    from grace_desktop.runner import Runner


class WatchedFolders(QWidget):
    """Folders Grace keeps in step with; see the module docstring."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.folders: list[str] = []
        title = QLabel("<b>Watched folders</b>")
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {colors()['muted']}")
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemDoubleClicked.connect(lambda item: ui.open_url(QUrl.fromLocalFile(item.text())))
        self.list.itemSelectionChanged.connect(self._update_buttons)
        add = QPushButton("Add…")
        add.clicked.connect(self.choose)
        self.remove_button = QPushButton("Remove")
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
        self._show([])

    def refresh(self) -> None:
        """Read the list again (in a worker)."""
        self.runner.fetch("watched folders", lambda ws: ws.watched_folders(), self._show, owner=self)

    def _show(self, folders: list[str]) -> None:
        self.folders = folders
        self.list.clear()
        self.list.addItems(folders)
        self.list.setVisible(bool(folders))
        self.hint.setText("Changes in these folders are read automatically." if folders else
                          "None yet. Add a folder and Grace keeps it in step: new and changed files are "
                          "read, deleted ones forgotten.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.list.selectedItems()))

    def choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Watch a folder")
        if folder:
            self.add(folder)

    def add(self, folder: str) -> None:
        """Watch ``folder`` and read what it holds now."""
        self.runner.run_op(lambda ws: ws.add_watch(folder), f"watching {folder}")
        self.runner.ingest([folder], label=f"Reading watched folder {os.path.basename(folder) or folder}",
                           user=True)

    def remove_selected(self) -> None:
        """Stop watching the selected folders (what was read from them stays)."""
        for item in self.list.selectedItems():
            folder = item.text()
            self.runner.run_op(partial(_unwatch, folder=folder), f"no longer watching {folder}")


def _unwatch(ws: Workspace, folder: str) -> Changes:
    return ws.remove_watch(folder)
