"""Watched folders: file-system events, debounced per path, become lists of paths to ingest.

``FolderWatcher`` lives in the GUI thread and drives a ``_WatchCore`` in its own
``QThread``. Watchdog's threads hand raw events to the core through a queued signal;
the core waits until a path has been quiet for ``debounce_ms`` and its size is
stable, then emits the paths in one ``changed`` list. A file or folder that is gone
by then is reported as its nearest existing folder: ingesting a folder forgets the
documents that vanished from it (and a file saved by rename is back before that).
Watched folders are rescanned at start and every ``reconcile_seconds`` (ingesting a
folder skips unchanged files), because watchdog can miss events; when the system
refuses more native watches the folder is polled instead. A watched folder that goes
(deleted, renamed, unmounted) stops being watched but its documents are kept; every
``CHECK_MS`` the watcher looks whether it came back, then watches and rescans it.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    DirAttribEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer as NativeObserver
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from engine.extract import format_for
from engine.scan import passed_over_under

from .qt import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

STABLE_CHECK_SECONDS = 0.1  # a file is ready when its size is the same across two checks this far apart
TICK_MS = 50  # how often pending paths are looked at while there are any
POLL_SECONDS = 1.0  # the polling observer's interval, when native watches are refused
REFUSED = {errno.ENOSPC, errno.EMFILE}  # inotify watch/instance limits
OVERFLOW_RESCAN_MS = 1000  # after the kernel dropped events, rescan once things calm down
CHECK_MS = 2000  # how often watched folders are checked for having gone or come back (a rename sends no event)
MISSING = "it is missing (deleted, renamed, or on a disk or share that is not connected)"

# Attribute events (chmod, chown, touch) are reported too: a file that failed for want of permission
# is read again once it is fixed, while an unchanged ok file costs the ingest one stat.
EVENT_TYPES = [FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileDeletedEvent, FileMovedEvent,
               FileAttribEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent, DirAttribEvent]


def is_ignored(path: str, root: str) -> bool:
    """True for paths the watcher never reports: those folder scans pass over too (hidden files
    and folders, skipped folders, temporary, lock and backup files), by one rule."""
    return passed_over_under(path, root)


@dataclass
class _Pending:
    due: float  # monotonic time after which the path has been quiet long enough
    root: str  # the watched folder it belongs to
    is_dir: bool = False
    size: int | None = None  # the size seen at the last check (at the event, then at each tick)


class _Handler(FileSystemEventHandler):
    """Runs in watchdog's thread: hands each interesting path to the core by a queued signal."""

    def __init__(self, core: _WatchCore, root: str) -> None:
        super().__init__()
        self.core, self.root = core, root

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._report(os.fsdecode(event.src_path), event.is_directory)
        if isinstance(event, (FileMovedEvent, DirMovedEvent)):  # a save by rename lands on dest_path
            self._report(os.fsdecode(event.dest_path), event.is_directory)

    def _report(self, path: str, is_dir: bool) -> None:
        if not path or is_ignored(path, self.root):
            return
        if is_dir or format_for(Path(path)) is not None:
            self.core.raw_event.emit(path, self.root, is_dir)


class _OverflowAlarm(logging.Handler):
    """Watchdog only logs that the kernel's event queue overflowed; hearing that asks for a rescan."""

    def __init__(self, core: _WatchCore) -> None:
        super().__init__(logging.WARNING)
        self.core = core

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.core.overflowed.emit()


