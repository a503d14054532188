"""Score the offline grounded answerer on the evaluation corpus, and calibrate its abstention.

Usage:
    python bench/eval_answers.py [--corpus DIR] [--workspace DIR] [--calibrate] [--verbose]
                                 [--json-out FILE]

Questions: ``bench/eval/questions.jsonl`` (answerable, with the file that answers) and
``bench/eval/unanswerable.jsonl`` (the corpus cannot answer them; ``--questions`` and
``--unanswerable`` name another corpus's, e.g. the Git set's), plus this script's own
small set of questions the corpus cannot answer (``OWN_UNANSWERABLE``: some far from the
corpus, some close to it). The workspace is the one ``bench/eval_search.py`` builds and
reuses (``bench/_work/eval-workspace``); it is ingested here when empty.

Figures (offline answerer, the threshold in the workspace's settings unless --threshold):
    first-citation file   answerable questions whose first citation is in the right file
                          (an abstention counts as a miss)
    answer in quotes      answerable questions whose cited sentences hold the expected answer
    verbatim quotes       quotes found verbatim in their cited file's extracted text
    declined              unanswerable questions the answerer declined
    latency               p50 / p95 of one answer (retrieval + sentence scoring), in ms

``--calibrate`` splits the answerable questions in two (odd / even lines) and picks the
threshold on the first half and the script's own unanswerable set: the highest
first-citation rate that still declines at least 7 in 8 of those. The figures printed
after it are on the held-out half and the corpus's own unanswerable set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from eval_search import DEFAULT_CORPUS, EVAL_DIR, file_matches, holds_answer, load_jsonl  # noqa: E402

DEFAULT_WORKSPACE = HERE / "_work" / "eval-workspace"


def accepted_files(q: dict[str, Any]) -> list[str]:
    """The files that answer ``q`` (its own, ``alt_files`` and ``alt_answers``' files)."""
    return [q["file"], *q.get("alt_files", []), *(a["file"] for a in q.get("alt_answers", []))]


def accepted_answers(q: dict[str, Any]) -> list[str]:
    return [q["answer"], *(a["answer"] for a in q.get("alt_answers", []))]


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, -(-int(pct * len(ordered)) // 100)) - 1] if ordered else float("nan")


OWN_UNANSWERABLE = [
    "How do I install numpy with conda on Windows?",
    "What does select_related do in the Django ORM?",
    "How do I make a pandas DataFrame from a dictionary of lists?",
    "What port does PostgreSQL listen on by default?",
    "How do I train a convolutional neural network in PyTorch?",
    "Who painted the Mona Lisa?",
    "What is a good recipe for banana bread?",
    "How many players are on a rugby union team?",
    "How do I change the oil in a diesel car?",
    "What were the causes of the French Revolution?",
    "How do I set up two-factor authentication on my Google account?",
    "What is the interest rate on a 30-year fixed mortgage?",
    "How do I deploy a React app to Netlify?",
    "Which Java garbage collector is best for low latency?",
    "How many calories are in a banana?",
    "How tall is Mount Kilimanjaro?",
]


def evidence_rows(ws: Any, questions: list[str]) -> list[dict[str, Any]]:
    """For each question: the best sentence score (the evidence), the ranked candidates, latency."""
    from engine.chat.context import assemble
    from engine.chat.reasoner_offline import strongest

    rows = []
    for q in questions:
        t0 = time.perf_counter()
        ctx = assemble(ws, q)
        ranked = ws.chat.offline.ranked(ctx)[0]  # as the answer ranks them (other codes, old versions left out)
        ms = (time.perf_counter() - t0) * 1000
        rows.append({"question": q, "ctx": ctx, "ranked": ranked, "ms": ms, "evidence": strongest(ranked)})
    return rows


def declined(row: dict[str, Any], threshold: float) -> bool:
    """The answerer's own rule (weak evidence, or a name no file mentions)."""
    from engine.chat.reasoner_offline import declines

    return declines(row["ctx"], row["evidence"], threshold)


def answer_with(ws: Any, row: dict[str, Any], threshold: float) -> Any:
    """The offline draft for a precomputed row (the same steps ``OfflineReasoner.answer`` takes)."""
    reasoner = ws.chat.offline
    from engine.chat.reasoner_offline import select

    if declined(row, threshold):
        return reasoner._abstain(row["ctx"], row["ranked"], row["evidence"], threshold)  # noqa: SLF001
    return reasoner._compose(row["ctx"], select(row["ranked"]), row["evidence"], threshold)  # noqa: SLF001


def extracted_text(path: str, cache: dict[str, list[str]]) -> list[str]:
    from engine.extract import Limits, extract

    if path not in cache:
        cache[path] = [b.text for b in extract(Path(path), Path(path).read_bytes(), Limits()).blocks]
    return cache[path]


def score(ws: Any, answerable: list[tuple[dict[str, Any], dict[str, Any]]],
          unanswerable: list[dict[str, Any]], threshold: float, verbose: bool = False) -> dict[str, Any]:
    first_ok = holds = quotes = verbatim = 0
    misses = []
    cache: dict[str, list[str]] = {}
    for q, row in answerable:
        draft = answer_with(ws, row, threshold)
        files = accepted_files(q)
        ok = bool(draft.citations) and file_matches(draft.citations[0].path, files)
        first_ok += ok
        holds += any(holds_answer(c.quote, a) for c in draft.citations for a in accepted_answers(q))
        for c in draft.citations:
            quotes += 1
            verbatim += any(c.quote in block for block in extracted_text(c.path, cache))
        if not ok:
            misses.append((q["question"], q["file"], draft.citations[0].path.rsplit("/", 2)[-2:]
                           if draft.citations else "declined", round(row["evidence"], 3)))
    n_declined = sum(declined(row, threshold) for row in unanswerable)
    if verbose:
        for m in misses:
            print("  miss:", m)
        for row in unanswerable:
            if not declined(row, threshold):
                print("  answered (should decline):", row["question"], round(row["evidence"], 3))
    n = max(1, len(answerable))
    return {"threshold": round(threshold, 3), "answerable": len(answerable),
            "first_citation_file": round(first_ok / n, 3), "answer_in_quotes": round(holds / n, 3),
            "quotes": quotes, "verbatim_quotes": round(verbatim / max(1, quotes), 4),
            "unanswerable": len(unanswerable), "declined": n_declined,
            "declined_rate": round(n_declined / max(1, len(unanswerable)), 3)}


def calibrate(ws: Any, answerable: list[tuple[dict[str, Any], dict[str, Any]]],
              unanswerable: list[dict[str, Any]]) -> float:
    """The threshold with the best first-citation rate among those declining >= 7/8 of ``unanswerable``."""
    candidates = sorted({round(r["evidence"], 3) + 0.001 for r in unanswerable} | {0.3})
    best, best_key = 0.3, (-1.0, 0.0)
    for t in candidates:
        share = sum(declined(r, t) for r in unanswerable) / max(1, len(unanswerable))
        if share < 7 / 8:
            continue
        ok = sum(1 for q, r in answerable if not declined(r, t) and r["ranked"]
                 and file_matches(r["ranked"][0].passage.hit.path, accepted_files(q)))
        key = (ok / max(1, len(answerable)), -t)
        if key > best_key:
            best, best_key = t, key
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    ap.add_argument("--questions", type=Path, default=EVAL_DIR / "questions.jsonl")
    ap.add_argument("--unanswerable", type=Path, default=EVAL_DIR / "unanswerable.jsonl",
                    help="questions the corpus cannot answer")
    ap.add_argument("--threshold", type=float, help="abstention threshold (default: the workspace's setting)")
    ap.add_argument("--calibrate", action="store_true", help="pick the threshold on a calibration split")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)

    from engine import Workspace

    questions = load_jsonl(args.questions)
    corpus_unanswerable = [u["question"] for u in load_jsonl(args.unanswerable)]
    args.workspace.mkdir(parents=True, exist_ok=True)
    with Workspace.open(args.workspace) as ws:
        if ws.status()["documents"] == 0:
            print(f"ingesting {args.corpus} ...", file=sys.stderr)
            ws.ingest([args.corpus])
        ws.chat.offline.candidates(__import__("engine.chat.context", fromlist=["assemble"]).assemble(ws, "warm up"))
        rows = evidence_rows(ws, [q["question"] for q in questions])
        answerable = list(zip(questions, rows, strict=True))
        own = evidence_rows(ws, OWN_UNANSWERABLE)
        theirs = evidence_rows(ws, corpus_unanswerable)
        result: dict[str, Any] = {"chunks": ws.status()["chunks"]}
        threshold = args.threshold if args.threshold is not None else float(ws.setting("abstain_threshold"))
        if args.calibrate:
            threshold = calibrate(ws, answerable[0::2], own)
            result["calibration"] = score(ws, answerable[0::2], own, threshold)
            result["held_out"] = score(ws, answerable[1::2], theirs, threshold, args.verbose)
        result["all"] = score(ws, answerable, own + theirs, threshold, args.verbose and not args.calibrate)
        result["corpus_unanswerable"] = score(ws, [], theirs, threshold)["declined"], len(theirs)
        ms = [r["ms"] for r in rows + own + theirs]
        result["latency_ms"] = {"p50": round(statistics.median(ms), 1), "p95": round(_percentile(ms, 95), 1),
                                "n": len(ms)}
    print(json.dumps(result, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
