"""Score Grace's search on held-out, paraphrased questions over a real documentation corpus.

Usage:
    python bench/eval_search.py [--corpus DIR] [--workspace DIR] [--k 10] [--verbose]
                                [--ingest] [--check] [--self-test] [--json-out FILE]

The corpus (a fixed subset of the Python 3.11 documentation: HTML reference pages and
tutorial, reStructuredText HOWTOs and FAQs) is not in the repository: it is built, when
missing, from Debian's python3.11-doc package by ``bench/eval/pydocs_corpus.py`` into
``bench/_data/corpus/`` (git-ignored). The workspace (default ``bench/_work/eval-workspace``)
is reused between runs: when it already holds documents the ingest is skipped (pass
``--ingest`` to run the incremental ingest anyway). Because an incremental ingest skips
unchanged files, a workspace built by an older extractor or chunker would go on being
scored: the script stamps the workspace with a fingerprint of ``engine/extract/``,
``engine/chunk.py`` and ``engine/settings.py`` and rebuilds it from scratch when they
changed (``--fresh`` forces that; ``--keep`` scores a stale workspace as it is).

The questions are ``bench/eval/questions.jsonl``: ``{"id", "question", "file", "answer"}``,
optionally with ``"alt_files"`` (other corpus files that state the same answer verbatim)
and ``"alt_answers"`` (``[{"file", "answer"}]``: other files that answer the question in
their own words). ``file`` is relative to the corpus root; ``answer`` is a short verbatim
substring of the file's visible text that holds the answer. The questions paraphrase; they
do not copy it. Every (file, answer) pair is an accepted location of the answer.

Metrics (over the top ``--k`` hits of ``Workspace.search``):
    file@1, file@5    a hit from an accepted file is the 1st / in the top 5 hits
    passage@1/3/5     a hit in the top 1 / 3 / 5 comes from an accepted file AND holds that
                      file's answer
    MRR(file)         mean of 1/rank of the first hit from an accepted file (0 if absent)
    latency           median and p95 wall time of one ``search`` call, in ms; one warm-up query
                      (which loads the model) runs first and is reported apart, as ``cold_ms``

When does a hit "hold the answer"? Both texts are lower-cased and split into words (runs of
letters and digits; all punctuation, markup and spacing are ignored). The hit holds the
answer when
    1. the answer's words occur in the hit, consecutively and in order (the answer is a
       substring of the hit up to spacing and punctuation, so extractors that render inline
       code or entities a little differently are not penalised), or
    2. the answer straddles two chunks: a run of consecutive answer words covering at least
       60% of the answer's words (and at least 3 words) occurs consecutively in the hit.
A hit's file is matched by path suffix: its absolute path ends with ``/<file>``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EVAL_DIR = HERE / "eval"
sys.path.insert(0, str(EVAL_DIR))

DEFAULT_CORPUS = HERE / "_data" / "corpus"
DEFAULT_WORKSPACE = HERE / "_work" / "eval-workspace"
DEFAULT_QUESTIONS = EVAL_DIR / "questions.jsonl"

STRADDLE_FRACTION = 0.6
STRADDLE_MIN_WORDS = 3
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


# ---- matching -------------------------------------------------------------------------

def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _contains_run(hay: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    if n == 0:
        return True
    first = needle[0]
    for i in range(len(hay) - n + 1):
        if hay[i] == first and list(hay[i:i + n]) == list(needle):
            return True
    return False


def longest_common_run(answer: Sequence[str], hay: Sequence[str]) -> int:
    """Length of the longest run of consecutive answer words found consecutively in hay."""
    best = 0
    prev = [0] * (len(hay) + 1)
    for a in answer:
        cur = [0] * (len(hay) + 1)
        for j, h in enumerate(hay, 1):
            if a == h:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def holds_answer(hit_text: str, answer: str) -> bool:
    """True when the hit text holds the answer (see the rule at the top of this file)."""
    ans, hay = words(answer), words(hit_text or "")
    if not ans:
        return False
    if _contains_run(hay, ans):
        return True
    need = max(STRADDLE_MIN_WORDS, math.ceil(STRADDLE_FRACTION * len(ans)))
    if len(ans) < need:
        return False
    return longest_common_run(ans, hay) >= need


def file_matches(hit_path: str, files: Iterable[str]) -> bool:
    p = str(hit_path).replace("\\", "/")
    return any(p == f or p.endswith("/" + f) for f in files)


def accepted(q: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (file, answer) pair that answers the question."""
    pairs = [(q["file"], q["answer"])] + [(f, q["answer"]) for f in q.get("alt_files", [])]
    return pairs + [(a["file"], a["answer"]) for a in q.get("alt_answers", [])]


# ---- scoring --------------------------------------------------------------------------

