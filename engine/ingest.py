"""Ingestion: scan -> persistent queue -> read -> extract -> chunk -> embed -> catalog.

Each flush commits a batch of files in one write transaction together with their
audit entries and the removal of their queue rows, so a crash at any moment loses
nothing committed and the next ingest picks up the rest of the queue. A cancel commits the
files embedded before it, too. Progress is measured in the queued files' bytes, credited as
their passages are embedded (``_Work``).
"""

from __future__ import annotations

import copy
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from . import audit, catalog
from .chunk import Chunk, chunk_blocks
from .errors import Cancelled, IngestError
from .extract import extract_stream, format_for, read_file
from .extract.base import Limits
from .paths import inside
from .progress import FILES_DONE, Reporter
from .scan import MISNAMED, Found, passed_over_under, scan, type_of
from .vectors import VectorIndex

FLUSH_CHUNKS = 512  # chunks embedded and committed together
FLUSH_FILES = 200  # or this many files without chunks (unchanged, failed, tables)
UNCHANGED = "unchanged"  # ``Ingestor._earlier``: what was read of the file still stands
UNSUPPORTED_NAMED = 50  # paths of files passed over for their type, named in an ingest's result
EMBED_CHUNKS = 32  # chunks per model call (about a second on two cores): progress and a cancel check follow each


@dataclass
class IngestReport:
    ingested: int = 0
    unchanged: int = 0
    removed: int = 0
    moved: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    chunks: int = 0
    skipped: int = 0
    unsupported: list[str] = field(default_factory=list)  # files in the folders of types Grace does not read
    seconds: float = 0.0
    partial: list[dict[str, str]] = field(default_factory=list)  # ingested, but not all of it read
    ingested_paths: set[str] = field(default_factory=set, repr=False)  # the ``ingested``, by path

    def as_dict(self) -> dict[str, Any]:
        return {"ingested": self.ingested, "unchanged": self.unchanged, "removed": self.removed,
                "moved": self.moved, "failed": self.failed, "chunks": self.chunks, "skipped": self.skipped,
                "unsupported": self.unsupported_summary(), "seconds": round(self.seconds, 3),
                "partial": self.partial}

    def unsupported_summary(self) -> dict[str, Any]:
        """The files passed over for their type: how many of each type (its extension, most first)
        and the first ``UNSUPPORTED_NAMED`` of their paths."""
        types = Counter(type_of(p) for p in self.unsupported)
        return {"count": len(self.unsupported), "types": dict(types.most_common()),
                "paths": self.unsupported[:UNSUPPORTED_NAMED]}

    def unsupported_line(self) -> str:
        """The files passed over for their type, in a few words ("2 not read (types Grace does not
        read: .png 1, .xyz 1)"); empty when there were none."""
        summary = self.unsupported_summary()
        if not summary["count"]:
            return ""
        kinds = ", ".join(f"{kind} {n}" for kind, n in summary["types"].items())
        return f"{summary['count']} not read (types Grace does not read: {kinds})"


class IngestCancelled(Cancelled):
    """An ingest stopped part-way: the files finished before the cancel are kept (``report``
    counts them) and the rest stay queued for the next ingest."""

    def __init__(self, report: IngestReport) -> None:
        n = report.ingested
        super().__init__(f"Cancelled: {n} file{'' if n == 1 else 's'} read before it {'is' if n == 1 else 'are'} "
                         "kept; the rest stay queued.")
        self.report = report


@dataclass
class _Work:
    """An ingest's progress, in bytes of the queued files. A file's bytes count as done as its
    passages are embedded, the slow part (so the fraction moves at the model's pace and an ETA
    drawn from it holds), or once it is read when it has none to embed."""

    total: int
    done: float = 0.0
    passages: int = 0  # embedded so far (the count the message shows: the whole run's is not known ahead)

    def add(self, amount: float) -> None:
        self.done += amount

    def fraction(self) -> float:
        """Up to ``FILES_DONE``: the tables' follow-up and "Done" come after the files."""
        return min(FILES_DONE, self.done / max(1, self.total))


@dataclass
class _Item:
    """One queued file on its way to the catalog."""

    path: str
    size: int = 0
    mtime_ns: int = 0
    content_hash: str | None = None
    fmt: str | None = None
    kind: str = "text"
    title: str | None = None
    context: str | None = None  # what headingless chunks are embedded under
    chunks: list[Chunk] = field(default_factory=list)
    partial: str | None = None  # what of the file was not read into passages, and why
    error: str | None = None
    outcome: str = "ingest"  # ingest | unchanged | link | move | fail | vanished | moved_away | kept
    moved_from: str | None = None
    weight: int = 0  # its share of the ingest's work (see ``_Work``)


