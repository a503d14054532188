"""Re-embedding after a model change, while the old vectors keep answering.

Every chunk records the id of the model that made its vector. A chunk is *stale* when
that id is not the embedder's ``family`` (its weights) or the family plus a variant, or when
it has no token bits (``engine/late.py``; chunks from before schema 11). ``reembed`` walks the stale chunks
in id order, a batch at a time:

1. rebuild what was embedded (heading path, or the file's title, over the text) and run
   the model - outside the write lock, so ingests and searches go on;
2. every minute (and at the end, or on cancel), under the write lock: keep the chunks
   that still exist and are still stale, put their new vectors in the index and save it;
3. then commit the vectors and the model id to the catalog.

A crash between 2 and 3 leaves new vectors in the saved index and the chunks still stale
in the catalog, so the next run embeds them again; a crash before 2 loses at most a
minute of model time. The index never holds a vector older than the catalog's. Until a
chunk's turn comes, its old vector answers searches.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, text

from . import audit
from .catalog import EMBEDDED_FROM, bump_generation, embedded_prefix, generation, text_hash
from .chunk import embed_text
from .embed import Embedder
from .errors import Cancelled
from .progress import Reporter
from .vectors import VectorIndex

#: Chunks embedded per step (~60k tokens, a few seconds of the model): cancelling waits
#: for at most one step.
BATCH = 256
#: Finished steps are written (index saved, then catalog) at most this often, and when the
#: run ends or is cancelled: each save rewrites the whole index file (~90 MB at 100k
#: passages), so saving every step would write tens of gigabytes over a large workspace.
SAVE_EVERY_S = 60.0


@dataclass
class ReembedReport:
    reembedded: int = 0
    remaining: int = 0
    model: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"reembedded": self.reembedded, "remaining": self.remaining, "model": self.model,
                "seconds": round(self.seconds, 3)}

    def summary(self) -> str:
        left = f"; {self.remaining} still to do" if self.remaining else ""
        return f"{self.reembedded} passages re-embedded for {self.model} in {self.seconds:.1f} s{left}."


def _stale(embedder: Embedder) -> tuple[str, dict[str, Any]]:
    """SQL condition (on ``c``, the chunks) and parameters: the vector is not this model's, or
    the chunk has no token bits."""
    plus = embedder.family + "+"
    return ("(c.model IS NULL OR c.embedding IS NULL OR NOT (c.model = :fam OR substr(c.model, 1, :n) = :plus) "
            "OR NOT EXISTS (SELECT 1 FROM chunk_tokens t WHERE t.chunk_id = c.id))",
            {"fam": embedder.family, "plus": plus, "n": len(plus)})


def stale_count(conn: Connection, embedder: Embedder) -> int:
    """How many chunks carry a vector another model made (or none), or no token bits."""
    where, params = _stale(embedder)
    return int(conn.execute(text(f"SELECT count(*) FROM chunks c WHERE {where}"), params).scalar_one())


def _next_batch(conn: Connection, embedder: Embedder, after: int, size: int) -> list[tuple[int, str]]:
    """(chunk id, text to embed) of the next ``size`` stale chunks after id ``after``."""
    where, params = _stale(embedder)
    rows = conn.execute(text(
        f"SELECT c.id, c.heading, c.text, ct.context, d.title, d.path {EMBEDDED_FROM}"
        f"WHERE c.id > :after AND {where} ORDER BY c.id LIMIT :size"), params | {"after": after, "size": size})
    return [(int(r.id), embed_text(embedded_prefix(r), r.text)) for r in rows]


def _still_stale(conn: Connection, embedder: Embedder, ids: list[int]) -> set[int]:
    where, params = _stale(embedder)
    marks = ",".join(str(i) for i in ids)
    rows = conn.execute(text(f"SELECT c.id FROM chunks c WHERE c.id IN ({marks}) AND {where}"), params)
    return {int(r[0]) for r in rows}


def reembed(write: Engine, read: Engine, index: VectorIndex, embedder: Embedder, lock: Any,
            reporter: Reporter, batch: int | None = None) -> ReembedReport:
    """Give every stale chunk a vector from ``embedder``; see the module doc for the order of writes.

    ``lock`` is the workspace's write lock. Raises ``Cancelled`` between batches (what was
    done is kept); the audit log gets one entry either way.
    """
    started, report = time.perf_counter(), ReembedReport(model=embedder.model_id)
    batch = batch or BATCH
    with read.connect() as conn:
        total = stale_count(conn, embedder)
    after, done, pending, saved_at = 0, 0, [], time.monotonic()
    try:
        while True:
            with read.connect() as conn:
                todo = _next_batch(conn, embedder, after, batch)
            if not todo:
                break
            reporter.report(done / max(total, 1), f"Re-embedding passages: {done:,} of {total:,}")
            bits: list[bytes | None] = [None] * len(todo)
            vectors = embedder.embed([t for _, t in todo], is_cancelled=reporter.cancelled, token_bits=bits)
            pending += [(i, t, v, b) for (i, t), v, b in zip(todo, vectors, bits, strict=True)]
            after, done = todo[-1][0], done + len(todo)
            if time.monotonic() - saved_at >= SAVE_EVERY_S:
                report.reembedded += _store(write, index, embedder, lock, pending)
                pending, saved_at = [], time.monotonic()
        report.reembedded += _store(write, index, embedder, lock, pending)
        with contextlib.suppress(Cancelled):  # finished: a late cancel changes nothing
            reporter.report(1.0, f"{report.reembedded:,} passages re-embedded", force=True)
    except Cancelled:
        report.reembedded += _store(write, index, embedder, lock, pending)  # embedded work is kept
        raise
    finally:
        report.model = embedder.model_id  # (once loaded: the variant this CPU could run, not the one hoped for)
        with read.connect() as conn:
            report.remaining = stale_count(conn, embedder)
        report.seconds = time.perf_counter() - started
        if report.reembedded or report.remaining:
            with lock, write.begin() as conn:
                audit.append(conn, "reembed", report.model, report.as_dict(), actor="engine")
    return report


def _store(write: Engine, index: VectorIndex, embedder: Embedder, lock: Any,
           rows: list[tuple[int, str, np.ndarray, bytes | None]]) -> int:
    """Index first (saved), catalog second; returns how many chunks got their new vector."""
    if not rows:
        return 0
    model = embedder.model_id
    with lock:
        with write.connect() as conn:
            keep = _still_stale(conn, embedder, [row[0] for row in rows])
            gen = generation(conn)
        rows = [row for row in rows if row[0] in keep]
        if not rows:
            return 0
        index.add(np.asarray([row[0] for row in rows]), np.vstack([row[2] for row in rows]))
        index.save(gen + 1)  # a new generation: another process then reloads the index, not just its ids
        with write.begin() as conn:
            conn.execute(text("UPDATE chunks SET embedding = :e, model = :m, text_hash = :h WHERE id = :i"),
                         [{"e": v.astype(np.float16).tobytes(), "m": model, "h": text_hash(t), "i": i}
                          for i, t, v, _ in rows])
            bits = [{"i": i, "b": b} for i, _, _, b in rows if b]
            if bits:
                conn.execute(text("INSERT OR REPLACE INTO chunk_tokens(chunk_id, bits) VALUES (:i, :b)"), bits)
            bump_generation(conn)
    return len(rows)