class _WatchCore(QObject):
    """The watcher's work, in the watcher's own thread: observers, debounce, reconciliation."""

    raw_event = Signal(str, str, bool)  # (path, watched root, is a folder); from watchdog's threads
    overflowed = Signal()  # from watchdog's threads, through _OverflowAlarm
    changed = Signal(list)
    status = Signal(str)
    missing = Signal(list)  # the watched folders that are missing now, sorted; sent when that changes

    def __init__(self, debounce_ms: int, reconcile_seconds: float) -> None:
        super().__init__()
        self.debounce = max(0, debounce_ms) / 1000.0
        self.reconcile_ms = max(1, int(reconcile_seconds * 1000))
        self.folders: list[str] = []
        self.observers: dict[str, BaseObserver] = {}
        self.polled: set[str] = set()
        self.problems: dict[str, str] = {}
        self.identity: dict[str, tuple[int, int] | None] = {}  # each watched folder's (device, inode) at its start
        self.reported: list[str] = []  # what ``missing`` last said
        self.watching = False  # ``status`` last said some folder was watched (or could not be)
        self.pending: dict[str, _Pending] = {}
        self.raw_event.connect(self._on_raw, Qt.ConnectionType.QueuedConnection)
        self.tick = QTimer(self)
        self.tick.setInterval(TICK_MS)
        self.tick.timeout.connect(self._on_tick)
        self.reconcile_timer = QTimer(self)
        self.reconcile_timer.timeout.connect(self.reconcile)
        self.check_timer = QTimer(self)
        self.check_timer.setInterval(CHECK_MS)
        self.check_timer.timeout.connect(self.check_folders)
        self.overflow_timer = QTimer(self)
        self.overflow_timer.setSingleShot(True)
        self.overflow_timer.setInterval(OVERFLOW_RESCAN_MS)
        self.overflow_timer.timeout.connect(self.reconcile)
        self.overflowed.connect(self.overflow_timer.start, Qt.ConnectionType.QueuedConnection)
        self.alarm = _OverflowAlarm(self)

    # -- control (queued from FolderWatcher) ------------------------------------------------

    @Slot(list)
    def set_folders(self, folders: list[str]) -> None:
        """Watch exactly ``folders``: stop the ones dropped, start and rescan the new ones."""
        wanted = list(dict.fromkeys(os.path.abspath(os.path.expanduser(f)) for f in folders))
        for folder in [f for f in self.folders if f not in wanted]:
            self._unwatch(folder)
        added = [f for f in wanted if f not in self.folders]
        self.folders = wanted
        for folder in added:
            self._watch(folder)
        self.reconcile_timer.start(self.reconcile_ms)
        self.check_timer.start()
        logging.getLogger("watchdog.observers").addHandler(self.alarm)  # added once, however often called
        self._emit_status()
        self._report_missing()
        self._emit_existing(added)

    @Slot()
    def stop(self) -> None:
        """Stop every observer and timer; pending paths are dropped (the next start rescans)."""
        logging.getLogger("watchdog.observers").removeHandler(self.alarm)
        self.tick.stop()
        self.reconcile_timer.stop()
        self.check_timer.stop()
        self.overflow_timer.stop()
        for folder in list(self.folders):
            self._unwatch(folder)
        self.folders = []
        self.pending.clear()
        self.reported = []  # a new start says again what is missing; stopping tells nothing about that

    @Slot()
    def reconcile(self) -> None:
        """Emit every watched folder, so that events watchdog missed are caught up.

        Folders that went are noticed first; one that could not be watched before (it was
        missing, or the system refused) is tried again.
        """
        self._drop_gone()
        self._retry([f for f in self.problems if os.path.isdir(f)])
        self._report_missing()
        self._emit_existing(self.folders)

    @Slot()
    def check_folders(self) -> None:
        """Between rescans: notice watched folders that went, and watch and rescan those that came back."""
        self._drop_gone()
        back = self._retry([f for f, why in self.problems.items() if why == MISSING and os.path.isdir(f)])
        for folder in back:
            self.status.emit(f"The watched folder {folder} is back; reading it again")
        self._report_missing()
        self._emit_existing(back)

    # -- observers ------------------------------------------------------------------------

    def _drop_gone(self) -> None:
        """Stop watching folders that are gone or were made again (their observer watches nothing now).

        Their documents are NOT forgotten: a folder on an unplugged disk or an unmounted share
        looks just like a deleted one, so the person decides (the Library's watched folders
        show it missing; Remove offers to forget them) and a folder that comes back is rescanned.
        """
        for folder in [f for f in self.observers if _identity(f) != self.identity.get(f)]:
            self._unwatch(folder)
            self.problems[folder] = MISSING
            if not os.path.isdir(folder):
                self.status.emit(f"The watched folder {folder} is missing; its documents are kept until it "
                                 "comes back or you stop watching it")

    def _retry(self, folders: list[str]) -> list[str]:
        """Try to watch ``folders`` again; returns those now watched."""
        for folder in folders:
            self.problems.pop(folder)
            self._watch(folder)
        if folders:
            self._emit_status()
        return [f for f in folders if f in self.observers]

    def _watch(self, folder: str) -> None:
        if not os.path.isdir(folder):
            self.problems[folder] = MISSING
            return
        self.identity[folder] = _identity(folder)  # taken first: a folder replaced meanwhile differs from it
        try:
            self.observers[folder] = self._start_observer(NativeObserver, folder)
            return
        except OSError as exc:
            if exc.errno not in REFUSED:
                self.problems[folder] = f"it cannot be watched ({exc.strerror or exc})"
                return
        try:
            self.observers[folder] = self._start_observer(PollingObserver, folder, timeout=POLL_SECONDS)
        except OSError as exc:
            self.problems[folder] = f"it cannot be read ({exc.strerror or exc})"
            return
        self.polled.add(folder)
        self.status.emit(f"Polling {folder}: the system refused more watches")

    def _start_observer(self, cls: Callable[..., BaseObserver], folder: str, **kwargs: float) -> BaseObserver:
        """Start an observer, then schedule (so a refused watch raises here, not in a thread)."""
        observer = cls(**kwargs)
        observer.daemon = True
        observer.start()
        try:
            observer.schedule(_Handler(self, folder), folder, recursive=True, event_filter=EVENT_TYPES)
        except BaseException:
            observer.stop()
            observer.join(5)
            raise
        return observer

    def _unwatch(self, folder: str) -> None:
        observer = self.observers.pop(folder, None)
        if observer is not None:
            observer.stop()
            observer.join(5)
        self.polled.discard(folder)
        self.problems.pop(folder, None)
        self.identity.pop(folder, None)
        self.pending = {p: v for p, v in self.pending.items() if v.root != folder}

    def _emit_status(self) -> None:
        n = len(self.observers)
        watching, self.watching = self.watching, bool(n or self.polled or self.problems)
        if not (watching or self.watching):  # no folder is watched, nor was: nothing to say
            return
        parts = [f"Watching {n} folder{'' if n == 1 else 's'}"]
        parts += [f"polling {f}: the system refused more watches" for f in sorted(self.polled)]
        parts += [f"not watching {f}: {why}" for f, why in sorted(self.problems.items())]
        self.status.emit("; ".join(parts))

    def _report_missing(self) -> None:
        """Send ``missing`` when the set of missing folders changed since it was last sent."""
        now = sorted(f for f, why in self.problems.items() if why == MISSING)
        if now != self.reported:
            self.reported = now
            self.missing.emit(now)

    def _emit_existing(self, folders: list[str]) -> None:
        existing = [f for f in folders if os.path.isdir(f)]
        if existing:
            self.changed.emit(existing)

    # -- events, debounce and size stability ------------------------------------------------

    @Slot(str, str, bool)
    def _on_raw(self, path: str, root: str, is_dir: bool) -> None:
        if root not in self.observers:
            return  # a late event from a folder no longer watched
        self.pending[path] = _Pending(time.monotonic() + self.debounce, root, is_dir, None if is_dir else _size(path))
        if not self.tick.isActive():
            self.tick.start()

    @Slot()
    def _on_tick(self) -> None:
        now = time.monotonic()
        ready = [path for path, p in list(self.pending.items()) if p.due <= now and _settled(path, p, now)]
        out = [_target(path, self.pending.pop(path)) for path in ready]
        if not self.pending:
            self.tick.stop()
        if None in out:  # a watched folder itself is gone: say so now, not at the next check
            self._drop_gone()
            self._report_missing()
        out = list(dict.fromkeys(p for p in out if p))
        if out:
            self.changed.emit(out)