@dataclass
class _Embedded:
    """A file's chunks' vectors, and their token bits (None where there are none)."""

    vectors: np.ndarray
    tokens: list[bytes | None]


_NOTHING_EMBEDDED = _Embedded(np.empty((0, 384), dtype=np.float32), [])


class Ingestor:
    """Runs one ingest over the catalog, the vector index and the model."""

    def __init__(self, engine: Engine, read_engine: Engine, index: VectorIndex, embed: Callable[..., np.ndarray],
                 count_tokens: Callable[[list[str]], list[int]], model_id: Callable[[], str],
                 limits: Limits, chunk_tokens: int, overlap: int) -> None:
        # Writes go through ``engine`` (one writer); lookups use short read transactions
        # on ``read_engine`` so they always see the latest commit.
        self.engine, self.read, self.index, self.embed = engine, read_engine, index, embed
        self.count_tokens, self.model_id = count_tokens, model_id
        self.limits, self.chunk_tokens, self.overlap = limits, chunk_tokens, overlap
        self.limits_tag = limits.tag()  # what a file read only in part is stored under (catalog.partial_key)
        self._work = _Work(0)
        self._scan_errors: dict[str, str] = {}
        self._keep_roots: set[str] = set()  # given folders whose documents stay if the folder goes
        self._retry = False

    def run(self, paths: Sequence[str | Path], reporter: Reporter, skip: Sequence[str | Path] = (),
            keep_missing_roots: bool = False, retry: bool = False) -> IngestReport:
        """Ingest ``paths``. With ``keep_missing_roots`` (a watched folder's rescan), a given folder
        that is missing, or goes while it is read, keeps its documents: an unplugged disk or an
        unmounted share looks just like a deleted folder. With ``retry`` (a person's Retry), a table
        file that could not be imported is read again though it did not change."""
        self._retry = retry
        started = time.monotonic()
        report = IngestReport()
        reporter.report(0.0, "Looking for files…", force=True)
        found = scan(paths, skip)
        if keep_missing_roots:
            self._keep_roots = {os.path.abspath(os.path.expanduser(str(p))) for p in paths if str(p).strip()}
        report.skipped = found.skipped
        report.unsupported = found.unsupported
        todo = self._enqueue(found, report)
        try:
            self._drain(todo, report, reporter, {f.path: f.size for f in found.files})
        except Cancelled as exc:
            report.seconds = time.monotonic() - started
            raise IngestCancelled(report) from exc
        self._remove_missing(found, report)
        report.seconds = time.monotonic() - started
        reporter.send(FILES_DONE, "Files read", force=True)  # committed: a late cancel changes nothing
        return report

    # -- queue ---------------------------------------------------------------------------

    def _enqueue(self, found: Any, report: IngestReport) -> list[str]:
        """Queue new and changed files (persistently); returns every queued path."""
        now = time.time()
        with self.engine.begin() as conn:
            for f in found.files:
                if f.error and f.error != MISNAMED and not os.path.lexists(f.path):  # (a bad name is shown escaped)
                    if catalog.doc_by_path(conn, f.path) is None:
                        self._gone_folder(conn, f, report, now)
                        continue
                    f.error = None  # a known document whose file is gone: queued, then removed
                earlier = None if f.error else self._earlier(conn, f)
                if earlier == UNCHANGED:
                    report.unchanged += 1
                    continue
                if earlier is not None and not self._retry:  # its table could not be imported: it would only fail again
                    report.failed.append({"path": f.path, "reason": earlier})
                    continue
                if f.linked and f.error is None and _known_elsewhere(conn, f.path):
                    report.skipped += 1  # read already, under its own name
                    continue
                _queue(conn, f.path, f.root, now)
            for root in found.roots:
                conn.execute(text("INSERT OR IGNORE INTO roots(path, added_at) VALUES (:p, :t)"),
                             {"p": root, "t": now})
        self._scan_errors = {f.path: f.error for f in found.files if f.error}
        with self.read.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT path FROM queue ORDER BY enqueued_at, path"))]

    def _gone_folder(self, conn: Connection, f: Found, report: IngestReport, now: float) -> None:
        """A path given that does not exist: the documents once read inside it (a folder that was
        deleted) are queued, then removed as any vanished file is; a path never read fails."""
        gone = [] if not f.path or f.path in self._keep_roots else catalog.docs_under(conn, f.path)
        if not gone:
            report.failed.append({"path": f.path, "reason": f.error or "it does not exist"})
        for doc in gone:
            _queue(conn, doc.path, f.path, now)

    def _earlier(self, conn: Connection, f: Found) -> str | None:
        """What an earlier read of ``f`` leaves when the file's size and time are the ones read:
        ``UNCHANGED`` when what was read still stands (all of it, or part of it under the limits in
        force now); the reason when it is a table file the tables could not import; else None."""
        row = conn.execute(text("SELECT d.status, d.kind, d.error, d.content_hash, c.partial FROM documents d "
                                "LEFT JOIN contents c ON c.hash = d.content_hash "
                                "WHERE d.path=:p AND d.size=:s AND d.mtime_ns=:m"),
                           {"p": f.path, "s": f.size, "m": f.mtime_ns}).first()
        if row is None:
            return None
        if row.status == "failed" and row.kind == "table":
            return row.error or "its table could not be imported"
        stands = row.status == "ok" and (row.partial is None or row.content_hash.endswith("@" + self.limits_tag))
        return UNCHANGED if stands else None

    # -- the main loop ---------------------------------------------------------------------

    def _drain(self, todo: list[str], report: IngestReport, reporter: Reporter, sizes: dict[str, int]) -> None:
        """Read, embed and commit the queued files, a batch at a time (``sizes``: those the scan
        found, for progress). A cancel (raised as ``Cancelled``) keeps what was committed and the
        files fully embedded before it."""
        weights = {path: max(1, sizes[path]) if path in sizes else _file_bytes(path) for path in todo}
        self._work = _Work(sum(weights.values()))
        batch: list[_Item] = []
        pending_chunks = 0
        claimed: set[str] = set()  # old paths already taken by a move in this run
        for done, path in enumerate(todo):
            reporter.report(self._work.fraction(), f"Reading {os.path.basename(path)} ({done + 1} of {len(todo)})")
            with self.read.connect() as conn:
                item = self._prepare(conn, path, batch, claimed)
            item.weight = weights[path]
            if not item.chunks:  # nothing to embed: done once read
                self._work.add(item.weight)
            batch.append(item)
            pending_chunks += len(item.chunks)
            if pending_chunks >= FLUSH_CHUNKS or len(batch) >= FLUSH_FILES:
                self._flush(batch, report, reporter)
                batch, pending_chunks = [], 0
        if batch:
            self._flush(batch, report, reporter)

    def _root_gone(self, path: str) -> bool:
        """True when ``path`` lies in a folder whose documents stay (``keep_missing_roots``) and
        that folder is gone (a file given itself that is gone was deleted: it does not stay)."""
        return any(inside(path, root) and not os.path.isdir(root) for root in self._keep_roots)

    def _prepare(self, conn: Connection, path: str, batch: list[_Item], claimed: set[str]) -> _Item:
        """Read, hash and (for new content) extract and chunk one file."""
        item = _Item(path)
        scan_error = self._scan_errors.get(path)
        if scan_error:
            item.outcome, item.error = "fail", scan_error
            return item
        try:
            st = os.stat(path)
        except FileNotFoundError:
            item.outcome = "kept" if self._root_gone(path) else "vanished"
            return item
        except OSError as exc:
            item.outcome, item.error = "fail", f"it cannot be read ({exc.strerror})"
            return item
        item.size, item.mtime_ns, item.fmt = st.st_size, st.st_mtime_ns, format_for(Path(path))
        try:
            data = read_file(Path(path), self.limits)
            item.content_hash = catalog.content_key(hashlib.sha256(data).hexdigest(), item.fmt)
            self._classify(conn, item, data, batch, claimed)
        except IngestError as exc:
            item.outcome, item.error = "fail", str(exc)
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in a parser must not stop the batch
            item.outcome, item.error = "fail", f"an unexpected error happened while reading it ({exc!r})"
        return item

    def _classify(self, conn: Connection, item: _Item, data: bytes, batch: list[_Item], claimed: set[str]) -> None:
        h = item.content_hash
        assert h is not None, "hashed by _read just before"
        tag = self.limits_tag
        stored = catalog.current_content(conn, h, tag)
        existing = catalog.doc_by_path(conn, item.path)
        if existing and existing.status == "ok" and stored and existing.content_hash == stored:
            item.outcome, item.kind, item.content_hash = "unchanged", existing.kind, stored
            return
        known = catalog.docs_with_content(conn, stored) if stored else []
        in_batch = next((b for b in batch if b.content_hash in (h, catalog.partial_key(h, tag))
                         and b.outcome == "ingest"), None)
        if known or in_batch:
            item.content_hash = stored or in_batch.content_hash  # type: ignore[union-attr]
            gone = [d for d in known if d.path not in claimed and d.path != item.path and not os.path.exists(d.path)]
            if gone and existing is None:
                item.outcome, item.moved_from = "move", gone[0].path
                claimed.add(gone[0].path)
                for old in batch:  # its old path, prepared as vanished in this batch, is the move's now
                    if old.path == gone[0].path and old.outcome == "vanished":
                        old.outcome = "moved_away"
            else:
                item.outcome = "link"
            source = known[0] if known else None
            item.kind = source.kind if source else in_batch.kind  # type: ignore[union-attr]
            item.fmt = item.fmt or (source.format if source else None)
            return
        extracted = extract_stream(Path(item.path), data, self.limits)
        item.kind, item.fmt = extracted.kind, extracted.format
        if extracted.kind == "text":  # read as it is chunked: the title is known at the end
            stem = Path(item.path).stem
            item.chunks = chunk_blocks(extracted.blocks, self.count_tokens, self.chunk_tokens, self.overlap,
                                       lambda: extracted.title or stem)
            item.context = extracted.title or stem
        item.title, item.partial = extracted.title, extracted.partial
        if item.partial:  # kept apart from a whole read, and from a read under other limits
            item.content_hash = catalog.partial_key(h, tag)

    # -- committing ----------------------------------------------------------------------

    def _flush(self, batch: list[_Item], report: IngestReport, reporter: Reporter) -> None:
        """Embed and commit ``batch``. When a cancel stops the embedding, the files before the
        first one not fully embedded are committed, then ``Cancelled`` is raised."""
        vectors, ready = self._embed_batch(batch, reporter)
        kept = batch[:ready]
        # One item the catalog refuses must not roll back the others, nor stay queued and stop
        # every later ingest: then they are committed one at a time, the refused as failed.
        try:
            added, dropped = self._commit(kept, vectors, report)
        except SQLAlchemyError:
            added, dropped = self._commit_one_by_one(kept, vectors, report)
        # The catalog is committed; the index follows (and is rebuilt from it after a crash).
        if dropped:
            self.index.remove(dropped)
        if added:
            self.index.add(np.asarray([i for i, _ in added]), np.vstack([v for _, v in added]))
        if ready < len(batch):
            raise Cancelled()

    def _commit(self, batch: list[_Item], vectors: dict[str, _Embedded], report: IngestReport
                ) -> tuple[list[tuple[int, np.ndarray]], list[int]]:
        """Commit ``batch`` in one transaction; if the catalog refuses it, ``report`` is put back
        as it was and the error raised."""
        saved = copy.deepcopy(report)
        try:
            with self.engine.begin() as conn:
                return self._commit_batch(conn, batch, vectors, report)
        except SQLAlchemyError:
            report.__dict__.update(saved.__dict__)
            raise

    def _commit_batch(self, conn: Connection, batch: list[_Item], vectors: dict[str, _Embedded],
                      report: IngestReport) -> tuple[list[tuple[int, np.ndarray]], list[int]]:
        """Write ``batch``; returns the new (chunk id, vector) pairs and the chunk ids dropped.
        Contents left without a document are dropped last: a later item of the same batch may
        link to the content an earlier one let go (a file copied, then the original edited)."""
        added: list[tuple[int, np.ndarray]] = []
        released: list[str] = []
        model = self.model_id()
        for item in batch:
            ids, before = self._commit_item(conn, item, vectors, model, report)
            added += zip(ids, vectors.get(item.path, _NOTHING_EMBEDDED).vectors, strict=False)
            released += [before] if before else []
            conn.execute(text("DELETE FROM queue WHERE path=:p"), {"p": item.path})
        dropped = [i for h in dict.fromkeys(released) for i in catalog.drop_content_if_orphan(conn, h)]
        return added, dropped

    def _commit_one_by_one(self, batch: list[_Item], vectors: dict[str, _Embedded],
                           report: IngestReport) -> tuple[list[tuple[int, np.ndarray]], list[int]]:
        added: list[tuple[int, np.ndarray]] = []
        dropped: list[int] = []
        for item in batch:
            try:
                done = self._commit([item], vectors, report)
            except SQLAlchemyError as exc:
                cause = getattr(exc, "orig", None) or exc
                item.outcome, item.chunks = "fail", []
                item.error = f"the catalog could not record it ({type(cause).__name__}: {cause})"
                done = self._commit([item], vectors, report)
            added += done[0]
            dropped += done[1]
        return added, dropped

    def _embed_batch(self, batch: list[_Item], reporter: Reporter) -> tuple[dict[str, _Embedded], int]:
        """Embeddings (and token bits) for every chunk of the batch, reusing stored ones for
        identical text; and how many of its files, from the first, have all of theirs (every
        one, unless a cancel stopped the model)."""
        texts = [c.embed_text for item in batch for c in item.chunks]
        if not texts:
            return {}, len(batch)
        model = self.model_id()
        hashes = [catalog.text_hash(t) for t in texts]
        with self.read.connect() as conn:
            reuse = catalog.reusable_embeddings(conn, list(set(hashes)), model)
        first: dict[bytes, int] = {}  # each text not embedded yet, once (a file may repeat a passage)
        for i, h in enumerate(hashes):
            if h not in reuse:
                first.setdefault(h, i)
        out = np.empty((len(texts), 384), dtype=np.float32)
        bits: list[bytes | None] = [None] * len(texts)
        rows = list(first.values())  # ascending
        done = self._embed_rows(texts, rows, out, bits, reporter, sum(i.weight for i in batch if i.chunks))
        cut = rows[done] if done < len(rows) else len(texts)  # every text before it has its vector
        for i, h in enumerate(hashes[:cut]):
            if h in reuse:
                out[i] = np.frombuffer(reuse[h][0], dtype=np.float16).astype(np.float32)
                bits[i] = reuse[h][1]
            elif first[h] != i:
                out[i], bits[i] = out[first[h]], bits[first[h]]
        return _per_item(batch, out, bits), _files_before(batch, cut)

    def _embed_rows(self, texts: list[str], rows: list[int], out: np.ndarray, bits: list[bytes | None],
                    reporter: Reporter, weight: int) -> int:
        """Embed ``texts[i]`` into ``out[i]`` (its token bits into ``bits[i]``) for each of ``rows``,
        ``EMBED_CHUNKS`` at a time, crediting ``weight`` bytes of work across them. Before each
        sub-batch, progress is sent and a cancel stops it; returns how many rows were embedded."""
        for start in range(0, len(rows), EMBED_CHUNKS):
            part = rows[start:start + EMBED_CHUNKS]
            reporter.send(self._work.fraction(), f"Embedding passages… {self._work.passages:,} embedded so far",
                          force=not start)
            if reporter.cancelled():
                return start
            got: list[bytes | None] = [None] * len(part)
            out[part] = self.embed([texts[i] for i in part], token_bits=got)
            for i, b in zip(part, got, strict=True):
                bits[i] = b
            self._work.passages += len(part)
            self._work.add(weight * len(part) / len(rows))
        if not rows:  # every text had a stored vector
            self._work.add(weight)
        return len(rows)

    def _commit_item(self, conn: Connection, item: _Item, vectors: dict[str, _Embedded], model: str,
                     report: IngestReport) -> tuple[list[int], str | None]:
        """Write one item; returns its new chunk ids and the content it no longer points at."""
        if item.outcome in ("moved_away", "kept"):
            return [], None  # the move that took its document over says it; or its folder went
        if item.outcome == "vanished":
            if catalog.doc_by_path(conn, item.path) is None:
                return [], None
            before = catalog.forget_document(conn, item.path)
            audit.append(conn, "remove", item.path, {}, actor="ingest")
            report.removed += 1
            return [], before
        if item.outcome == "fail":
            return self._commit_failure(conn, item, report)
        if item.outcome == "unchanged":
            catalog.touch_document(conn, item.path, item.size, item.mtime_ns)
            report.unchanged += 1
            return [], None
        if item.outcome == "move":
            catalog.move_document(conn, item.moved_from, item.path, item.size, item.mtime_ns)  # type: ignore[arg-type]
            audit.append(conn, "move", item.path, {"from": item.moved_from, "hash": item.content_hash},
                         actor="ingest")
            report.moved += 1
            catalog.add_follow_up(conn, "move", item.path, moved_from=item.moved_from)
            return [], None
        ids: list[int] = []
        if item.outcome == "ingest" and not catalog.content_exists(conn, item.content_hash):  # type: ignore[arg-type]
            got = vectors.get(item.path, _NOTHING_EMBEDDED)
            ids = catalog.insert_content(conn, item.content_hash, item.chunks, got.vectors, model,  # type: ignore[arg-type]
                                         item.context, item.partial, got.tokens)
            report.chunks += len(ids)
        before = catalog.save_document(conn, item.path, content_hash=item.content_hash, size=item.size,
                                       mtime_ns=item.mtime_ns, fmt=item.fmt, kind=item.kind, status="ok",
                                       error=None, title=item.title)
        action = "update" if before else "ingest"
        details = {"hash": item.content_hash, "chunks": len(item.chunks), "format": item.fmt, "kind": item.kind}
        partial = catalog.content_partial(conn, item.content_hash)  # a copy's too
        if partial:
            details["partial"] = partial
            report.partial.append({"path": item.path, "reason": partial})
        audit.append(conn, action, item.path, details, actor="ingest")
        report.ingested += 1
        report.ingested_paths.add(item.path)
        if item.outcome == "ingest":  # new or changed content: the tables propose from it afterwards
            catalog.add_follow_up(conn, "table" if item.kind == "table" else "text", item.path,
                                  content_hash=item.content_hash, title=item.title, fmt=item.fmt)
        return ids, before if before != item.content_hash else None

    @staticmethod
    def _commit_failure(conn: Connection, item: _Item, report: IngestReport) -> tuple[list[int], str | None]:
        known = catalog.doc_by_path(conn, item.path)
        same = (known is not None and known.status == "failed" and known.error == item.error
                and (known.size, known.mtime_ns) == (item.size or None, item.mtime_ns or None))
        before = catalog.save_document(conn, item.path, content_hash=None, size=item.size or None,
                                       mtime_ns=item.mtime_ns or None, fmt=item.fmt, kind="text", status="failed",
                                       error=item.error)
        if not same:  # read again unchanged (a rescan of a watched folder): the audit has it already
            audit.append(conn, "fail", item.path, {"reason": item.error}, actor="ingest")
        report.failed.append({"path": item.path, "reason": item.error or "unknown"})
        return [], before

    # -- removals ------------------------------------------------------------------------

    def _remove_missing(self, found: Any, report: IngestReport) -> None:
        """Forget documents that disappeared from the folders just scanned."""
        seen = {f.path for f in found.files}
        unread = tuple(folder.rstrip(os.sep) + os.sep for folder in found.unread)
        dropped: list[int] = []
        with self.engine.begin() as conn:
            for root in found.roots:
                if root in self._keep_roots and not os.path.isdir(root):
                    continue  # gone while it was read: its documents stay (see ``run``)
                for doc in catalog.docs_under(conn, root):
                    if doc.path in seen or (os.path.isfile(doc.path) and not passed_over_under(doc.path, root)):
                        continue  # still there (a file, not a folder made in its place), and not a lock file
                    if doc.path.startswith(unread):  # in a folder that could not be listed: not known gone
                        continue
                    dropped += catalog.delete_document(conn, doc.path)
                    audit.append(conn, "remove", doc.path, {"hash": doc.content_hash}, actor="ingest")
                    report.removed += 1
        self.index.remove(dropped)


