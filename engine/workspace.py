"""``Workspace``: the one object that owns a workspace folder and everything in it."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import audit, catalog, db
from .changes import Changes
from .chat import Chat
from .chat.actions import check_setting as check_chat_setting
from .embed import Embedder
from .errors import PolicyViolation, SettingError, WorkspaceError, reason_of
from .extract.base import Limits
from .ingest import Ingestor, IngestReport
from .locking import WriterLock
from .paths import default_workspace_dir
from .progress import CancelFn, ProgressFn, Reporter
from .reembed import ReembedReport, reembed, stale_count
from .search import SearchHit, hybrid_search, readable_text
from .settings import SETTINGS, get_setting
from .tables import Tables, proposals
from .tables.governance import LOAD_KINDS
from .vectors import VectorIndex

log = logging.getLogger(__name__)
TABLE_EDITS = ("table_update", "table_add", "table_delete", "table_undo", "table_drop")  # audit actions of edits

SQLITE_NAME = "grace.sqlite"
VECTORS_NAME = "vectors.usearch"
LOCK_NAME = "write.lock"
OWN_FILES = ("grace.sqlite", "tables.duckdb", "vectors.usearch", LOCK_NAME, "follow_up.lock")  # and -wal, .json…
OWN_FOLDERS = ("policies", "tmp")


class Workspace:
    """A workspace folder: the catalog, the vector index and the model that fills them.

    Every method that changes anything returns a ``Changes`` (or a report carrying
    one). Long work takes ``progress(fraction, message)`` and ``is_cancelled()``.
    Methods are safe to call from several threads: writes take one lock, searches
    use their own connections and never wait for an ingest.
    """

    def __init__(self, folder: str | Path | None = None, embedder: Embedder | None = None) -> None:
        self.folder = Path(folder).expanduser().absolute() if folder else default_workspace_dir()
        if self.folder.exists() and not self.folder.is_dir():
            raise WorkspaceError(f"The workspace {self.folder} cannot be opened: it is a file, not a folder.")
        self.created = not (self.folder / SQLITE_NAME).exists()  # a new workspace is made here
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / SQLITE_NAME
            self._write_engine = db.open_engine(path, write=True)
            db.migrate(self._write_engine)
            self._witness = audit.keep_witness(self._write_engine, self.folder / audit.WITNESS_NAME)
            self._read_engine = db.open_engine(path)
        except (OSError, SQLAlchemyError) as exc:
            raise WorkspaceError(f"The workspace {self.folder} cannot be opened: {reason_of(exc)}.") from exc
        self.embedder = embedder or Embedder()
        self.index = VectorIndex(self.folder / VECTORS_NAME)
        self._index_generation = -1  # the catalog generation the index in memory reflects
        self.index_save_error: str | None = None
        self._write_lock = threading.RLock()  # every write; with the file lock for chunks and index:
        self._index_writer = WriterLock(self.folder / LOCK_NAME, self._write_lock, self._catch_up_index,
                                        self._note_index_generation)
        self.index_repaired = self._open_index()
        self._closed = False
        self.chat = Chat(self)  # cheap: nothing loads until the first question
        self.tables = Tables(self)  # cheap: tables.duckdb opens on first use

    @classmethod
    def open(cls, folder: str | Path | None = None, embedder: Embedder | None = None) -> Workspace:
        """Open (creating if needed) the workspace in ``folder``."""
        return cls(folder, embedder)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Save the vector index if it changed and release the databases."""
        if self._closed:
            return
        try:  # before the write lock: table work takes its own lock first, then that one
            self.tables.close()
        except Exception:  # noqa: BLE001 - a table still in use must not stop the catalog and index closing
            log.exception("the memory tables could not be closed cleanly")
        if self.index.dirty and self._index_writer.acquire(wait=False):  # another process writing saves its own:
            try:  # the index is derived from the catalog, so a reader never waits at exit to save it
                self._save_index()
            finally:
                self._index_writer.release()
        with self._write_lock:
            self._witness.flush()
            self._write_engine.dispose()
            self._read_engine.dispose()
            self._closed = True

    # -- the vector index ------------------------------------------------------------------

    def _open_index(self) -> bool:
        """Load the index; bring it in step with the catalog if it is missing, behind, or
        holds another count of vectors than the catalog has embeddings."""
        if self._adopt_saved_index():
            return False
        if not self._index_writer.acquire(wait=False):  # another process is writing: its save will do
            self._sync_index()
            return True
        try:
            self._sync_index()
            self._save_index()
        finally:
            self._index_writer.release()
        return True

    def _sync_index(self) -> None:
        """Make the index hold exactly the catalog's stored embeddings (no model run)."""
        with self._read_engine.connect() as conn:
            gen = catalog.generation(conn)
            wanted = catalog.stored_chunk_ids(conn)
            have = self.index.keys()
            extra = sorted(set(have.tolist()) - set(wanted.tolist()))
            missing = sorted(set(wanted.tolist()) - set(have.tolist()))
            keys, vectors = catalog.embeddings_for(conn, missing)
        self.index.remove(extra)
        if len(keys):
            self.index.add(keys, vectors)
        self._index_generation = gen

    def _catch_up_index(self) -> None:
        """On taking the write lock: take in what another process wrote since (its chunks are
        in the catalog, its vectors in its index file once it saved it). The file is used when
        its stamp is the catalog's generation (a re-embed changes vectors under the same ids,
        which comparing ids cannot see); else the ids are brought in step."""
        if 0 <= self._index_generation != self._catalog_generation() and not self._adopt_saved_index():
            self._sync_index()

    def _adopt_saved_index(self) -> bool:
        """Load the saved index if it is the catalog's: stamped with its generation and holding
        as many vectors as it has passages (never over unsaved changes of this process's)."""
        with self._read_engine.connect() as conn:
            gen = catalog.generation(conn)
            stored = catalog.embedding_count(conn)
        if self.index.dirty or self.index.load() != gen or len(self.index) != stored:
            return False
        self._index_generation = gen
        return True

    def _note_index_generation(self) -> None:
        """On giving the write lock up: every write since taking it was this process's, and
        each one's vectors went into the index with it."""
        if self._index_generation >= 0:
            self._index_generation = self._catalog_generation()

    def _catch_up_for_reading(self) -> None:
        """Before a search: take in another process's writes if no writer is at work (a
        search never waits for one; during this process's own ingest the index is current)."""
        if self._catalog_generation() != self._index_generation and self._index_writer.acquire(wait=False):
            self._index_writer.release()

    def _catalog_generation(self) -> int:
        with self._read_engine.connect() as conn:
            return catalog.generation(conn)

    def _save_index(self) -> None:
        """Save the index (the caller holds the write lock). A failure (a full disk) keeps the
        index in memory, still to be saved; the catalog, not this file, is what counts."""
        try:
            self.index.save(self._catalog_generation())
        except (OSError, RuntimeError) as exc:
            self.index.dirty = True
            self.index_save_error = f"the vector index could not be saved ({exc}); it is rebuilt on the next open"

    def reindex(self, progress: ProgressFn | None = None) -> Changes:
        """Rebuild the vector index from the embeddings stored in the catalog (the model does not run)."""
        reporter = Reporter(progress)
        with self._index_writer:
            reporter.report(0.0, "reading stored embeddings", force=True)
            with self._read_engine.connect() as conn:
                keys, vectors = catalog.embeddings_for(conn)
            self.index.clear()
            if len(keys):
                self.index.add(keys, vectors)
            self._save_index()
            with self._write_engine.begin() as conn:
                audit.append(conn, "reindex", str(self.folder), {"vectors": int(len(keys))})
            reporter.report(1.0, f"{len(keys)} vectors indexed")
        return Changes(chunks=True, audit=True)

    # -- ingestion -----------------------------------------------------------------------

    def limits(self) -> Limits:
        """The extraction limits, from the settings."""
        mb = 1024 * 1024
        return Limits(
            max_file_bytes=int(self.setting("max_file_mb") * mb),
            max_decompressed_bytes=int(self.setting("max_decompressed_mb") * mb),
            max_line_chars=int(self.setting("max_line_chars")),
            max_html_depth=int(self.setting("max_html_depth")),
            max_pages=int(self.setting("max_pages")),
            max_chars=int(self.setting("max_chars")),
        )

    def ingest(self, paths: Sequence[str | Path], progress: ProgressFn | None = None,
               is_cancelled: CancelFn | None = None, keep_missing_roots: bool = False,
               retry: bool = False) -> IngestReport:
        """Ingest files and folders (recursively); see ``IngestReport`` for what comes back.

        Unchanged files (same size and mtime) are skipped unread; changed ones replace
        their chunks atomically; files gone from an ingested folder are removed; a
        moved file keeps its chunks. Failures are recorded per file and never stop
        the batch. Raises ``Cancelled`` if ``is_cancelled()`` turns true; what was
        committed until then stays, and the rest stays queued. ``keep_missing_roots`` is for
        a watched folder's rescan: a folder given that is missing or goes meanwhile keeps its
        documents (an unplugged disk looks like a deleted folder). ``retry`` reads again a table
        file the tables could not import, though it is unchanged (a setting or a fault may have
        been the cause); otherwise such a file is reported as failed without being read.
        """
        reporter = Reporter(progress, is_cancelled)
        self._index_writer.acquire(is_cancelled=reporter.cancelled, on_wait=lambda: reporter.report(
            0.0, "Waiting for another Grace (the app or a grace command) to finish writing to this workspace…",
            force=True))
        try:
            ingestor = Ingestor(self._write_engine, self._read_engine, self.index, self.embedder.embed,
                                self.embedder.count_tokens, lambda: self.embedder.model_id, self.limits(),
                                int(self.setting("chunk_tokens")), int(self.setting("chunk_overlap_tokens")))
            try:
                report = ingestor.run(paths, reporter, skip=self._own_files(), keep_missing_roots=keep_missing_roots,
                                     retry=retry)
            finally:
                if self.index.dirty:
                    self._save_index()
        finally:
            self._index_writer.release()
        self._follow_up(report, reporter)
        reporter.send(1.0, "Done", force=True)
        return report

    def _follow_up(self, report: IngestReport, reporter: Reporter) -> None:
        """After the ingest commit: tables become proposals, prose becomes catalog rows, and what
        moved keeps its tables' rows under the new path (work the ingest queued in its commits).
        A table file that cannot be imported fails here: it no longer counts as ingested."""
        failed = self.tables.follow_up(reporter)
        report.failed += failed
        if failed:  # (not those whose tables merely could not follow a move: they stay ingested)
            now_failed = {d["path"] for d in self.failures()}
            report.ingested -= len(report.ingested_paths & {f["path"] for f in failed} & now_failed)

    def _own_files(self) -> list[Path]:
        """The workspace's own files and folders (its databases, index, locks, policies, temporary
        files), which an ingest of a folder holding the workspace must not read; anything else in
        it (the sample the app copies there) is the person's."""
        return [p for p in self.folder.iterdir() if p.name.startswith(OWN_FILES) or p.name in OWN_FOLDERS]

    def resume(self, progress: ProgressFn | None = None, is_cancelled: CancelFn | None = None) -> IngestReport:
        """Finish whatever an interrupted ingest left in the queue."""
        return self.ingest([], progress, is_cancelled)

    # -- a model change -------------------------------------------------------------------

    def stale_vectors(self) -> int:
        """Passages whose stored vector another model made, or that have no token bits:
        ``reembed`` gives them both."""
        with self._read_engine.connect() as conn:
            return stale_count(conn, self.embedder)

    def reembed(self, progress: ProgressFn | None = None, is_cancelled: CancelFn | None = None) -> ReembedReport:
        """Re-embed the stale passages with the current model, a batch at a time; searches keep
        using the old vectors until each batch's new ones are in. Raises ``Cancelled`` when
        asked to stop (finished batches are kept; the next run goes on from there)."""
        reporter = Reporter(progress, is_cancelled)
        return reembed(self._write_engine, self._read_engine, self.index, self.embedder, self._index_writer, reporter)

    # -- search --------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None) -> list[SearchHit]:
        """The best passages for ``query``: hybrid vector + keyword search fused by score, the best
        re-ordered by late interaction (``engine/search.py``).
        A blank query finds nothing; ``k`` below 1 is an error."""
        if k is not None and k < 1:
            raise ValueError(f"the number of results must be at least 1, not {k}")
        k = int(k or self.setting("search_k"))
        query = readable_text(query)
        if not query.strip():
            return []
        self._catch_up_for_reading()
        with self._read_engine.connect() as conn:
            return hybrid_search(conn, self.index, self.embedder.encode_query, query, k)

    # -- reading the catalog -------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Counts a person (or the status bar) wants at a glance."""
        with self._read_engine.connect() as conn:
            one = lambda sql: int(conn.execute(text(sql)).scalar_one())  # noqa: E731
            return {
                "workspace": str(self.folder),
                "documents": one("SELECT count(*) FROM documents"),
                "chunks": one("SELECT count(*) FROM chunks"),
                "failed": one("SELECT count(*) FROM documents WHERE status='failed'"),
                "queued": one("SELECT count(*) FROM queue"),
                "table_files": one("SELECT count(*) FROM documents WHERE kind='table' AND status='ok'"),
                "model": self.embedder.model_id,
                "model_loaded": self.embedder.loaded,
                "vectors": len(self.index),
                "audit_entries": one("SELECT count(*) FROM audit"),
                "schema": db.schema_version(conn),
                "index_error": self.index_save_error,
            }

    def documents(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every document (or those of one ``status``) with its state, for the library."""
        with self._read_engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT d.id, d.path, d.format, d.kind, d.size, d.status, d.error, d.title, d.ingested_at, "
                "d.updated_at, d.content_hash, COALESCE(c.chunk_count, 0) AS chunks, c.partial FROM documents d "
                "LEFT JOIN contents c ON c.hash = d.content_hash "
                "WHERE :status IS NULL OR d.status = :status ORDER BY d.path"), {"status": status})
            return [dict(r._mapping) | {"name": os.path.basename(r.path)} for r in rows]

    def failures(self) -> list[dict[str, Any]]:
        """Documents that could not be read, with the reason (asked of every chat answer and
        telemetry tick: only the failed rows are read)."""
        return self.documents("failed")

    def partly_read(self) -> list[dict[str, Any]]:
        """Documents ingested but not read whole (a limit reached, encoded data left out), with the reason."""
        with self._read_engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT d.path, c.partial AS reason FROM documents d JOIN contents c ON c.hash = d.content_hash "
                "WHERE c.partial IS NOT NULL AND d.status = 'ok' ORDER BY d.path"))
            return [dict(r._mapping) for r in rows]

    def queued(self) -> list[str]:
        with self._read_engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT path FROM queue ORDER BY enqueued_at, path"))]

    def recent_events(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest audit entries about documents (ingest, update, move, remove, fail, a copy's
        hand-over), edits to tables (``TABLE_EDITS``: cells, rows added or deleted, undos, drops),
        and the tables proposed from files, each with its proposal as it stands now under
        ``"proposal"`` (status, decided_by, reason, and ``table``: its name, as approved), so a log can
        say whether the table waits or was made, and under which name."""
        with self._read_engine.connect() as conn:
            events = audit.recent(conn, limit, ("ingest", "update", "move", "remove", "fail", "propose", "hand_over",
                                                *TABLE_EDITS))
            proposed = [e for e in events if e["action"] == "propose" and e["details"].get("source")
                        and e["details"].get("kind") in LOAD_KINDS]
            ids = {e["subject"].rsplit(" ", 1)[-1] for e in proposed}
            marks = ",".join(str(int(i)) for i in ids if i.isdigit())
            rows = conn.exec_driver_sql(f"SELECT id, status, decided_by, reason, target FROM proposals "
                                        f"WHERE id IN ({marks})").all() if marks else []
        now = {f"proposal {r.id}": {"status": r.status, "decided_by": r.decided_by, "reason": r.reason,
                                    "table": r.target} for r in rows}
        for event in proposed:
            event["proposal"] = now.get(event["subject"])
        return [e for e in events if e["action"] != "propose" or e.get("proposal")]

    def remove_documents(self, paths: list[str]) -> Changes:
        """Forget documents (their files are left alone). What was proposed from one passes to a
        copy of it that stays (its tables' rows follow), else what waits for approval is withdrawn;
        either way the proposals changed."""
        proposed = False
        with self._index_writer:
            with self._write_engine.begin() as conn:
                dropped: list[int] = []
                for path in paths:
                    if catalog.doc_by_path(conn, path):
                        proposed = proposed or bool(proposals.of_file(conn, path))
                        dropped += catalog.delete_document(conn, path)
                        audit.append(conn, "remove", path, {"by": "person"})
            self.index.remove(dropped)  # under the lock: no other writer saves the index in between
            self._save_index()
        if proposed:
            self._follow_hand_overs()
        return Changes(documents=True, chunks=bool(dropped), audit=True, proposals=proposed, tables=proposed)

    def _follow_hand_overs(self) -> None:
        """The rows a removed file loaded follow the copy that took it over (``catalog.forget_document``)."""
        for failure in self.tables.follow_up():
            log.warning("after a removal, %s: %s", failure["path"], failure["reason"])

    # -- audit ---------------------------------------------------------------------------

    def verify_audit(self) -> audit.AuditReport:
        """Recompute the audit chain; the report names the first bad entry."""
        self._witness.flush()  # what this process committed, witnessed before it is compared
        with self._read_engine.connect() as conn:
            return audit.verify(conn, self.folder / audit.WITNESS_NAME)

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._read_engine.connect() as conn:
            return audit.recent(conn, limit)

    # -- settings and watched folders -------------------------------------------------------

    def setting(self, name: str) -> Any:
        """A setting's value (its declared default until changed)."""
        decl = get_setting(name)
        with self._read_engine.connect() as conn:
            row = conn.execute(text("SELECT value FROM settings WHERE name=:n"), {"n": name}).first()
        return decl.coerce(json.loads(row[0])) if row else decl.default

    def settings(self) -> dict[str, Any]:
        return {name: self.setting(name) for name in SETTINGS}

    def set_setting(self, name: str, value: Any) -> Changes:
        """Change a setting (validated against its declaration and, for the action policy,
        read as one); audited."""
        return self.set_settings({name: value})

    def set_settings(self, values: dict[str, Any]) -> Changes:
        """Change several settings in one transaction: every value is checked first, and none is
        stored unless all can be; each change is an audit entry."""
        checked = {}
        for name, value in values.items():
            checked[name] = get_setting(name).coerce(value)
            try:
                check_chat_setting(name, checked[name])
            except PolicyViolation as exc:
                raise SettingError(str(exc)) from None
        with self._write_lock, self._write_engine.begin() as conn:
            for name, value in checked.items():
                conn.execute(text("INSERT INTO settings(name, value) VALUES (:n, :v) "
                                  "ON CONFLICT(name) DO UPDATE SET value=excluded.value"),
                             {"n": name, "v": json.dumps(value)})
                audit.append(conn, "setting", name, {"value": value})
        return Changes(settings=True, audit=True)

    def watched_folders(self) -> list[str]:
        with self._read_engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT path FROM watches ORDER BY path"))]

    def add_watch(self, folder: str | Path) -> Changes:
        """Keep ``folder`` in step (the shell's watcher reads this list)."""
        path = os.path.abspath(os.path.expanduser(str(folder)))
        with self._write_lock, self._write_engine.begin() as conn:
            conn.execute(text("INSERT OR IGNORE INTO watches(path, added_at) VALUES (:p, :t)"),
                         {"p": path, "t": time.time()})
            audit.append(conn, "watch", path, {})
        return Changes(watches=True, audit=True)

    def remove_watch(self, folder: str | Path) -> Changes:
        path = os.path.abspath(os.path.expanduser(str(folder)))
        with self._write_lock, self._write_engine.begin() as conn:
            conn.execute(text("DELETE FROM watches WHERE path=:p"), {"p": path})
            audit.append(conn, "unwatch", path, {})
        return Changes(watches=True, audit=True)
