"""Run the benchmarks one after another and print their figures (``make bench``).

Usage:
    python bench/run_all.py [--quick] [--only NAME ...]

Each benchmark runs in its own process, alone, so one does not slow another; its output
is printed as it comes, under a header with the command, so any figure can be re-run by
hand. The ones that need the Python documentation corpus (``bench/_data/corpus``, built by
``python bench/eval_search.py`` from Debian's ``python3.11-doc``) are skipped, with a line
saying so, when it is missing. The last line counts what ran, was skipped (and why) and
failed; the exit code is the number that failed (0 when none did).

Without ``--quick`` the sizes are the ones quoted in ``docs/PERFORMANCE.md``. ``--quick``
uses smaller ones: fewer texts and one run for the embedding benchmark (speed figures are
rougher), the corpus's ``tutorial`` folder (16 files) for the ingest benchmark, and a
2,000-passage workspace of its own (``bench/_work/answer-bench-quick``, built on the first
run and reused) for the answer benchmark. Measured: 155 s on the project's 2-core machine
(load average 1.4-1.9, all eight run, the corpus present and the quick answer workspace
already built); expect more on a busier machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "_data" / "corpus"
QUICK_CORPUS = CORPUS / "tutorial"  # 16 of the corpus's 148 files, 0.9 of its 12 MB

# name -> (arguments for the full run, arguments for --quick, the corpus folder it needs or None)
BENCHMARKS: dict[str, tuple[list[str], list[str], Path | None]] = {
    "embed": (["--no-reference"], ["--no-reference", "--no-qdyn", "--runs", "1", "--long", "16", "--short", "128"],
              None),
    "extract": ([], ["--paragraphs", "20000", "--repeat", "1"], None),
    "search": ([], ["--sizes", "10000", "--queries", "100"], None),
    "memory": ([], ["--chunks", "20000"], None),
    "tables": (["--mb", "100"], ["--mb", "10", "--pages", "50"], None),
    "watch": ([], ["-n", "5"], None),
    "ui": ([], ["-n", "300"], None),
    "ingest": (["--corpus", str(CORPUS)], ["--corpus", str(QUICK_CORPUS)], CORPUS),
    "answer": ([], ["--questions", "20", "--chunks", "2000", "--corpus", str(QUICK_CORPUS),
                    "--workspace", str(HERE / "_work" / "answer-bench-quick")], CORPUS),
}


def command(name: str, quick: bool) -> list[str]:
    full, fast, _ = BENCHMARKS[name]
    return [sys.executable, str(HERE / f"bench_{name}.py"), *(fast if quick else full)]


def run(name: str, quick: bool) -> tuple[str, str]:
    """Run one benchmark: ("ran", ""), ("skipped", why) or ("failed", why)."""
    cmd = command(name, quick)
    shown = " ".join(["python", str(Path(cmd[1]).relative_to(HERE.parent)), *cmd[2:]])
    print(f"\n== {name}: {shown}", flush=True)
    needs = BENCHMARKS[name][2]
    if needs is not None and not needs.is_dir():
        why = f"{needs.relative_to(HERE.parent)} is missing"
        print(f"   skipped: {why} (`python bench/eval_search.py` builds it from Debian's python3.11-doc)",
              flush=True)
        return "skipped", why
    start = time.perf_counter()
    code = subprocess.run(cmd, cwd=HERE.parent, check=False).returncode
    took = time.perf_counter() - start
    print(f"   ({took:.0f} s{'' if code == 0 else f', FAILED with exit code {code}'})", flush=True)
    return ("ran", "") if code == 0 else ("failed", f"exit code {code}")


def summary(results: dict[str, tuple[str, str]]) -> str:
    """The last line, e.g. ``6 ran, 2 skipped (ingest, answer: bench/_data/corpus is missing), 0 failed``."""
    def grouped(status: str) -> str:
        reasons: dict[str, list[str]] = {}
        for name, (st, why) in results.items():
            if st == status:
                reasons.setdefault(why, []).append(name)
        return "; ".join(f"{', '.join(names)}: {why}" if why else ", ".join(names) for why, names in reasons.items())

    counts = {s: sum(1 for st, _ in results.values() if st == s) for s in ("ran", "skipped", "failed")}
    parts = [f"{counts['ran']} ran"]
    for status in ("skipped", "failed"):
        parts.append(f"{counts[status]} {status}" + (f" ({grouped(status)})" if counts[status] else ""))
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (about 2.5 minutes on 2 cores)")
    ap.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run just these")
    args = ap.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    start = time.perf_counter()
    results = {name: run(name, args.quick) for name in names}
    print(f"\n{summary(results)}; {time.perf_counter() - start:.0f} s in all")
    return sum(1 for status, _ in results.values() if status == "failed")


if __name__ == "__main__":
    sys.exit(main())