def _file_bytes(path: str) -> int:
    """A file queued by an earlier run's share of the work: its size (an empty or missing file
    counts as 1)."""
    try:
        return max(1, os.stat(path).st_size)
    except OSError:
        return 1


def _per_item(batch: list[_Item], out: np.ndarray, bits: list[bytes | None]) -> dict[str, _Embedded]:
    """Each item's rows of the batch's vectors and token bits."""
    per_item, start = {}, 0
    for item in batch:
        stop = start + len(item.chunks)
        per_item[item.path] = _Embedded(out[start:stop], bits[start:stop])
        start = stop
    return per_item


def _files_before(batch: list[_Item], cut: int) -> int:
    """How many of ``batch``'s items, from the first, have all their chunks before chunk ``cut``."""
    stop = 0
    for n, item in enumerate(batch):
        stop += len(item.chunks)
        if stop > cut:
            return n
    return len(batch)


def _known_elsewhere(conn: Connection, path: str) -> bool:
    """A file reached through a link is a document already under its real path."""
    real = os.path.realpath(path)
    known = catalog.doc_by_path(conn, real) if real != path else None
    return known is not None and known.status == "ok"


def _queue(conn: Connection, path: str, root: str | None, now: float) -> None:
    """Put ``path`` (found under the given ``root``) in the persistent queue, once."""
    conn.execute(text("INSERT OR IGNORE INTO queue(path, root, enqueued_at) VALUES (:p, :r, :t)"),
                 {"p": path, "r": root, "t": now})
