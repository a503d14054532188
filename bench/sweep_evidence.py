"""Sweep the offline answerer's abstention rule over the six evaluation sets.

Usage:
    python bench/sweep_evidence.py [--dump FILE] [--reuse]

For every question of the six sets (answerable ones and the unanswerable ones, the corpus's
and ``eval_answers.OWN_UNANSWERABLE``) it keeps the answerer's ranked candidates with their
signals: sentence cosine, passage cosine and keyword overlap. Then it scores abstention rules
``evidence = 0.5 × sentence + b × passage + c × keywords`` (the shipped rule: b = 0.3, c = 0)
at the threshold that gives the most first citations in the right file while declining at
least 7 in 8 unanswerable questions overall and 4 in 5 on each set. Prints the shipped rule
at the workspace's threshold first, then one line per (b, c). The sets' workspaces are the
ones ``bench/eval_search.py`` builds (``bench/_work/*-workspace``).
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import eval_answers as ea  # noqa: E402

SETS = {"py": ("eval-workspace", "questions.jsonl", "unanswerable.jsonl")} | {
    s: (f"{s}-workspace", f"{s}_questions.jsonl", f"{s}_unanswerable.jsonl")
    for s in ("git", "sqlite", "latex", "node", "rust")}
Row = dict[str, Any]


def dump(path: Path) -> dict[str, list[Row]]:
    """Each question's candidates as (score, sentence cosine, passage cosine, keywords, file)."""
    from engine import Workspace
    from engine.chat.context import assemble
    from engine.chat.words import content_words, overlap

    out: dict[str, list[Row]] = {}
    for name, (folder, questions, unanswerable) in SETS.items():
        answerable = ea.load_jsonl(HERE / "eval" / questions)
        others = [{"question": u["question"]} for u in ea.load_jsonl(HERE / "eval" / unanswerable)]
        others += [{"question": q} for q in ea.OWN_UNANSWERABLE]
        rows = []
        with Workspace.open(HERE / "_work" / folder) as ws:
            for kind, items in (("ans", answerable), ("un", others)):
                for q in items:
                    ctx = assemble(ws, q["question"])
                    words = content_words(ctx.searched)
                    cands = [(c.score, float(c.vector @ ctx.qvec), c.passage.relevance,
                              overlap(words, f"{c.sentence.text} {c.lead.text if c.lead else ''} "
                                             f"{c.passage.hit.heading}"), c.passage.hit.path)
                             for c in ws.chat.offline.candidates(ctx)[:40]]
                    files = ea.accepted_files(q) if kind == "ans" else []
                    rows.append({"kind": kind, "names": bool(ctx.unknown_names), "terms": bool(ctx.unknown_terms),
                                 "cands": cands, "ok": [ea.file_matches(c[4], files) for c in cands]})
        out[name] = rows
        print(f"{name}: {len(rows)} questions", file=sys.stderr)
    path.write_bytes(pickle.dumps(out))
    return out


def _declines(row: Row, evidence: float, t: float) -> bool:
    from engine.chat.reasoner_offline import NAME_MARGIN, TERM_MARGIN

    return (evidence < t or (row["names"] and evidence < t + NAME_MARGIN)
            or (row["terms"] and evidence < t + TERM_MARGIN))


def score(data: dict[str, list[Row]], b: float, c: float, t: float) -> dict[str, tuple[int, int, int, int]]:
    """Per set: (first citations right, answerable, unanswerable declined, unanswerable)."""
    out = {}
    for name, rows in data.items():
        right = n_ans = declined = n_un = 0
        for r in rows:
            evidence = max((0.5 * cos + b * rel + c * kw for _, cos, rel, kw, _ in r["cands"]), default=0.0)
            if r["kind"] == "ans":
                n_ans += 1
                right += bool(not _declines(r, evidence, t) and r["ok"] and r["ok"][0])
            else:
                n_un += 1
                declined += _declines(r, evidence, t)
        out[name] = (right, n_ans, declined, n_un)
    return out


def _line(label: str, per: dict[str, tuple[int, int, int, int]]) -> str:
    total = [sum(v[i] for v in per.values()) for i in range(4)]
    sets = " ".join(f"{k} {v[0]}/{v[1]} d{v[2]}/{v[3]}" for k, v in per.items())
    return f"{label}: first citation {total[0]}/{total[1]}, declined {total[2]}/{total[3]}  ({sets})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dump", type=Path, default=HERE / "_work" / "evidence.pkl")
    ap.add_argument("--reuse", action="store_true", help="read the dump instead of asking again")
    args = ap.parse_args(argv)
    data = pickle.loads(args.dump.read_bytes()) if args.reuse else dump(args.dump)
    from engine.settings import SETTINGS

    shipped = float(SETTINGS["abstain_threshold"].default)
    print(_line(f"shipped (b=0.3 c=0 t={shipped})", score(data, 0.3, 0.0, shipped)))
    for b, c in itertools.product([0.3, 0.2, 0.1, 0.0], [0.0, 0.1, 0.2, 0.3]):
        fits = []
        for t in (x / 200 for x in range(40, 160)):
            per = score(data, b, c, t)
            declined, asked = sum(v[2] for v in per.values()), sum(v[3] for v in per.values())
            if declined >= 7 / 8 * asked and all(v[2] >= 0.8 * v[3] for v in per.values()):
                fits.append((sum(v[0] for v in per.values()), -t, per))
        if fits:
            right, neg_t, per = max(fits, key=lambda f: (f[0], f[1]))
            print(_line(f"b={b} c={c} t={-neg_t:.3f}", per))
    return 0


if __name__ == "__main__":
    sys.exit(main())
