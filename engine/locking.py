"""One writer per workspace, across threads and processes.

The app and a `grace` command may open the same workspace at once. SQLite keeps each
transaction whole, but an ingest is many transactions plus the vector index in memory:
two writers would work the same queue twice, and each would save an index that lacks the
other's vectors. So every write that touches passages or the index holds an advisory lock
on a file in the workspace (``flock``; ``msvcrt.locking`` on Windows) and the workspace's
thread lock, and on taking them the caller catches up with what another process wrote in
between. The file lock is waited for first, polling, without holding the thread lock: other
writes of this process (settings, tables, conversations) go on meanwhile, and the wait can
be cancelled.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from .errors import Cancelled

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

POLL_S = 0.1


def _try_lock_file(fd: int) -> bool:
    """Lock the open file ``fd`` if no other process (or descriptor) holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks bytes from the current position
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock_file(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


class WriterLock:
    """A re-entrant lock held by one thread of one process at a time: the file lock plus
    ``thread_lock`` (the workspace's lock for every write). ``on_acquire`` runs when the
    outermost hold begins, ``on_release`` just before it ends."""

    def __init__(self, path: Path, thread_lock: threading.RLock, on_acquire: Callable[[], None] | None = None,
                 on_release: Callable[[], None] | None = None) -> None:
        self._path = path
        self._thread = thread_lock
        self._gate = threading.Lock()  # this process's threads queue here for the file lock
        self._owner: int | None = None
        self._depth = 0
        self._fd: int | None = None
        self.on_acquire, self.on_release = on_acquire, on_release

    def acquire(self, wait: bool = True, is_cancelled: Callable[[], bool] | None = None,
                on_wait: Callable[[], None] | None = None) -> bool:
        """Take the lock; False if ``wait`` is False and someone holds it. While another
        process holds it, ``on_wait`` is called once and ``is_cancelled`` is polled (raising
        ``Cancelled`` when it turns true)."""
        if self._owner == threading.get_ident():
            self._depth += 1
            return True
        if not self._gate.acquire(blocking=wait):
            return False
        try:
            if not self._lock_file(wait, is_cancelled, on_wait) or not self._thread.acquire(blocking=wait):
                self._close()
                self._gate.release()
                return False
        except BaseException:
            self._close()
            self._gate.release()
            raise
        self._owner, self._depth = threading.get_ident(), 1
        if self.on_acquire is not None:
            try:
                self.on_acquire()
            except BaseException:
                self.release()
                raise
        return True

    def _lock_file(self, wait: bool, is_cancelled: Callable[[], bool] | None,
                   on_wait: Callable[[], None] | None) -> bool:
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        told = False
        while not _try_lock_file(self._fd):
            if not wait:
                return False
            if is_cancelled is not None and is_cancelled():
                raise Cancelled()
            if on_wait is not None and not told:
                on_wait()
                told = True
            time.sleep(POLL_S)
        return True

    def release(self) -> None:
        if self._depth > 1:
            self._depth -= 1
            return
        try:
            if self.on_release is not None:
                self.on_release()
        finally:
            self._owner, self._depth = None, 0
            self._thread.release()
            self._close()
            self._gate.release()

    def _close(self) -> None:
        if self._fd is not None:
            try:
                _unlock_file(self._fd)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
