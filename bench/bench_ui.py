"""Does the window stay responsive while a watched folder changes in bulk? Prints its stalls.

    .venv/bin/python bench/bench_ui.py [-n 2000]

The whole app (``Shell``, offscreen) over a fresh workspace that watches one folder. Another
process writes ``n`` small notes into it in ten subfolders; once everything is read, it deletes
one subfolder and appends to every note of another. A 10 ms timer in the GUI thread measures
how late each of its ticks comes: a late tick is a stall a person would feel as a frozen
window. Printed per phase: seconds until the app is idle again, and the p50 / p99 / max
lateness of the ticks. Then the two lists that grow with the workspace are timed alone:
reloading the Approvals pane (one proposal per note) and showing the Library's documents.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Workspace  # noqa: E402
from grace_desktop.app import Shell, make_application  # noqa: E402
from grace_desktop.qt import QCoreApplication, QSettings, QTimer  # noqa: E402

TICK_MS = 10
WRITER = """
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i % 10}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"n{i:05}.md"), "w") as fh:
        fh.write(f"# Note {i}\\n\\nThis is note {i} about topic{i}x, kept for the bench.\\n")
"""


class Ticks:
    """How late a 10 ms timer fires in the GUI thread."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, now - self._last - TICK_MS / 1000))
        self._last = now

    def take(self) -> list[float]:
        late, self.late = self.late, []
        return late


def pump_until(app: object, done: object, timeout: float) -> float:
    start = time.perf_counter()
    while not done() and time.perf_counter() - start < timeout:  # type: ignore[operator]
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.002)
    return time.perf_counter() - start


def idle(shell: Shell, app: object, settle: float = 3.0, timeout: float = 1800) -> float:
    """Seconds until the queue is empty and the watcher has had nothing for ``settle`` seconds."""
    quiet: list[float] = []

    def calm() -> bool:
        busy = shell.runner.queue_length > 0 or bool(shell.watcher and shell.watcher._core.pending)
        if busy:
            quiet.clear()
        elif not quiet:
            quiet.append(time.perf_counter())
        return bool(quiet) and time.perf_counter() - quiet[0] > settle

    return pump_until(app, calm, timeout) - settle


def show(phase: str, seconds: float, late: list[float]) -> None:
    ms = sorted(x * 1000 for x in late) or [0.0]
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{phase:<34} idle after {seconds:6.1f} s   ticks late p50 {statistics.median(ms):5.1f} ms   "
          f"p99 {p99:6.1f} ms   max {ms[-1]:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="notes written into the watched folder")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    atexit.register(shutil.rmtree, root, True)
    watched = root / "watched"
    watched.mkdir()
    app = make_application()
    QCoreApplication.setOrganizationName("Grace Bench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "qsettings"))
    ws = Workspace(root / "ws")
    ws.add_watch(str(watched))
    shell = Shell(workspace=ws, allow_modal=False)
    shell.window.persist = False
    shell.start()
    pump_until(app, lambda: shell.is_ready, 120)
    shell.after_ready()
    pump_until(app, lambda: shell.runner.model == "ready", 300)
    idle(shell, app)
    ticks = Ticks()

    ticks.take()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(watched), str(args.n)])
    pump_until(app, lambda: writer.poll() is not None, 600)
    show(f"write {args.n} notes", idle(shell, app), ticks.take())

    shutil.rmtree(watched / "d3")
    for note in sorted((watched / "d4").iterdir()):
        with open(note, "a") as fh:
            fh.write("Appended a line.\n")
    show("delete a folder, change another", idle(shell, app), ticks.take())
    print(f"documents {ws.status()['documents']}, proposals pending {len(ws.tables.proposals('pending'))}")

    approvals = shell.window.panes["approvals"].widget
    library = shell.library
    rows = ws.documents()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        library._show_rows([dict(r) for r in rows])
        app.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    print(f"Library: show {len(rows)} documents          median {statistics.median(times):7.1f} ms (5 runs)")
    if hasattr(approvals, "_show_found"):
        found = ws.tables.proposals("pending")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            approvals._show_found(found)
            app.processEvents()
            times.append((time.perf_counter() - start) * 1000)
        print(f"Approvals: list {len(found)} proposals        median {statistics.median(times):7.1f} ms (5 runs)")
    shell.shutdown()


if __name__ == "__main__":
    main()
