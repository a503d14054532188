"""Re-embedding after a model change: passages per second, and search latency meanwhile.

Usage: python bench/bench_reembed.py [--workspace DIR] [--queries 100]

Copies a real workspace (default: the eval workspace ``bench/eval_search.py`` builds,
ingested when missing) to a temporary folder, marks every stored vector as another
model's (its id only: the old vectors stay and go on answering), then runs
``Workspace.reembed`` in one thread while another searches without pause. Prints the
re-embedding rate and the search p50/p95 during it (a query every 0.2 s, a person typing
fast) next to those of an idle workspace.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_search import DEFAULT_QUESTIONS, DEFAULT_WORKSPACE, load_jsonl  # noqa: E402
from engine import Workspace  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed_searches(ws: Workspace, queries: list[str], until: threading.Event | None = None,
                   pause: float = 0.0) -> list[float]:
    times, i = [], 0
    while (until is None and i < len(queries)) or (until is not None and not until.wait(pause)):
        t = time.perf_counter()
        ws.search(queries[i % len(queries)], 10)
        times.append((time.perf_counter() - t) * 1000)
        i += 1
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    ap.add_argument("--queries", type=int, default=100)
    args = ap.parse_args()
    if not (args.workspace / "grace.sqlite").exists():
        print(f"{args.workspace} holds no workspace; run bench/eval_search.py first", file=sys.stderr)
        return 2
    queries = [q["question"] for q in load_jsonl(DEFAULT_QUESTIONS)][: args.queries]
    folder = Path(tempfile.mkdtemp(prefix="grace-reembed-")) / "ws"
    shutil.copytree(args.workspace, folder)
    try:
        with Workspace(folder) as ws:
            with ws._write_engine.begin() as conn:
                conn.execute(text("UPDATE chunks SET model = 'older-model@00000000'"))
            n = ws.stale_vectors()
            ws.embedder.load()
            idle = timed_searches(ws, queries)
            done = threading.Event()
            during: list[float] = []
            searcher = threading.Thread(target=lambda: during.extend(timed_searches(ws, queries, done, 0.2)))
            searcher.start()
            t = time.perf_counter()
            try:
                report = ws.reembed()
            finally:
                done.set()
                searcher.join()
            seconds = time.perf_counter() - t
        print(f"re-embedded {report.reembedded} of {n} passages in {seconds:.1f} s "
              f"({report.reembedded / seconds:.0f} passages/s) while searching")
        print(f"search idle:   p50 {statistics.median(idle):.1f} ms, p95 {pct(idle, 95):.1f} ms ({len(idle)} queries)")
        print(f"search during: p50 {statistics.median(during):.1f} ms, p95 {pct(during, 95):.1f} ms "
              f"({len(during)} queries)")
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
