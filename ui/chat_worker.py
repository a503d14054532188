"""A QRunnable for the chat pane: runs one engine call off the GUI thread.

Its signals live on a QObject created in the GUI thread, so tokens, the result and
failures arrive there as queued signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grace_desktop.qt import QObject, QRunnable, Signal


class WorkerSignals(QObject):
    token = Signal(str)
    done = Signal(object)
    failed = Signal(str)
    finished = Signal()


class Worker(QRunnable):
    """Runs ``call(on_token)``; emits ``token`` while it streams, then ``done`` or ``failed``."""

    def __init__(self, call: Callable[[Callable[[str], None]], Any]) -> None:
        super().__init__()
        self.call = call
        self.signals = WorkerSignals()
        self.setAutoDelete(False)  # the pane holds it until ``finished``

    def run(self) -> None:
        try:
            result = self.call(self.signals.token.emit)
        except Exception as exc:  # noqa: BLE001 - every failure reaches the person as a sentence
            self.signals.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.signals.done.emit(result)
        finally:
            self.signals.finished.emit()
