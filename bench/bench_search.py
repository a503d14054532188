"""Hybrid search latency (p50/p95) at 10k and 100k chunks, and workspace open time.

Usage: python bench/bench_search.py [--sizes 10000 100000] [--queries 200]
Synthetic chunks and vectors go through the real catalog, FTS5 and usearch index;
queries are embedded by the real model, as in the app.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synth import make_workspace, queries  # noqa: E402
from engine import Workspace  # noqa: E402

OPEN_CHILD = """
import time, sys
t = time.perf_counter()
from engine import Workspace
ws = Workspace(sys.argv[1])
n = ws.status()['vectors']
print(f"{(time.perf_counter() - t) * 1000:.1f} {n}")
ws.close()
"""


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_size(n: int, n_queries: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"grace-bench-{n}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    t = time.perf_counter()
    make_workspace(folder, n)
    build = time.perf_counter() - t
    opens = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", OPEN_CHILD, str(folder)], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parents[1], check=True)
        opens.append(float(out.stdout.split()[0]))
    with Workspace(folder) as ws:
        ws.embedder.load()
        qs = queries(n_queries)
        for q in qs[:10]:
            ws.search(q, 10)  # warm caches
        times = []
        for q in qs:
            t = time.perf_counter()
            ws.search(q, 10)
            times.append((time.perf_counter() - t) * 1000)
    return {"chunks": n, "build_s": round(build, 1), "open_ms_median": round(statistics.median(opens), 1),
            "search_p50_ms": round(pct(times, 50), 2), "search_p95_ms": round(pct(times, 95), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    for n in args.sizes:
        r = bench_size(n, args.queries)
        print(f"{r['chunks']:>7} chunks: search p50 {r['search_p50_ms']:6.2f} ms  p95 {r['search_p95_ms']:6.2f} ms  "
              f"open (process, median of 5) {r['open_ms_median']:7.1f} ms  [built in {r['build_s']} s]")


if __name__ == "__main__":
    main()
