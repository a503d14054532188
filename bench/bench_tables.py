"""Table figures: CSV import speed, inference time and page fetches at a million rows.

    PYTHONPATH=. .venv/bin/python bench/bench_tables.py [--mb 100] [--pages 200]

Generates a CSV of about ``--mb`` megabytes in a temporary folder (ids, names,
ISO dates, amounts, flags, categories and free text, with a few empty cells),
then prints:

* inference time: ``infer_file`` on the file (dialect and types from a sample);
* import throughput: ``Tables.import_file`` (infer, stage every row, check every
  value, propose, auto-approve and apply) in MB/s, beside DuckDB's own
  ``CREATE TABLE AS SELECT * FROM read_csv`` into a database file as the ceiling;
* page fetches: ``page(table, offset, 100)`` at random offsets, p50/p95 in ms, for
  the natural order, a sort on another column and a text filter (the first call of
  each builds the cached row order and is shown apart).

Goals: import >= 50 MB/s, inference <= 1 s, page p95 <= 100 ms. Figures only; the
tests never assert on time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Workspace  # noqa: E402
from engine.tables import RowFilter  # noqa: E402
from engine.tables.infer import infer_file  # noqa: E402


def make_csv(path: Path, megabytes: float) -> int:
    """Write about ``megabytes`` MB of CSV at ``path``; returns the row count."""
    rows = int(megabytes * 1_000_000 / 72)  # about 72 bytes a row
    duckdb.connect().execute(
        "COPY (SELECT i AS id, 'customer_' || (i % 50000) AS name, DATE '2015-01-01' + (i % 3650)::INTEGER AS day, "
        "CASE WHEN i % 97 = 0 THEN NULL ELSE round((i * 7919 % 100000) / 100.0, 2) END AS amount, "
        "(i % 3 = 0) AS active, ['north', 'south', 'east', 'west'][1 + i % 4] AS region, "
        "'order ' || i || ' shipped' AS note FROM range(?) t(i)) TO ? (HEADER, DELIMITER ',')", [rows, str(path)])
    return rows


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_pages(ws: Workspace, table: str, pages: int, label: str, **kw: object) -> None:
    """Random jumps (each a fresh block: the worst case), then a scroll through consecutive pages."""
    total = ws.tables.count(table, kw.get("flt"))  # type: ignore[arg-type]
    started = time.perf_counter()
    ws.tables.page(table, 0, 100, **kw)  # type: ignore[arg-type]
    first = (time.perf_counter() - started) * 1000
    timings = []
    rng = random.Random(7)
    for _ in range(pages):
        offset = rng.randrange(max(1, total - 100))
        started = time.perf_counter()
        rows = ws.tables.page(table, offset, 100, **kw)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
        assert len(rows) == min(100, total - offset)
    scroll = []
    offset = rng.randrange(max(1, total - 100 * pages))
    for _ in range(min(pages, 50)):
        started = time.perf_counter()
        ws.tables.page(table, offset, 100, **kw)  # type: ignore[arg-type]
        scroll.append((time.perf_counter() - started) * 1000)
        offset += 100
    print(f"page(100) {label:<22} rows={total:>9,}  first {first:6.1f} ms   jump p50 "
          f"{statistics.median(timings):5.1f} ms p95 {percentile(timings, 0.95):5.1f} ms   scroll p50 "
          f"{statistics.median(scroll):5.1f} ms p95 {percentile(scroll, 0.95):5.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="size of the generated CSV (default 100)")
    parser.add_argument("--pages", type=int, default=200, help="random page fetches per case (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grace-bench-tables-") as tmp:
        root = Path(tmp)
        path = root / "orders.csv"
        rows = make_csv(path, args.mb)
        size = os.path.getsize(path) / 1e6
        print(f"generated {path.name}: {size:.1f} MB, {rows:,} rows, {os.cpu_count()} CPUs, "
              f"duckdb {duckdb.__version__}")

        con = duckdb.connect()
        started = time.perf_counter()
        inf = infer_file(con, path, root / "tmp")[0]
        print(f"inference                {time.perf_counter() - started:6.2f} s  "
              f"({', '.join(f'{c.name} {c.type}' for c in inf.columns)})")

        ref = duckdb.connect(str(root / "reference.duckdb"))
        started = time.perf_counter()
        ref.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
        ref.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
        ref.close()
        print(f"reference: DuckDB alone  {seconds:6.2f} s  = {size / seconds:6.1f} MB/s  "
              "(CREATE TABLE AS read_csv into a database file: the ceiling for an import)")

        with Workspace(root / "ws") as ws:
            ws.tables.list()  # open tables.duckdb (and create the catalog) outside the timing
            started = time.perf_counter()
            proposal = ws.tables.import_file(path)
            seconds = time.perf_counter() - started
            print(f"import                   {seconds:6.2f} s  = {size / seconds:6.1f} MB/s  "
                  f"({proposal.row_count:,} rows, {proposal.status}, confidence {proposal.confidence})")
            if proposal.status != "applied":
                ws.tables.approve(proposal.id)
            bench_pages(ws, proposal.table, args.pages, "natural order")
            bench_pages(ws, proposal.table, args.pages, "sorted by amount", sort=("amount", False))
            bench_pages(ws, proposal.table, args.pages, "filter text 'north'", flt=RowFilter(text="north"))


if __name__ == "__main__":
    main()
