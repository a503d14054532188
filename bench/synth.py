"""Synthetic workspaces at scale: real storage and index, synthetic text and vectors.

Text is drawn from a Zipf-distributed vocabulary so keyword search sees realistic
posting-list lengths; vectors are random unit vectors (clustered a little), and token bits
random too, as many tokens as a real 120-word passage has (about 160), so late interaction
reads and scores as much as it does on real text.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Workspace, audit, catalog, db  # noqa: E402
from engine.chunk import Chunk  # noqa: E402

COMMON = ("the of and to in is for on that with as by this be are from or at an it not which can have "
          "data file system user value time report table model index query result error policy").split()


def vocabulary(size: int = 30000, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = {"".join(rng.choice(letters, rng.integers(3, 10))) for _ in range(size * 2)}
    return COMMON + sorted(words)[:size]


def make_workspace(folder: Path, n_chunks: int, per_doc: int = 20, seed: int = 7) -> None:
    """Fill ``folder`` with ``n_chunks`` chunks in documents of ``per_doc`` chunks each."""
    rng = np.random.default_rng(seed)
    vocab = np.array(vocabulary())
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 1.07
    weights /= weights.sum()
    centers = rng.normal(size=(64, 384)).astype(np.float32)
    with Workspace(folder) as ws:
        engine = ws._write_engine  # noqa: SLF001 - bench builds storage directly, bypassing the model
        done = 0
        doc = 0
        while done < n_chunks:
            n = min(per_doc, n_chunks - done)
            words = rng.choice(vocab, size=(n, 120), p=weights)
            chunks = [Chunk(" ".join(w), f"Section {doc}", None, i * 10 + 1, i * 10 + 9, " ".join(w))
                      for i, w in enumerate(words)]
            vecs = centers[rng.integers(0, 64, n)] + rng.normal(scale=0.8, size=(n, 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            bits = [rng.integers(0, 256, size=(int(t), 48), dtype=np.uint8).tobytes()
                    for t in rng.integers(120, 200, n)]
            h = hashlib.sha256(f"synthetic-{doc}".encode()).hexdigest()
            with engine.begin() as conn:
                catalog.insert_content(conn, h, chunks, vecs, ws.embedder.model_id, token_bits=bits)
                catalog.save_document(conn, f"/synthetic/doc{doc:06}.txt", content_hash=h, size=1000, mtime_ns=0,
                                      fmt="text", kind="text", status="ok", error=None)
                audit.append(conn, "ingest", f"/synthetic/doc{doc:06}.txt", {"hash": h}, actor="bench")
            done += n
            doc += 1
    with Workspace(folder) as ws:  # the index is built from the stored embeddings on open
        assert ws.status()["vectors"] == n_chunks


def queries(n: int = 200, seed: int = 3) -> list[str]:
    rng = np.random.default_rng(seed)
    vocab = vocabulary()
    return [" ".join(rng.choice(vocab[:3000], size=rng.integers(3, 8))) for _ in range(n)]


if __name__ == "__main__":
    make_workspace(Path(sys.argv[1]), int(sys.argv[2]))
    _ = db