def _percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def score(hits_per_question: Sequence[Sequence[Any]], questions: Sequence[dict[str, Any]],
          latencies_ms: Sequence[float] | None = None) -> dict[str, Any]:
    """Score ranked hits against the questions.

    ``hits_per_question[i]`` is the ranked hit list (objects with ``.path`` and ``.text``)
    for ``questions[i]``. Returns the metrics (fractions in 0..1), the counts, and
    ``per_question``: for each question its file rank and passage rank (1-based, or None).
    """
    if len(hits_per_question) != len(questions):
        raise ValueError("one hit list per question")
    per: list[dict[str, Any]] = []
    for q, hits in zip(questions, hits_per_question, strict=True):
        pairs = accepted(q)
        file_rank = passage_rank = None
        for rank, hit in enumerate(hits, 1):
            answers = [a for f, a in pairs if file_matches(hit.path, [f])]
            if not answers:
                continue
            if file_rank is None:
                file_rank = rank
            if any(holds_answer(hit.text, a) for a in answers):
                passage_rank = rank
                break
        per.append({"id": q["id"], "file_rank": file_rank, "passage_rank": passage_rank,
                    "top_files": [str(h.path) for h in hits[:3]]})
    n = len(per)

    def at(key: str, k: int) -> float:
        return sum(1 for p in per if p[key] is not None and p[key] <= k) / n if n else 0.0

    result: dict[str, Any] = {
        "questions": n,
        "file@1": at("file_rank", 1),
        "file@5": at("file_rank", 5),
        "passage@1": at("passage_rank", 1),
        "passage@3": at("passage_rank", 3),
        "passage@5": at("passage_rank", 5),
        "mrr_file": sum(1 / p["file_rank"] for p in per if p["file_rank"]) / n if n else 0.0,
    }
    if latencies_ms:
        result["latency_median_ms"] = statistics.median(latencies_ms)
        result["latency_p95_ms"] = _percentile(latencies_ms, 95)
    result["per_question"] = per
    return result


# ---- data -----------------------------------------------------------------------------

def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check_questions(questions: Sequence[dict[str, Any]], corpus: Path) -> list[str]:
    """Problems with the question set: answers not found verbatim, bad lengths, overuse."""
    from pydocs_corpus import normalise, visible_texts

    problems: list[str] = []
    seen_ids: set[str] = set()
    per_file: dict[str, int] = {}
    for q in questions:
        qid = q.get("id")
        if qid in seen_ids:
            problems.append(f"{qid}: duplicate id")
        seen_ids.add(qid)
        per_file[q["file"]] = per_file.get(q["file"], 0) + 1
        for f, answer in accepted(q):
            ans = normalise(answer)
            if not 10 <= len(ans) <= 80:
                problems.append(f"{qid}: answer length {len(ans)} outside 10..80")
            path = corpus / f
            if not path.is_file():
                problems.append(f"{qid}: {f} is not in the corpus")
                continue
            joined, spaced = visible_texts(path)
            if ans not in joined and ans not in spaced:
                problems.append(f"{qid}: answer not found verbatim in {f}: {ans!r}")
            elif not holds_answer(spaced, ans):
                problems.append(f"{qid}: answer found but the word rule misses it in {f}")
    for f, n in per_file.items():
        if n > 3:
            problems.append(f"{f}: {n} questions (at most 3 per file)")
    return problems


# ---- running --------------------------------------------------------------------------

FINGERPRINT_NAME = "eval-fingerprint.json"


def engine_fingerprint() -> str:
    """sha256 of the engine sources that decide what a chunk holds."""
    import hashlib  # noqa: PLC0415

    digest = hashlib.sha256()
    files = sorted((REPO / "engine" / "extract").rglob("*.py"))
    files += [REPO / "engine" / "chunk.py", REPO / "engine" / "settings.py"]
    for f in files:
        if f.is_file():
            digest.update(f.relative_to(REPO).as_posix().encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def prepare_workspace(workspace: Path, fresh: bool, keep: bool) -> None:
    """Wipe the eval workspace when asked to or when it was built by other engine sources.

    Only a folder this script stamped (or an empty one) is ever wiped.
    """
    import shutil  # noqa: PLC0415

    stamp = workspace / FINGERPRINT_NAME
    ours = stamp.is_file() or not workspace.exists() or not any(workspace.iterdir())
    if not fresh and stamp.is_file() and not keep:
        old = json.loads(stamp.read_text()).get("engine")
        if old != engine_fingerprint():
            print("the engine's extractors or chunker changed since this workspace was built: "
                  "rebuilding it (--keep to score it as it is)", file=sys.stderr)
            fresh = True
    if fresh and workspace.exists():
        if not ours:
            raise SystemExit(f"{workspace} was not made by this script; not wiping it")
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True, exist_ok=True)