def _identity(folder: str) -> tuple[int, int] | None:
    """The folder's (device, inode), or None when it is not a folder that exists."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _settled(path: str, pending: _Pending, now: float) -> bool:
    """True once a file's size is unchanged across two checks (or it is gone, or a folder).

    The first check is made when the event arrives, the second when the debounce
    ends; while the size still moves, it is checked again every STABLE_CHECK_SECONDS.
    """
    if pending.is_dir:
        return True
    size = _size(path)
    if size is None or pending.size == size:
        return True  # stable, or gone (then the nearest existing folder is rescanned)
    pending.size, pending.due = size, now + STABLE_CHECK_SECONDS
    return False


def _target(path: str, pending: _Pending) -> str | None:
    """What to ingest for a settled path: itself if it exists, else its nearest existing folder.

    Ingesting a folder forgets the documents that vanished from it; when the watched
    folder itself is gone there is nothing inside the watch to rescan (None): its
    documents are kept (see ``_WatchCore._drop_gone``).
    """
    while not os.path.lexists(path):
        if path == pending.root or len(path) <= len(pending.root):
            return None
        path = os.path.dirname(path)
    return path


class FolderWatcher(QObject):
    """Watches folders off the GUI thread and emits debounced paths to give to ``Workspace.ingest``.

    ``changed(list[str])`` carries absolute paths (files that were created, changed,
    renamed or deleted, or whole folders to rescan); ``status(str)`` a plain sentence;
    ``missing(list[str])`` the watched folders that are missing now, whenever that changes.
    Call ``stop()`` before the application quits.
    """

    changed = Signal(list)
    status = Signal(str)
    missing = Signal(list)
    _set_requested = Signal(list)
    _stop_requested = Signal()

    def __init__(self, debounce_ms: int = 300, reconcile_seconds: float = 600.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("grace-folder-watcher")
        self._core = _WatchCore(debounce_ms, reconcile_seconds)
        self._core.moveToThread(self._thread)
        self._core.changed.connect(self.changed)
        self._core.status.connect(self.status)
        self._core.missing.connect(self.missing)
        self._set_requested.connect(self._core.set_folders)
        self._stop_requested.connect(self._core.stop, Qt.ConnectionType.BlockingQueuedConnection)
        app = QCoreApplication.instance()
        if app is not None:  # a safety net: a running QThread must not outlive the application
            app.aboutToQuit.connect(self.stop)

    def start(self, folders: list[str]) -> None:
        """Start watching ``folders`` (emits each existing folder once, to catch up)."""
        if not self._thread.isRunning():
            self._thread.start()
        self._set_requested.emit(list(folders))

    def set_folders(self, folders: list[str]) -> None:
        """Change the watched folders; new ones are rescanned, dropped ones forgotten."""
        self.start(folders)

    def stop(self) -> None:
        """Stop watching and end the watcher's thread (blocks until both are done)."""
        if not self._thread.isRunning():
            return
        self._stop_requested.emit()
        self._thread.quit()
        self._thread.wait()

