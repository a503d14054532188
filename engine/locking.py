"""One writer per workspace, across threads and processes.

The app and a `grace` command may open the same workspace at once. SQLite keeps each
transaction whole, but an ingest is many transactions plus the vector index in memory:
two writers would work the same queue twice, and each would save an index that lacks the
other's vectors. So every write holds a thread lock and an advisory lock on a file in the
workspace (``flock``; ``msvcrt.locking`` on Windows), and on taking it the caller catches
up with what another process wrote in between. Writes that leave the chunks and the index
alone (settings, conversations) take only the thread lock, so they never wait for another
process's ingest.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def _lock_file(fd: int, wait: bool) -> bool:
    """Lock the open file ``fd``; False if ``wait`` is False and another process holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        else:
            msvcrt.locking(fd, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
    except OSError:
        if wait:
            raise
        return False
    return True


def _unlock_file(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


class WriterLock:
    """A re-entrant lock held by one thread of one process at a time: ``thread_lock`` (the
    workspace's lock for every write, which it takes first) plus the file lock. ``on_acquire``
    runs when the outermost hold begins, ``on_release`` just before it ends."""

    def __init__(self, path: Path, thread_lock: threading.RLock, on_acquire: Callable[[], None] | None = None,
                 on_release: Callable[[], None] | None = None) -> None:
        self._path = path
        self._thread = thread_lock
        self._depth = 0  # holds of this lock (not of thread_lock alone) by the thread that has it
        self._fd: int | None = None
        self.on_acquire, self.on_release = on_acquire, on_release

    def acquire(self, wait: bool = True) -> bool:
        if not self._thread.acquire(blocking=wait):
            return False
        if self._depth == 0:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
                if not _lock_file(self._fd, wait):
                    self._close()
                    self._thread.release()
                    return False
            except BaseException:
                self._close()
                self._thread.release()
                raise
        self._depth += 1
        if self._depth == 1 and self.on_acquire is not None:
            try:
                self.on_acquire()
            except BaseException:
                self.release()
                raise
        return True

    def release(self) -> None:
        try:
            if self._depth == 1 and self.on_release is not None:
                self.on_release()
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._close()
            self._thread.release()

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
