"""Run the benchmarks one after another and print their figures (``make bench``).

Usage:
    python bench/run_all.py [--quick] [--only NAME ...]

Each benchmark runs in its own process, alone, so one does not slow another; its output
is printed as it comes, under a header with the command, so any figure can be re-run by
hand. The ones that need the Python documentation corpus (``bench/_data/corpus``, built by
``python bench/eval_search.py`` from Debian's ``python3.11-doc``) are skipped, with a line
saying so, when it is missing. ``--quick`` uses smaller sizes (a few minutes in all);
without it the sizes are the ones quoted in ``docs/PERFORMANCE.md``. The exit code is the
number of benchmarks that failed (0 when all ran).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "_data" / "corpus"

# name -> (arguments for the full run, arguments for --quick, needs the corpus)
BENCHMARKS: dict[str, tuple[list[str], list[str], bool]] = {
    "embed": (["--no-reference"], ["--no-reference", "--no-qdyn", "--runs", "1"], False),
    "extract": ([], ["--paragraphs", "20000", "--repeat", "1"], False),
    "search": ([], ["--sizes", "10000", "--queries", "100"], False),
    "memory": ([], ["--chunks", "20000"], False),
    "tables": (["--mb", "100"], ["--mb", "10", "--pages", "50"], False),
    "watch": ([], ["-n", "5"], False),
    "ingest": (["--corpus", str(CORPUS)], ["--corpus", str(CORPUS)], True),
    "answer": ([], ["--questions", "20"], True),
}


def command(name: str, quick: bool) -> list[str]:
    full, fast, _ = BENCHMARKS[name]
    return [sys.executable, str(HERE / f"bench_{name}.py"), *(fast if quick else full)]


def run(name: str, quick: bool) -> bool:
    """Run one benchmark; True when it exited 0 (or was skipped for want of the corpus)."""
    cmd = command(name, quick)
    shown = " ".join(["python", str(Path(cmd[1]).relative_to(HERE.parent)), *cmd[2:]])
    print(f"\n== {name}: {shown}", flush=True)
    if BENCHMARKS[name][2] and not CORPUS.is_dir():
        print(f"   skipped: {CORPUS.relative_to(HERE.parent)} is missing "
              "(`python bench/eval_search.py` builds it from Debian's python3.11-doc)", flush=True)
        return True
    start = time.perf_counter()
    code = subprocess.run(cmd, cwd=HERE.parent, check=False).returncode
    took = time.perf_counter() - start
    print(f"   ({took:.0f} s{'' if code == 0 else f', FAILED with exit code {code}'})", flush=True)
    return code == 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes: a few minutes in all")
    ap.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run just these")
    args = ap.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    failed = [name for name in names if not run(name, args.quick)]
    print(f"\n{len(names) - len(failed)} of {len(names)} benchmarks ran"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return len(failed)


if __name__ == "__main__":
    sys.exit(main())