def stamp_workspace(workspace: Path) -> None:
    (workspace / FINGERPRINT_NAME).write_text(json.dumps({"engine": engine_fingerprint()}))


def _needs_ingest(ws: Any) -> bool:
    """True when the workspace has no documents yet or an interrupted ingest left a queue."""
    try:
        status = ws.status()
        return int(status["documents"]) == 0 or int(status.get("queued", 0)) > 0
    except Exception:  # noqa: BLE001 - an engine without status(): ingest (it is incremental)
        return True


def run(corpus: Path, workspace: Path, questions: list[dict[str, Any]], k: int,
        force_ingest: bool, fresh: bool = False, keep: bool = False
        ) -> tuple[dict[str, Any], list[list[Any]]]:
    sys.path.insert(0, str(REPO))
    from engine import Workspace  # noqa: PLC0415 - only when actually running

    info: dict[str, Any] = {"corpus": str(corpus), "workspace": str(workspace), "k": k}
    prepare_workspace(workspace, fresh, keep)
    t0 = time.perf_counter()
    ws = Workspace.open(workspace)
    info["open_s"] = round(time.perf_counter() - t0, 3)
    try:
        if force_ingest or _needs_ingest(ws):
            print(f"ingesting {corpus} ...", file=sys.stderr)
            t0 = time.perf_counter()
            report = ws.ingest([corpus])
            info["ingest_s"] = round(time.perf_counter() - t0, 1)
            rep = report.as_dict() if hasattr(report, "as_dict") else dict(vars(report))
            info["ingest"] = {key: rep.get(key) for key in
                              ("ingested", "unchanged", "failed", "chunks", "skipped")}
            if rep.get("failed"):
                print(f"warning: {len(rep['failed'])} files failed to ingest: "
                      f"{rep['failed'][:3]}", file=sys.stderr)
            stamp_workspace(workspace)
        else:
            info["ingest"] = "skipped (workspace already has documents; --ingest to refresh)"
        try:
            status = ws.status()
            info["documents"], info["chunks"] = status.get("documents"), status.get("chunks")
        except Exception:  # noqa: BLE001
            pass

        t0 = time.perf_counter()
        ws.search("warm-up query: how do I open a file", k)
        info["cold_ms"] = round((time.perf_counter() - t0) * 1000, 1)

        hits_per_question: list[list[Any]] = []
        latencies: list[float] = []
        for q in questions:
            t0 = time.perf_counter()
            hits = list(ws.search(q["question"], k))
            latencies.append((time.perf_counter() - t0) * 1000)
            hits_per_question.append(hits)
    finally:
        ws.close()
    result = score(hits_per_question, questions, latencies)
    result["run"] = info
    return result, hits_per_question


def _rel(path: str, corpus: Path) -> str:
    try:
        return Path(path).resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return path


def print_report(result: dict[str, Any], questions: list[dict[str, Any]], corpus: Path,
                 verbose: bool) -> None:
    rows = [("file@1", "file@1"), ("file@5", "file@5  (target >= 0.95)"),
            ("passage@1", "passage@1"), ("passage@3", "passage@3  (target >= 0.75)"),
            ("passage@5", "passage@5"), ("mrr_file", "MRR(file)")]
    print(f"\nGrace search evaluation: {result['questions']} questions, k={result['run']['k']}")
    print("-" * 44)
    for key, label in rows:
        print(f"{label:<30} {result[key]:>8.3f}")
    if "latency_median_ms" in result:
        print(f"{'search latency median (ms)':<30} {result['latency_median_ms']:>8.1f}")
        print(f"{'search latency p95 (ms)':<30} {result['latency_p95_ms']:>8.1f}")
        print(f"{'first (cold) search (ms)':<30} {result['run']['cold_ms']:>8.1f}")
    print("-" * 44)
    if verbose:
        by_id = {q["id"]: q for q in questions}
        misses = [p for p in result["per_question"]
                  if p["file_rank"] is None or p["file_rank"] > 5
                  or p["passage_rank"] is None or p["passage_rank"] > 3]
        print(f"\n{len(misses)} questions miss file@5 or passage@3:")
        for p in misses:
            q = by_id[p["id"]]
            tops = ", ".join(_rel(t, corpus) for t in p["top_files"])
            print(f"- {p['id']} [file rank {p['file_rank']}, passage rank {p['passage_rank']}] "
                  f"{q['question']}\n    expected {q['file']} :: {q['answer']!r}\n    top-3: {tops}")
    summary = {key: (round(v, 4) if isinstance(v, float) else v)
               for key, v in result.items() if key != "per_question"}
    print(json.dumps(summary, sort_keys=True))


