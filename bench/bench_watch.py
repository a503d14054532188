"""How long after a save in a watched folder is the file searchable? Prints p50/p95 seconds.

    .venv/bin/python bench/bench_watch.py [-n 20] [--debounce-ms 300]

A real workspace in a temp folder, a ``FolderWatcher`` on a watched folder and a plain
ingest worker thread (what the shell does, without the window). Saves come one at a
time, cycling through a new file, a change in place and an editor-style save by
rename (write a temp file, rename it over the target); each is timed from the start
of the write until ``ws.search(its unique word)`` returns the file as the top hit.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication  # noqa: E402

from engine import Workspace  # noqa: E402
from grace_desktop.watcher import FolderWatcher  # noqa: E402

FILLER = ("The committee reviewed the harbour budget and the ferry timetable. Rainfall in spring was "
          "above the ten-year average, and the orchard expects an early harvest. ")
KINDS = ("new", "changed", "renamed-over")
POLL_SECONDS = 0.05  # between searches; each search runs the model, which competes with ingest


class IngestWorker(threading.Thread):
    """Ingests whatever the watcher emits, one batch at a time, off the Qt thread.

    ``emitted`` maps each path to when the watcher last handed it over (perf_counter).
    """

    def __init__(self, ws: Workspace) -> None:
        super().__init__(daemon=True)
        self.ws, self.inbox = ws, queue.Queue[list[str] | None]()
        self.emitted: dict[str, float] = {}

    def hand_over(self, paths: list[str]) -> None:
        now = time.perf_counter()
        self.emitted.update((p, now) for p in paths)
        self.inbox.put(list(paths))

    def run(self) -> None:
        while (paths := self.inbox.get()) is not None:
            while not self.inbox.empty():  # coalesce what piled up meanwhile
                more = self.inbox.get()
                if more is None:
                    return
                paths += more
            self.ws.ingest(list(dict.fromkeys(paths)))


def unique_word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(5))


def save(folder: Path, n: int, kind: str, word: str) -> Path:
    """Write save number ``n`` of kind ``kind`` containing ``word``; returns the target file."""
    body = f"# Note {n}\n\n{FILLER}\n\nThe code word is {word}.\n"
    if kind == "new":
        target = folder / f"note-{n:03d}.md"
        target.write_text(body, encoding="utf-8")
    elif kind == "changed":
        target = folder / f"note-{n - 1:03d}.md"  # the file the previous save created
        target.write_text(body, encoding="utf-8")
    else:
        target = folder / f"note-{n - 2:03d}.md"
        temp = folder / f".{target.name}.tmp{n}"
        temp.write_text(body, encoding="utf-8")
        os.replace(temp, target)
    return target


def wait_searchable(app: QCoreApplication, ws: Workspace, word: str, target: Path, limit: float,
                    started: float | None = None) -> float | None:
    """Seconds from ``started`` (default: now) until ``target`` is the top hit for ``word``.

    None if that does not happen within ``limit`` seconds.
    """
    started = time.perf_counter() if started is None else started
    while time.perf_counter() - started < limit:
        app.processEvents()
        hits = ws.search(word, k=1)
        if hits and hits[0].path == str(target) and word in hits[0].text:
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    return None


def wait_ingested(app: QCoreApplication, ws: Workspace, documents: int, limit: float) -> None:
    """Until ``documents`` are in and nothing is queued (a heading is not in a passage's text, so
    searching for "Filler 29" never matched and this waited its whole limit)."""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        app.processEvents()
        status = ws.status()
        if status["documents"] >= documents and status["queued"] == 0:
            return
        time.sleep(POLL_SECONDS)
    raise SystemExit(f"the start-up rescan did not finish within {limit:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="saves to time")
    parser.add_argument("--debounce-ms", type=int, default=300)
    args = parser.parse_args()
    app = QCoreApplication.instance() or QCoreApplication(sys.argv)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="grace-bench-watch-") as tmp:
        folder = Path(tmp) / "watched"
        folder.mkdir()
        for i in range(30):  # something else to search through
            (folder / f"filler-{i:02d}.md").write_text(f"# Filler {i}\n\n{FILLER * 3}\n", encoding="utf-8")
        with Workspace(Path(tmp) / "ws") as ws:
            ws.embedder.load()
            worker = IngestWorker(ws)
            worker.start()
            watcher = FolderWatcher(debounce_ms=args.debounce_ms)
            watcher.changed.connect(worker.hand_over)
            watcher.start([str(folder)])
            wait_ingested(app, ws, 30, 120)  # the start-up rescan
            times: dict[str, list[float]] = {k: [] for k in KINDS}
            stages: list[tuple[float, float]] = []  # (save -> emitted, emitted -> searchable)
            missed = 0
            for n in range(args.n):
                kind = KINDS[n % 3] if n >= 2 else "new"
                word = unique_word(rng)
                started = time.perf_counter()
                target = save(folder, n, kind, word)
                waited = wait_searchable(app, ws, word, target, 30, started)
                if waited is None:
                    missed += 1
                    continue
                times[kind].append(waited)
                emitted = worker.emitted.get(str(target))
                if emitted and emitted > started:
                    stages.append((emitted - started, waited - (emitted - started)))
            watcher.stop()
            worker.inbox.put(None)
            worker.join()
    report(times, stages, missed, args)
    return 0


def report(times: dict[str, list[float]], stages: list[tuple[float, float]], missed: int,
           args: argparse.Namespace) -> None:
    every = sorted(t for ts in times.values() for t in ts)
    if not every:
        print("no save became searchable within 30 s")
        return
    p95 = every[min(len(every) - 1, int(round(0.95 * (len(every) - 1))))]
    print(f"watch -> searchable, {len(every)} saves (debounce {args.debounce_ms} ms): "
          f"p50 {statistics.median(every):.2f} s, p95 {p95:.2f} s, max {every[-1]:.2f} s"
          + (f"; {missed} not searchable within 30 s" if missed else ""))
    for kind, ts in times.items():
        if ts:
            print(f"  {kind:<13} n={len(ts):>2}  p50 {statistics.median(ts):.2f} s  max {max(ts):.2f} s")
    if stages:
        print(f"  median stages: save -> watcher emits {statistics.median(s[0] for s in stages):.2f} s, "
              f"emit -> ingested and found {statistics.median(s[1] for s in stages):.2f} s "
              f"(searches every {POLL_SECONDS:.2f} s)")
    if hasattr(os, "getloadavg"):
        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    sys.exit(main())
