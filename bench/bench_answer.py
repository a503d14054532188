"""Answer latency of the offline grounded answerer on a workspace of about 10,000 passages.

Usage:
    python bench/bench_answer.py [--workspace DIR] [--corpus DIR] [--chunks 10000] [--questions 60]
                                 [--eval]

The workspace (default ``bench/_work/answer-bench``) is built once and reused: the
evaluation corpus (``bench/_data/corpus``, when present) plus generated Markdown notes,
one short section per passage, until the catalog holds ``--chunks`` passages. Questions
are the evaluation set's (or generated ones). Each answer is timed end to end through
``ws.chat.ask(..., offline=True)`` (retrieval, sentence scoring, composition, storing the
messages); the figures are p50 and p95 in ms (goal: p95 <= 300 ms). ``--eval`` also runs
``bench/eval_answers.py`` and prints its figures. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

DEFAULT_WORKSPACE = HERE / "_work" / "answer-bench"
DEFAULT_CORPUS = HERE / "_data" / "corpus"
_NOUNS = ("invoice supplier budget meeting garden tomato basil hive queen mite bicycle chain tyre report revenue "
          "contract deadline server backup router printer kitchen recipe oven flour harbour ferry ticket "
          "library archive ledger warehouse pallet forklift").split()
_VERBS = "checks moves records ships repairs waters stores sends reviews approves delays cleans".split()
_ADJS = "quarterly revised weekly damaged spare annual urgent local overdue fresh spare heavy".split()
_PLACES = "Lyon Oslo Porto Leeds Graz Turin Ghent Bergen Cork Basel".split()


def sentence(rng: random.Random) -> str:
    n1, n2 = rng.sample(_NOUNS, 2)
    return (f"The {rng.choice(_ADJS)} {n1} {rng.choice(_VERBS)} the {n2} in {rng.choice(_PLACES)} "
            f"every {rng.randint(2, 30)} days.")


def generate(folder: Path, sections: int, seed: int = 7) -> None:
    """Markdown notes: 50 sections per file, each a heading and a paragraph of 3-6 sentences."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(0, sections, 50):
        parts = []
        for s in range(f, min(sections, f + 50)):
            body = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
            parts.append(f"## Note {s}\n\n{body}\n")
        (folder / f"notes-{f // 50:04d}.md").write_text("\n".join(parts), encoding="utf-8")


def build(ws, corpus: Path, folder: Path, chunks: int) -> None:  # type: ignore[no-untyped-def]
    if ws.status()["chunks"] >= chunks:
        return
    if corpus.is_dir() and ws.status()["documents"] == 0:
        print(f"ingesting {corpus} ...", file=sys.stderr)
        ws.ingest([corpus])
    missing = chunks - ws.status()["chunks"]
    if missing > 0:
        print(f"generating and ingesting {missing} more passages ...", file=sys.stderr)
        generate(folder / "generated", missing)
        ws.ingest([folder / "generated"])


def questions(count: int) -> list[str]:
    path = HERE / "eval" / "questions.jsonl"
    qs = [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()] \
        if path.exists() else []
    rng = random.Random(3)
    qs += [f"How often does the {rng.choice(_NOUNS)} get checked in {rng.choice(_PLACES)}?" for _ in range(count)]
    return qs[:count]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--eval", action="store_true", help="also print bench/eval_answers.py's figures")
    args = ap.parse_args(argv)

    from engine import Workspace

    args.workspace.mkdir(parents=True, exist_ok=True)
    with Workspace.open(args.workspace / "ws") as ws:
        build(ws, args.corpus, args.workspace, args.chunks)
        ws.chat.ask("warm up: how do I open a file?", offline=True)  # loads the model
        times, sentences = [], []
        for q in questions(args.questions):
            t0 = time.perf_counter()
            answer = ws.chat.ask(q, offline=True)
            times.append((time.perf_counter() - t0) * 1000)
            sentences.append(len(answer.citations))
        ordered = sorted(times)
        p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
        print(json.dumps({"chunks": ws.status()["chunks"], "answers": len(times),
                          "p50_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1),
                          "max_ms": round(max(times), 1), "mean_citations": round(statistics.mean(sentences), 2),
                          "goal_p95_ms": 300}, indent=2))
    if args.eval:
        import eval_answers

        return eval_answers.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