def self_test() -> None:
    """Check the scoring with fake hits (no engine needed)."""
    H = lambda path, text: SimpleNamespace(path=path, text=text)  # noqa: E731
    qs = [
        {"id": "a", "file": "lib/x.html", "answer": "the quick brown fox jumps"},
        {"id": "b", "file": "lib/y.html", "answer": "one two three four five six seven"},
        {"id": "c", "file": "lib/z.html", "answer": "alpha beta gamma delta", "alt_files": ["w.rst"]},
        {"id": "d", "file": "lib/v.html", "answer": "never here at all"},
        {"id": "e", "file": "a.html", "answer": "red green blue",
         "alt_answers": [{"file": "b.rst", "answer": "cyan magenta yellow"}]},
    ]
    hits = [
        [H("/c/lib/x.html", "Then, the  quick brown\nfox jumps over.")],
        [H("/c/lib/q.html", "one two three four five six seven"),      # wrong file: no credit
         H("/c/lib/y.html", "... three four five six seven"),          # 5/7 >= 60%: straddle
         H("/c/lib/y.html", "one two three four five six seven")],
        [H("/c/other.html", "x"), H("/c/lib/w.rst", "ALPHA-beta gamma, delta!")],
        [H("/c/lib/v.html", "never here"), H("/c/lib/v.htmlx", "never here at all")],
        [H("/c/b.rst", "red green blue"), H("/c/b.rst", "Cyan, magenta, yellow.")],
    ]
    r = score(hits[:4], qs[:4], [1.0, 2.0, 3.0, 10.0])
    per = {p["id"]: (p["file_rank"], p["passage_rank"]) for p in r["per_question"]}
    assert per == {"a": (1, 1), "b": (2, 2), "c": (2, 2), "d": (1, None)}, per
    assert r["file@1"] == 0.5 and r["file@5"] == 1.0, r
    assert r["passage@1"] == 0.25 and r["passage@3"] == 0.75 and r["passage@5"] == 0.75, r
    assert abs(r["mrr_file"] - (1 + 0.5 + 0.5 + 1) / 4) < 1e-9, r
    assert r["latency_median_ms"] == 2.5 and r["latency_p95_ms"] == 10.0, r
    r = score(hits[4:], qs[4:])   # alt answer: only b.rst's own answer counts in b.rst
    assert (r["per_question"][0]["file_rank"], r["per_question"][0]["passage_rank"]) == (1, 2), r
    assert holds_answer("x one two three", "one two three four five") is True    # 3/5 = 60%
    assert holds_answer("x one two", "one two three four five") is False         # 2/5
    assert holds_answer("one two", "one two three") is False                     # < 3 words
    assert holds_answer("the user\u2019s home directory", "user \u2019s home") is True
    print("self-test passed")


def build_for(corpus: Path) -> None:
    """Build (or refresh) ``corpus`` when it is one of the evaluation corpora's default folders
    (Python, Git, SQLite, LaTeX, Node.js docs, the Rust book); an empty or missing other folder gets the
    Python one."""
    import gitdocs_corpus
    import latexdocs_corpus
    import nodedocs_corpus
    import pydocs_corpus
    import rustbook_corpus
    import sqlitedocs_corpus

    for module in (gitdocs_corpus, sqlitedocs_corpus, latexdocs_corpus, nodedocs_corpus, rustbook_corpus,
                   pydocs_corpus):
        if corpus == module.DEFAULT_TARGET.resolve():
            module.build_corpus(corpus, quiet=True)
            return
    if not corpus.is_dir() or not any(corpus.iterdir()):
        pydocs_corpus.build_corpus(corpus, quiet=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--verbose", "-v", action="store_true", help="list the failed questions")
    ap.add_argument("--ingest", action="store_true", help="run the (incremental) ingest even "
                    "when the workspace already has documents")
    ap.add_argument("--fresh", action="store_true", help="rebuild the workspace from scratch")
    ap.add_argument("--keep", action="store_true", help="score the workspace as it is even if "
                    "the engine's extractors or chunker changed since it was built")
    ap.add_argument("--check", action="store_true", help="only check the question set against "
                    "the corpus and exit")
    ap.add_argument("--self-test", action="store_true", help="only check the scoring code")
    ap.add_argument("--json-out", type=Path, help="also write the full result (with per-question "
                    "ranks) to this file")
    args = ap.parse_args(argv)

    if args.self_test:
        self_test()
        return 0
    corpus = args.corpus.resolve()
    build_for(corpus)
    questions = load_jsonl(args.questions)
    problems = check_questions(questions, corpus)
    if problems:
        print("question set problems:\n  " + "\n  ".join(problems), file=sys.stderr)
        if args.check:
            return 1
    elif args.check:
        print(f"{len(questions)} questions OK against {corpus}")
        return 0

    result, _ = run(corpus, args.workspace.resolve(), questions, args.k, args.ingest,
                    args.fresh, args.keep)
    print_report(result, questions, corpus, args.verbose)
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
