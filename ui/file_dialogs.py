"""The file dialogs, each opening where the person last went for the same purpose (adding
files, watching a folder, exporting), else in their Documents folder, not wherever the process
happened to start."""

from __future__ import annotations

import os

from grace_desktop import appsettings
from grace_desktop.qt import QFileDialog, QStandardPaths, QWidget

ADD, WATCH, EXPORT = "add", "watch", "export"


def start_folder(purpose: str) -> str:
    """The folder last used for ``purpose`` if it still exists, else Documents, else home."""
    last = appsettings.load(f"folders/{purpose}")
    if last and os.path.isdir(str(last)):
        return str(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and os.path.isdir(documents) else os.path.expanduser("~")


def remember(purpose: str, path: str) -> None:
    """Note the folder of ``path`` (or ``path``, a folder) for the next dialog of ``purpose``."""
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    if folder:
        appsettings.save(f"folders/{purpose}", folder)


def open_files(parent: QWidget, caption: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, caption, start_folder(ADD))
    if paths:
        remember(ADD, paths[0])
    return paths


def existing_folder(parent: QWidget, caption: str, purpose: str = ADD) -> str:
    folder = QFileDialog.getExistingDirectory(parent, caption, start_folder(purpose))
    if folder:
        remember(purpose, os.path.dirname(folder.rstrip(os.sep)) or folder)  # next time, beside it
    return folder


def save_file(parent: QWidget, caption: str, name: str, filters: str) -> tuple[str, str]:
    """The path chosen to export ``name`` to and the filter chosen ("" and "" when cancelled)."""
    path, chosen = QFileDialog.getSaveFileName(parent, caption, os.path.join(start_folder(EXPORT), name), filters)
    if path:
        remember(EXPORT, path)
    return path, chosen
