"""The callbacks long work takes: ``progress(fraction, message)`` and ``is_cancelled()``."""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import Cancelled

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]
FILES_DONE = 0.99  # an ingest's files' share of its progress: the tables' follow-up and "Done" come after


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores everything."""


def never_cancelled() -> bool:
    """A cancel check that never asks to stop."""
    return False


class Reporter:
    """Forwards progress in coarse steps and raises ``Cancelled`` when asked to stop.

    Progress is sent at most every ``interval`` seconds (plus the final 1.0), so a
    GUI's queued signals are not flooded by per-item updates.
    """

    def __init__(
        self,
        progress: ProgressFn | None = None,
        is_cancelled: CancelFn | None = None,
        interval: float = 0.1,
    ) -> None:
        self._progress = progress or no_progress
        self._is_cancelled = is_cancelled or never_cancelled
        self._interval = interval
        self._last = 0.0

    def cancelled(self) -> bool:
        """True once the caller asked to stop."""
        return bool(self._is_cancelled())

    def check(self) -> None:
        """Raise ``Cancelled`` if the caller asked to stop."""
        if self._is_cancelled():
            raise Cancelled()

    def send(self, fraction: float, message: str, force: bool = False) -> None:
        """Send progress if enough time passed (or ``force``); a cancel is not checked."""
        now = time.monotonic()
        if force or fraction >= 1.0 or now - self._last >= self._interval:
            self._last = now
            self._progress(max(0.0, min(1.0, fraction)), message)

    def report(self, fraction: float, message: str, force: bool = False) -> None:
        """``send``, then raise ``Cancelled`` if the caller asked to stop."""
        self.send(fraction, message, force)
        self.check()
