"""Fixtures for the GUI tests: fresh QSettings in tmp_path for every test (never the real
profile), and a whole shell (window, panes, runner) over a real workspace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from grace_desktop.qt import QCoreApplication, QSettings  # noqa: E402

WAIT_MS = 300_000  # generous: the real model (and tables) on a busy 2-core machine


@pytest.fixture(autouse=True)
def _fresh_qsettings(tmp_path: Path) -> Iterator[None]:
    """QSettings go to an INI file in this test's tmp_path, under test names."""
    QCoreApplication.setOrganizationName("Grace Tests")
    QCoreApplication.setApplicationName("Grace Desktop Tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(tmp_path / "qsettings-system"))
    yield


@pytest.fixture
def shell(qtbot, ws):  # type: ignore[no-untyped-def]
    """The whole app over the real workspace ``ws``, ready, with the model loaded."""
    from grace_desktop.app import Shell

    s = Shell(workspace=ws, allow_modal=False)
    qtbot.addWidget(s.window)
    s.start()
    qtbot.waitUntil(lambda: s.is_ready, timeout=WAIT_MS)
    s.runner.load_model()
    qtbot.waitUntil(lambda: s.runner.model == "ready", timeout=WAIT_MS)
    yield s
    s.runner.shutdown(timeout_ms=600_000)  # the ws fixture closes the workspace: nothing may still run
    if s.watcher is not None:
        s.watcher.stop()


@pytest.fixture
def queued(qtbot, ws, docs, tmp_path):  # type: ignore[no-untyped-def]
    """A chat pane whose approvals run as jobs of a runner, over ``docs`` read, and a folder with
    one more note to ingest from the chat: (pane, runner, folder)."""
    from grace_desktop.runner import Runner
    from ui.chat import ChatPane

    ws.ingest([docs])
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "bees.md").write_text("# Bees\n\nBees make honey from nectar all summer.\n", encoding="utf-8")
    runner = Runner()
    runner.set_workspace(ws)
    pane = ChatPane(ws, runner=runner)
    qtbot.addWidget(pane)
    pane.show()
    yield pane, runner, extra
    runner.shutdown(timeout_ms=WAIT_MS)


@pytest.fixture
def pane(qtbot, ws, docs):  # type: ignore[no-untyped-def]
    """The chat pane over ``docs`` read."""
    from ui.chat import ChatPane

    ws.ingest([docs])
    widget = ChatPane(ws)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget
