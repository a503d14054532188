"""Peak memory of a 100k-chunk ingest with the real model loaded.

Usage: python bench/bench_memory.py [--chunks 100000]

One child process holds what a real ingest holds at once: the real model, loaded and
run on full batches of 256-token texts (so onnxruntime's arena has grown to its
working size), and a workspace ingesting generated Markdown through the whole
pipeline (scan, read, extract, chunk, catalog, FTS5, usearch). Embedding 100k chunks
with the real model takes most of an hour on 2 cores, so the ingest itself uses a
stand-in embedder that returns hashed unit vectors (and random token bits, about as many
as the real model keeps) at once; the real one stays loaded beside it. The child's peak
RSS is the figure (goal <= 600 MB). The model alone (load + one batch, in its own
process) is printed too.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys, hashlib, numpy as np
sys.path.insert(0, {root!r})
from engine import Workspace
from engine.embed import Embedder

class FastEmbedder(Embedder):
    def load(self): pass
    @property
    def loaded(self): return True
    def embed(self, texts, token_bits=None, **kw):
        out = np.empty((len(texts), 384), np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            rng = np.random.default_rng(seed)
            v = rng.standard_normal(384).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
            if token_bits is not None:  # as many tokens as the real model would keep
                n = min(len(t.split()) * 2 + 2, 256)
                token_bits[i] = rng.integers(0, 256, size=(n, 48), dtype=np.uint8).tobytes()
        return out
    def embed_query(self, text): return self.embed([text])[0]

real = Embedder()
real.embed(["a sentence of moderate length about nothing in particular " * 20] * 64)  # grow the arena
with Workspace(sys.argv[1], FastEmbedder()) as ws:
    r = ws.ingest([sys.argv[2]])
    print(r.chunks, ws.status()["vectors"], real.model_id)
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

MODEL_CHILD = """
import sys
sys.path.insert(0, {root!r})
from engine.embed import Embedder
e = Embedder()
e.embed(["a sentence of moderate length about nothing in particular " * 20] * 256)
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def make_corpus(folder: Path, chunks: int) -> None:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi".split()
    per_file = 20
    for f in range(chunks // per_file):
        sections = []
        for s in range(per_file):
            body = " ".join(words[(f + s + i) % len(words)] + str(i % 97) for i in range(80))
            sections.append(f"## Section {s}\n\n{body}.\n")
        (folder / f"doc{f:05}.md").write_text(f"# Document {f}\n\n" + "\n".join(sections))


def peak_mb(code: str, *args: str) -> tuple[float, str]:
    """Run ``code`` in a fresh interpreter; it prints its own peak RSS (KiB) last."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    return int(lines[-1]) / 1024, " ".join(lines[:-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grace-bench-mem-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    corpus = work / "corpus"
    corpus.mkdir()
    make_corpus(corpus, args.chunks)
    model_mb, _ = peak_mb(MODEL_CHILD.format(root=str(ROOT)))
    ingest_mb, out = peak_mb(CHILD.format(root=str(ROOT)), str(work / "ws"), str(corpus))
    chunks, _, model_id = out.split()
    print(f"real model alone (load + 256 texts of 256 tokens), own process: {model_mb:.0f} MB peak  [{model_id}]")
    print(f"{int(chunks):,} chunks ingested, real model loaded beside: {ingest_mb:.0f} MB peak   (goal <= 600 MB)")


if __name__ == "__main__":
    main()
