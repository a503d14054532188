"""``Tables``: the person's tables and the proposals that change them (``ws.tables``).

``tables.duckdb`` opens on first use, so opening a workspace stays fast; opening it
also finishes anything a crash interrupted (see ``governance.repair``). Reads use
the calling thread's DuckDB cursor; changes take one lock and go through the
writer. Every change returns a ``Changes``.
"""

from __future__ import annotations

import builtins
import contextlib
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from sqlalchemy import Connection, text

from .. import audit, catalog
from ..changes import Changes
from ..errors import Cancelled, GraceError, NotApproved, PolicyViolation, TableError
from ..locking import WriterLock
from ..progress import FILES_DONE, Reporter
from . import apply, browse, docrows, domain, edits, find, governance, mentions, proposals, provenance, sqlguard
from .classify import Classifier
from .model import Column, Proposal, RowFilter, TableInfo, jsonable
from .names import ROW_KEY, quote_ident
from .policy import PolicyStore
from .store import Store

if TYPE_CHECKING:
    from ..workspace import Workspace

DUCKDB_NAME = "tables.duckdb"
QUERY_CANCELLED = "Query cancelled."
INTERRUPT_EVERY = 0.05  # seconds between interrupts while a cancelled query still runs
_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$")


class QueryStop:
    """Stops one running ``Tables.query`` from another thread (a Cancel button) through DuckDB's interrupt."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._over = threading.Event()
        self.cancelled = False

    def cancel(self) -> None:
        """Interrupt the query (or stop it before it starts); it raises ``Cancelled``."""
        with self._lock:
            self.cancelled = True
        threading.Thread(target=self._interrupt, name="query-stop", daemon=True).start()

    def _interrupt(self) -> None:
        """An interrupt between two of the query's statements is lost, so repeat it until the query is over."""
        while True:
            with self._lock:
                if self._cursor is None:
                    return
                self._cursor.interrupt()
            if self._over.wait(INTERRUPT_EVERY):
                return

    @contextlib.contextmanager
    def running(self, cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """While the block runs on ``cur``, ``cancel`` interrupts it."""
        with self._lock:
            if self.cancelled:
                raise Cancelled(QUERY_CANCELLED)
            self._cursor = cur
        try:
            yield
        finally:
            with self._lock:
                self._cursor = None
            self._over.set()


class Tables:
    """Memory tables, their proposals and the policy that governs them."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self.tmpdir = ws.folder / "tmp" / "tables"
        self._lock = threading.RLock()
        # Another process's ingest may finish at the same time: follow-ups are taken one process at a time.
        self._follow_lock = WriterLock(ws.folder / "follow_up.lock", threading.RLock())
        self._store: Store | None = None
        self._orders = browse.Orders()
        self._columns: dict[tuple[str, int], builtins.list[Column]] = {}
        self._policy = PolicyStore(ws.folder, ws._write_engine, ws._read_engine, ws._write_lock)
        self._classifier: Classifier | None = None

    # -- plumbing ----------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The DuckDB store, opened (and repaired) on first use."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = Store(self._ws.folder / DUCKDB_NAME)
                    domain.ensure_tables(self._store, self.catalog)
                    governance.repair(self)
        return self._store

    @property
    def catalog(self) -> dict[str, domain.DomainTable]:
        return domain.load_catalog()

    @property
    def classifier(self) -> Classifier:
        if self._classifier is None:
            embedder = self._ws.embedder
            self._classifier = Classifier(self.catalog, embedder.embed, lambda: embedder.model_id)
        return self._classifier

    def close(self) -> None:
        """Checkpoint and close ``tables.duckdb`` (if it was opened)."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    @contextlib.contextmanager
    def sqlite_write(self) -> Iterator[Connection]:
        with self._ws._write_lock, self._ws._write_engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def sqlite_read(self) -> Iterator[Connection]:
        with self._ws._read_engine.connect() as conn:
            yield conn

    def proposal_and_plan(self, proposal_id: int) -> tuple[Proposal, dict[str, Any]]:
        with self.sqlite_read() as conn:
            found = proposals.get(conn, int(proposal_id))
        if found is None:
            raise TableError(f"There is no proposal {proposal_id}.")
        return found

    def proposal(self, proposal_id: int) -> Proposal:
        """One proposal by id (raises ``TableError`` when there is none)."""
        return self.proposal_and_plan(proposal_id)[0]

    def type_name(self, wanted: str) -> str:
        """DuckDB's own name for the type ``wanted``; raises ``TableError`` for an unknown type."""
        if not _TYPE.match(wanted.strip()):
            raise TableError(f"{wanted!r} is not a type name.")
        try:
            row = self.store.cursor().execute(f"SELECT typeof(CAST(NULL AS {wanted.strip()}))").fetchone()
        except duckdb.Error as exc:
            raise TableError(f"{wanted!r} is not a type DuckDB knows.") from exc
        return str(row[0]) if row else wanted

    def audit_edits(self) -> None:
        """Write audit entries for journalled edits that have none yet."""
        with self.store.lock:
            pending = edits.unaudited(self.store.cursor())
            if not pending:
                return
            with self.sqlite_write() as conn:
                for e in pending:
                    audit.append(conn, f"table_{e['op']}", e["table"],
                                 {"edit": e["id"], "rows": e["rows"][:100], "column": e["column"], **e["detail"]},
                                 actor=e["actor"])
            with self.store.write() as cur:
                edits.mark_audited(cur, [e["id"] for e in pending])

    def drop_unused_stages(self) -> None:
        """Drop staged rows no pending or approved proposal needs (left by a crash or a rejection)."""
        import json

        with self._lock:
            with self.sqlite_read() as conn:
                plans = conn.execute(text("SELECT plan FROM proposals WHERE status IN ('pending', 'approved')"))
                keep = {json.loads(p[0]).get("stage") for p in plans}
            cur = self.store.cursor()
            stages = [r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                                                "AND table_name LIKE '\\_grace\\_stage\\_%' ESCAPE '\\'").fetchall()]
            for name in stages:
                if name not in keep:
                    with self.store.write() as w:
                        w.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")

    def _cols(self, table: str) -> builtins.list[Column]:
        key = (table, self.store.generation.get(table, 0))
        cols = self._columns.get(key)
        if cols is None:
            cols = self.store.require(table)
            self._columns[key] = cols
        return cols

    def _changed(self, table: str) -> None:
        self.store.touch(table)
        self._columns = {k: v for k, v in self._columns.items() if k[0] != table}

    # -- reading tables ------------------------------------------------------------------------

    def put_away(self) -> frozenset[str]:
        """The tables whose files all lie in a folder of old files ("Old/", "Archive/")."""
        return self.store.remembered("put_away", lambda: provenance.put_away(self.store))

    def folders(self) -> dict[str, frozenset[str]]:
        """The names of the folders each table's files lie in (``provenance.folders``)."""
        return self.store.remembered("folders", lambda: provenance.folders(self.store))

    def list(self) -> builtins.list[TableInfo]:
        """Every table with its row count, columns, protection and description."""
        protected = set(self.policy()["protected_tables"])
        columns, counts, described = self.store.remembered("list", self._shapes)
        return [TableInfo(name, counts[name], [Column(c.name, c.source_name, c.type) for c in cols], name in protected,
                          described.get(name, "")) for name, cols in sorted(columns.items())]

    def _shapes(self) -> tuple[dict[str, builtins.list[Column]], dict[str, int], dict[str, str]]:
        """Every table's columns, row count and description (three queries, kept until a write)."""
        columns = self.store.all_columns()
        return columns, self.store.row_counts(list(columns)), self.store.descriptions()

    def mentioned(self, question: str, limit: int = 10, names: tuple[str, ...] = ()) -> builtins.list[dict[str, Any]]:
        """Tables the question names, and rows whose text cells it mentions or hold one of its
        ``names`` (see ``mentions``), each with ``sources``: row key -> the file (and line) the
        row came from."""
        infos = {t.name: t for t in self.list()}
        found = mentions.mentioned(self.store, list(infos.values()), question, limit, names)
        for m in found:
            m["sources"] = provenance.sources(self.store, m["table"], m["columns"],
                                              list(zip(m["keys"], m["rows"], strict=True)))
            m["notes"] = infos[m["table"]].notes
        return found

    def find_rows(self, query: str, limit: int = 20) -> builtins.list[dict[str, Any]]:
        """Rows whose cells hold every word of ``query`` (see ``find``), the closest first:
        ``[{"table", "key", "columns", "values", "matched"}]``; empty when there are no tables yet."""
        if self._store is None and not (self._ws.folder / DUCKDB_NAME).exists():
            return []  # no tables file yet: nothing to find, and nothing to create for it
        try:
            infos = self.list()
        except (TableError, duckdb.Error):
            return []
        return find.find_rows(self.store, infos, query, limit)

    def pending_count(self) -> int:
        """How many proposals wait for a decision."""
        with self.sqlite_read() as conn:
            return proposals.count_pending(conn)

    def columns(self, table: str) -> builtins.list[Column]:
        """The visible columns of ``table``; raises ``TableError`` when there is no such table."""
        return list(self._cols(table))

    def count(self, table: str, flt: RowFilter | None = None) -> int:
        """Rows of ``table`` that pass ``flt`` (all rows without one)."""
        cols = self._cols(table)
        if flt is None or flt.empty():
            return self.store.row_count(table)
        return len(self._keys(table, cols, flt, None))

    def page(self, table: str, offset: int, limit: int, flt: RowFilter | None = None,
             sort: tuple[str, bool] | None = None) -> builtins.list[tuple]:
        """Rows ``offset``..``offset+limit`` (filtered, sorted); each starts with its stable row key."""
        cols = self._cols(table)
        generation = self.store.generation.get(table, 0)
        return self._orders.page(self.store.cursor(), table, generation, cols, flt, sort, max(0, int(offset)),
                                 max(0, int(limit)))

    def _keys(self, table: str, cols: builtins.list[Column], flt: RowFilter | None,
              sort: tuple[str, bool] | None) -> Any:
        return self._orders.keys(self.store.cursor(), table, self.store.generation.get(table, 0), cols, flt, sort)

    def export(self, table: str, path: Path, flt: RowFilter | None = None,
               sort: tuple[str, bool] | None = None) -> int:
        """Write the (filtered, sorted) rows of ``table`` to ``path`` in the format its extension names
        (``browse.EXPORT_FORMATS``: CSV, TSV, Parquet, JSON or Excel); returns how many."""
        return browse.export(self.store.cursor(), table, self._cols(table), Path(path), flt, sort)

    def query(self, sql: str, limit: int = 10000,
              stop: QueryStop | None = None) -> tuple[builtins.list[str], builtins.list[tuple]]:
        """Run one read-only statement over the tables; returns column names and at most ``limit`` rows.

        ``stop.cancel()``, from another thread, interrupts it: the query then raises ``Cancelled``."""
        cur = self.store.cursor()
        if stop is None:
            return sqlguard.run(cur, sql, limit)
        try:
            with stop.running(cur):
                result = sqlguard.run(cur, sql, limit)
        except (TableError, duckdb.Error) as exc:
            if not stop.cancelled:
                raise
            with contextlib.suppress(duckdb.Error):
                cur.execute("ROLLBACK")  # an interrupted ROLLBACK leaves the read-only transaction open
            raise Cancelled(QUERY_CANCELLED) from exc
        if stop.cancelled:  # it finished before the interrupt reached it; the person no longer wants it
            raise Cancelled(QUERY_CANCELLED)
        return result

    # -- editing -----------------------------------------------------------------------------

    def _needs_approval(self, table: str) -> bool:
        policy = self.policy()
        return bool(policy["edits_need_approval"]) or table in policy["edits_need_approval_for"]

    def _edit(self, table: str, plan: dict[str, Any], summary: str, columns: builtins.list[Column],
              rows: Callable[[], builtins.list[builtins.list[Any]]]) -> Changes:
        """Apply an edit now, or (when the policy says so) keep it as a pending proposal, showing the
        ``rows()`` it writes or removes under ``columns``, and raise ``NotApproved`` naming it."""
        with self._lock:
            if self._needs_approval(table):
                pid = governance.propose_edit(self, table, jsonable(plan), summary, columns, rows())
                raise NotApproved(f"Edits to table {table} need approval; this one waits as proposal {pid}.",
                                  pid, Changes(proposals=True, audit=True))
            op = plan["op"]
            with self.store.write() as cur:
                if op == "update":
                    edits.update_cell(self.store, cur, table, plan["row_key"], plan["column"], plan["value"], "user")
                elif op == "add":
                    edits.add_row(self.store, cur, table, plan["values"], "user")
                else:
                    edits.delete_rows(self.store, cur, table, plan["row_keys"], "user")
            self._changed(table)
            self.audit_edits()
        return Changes(tables=True, audit=True)

    def update_cell(self, table: str, row_key: int, column: str, value: object) -> Changes:
        """Set one cell (audited, undoable). Raises ``NotApproved`` (with ``proposal_id``) instead
        when the policy wants edits to ``table`` approved: the edit then waits as a proposal."""
        col = next((c for c in self._cols(table) if c.name == column), None)
        if col is None:
            raise TableError(f"Table {table!r} has no column called {column!r}.")
        plan = {"op": "update", "row_key": int(row_key), "column": column, "value": value}
        return self._edit(table, plan, f"set {column} of row {row_key} to {value!r}", [col], lambda: [[value]])

    def add_row(self, table: str, values: dict[str, object]) -> Changes:
        """Add a row (audited, undoable); ``NotApproved`` as for ``update_cell``. A catalog table's
        row gets its created and updated times (``domain.stamped``)."""
        values = domain.stamped(self._cols(table), dict(values))
        cols = [c for c in self._cols(table) if c.name in values]
        return self._edit(table, {"op": "add", "values": dict(values)}, f"add a row to {table}", cols,
                          lambda: [[values[c.name] for c in cols]])

    def delete_rows(self, table: str, row_keys: builtins.list[int]) -> Changes:
        """Delete rows by key (audited, undoable); ``NotApproved`` as for ``update_cell``."""
        keys = [int(k) for k in row_keys]
        cols = self._cols(table)
        return self._edit(table, {"op": "delete", "row_keys": keys}, f"delete {len(keys)} row(s) from {table}", cols,
                          lambda: edits.rows_of(self.store.cursor(), quote_ident(table), cols, keys))

    def next_undo(self) -> edits.NextUndo | None:
        """What ``undo_last_edit`` would undo: its table and, for a sentence, "the edit of age in row 3
        of staff"; None when nothing."""
        try:
            edit = edits.last_edit(self.store.cursor())
        except TableError:
            return None
        return edits.NextUndo(edit.table, edits.describe(edit))

    def undo_last_edit(self) -> Changes:
        """Undo the newest edit, added row, deletion or drop not undone yet (audited).

        An edit undo can no longer reverse (its table was reloaded from a file since, for one)
        raises ``TableError`` saying so, and undo moves on past it next time. Where the policy
        wants edits to the table approved, the undo waits as a proposal (``NotApproved``)."""
        with self._lock:
            with self.store.write() as cur:
                edit = edits.last_edit(cur)
                refused = edits.refusal(self.store, cur, edit)
                held = refused is None and edit.op != "drop" and self._needs_approval(edit.table)
                if refused:
                    edits.retire(cur, edit)  # committed: the next undo goes on past it
                elif not held:
                    edits.undo(cur, edit, "user")
            if refused:
                raise TableError(refused)
            if held:
                self._propose_undo(edit)
            self._changed(edit.table)
            self.audit_edits()
        return Changes(tables=True, audit=True)

    def _propose_undo(self, edit: edits.Edit) -> None:
        """Keep the undo of ``edit`` as a pending proposal and raise ``NotApproved`` naming it."""
        what = edits.describe(edit)
        with self.sqlite_read() as conn:
            pending = [proposals.get(conn, p.id) for p in proposals.listing(conn, "pending") if p.kind == "edit"]
        waiting = [p.id for p, plan in filter(None, pending) if plan.get("op") == "undo"
                   and plan.get("edit") == edit.id]
        if waiting:
            raise TableError(f"The undo of {what} already waits for approval as proposal {waiting[0]}.")
        cur = self.store.cursor()
        plan = {"op": "undo", "edit": edit.id, "row_keys": edit.keys, "value": edits.old_value(cur, edit)}
        cols, rows = edits.undo_rows(cur, edit, self._cols(edit.table))
        pid = governance.propose_edit(self, edit.table, jsonable(plan), f"undo {what}", cols, rows)
        raise NotApproved(f"Edits to table {edit.table} need approval; the undo of {what} waits as proposal "
                          f"{pid}.", pid, Changes(proposals=True, audit=True))

    def drop_table(self, table: str, reason: str) -> Changes:
        """Drop ``table`` (audited with ``reason``); raises ``PolicyViolation`` for a protected table."""
        if table in self.policy()["protected_tables"]:
            raise PolicyViolation(f"Table {table} is protected by the policy and cannot be dropped.")
        if not reason or not reason.strip():
            raise TableError("Say why the table is dropped (a reason is required).")
        with self._lock:
            with self.store.write() as cur:
                edits.drop_table(self.store, cur, table, reason.strip(), "user")
            self._changed(table)
            self.audit_edits()
        return Changes(tables=True, audit=True)

    def create_empty(self, table: str, columns: builtins.list[str], source: str,
                     types: dict[str, str] | None = None) -> Changes:
        """Create ``table`` with no rows and the ``columns`` as named (names already safe; the caller
        governs and audits the decision, e.g. an approved chat action), each of its type in ``types``
        (a DuckDB type; text when not given), in one transaction."""
        typed = [Column(c, c, self.type_name((types or {}).get(c) or "VARCHAR")) for c in columns]
        with self._lock:
            with self.store.write() as cur:
                if self.store.exists(table, cur):
                    raise TableError(f"A table called {table!r} exists already.")
                cols = ", ".join(f"{quote_ident(c.name)} {c.type}" for c in typed)
                cur.execute(f"CREATE TABLE {quote_ident(table)} ({ROW_KEY} BIGINT NOT NULL, {cols})")
                self.store.record_table(cur, table, typed, "", source)
            self._changed(table)
        return Changes(tables=True)

    # -- proposals -------------------------------------------------------------------------

    def import_file(self, path: Path) -> Proposal:
        """Infer the table in ``path``, stage it and propose it (applied at once when its confidence
        reaches the policy's threshold). A workbook proposes one table per sheet; the first is returned."""
        return self.import_all(path)[0]

    def import_all(self, path: Path, source_hash: str | None = None) -> builtins.list[Proposal]:
        """Like ``import_file``, returning every proposal (one per sheet of a workbook)."""
        path = Path(path).expanduser().absolute()
        with self._lock:
            try:
                return governance.propose_file(self, path, source_hash)
            except GraceError as exc:
                raise TableError(f"{path} could not be imported: {exc}") from exc
            except (duckdb.Error, OSError, ValueError, UnicodeError) as exc:
                raise TableError(f"{path} could not be imported: an unexpected error happened ({exc!r})") from exc

    def proposals(self, status: str | None = None) -> builtins.list[Proposal]:
        """Proposals, newest first (optionally only those with ``status``)."""
        if status is not None and status not in proposals.STATUSES:
            raise TableError(f"{status!r} is not a proposal status ({', '.join(proposals.STATUSES)}).")
        with self.sqlite_read() as conn:
            if self._store is None and proposals.ids_with_status(conn, "approved"):
                _ = self.store  # opening repairs half-applied proposals
        with self.sqlite_read() as conn:
            return proposals.listing(conn, status)

    def approve(self, proposal_id: int, table: str | None = None, renames: dict[str, str] | None = None,
                types: dict[str, str] | None = None, actor: str = "user") -> Changes:
        """Approve (optionally into another table, renaming or retyping columns) and apply."""
        with self._lock:
            governance.approve(self, proposal_id, table, renames, types, actor)
        return Changes(tables=True, proposals=True, audit=True)

    def reject(self, proposal_id: int, reason: str, actor: str = "user") -> Changes:
        """Reject with a reason (required); staged rows are discarded."""
        with self._lock:
            governance.reject(self, proposal_id, reason, actor)
        return Changes(proposals=True, audit=True)

    def propose_again(self, proposal_id: int, actor: str = "user") -> Proposal:
        """A rejected table proposed anew from its file (read again), waiting for the person."""
        with self._lock:
            try:
                pid = governance.propose_again(self, proposal_id, actor)
            except (duckdb.Error, OSError, ValueError, UnicodeError) as exc:
                raise TableError(f"Proposal {proposal_id} could not be proposed again ({exc!r})") from exc
        return self.proposal(pid)

    def policy(self) -> dict[str, Any]:
        """The policy in force."""
        return self._policy.current()

    def set_policy(self, policy: dict[str, Any]) -> Changes:
        """Make ``policy`` the one in force (checked, versioned and audited)."""
        self._policy.set(policy, "user")
        return Changes(settings=True, tables=True, audit=True)

    def follow_up(self, reporter: Reporter | None = None) -> builtins.list[dict[str, str]]:
        """Do what ingests left for the tables, oldest first: propose tables for table files,
        file prose documents into the catalog, follow moved files.

        Each item is forgotten once done; a cancel (``reporter`` raises ``Cancelled``) or a
        crash leaves the rest for the next ingest. Returns the failures as ``{"path", "reason"}``;
        one failure never stops the others.
        """
        failures: builtins.list[dict[str, str]] = []
        with self._lock, self._follow_lock:  # two ingests finishing together must not both take the same items
            with self.sqlite_read() as conn:
                todo = catalog.follow_ups(conn)
            for i, item in enumerate(todo):
                if reporter is not None:  # the ingest reported its files done; this is its last step
                    reporter.report(FILES_DONE, f"Proposing tables… {i + 1} of {len(todo)}", force=i == 0)
                before = len(failures)
                if self._still_current(item):
                    self._follow(item, failures)
                with self.sqlite_write() as conn:
                    if item["kind"] == "table" and len(failures) > before:
                        failures[before:] = _failed_table(conn, item["content_hash"], failures[before]["reason"],
                                                          lasting=self._store is not None) or failures[before:]
                    catalog.follow_up_done(conn, item["id"])
        return failures

    def _still_current(self, item: dict[str, Any]) -> bool:
        """False when the document changed again or went away since the item was written."""
        if item["kind"] == "move":
            return True
        with self.sqlite_read() as conn:
            doc = catalog.doc_by_path(conn, item["path"])
        return doc is not None and doc.status == "ok" and doc.content_hash == item["content_hash"]

    def _follow(self, item: dict[str, Any], failures: builtins.list[dict[str, str]]) -> None:
        path = item["path"]
        if item["kind"] == "move":
            self._guarded(failures, path, "its tables could not follow the move",
                          lambda: self.on_moved([(item["moved_from"], path)]))
        elif item["kind"] == "table":
            self._guarded(failures, path, "its table could not be imported",
                          lambda: governance.propose_file(self, Path(path), item["content_hash"]))
        else:
            self._guarded(failures, path, "it could not be filed in the catalog",
                          lambda: docrows.propose_document(self, path, item["content_hash"], item["title"],
                                                           item["format"]))

    def on_moved(self, moves: builtins.list[tuple[str, str]]) -> None:
        """Files that moved keep what they loaded: their proposals, loads and catalog rows
        name the new path, so a later change to the file replaces its rows instead of adding them again."""
        with self._lock:
            with self.sqlite_write() as conn:
                for old, new in moves:
                    proposals.rename_source(conn, old, new)
            if self._store is None and not (self._ws.folder / DUCKDB_NAME).exists():
                return  # no tables yet: nothing loaded from anywhere
            with self.store.write() as cur:
                for old, new in moves:
                    apply.rename_source(cur, old, new)

    def _guarded(self, failures: builtins.list[dict[str, str]], path: str, what: str, work: Any) -> None:
        with self._lock:
            try:
                work()
            except GraceError as exc:
                failures.append({"path": path, "reason": f"{what}: {exc}"})
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
                failures.append({"path": path, "reason": f"{what}: an unexpected error happened ({exc!r})"})


def _failed_table(conn: Connection, content_hash: str, reason: str, lasting: bool) -> builtins.list[dict[str, str]]:
    """A table file the ingest read but that could not be imported fails, at every path holding
    it, so ``status`` and the next ingest say so (its document would otherwise stay "ok").

    The document keeps its kind, size and time: the next ingest reports it again, unread and
    unaudited, until the file changes. A failure that is not the file's (``lasting`` false: the
    tables file could not be opened) forgets the time instead, so the next ingest reads it again."""
    paths = catalog.fail_content(conn, content_hash, reason)
    for path in paths:
        if not lasting:
            conn.execute(text("UPDATE documents SET mtime_ns=NULL WHERE path=:p"), {"p": path})
        audit.append(conn, "fail", path, {"reason": reason}, actor="tables")
    return [{"path": path, "reason": reason} for path in paths]
