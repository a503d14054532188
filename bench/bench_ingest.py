"""Ingest throughput against the bare model, re-ingest cost, and time-to-searchable.

Usage: python bench/bench_ingest.py --corpus DIR
Prints: whole-pipeline tokens/s and the bare model's tokens/s on the very same texts
in the same run (their ratio is the goal: >= 0.8), the unchanged re-ingest time as a
share of the first ingest (goal <= 5%), and how long one changed 10 KB file takes from
the ingest call until a search finds it (goal <= 1 s).
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Workspace  # noqa: E402
from engine.chunk import chunk_blocks  # noqa: E402
from engine.extract import extract, format_for, read_file  # noqa: E402


def embed_texts(ws: Workspace, corpus: Path) -> list[str]:
    """The texts the pipeline embeds, rebuilt by extraction and chunking alone."""
    limits = ws.limits()
    texts = []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or format_for(path) is None:
            continue
        try:
            ex = extract(path, read_file(path, limits), limits)
        except Exception:  # noqa: BLE001 - failed files are not embedded by the pipeline either
            continue
        if ex.kind == "text":
            chunks = chunk_blocks(ex.blocks, ws.embedder.count_tokens, ws.setting("chunk_tokens"),
                                  ws.setting("chunk_overlap_tokens"), ex.title or path.stem)
            texts += [c.embed_text for c in chunks]
    return list(dict.fromkeys(texts))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grace-bench-ingest-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    corpus = work / "corpus"
    shutil.copytree(args.corpus, corpus)
    with Workspace(work / "ws") as ws:
        ws.embedder.load()
        texts = embed_texts(ws, corpus)
        tokens = sum(min(n + 2, 256) for n in ws.embedder.count_tokens(texts))
        t = time.perf_counter()
        report = ws.ingest([corpus])
        first = time.perf_counter() - t
        t = time.perf_counter()
        ws.embedder.embed(texts)
        bare = time.perf_counter() - t
        print(f"corpus: {report.ingested} files, {report.chunks} chunks, {tokens} tokens, {len(report.failed)} failed")
        print(f"pipeline: {tokens / first:8.0f} tokens/s ({first:.1f} s)")
        print(f"bare model on the same texts: {tokens / bare:8.0f} tokens/s ({bare:.1f} s)")
        print(f"ratio pipeline / bare: {bare / first:.2f}   (goal >= 0.8)")
        again = []
        for _ in range(3):
            t = time.perf_counter()
            ws.ingest([corpus])
            again.append(time.perf_counter() - t)
        print(f"re-ingest unchanged: median {statistics.median(again) * 1000:.0f} ms = "
              f"{statistics.median(again) / first * 100:.2f}% of the first ingest   (goal <= 5%)")
        print(f"one changed 10 KB file searchable after: {time_to_searchable(ws, corpus) * 1000:.0f} ms "
              "(median of 5; goal <= 1000 ms)")


def time_to_searchable(ws: Workspace, corpus: Path) -> float:
    runs = []
    for i in range(5):
        word = f"zebraquokka{i}marker"
        target = corpus / "changed.md"
        body = ("The lighthouse keeper logs the weather every evening before dusk. " * 150)[:10_000]
        target.write_text(f"# Changed file {i}\n\n{body}\n\nThe secret word is {word}.\n")
        t = time.perf_counter()
        ws.ingest([target])
        while not any(word in h.text for h in ws.search(word, 3)):
            time.sleep(0.005)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


if __name__ == "__main__":
    main()
