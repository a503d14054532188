"""The background runner: engine work off the GUI thread, reported through queued signals.

* Ingest jobs wait in a queue and run one at a time (the engine has one writer); each can
  be cancelled through a ``threading.Event`` that backs the engine's ``is_cancelled``. Other
  long work a pane starts (an ingest approved in chat) joins the same queue (``queue_work``).
* A new search supersedes the running one: only the latest answer is delivered.
* Reads for the panes (``fetch``) are keyed: a newer fetch of the same key wins.
* A person's SQL queries run in their own pool (``run_query``), so a long one never holds up
  approvals or exports; each can be stopped, and shutdown stops them all.
* Whatever changed reaches every pane through ONE signal, ``changed(Changes)``; errors
  reach one signal, ``error(sentence, user_initiated)``, that the error presenter shows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .qt import QObject, QRunnable, Qt, QThreadPool, Signal, Slot, isValid

if TYPE_CHECKING:
    from engine import IngestReport, Workspace
    from engine.reembed import ReembedReport

log = logging.getLogger(__name__)

# What an ingest (finished, failed or cancelled part-way) may have changed.
INGEST_CHANGES = ("documents", "chunks", "queue", "audit", "tables", "proposals")
# While an ingest runs, what its committed batches changed (for the Library, status bar and log) …
LIVE_CHANGES = ("documents", "chunks", "audit")
LIVE_SECONDS = 2.5  # … told to the panes at most this often
RESUME_LABEL = "Reading the files left waiting"  # after a crash or a cancel alike
# Long work a pane queues: work(ws, progress(fraction, message), is_cancelled) -> result.
Work = Callable[["Workspace", Callable[[float, str], None], Callable[[], bool]], Any]
# How queued work ended, from its result: (state "done" | "failed" | "cancelled", message).
Outcome = Callable[[Any], tuple[str, str]]


@dataclass
class Job:
    """One ingest (or re-embedding, or a pane's queued work) on its way through the queue."""

    id: int
    label: str
    paths: list[str]
    user: bool = True
    retry: bool = False  # a person's Retry: read failed files again though unchanged
    kind: str = "ingest"  # ingest | reembed | work
    paused: bool = False  # a re-embedding stopped to let an ingest go first (it is queued again)
    state: str = "queued"  # queued | running | done | failed | cancelled
    fraction: float = 0.0
    message: str = "Waiting for its turn…"
    started: float | None = None
    finished: float | None = None
    report: IngestReport | ReembedReport | None = None
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    work: Work | None = field(default=None, repr=False)  # kind "work": what it runs …
    outcome: Outcome | None = field(default=None, repr=False)  # … how its result reads …
    on_done: Callable[[Any], None] | None = field(default=None, repr=False)  # … and who hears of it
    on_failed: Callable[[BaseException], None] | None = field(default=None, repr=False)
    owner: QObject | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def eta(self) -> float | None:
        """Seconds left, estimated from the pace so far (None until there is a pace)."""
        if self.state != "running" or self.started is None or self.fraction < 0.05:
            return None
        elapsed = time.monotonic() - self.started
        return max(0.0, elapsed / self.fraction - elapsed)


@dataclass
class _Pending:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    owner: QObject | None = None


class _Relay(QObject):
    """Lives in the GUI thread; workers emit on it, so the slots run in the GUI thread."""

    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, float, str)


class _Task(QRunnable):
    def __init__(self, relay: _Relay, task_id: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.relay, self.task_id, self.fn = relay, task_id, fn

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, none is lost
            self.relay.failed.emit(self.task_id, exc)
        else:
            self.relay.done.emit(self.task_id, result)


class Runner(QObject):
    """Runs a workspace's long operations in worker threads; see the module docstring."""

    workspace_opened = Signal(object)  # Workspace
    workspace_failed = Signal(str)  # the sentence saying why it could not be opened
    model_state = Signal(str)  # idle | loading | ready | failed
    changed = Signal(object)  # engine.Changes
    jobs_changed = Signal()  # a job was added, started, finished or removed
    job_progress = Signal(object)  # Job
    search_results = Signal(str, object)  # query, list[SearchHit]
    search_failed = Signal(str, object)  # query, the exception that stopped it
    error = Signal(str, bool)  # sentence, user_initiated
    files_failed = Signal(list)  # an ingest's failed files [{path, reason}], for a notice that follows fixes

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ws: Workspace | None = None
        self.model = "idle"
        self.jobs: list[Job] = []  # recent jobs, oldest first
        self._queue: deque[Job] = deque()
        self._batch: list[Job] = []  # jobs queued since the queue was last idle, for overall progress
        self._running: Job | None = None
        self._ids = 0
        self._pending: dict[int, _Pending] = {}
        self._fetch_gen: dict[str, int] = {}
        self._search_gen = 0
        self._waiting_search: tuple[str, int | None] | None = None
        self._closing = False
        self._live_at = 0.0  # when the panes last heard what a running ingest committed
        self._reads, self._writes, self._ops = QThreadPool(self), QThreadPool(self), QThreadPool(self)
        self._queries = QThreadPool(self)
        self._reads.setMaxThreadCount(2)
        self._writes.setMaxThreadCount(1)
        self._ops.setMaxThreadCount(1)
        self._queries.setMaxThreadCount(2)
        self._stops: dict[object, Callable[[], None]] = {}  # how to stop each running query
        self._relay = _Relay(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._relay.done.connect(self._on_done, queued)
        self._relay.failed.connect(self._on_failed, queued)
        self._relay.progress.connect(self._on_progress, queued)

    # -- plumbing --------------------------------------------------------------------------

    def _submit(self, pool: QThreadPool, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                on_error: Callable[[BaseException], None] | None = None, owner: QObject | None = None) -> int:
        self._ids += 1
        self._pending[self._ids] = _Pending(on_done, on_error, owner)
        pool.start(_Task(self._relay, self._ids, fn))
        return self._ids

    def _take(self, task_id: int) -> _Pending | None:
        pending = self._pending.pop(task_id, None)
        if pending is None or self._closing or (pending.owner is not None and not isValid(pending.owner)):
            return None
        return pending

    @Slot(int, object)
    def _on_done(self, task_id: int, result: Any) -> None:
        pending = self._take(task_id)
        if pending and pending.on_done:
            pending.on_done(result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, exc: BaseException) -> None:
        pending = self._take(task_id)
        if pending is None:
            return
        if pending.on_error:
            pending.on_error(exc)
        else:
            self.report_error(exc, user=False)

    def report_error(self, exc: BaseException, user: bool, doing: str = "working") -> None:
        """Send ``exc`` to the error presenter as a sentence (a bug gets a generic one, and a log)."""
        from engine import GraceError

        if isinstance(exc, GraceError):
            self.error.emit(str(exc), user)
            return
        log.error("unexpected error while %s", doing, exc_info=exc)
        self.error.emit(f"Something went wrong while {doing}: {exc!r}. Grace kept everything finished so far.",
                        user)

    # -- the workspace and the model -------------------------------------------------------

    def open_workspace(self, folder: str | Path | None, embedder: Any = None) -> None:
        """Open (creating if needed) the workspace in a worker; ``workspace_opened`` follows."""

        def work() -> Workspace:
            from engine import Workspace

            return Workspace(folder, embedder)

        def failed(exc: BaseException) -> None:
            self.report_error(exc, user=False, doing="opening the workspace")
            self.workspace_failed.emit(str(exc))

        self._submit(self._ops, work, self.set_workspace, failed)

    def set_workspace(self, ws: Workspace) -> None:
        """Use an already open workspace."""
        self.ws = ws
        self.workspace_opened.emit(ws)
        self._kick()

    def load_model(self) -> None:
        """Load the embedding model in a worker; ``model_state`` says how it goes."""
        if self.ws is None or self.model in ("loading", "ready"):
            return
        self._set_model("loading")
        embedder = self.ws.embedder
        self._submit(self._ops, embedder.load, lambda _: self._set_model("ready"), self._model_failed)

    def _model_failed(self, exc: BaseException) -> None:
        self._set_model("failed")
        self.report_error(exc, user=False, doing="loading the model")

    def _set_model(self, state: str) -> None:
        self.model = state
        self.model_state.emit(state)
        self._kick()

    @property
    def _model_settled(self) -> bool:
        return self.model in ("ready", "failed")

    # -- ingest jobs -----------------------------------------------------------------------

    def ingest(self, paths: list[str], label: str | None = None, user: bool = True, merge: bool = False,
               retry: bool = False) -> Job:
        """Queue an ingest of ``paths``; the job shows in the Activity at once. With ``merge``,
        paths join a job with the same label that is still waiting, instead of a new job; with
        ``retry``, files that failed are read again though unchanged (``Workspace.ingest``)."""
        waiting = next((j for j in self._queue if j.label == label), None) if merge else None
        if waiting is not None:
            waiting.paths = list(dict.fromkeys(waiting.paths + [str(p) for p in paths]))
            self.jobs_changed.emit()
            return waiting
        self._ids += 1
        names = ", ".join(f"“{Path(p).name or p}”" for p in paths[:3])  # "Adding “many”", not "Adding many"
        names += f" and {len(paths) - 3} more" if len(paths) > 3 else ""
        return self._enqueue(Job(self._ids, label or f"Adding {names}", [str(p) for p in paths], user, retry=retry))

    def reembed(self, stale: int) -> Job:
        """Queue the re-embedding of ``stale`` passages another model made (after a model change), or
        that have no token bits yet (a workspace from before schema 11)."""
        self._ids += 1
        return self._enqueue(Job(self._ids, f"Re-embedding {stale:,} passages", [],
                                 user=False, kind="reembed"))

    def reembed_stale(self) -> None:
        """Queue a re-embedding if any passage carries a vector another model made, or no token bits."""
        self.fetch("stale vectors", lambda ws: ws.stale_vectors(), lambda n: self.reembed(n) if n else None)

    def queue_work(self, label: str, work: Work, on_done: Callable[[Any], None],
                   on_failed: Callable[[BaseException], None], *, outcome: Outcome | None = None,
                   paths: list[str] | None = None, owner: QObject | None = None) -> Job:
        """Queue ``work(ws, progress, is_cancelled)`` as a job like an ingest: one at a time, shown
        in the Activity, cancellable, waited for (and cancelled) at shutdown. ``on_done(result)``
        or ``on_failed(exc)`` follows in the GUI thread (``Cancelled`` when it was cancelled before
        it began) while ``owner`` lives; ``outcome(result)`` gives the job's final state and message."""
        self._ids += 1
        return self._enqueue(Job(self._ids, label, [str(p) for p in paths or []], kind="work", work=work,
                                 outcome=outcome, on_done=on_done, on_failed=on_failed, owner=owner))

    def _enqueue(self, job: Job) -> Job:
        running = self._running
        if (job.kind != "reembed" and job.user and running is not None and running.kind == "reembed"
                and not running.cancel.is_set()):
            running.paused = True  # the person's files first: it stops after the current batch
            running.cancel.set()
        if self.queue_length == 0:
            self._batch = []  # a new batch starts when the queue was idle
        self._queue.append(job)
        self._batch.append(job)
        self.jobs = self.jobs[-49:] + [job]
        self.jobs_changed.emit()
        self._kick()
        return job

    def resume(self) -> Job:
        """Queue a job that reads what an interrupted or cancelled ingest left in the engine's queue."""
        return self.ingest([], label=RESUME_LABEL)

    def cancel(self, job: Job | None = None) -> None:
        """Cancel ``job`` (default: the running one); a queued job is simply dropped."""
        job = job or self._running
        if job is None or not job.active:
            return
        job.cancel.set()
        job.paused = False  # the person's cancel wins over a pause for other work
        if job.state == "queued":
            from engine import Cancelled

            self._queue.remove(job)
            job.state, job.message, job.finished = "cancelled", "Cancelled before it started.", time.monotonic()
            self.jobs_changed.emit()
            self._tell(job, job.on_failed, Cancelled(job.message))
        else:
            job.message = "Cancelling…"
            self.job_progress.emit(job)

    @property
    def running_job(self) -> Job | None:
        return self._running

    @property
    def queue_length(self) -> int:
        """Jobs waiting or running."""
        return len(self._queue) + (1 if self._running else 0)

    def overall(self) -> float:
        """Overall progress of the jobs queued since the queue was last idle."""
        if not self._batch:
            return 1.0
        return sum(j.fraction if j.active else 1.0 for j in self._batch) / len(self._batch)

    def _kick(self) -> None:
        """Start the next job (and a waiting search) once the workspace and model allow."""
        if self._closing or self.ws is None:
            return
        if not self._model_settled:
            if self._queue or self._waiting_search:
                self.load_model()
            return
        if self._waiting_search:
            query, k = self._waiting_search
            self._waiting_search = None
            self.search(query, k)
        if self._running is None and self._queue:
            self._start(self._queue.popleft())

    def _start(self, job: Job) -> None:
        ws = self.ws
        assert ws is not None
        job.state, job.started, job.message = "running", time.monotonic(), "Starting…"
        self._running = job
        self._live_at = job.started
        self.jobs_changed.emit()

        def work() -> Any:
            progress = lambda f, m: self._relay.progress.emit(job.id, f, m)  # noqa: E731
            if job.work is not None:
                return job.work(ws, progress, job.cancel.is_set)
            if job.kind == "reembed":
                return ws.reembed(progress, job.cancel.is_set)
            # A rescan by the watcher (not asked for by the person) keeps a folder that went missing.
            return ws.ingest(list(job.paths), progress, job.cancel.is_set, keep_missing_roots=not job.user,
                             retry=job.retry)

        self._submit(self._writes, work, lambda report: self._job_done(job, report),
                     lambda exc: self._job_failed(job, exc))

    @Slot(int, float, str)
    def _on_progress(self, job_id: int, fraction: float, message: str) -> None:
        job = self._running
        if job is None or job.id != job_id or self._closing:
            return
        job.fraction = fraction
        job.message = "Cancelling…" if job.cancel.is_set() else message
        self.job_progress.emit(job)
        self._tell_live(job)

    def _tell_live(self, job: Job) -> None:
        """Let the panes show the files a running ingest has committed so far, throttled."""
        from engine import Changes

        now = time.monotonic()
        if job.kind != "ingest" or now - self._live_at < LIVE_SECONDS:
            return
        self._live_at = now
        self.changed.emit(Changes(**dict.fromkeys(LIVE_CHANGES, True)))

    @property
    def ingesting(self) -> bool:
        """True while an ingest job runs (its ``changed`` then come throttled, before it ends)."""
        return self._running is not None and self._running.kind == "ingest"

    def _job_done(self, job: Job, report: Any) -> None:
        if job.kind == "work":
            job.state, job.message = job.outcome(report) if job.outcome else ("done", "Done.")
            job.fraction = 1.0 if job.state == "done" else job.fraction
            job.error = job.message if job.state == "failed" else ""
            self._job_over(job)
            self._tell(job, job.on_done, report)
            return
        failed = _failed(report)
        job.report = report
        if failed and _nothing_read(report):  # every file it was given failed (again)
            job.state, job.message = "failed", failures_sentence(failed)
            job.error = job.message
        else:
            job.state, job.fraction, job.message = "done", 1.0, _summary(report)
        self._job_over(job)
        if failed:
            self.files_failed.emit(failed)

    def _job_failed(self, job: Job, exc: BaseException) -> None:
        from engine import Cancelled

        if isinstance(exc, Cancelled) and job.paused:
            job.state, job.message = "cancelled", "Paused for other work; it goes on after that."
            self.reembed_stale()
        elif isinstance(exc, Cancelled) and job.kind == "reembed":
            job.state, job.message = "cancelled", ("Cancelled; what was re-embedded is kept, the rest is done "
                                                   "the next time Grace starts.")
        elif isinstance(exc, Cancelled):  # an ingest's says how many files it kept
            job.state, job.report = "cancelled", getattr(exc, "report", None)
            job.message = str(exc) if job.report else "Cancelled; what was finished is kept, the rest stays queued."
        else:
            job.state, job.error = "failed", str(exc)
            job.message = f"Stopped: {exc}"
            if job.on_failed is None:  # queued work says it where it was asked for
                self.report_error(exc, job.user, doing=job.label.lower())
        self._job_over(job)
        self._tell(job, job.on_failed, exc)

    @staticmethod
    def _tell(job: Job, callback: Callable[[Any], None] | None, value: Any) -> None:
        """Hand queued work's result (or failure) to the pane that queued it, while that pane lives."""
        if callback is not None and (job.owner is None or isValid(job.owner)):
            callback(value)

    def _job_over(self, job: Job) -> None:
        from dataclasses import fields

        from engine import Changes

        job.finished = time.monotonic()
        self._running = None
        self.jobs_changed.emit()
        if job.kind != "work":  # queued work says what it changed through its pane
            self.changed.emit(Changes(**{f.name: True for f in fields(Changes) if f.name in INGEST_CHANGES}))
        self._kick()

    # -- searches, reads and small operations ------------------------------------------------

    def search(self, query: str, k: int | None = None) -> None:
        """Search in a worker; only the latest query's results reach ``search_results``."""
        self._search_gen += 1
        gen = self._search_gen
        if self.ws is None or not self._model_settled:
            self._waiting_search = (query, k)
            if self.ws is not None:
                self.load_model()
            return
        ws = self.ws

        def work() -> Any:
            return None if gen != self._search_gen else ws.search(query, k)  # superseded before it began

        def done(hits: Any) -> None:
            if gen == self._search_gen and hits is not None:
                self.search_results.emit(query, hits)

        def failed(exc: BaseException) -> None:
            if gen == self._search_gen:  # the pane waits for this query's answer, failed or not
                self.search_failed.emit(query, exc)
            self.report_error(exc, False, "searching")

        self._submit(self._reads, work, done, failed)

    def fetch(self, key: str, fn: Callable[[Workspace], Any], callback: Callable[[Any], object],
              owner: QObject | None = None) -> None:
        """Run the read ``fn(ws)`` in a worker and hand the result to ``callback`` in the GUI
        thread, unless a newer fetch of the same ``key`` was started meanwhile."""
        if self.ws is None:
            return
        ws = self.ws
        gen = self._fetch_gen[key] = self._fetch_gen.get(key, 0) + 1

        def done(result: Any) -> None:
            if self._fetch_gen.get(key) == gen:
                callback(result)

        self._submit(self._reads, lambda: fn(ws), done,
                     lambda exc: self.report_error(exc, False, f"reading the {key}"), owner)

    def run_op(self, fn: Callable[[Workspace], Any], doing: str, on_done: Callable[[Any], None] | None = None,
               user: bool = True) -> None:
        """Run a small change ``fn(ws)`` in a worker; a ``Changes`` it returns goes to ``changed``."""
        from engine import Changes

        if self.ws is None:
            return
        ws = self.ws

        def done(result: Any) -> None:
            if isinstance(result, Changes):
                self.changed.emit(result)
            if on_done:
                on_done(result)

        self._submit(self._ops, lambda: fn(ws), done, lambda exc: self.report_error(exc, user, doing))

    def run_query(self, fn: Callable[[Workspace], Any], on_done: Callable[[Any], None],
                  stop: Callable[[], None] | None = None) -> None:
        """Run the read-only query ``fn(ws)`` in the query pool and hand its result to ``on_done``;
        ``stop`` interrupts it when the runner shuts down."""
        if self.ws is None:
            return
        ws, key = self.ws, object()
        if stop is not None:
            self._stops[key] = stop

        def finished(result: Any) -> None:
            self._stops.pop(key, None)
            on_done(result)

        def failed(exc: BaseException) -> None:
            self._stops.pop(key, None)
            self.report_error(exc, True, "running the query")

        self._submit(self._queries, lambda: fn(ws), finished, failed)

    # -- the end ---------------------------------------------------------------------------

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel what runs, wait for the workers, and close the workspace."""
        self._closing = True
        for job in list(self._queue) + ([self._running] if self._running else []):
            job.cancel.set()
        self._queue.clear()
        for stop in list(self._stops.values()):
            stop()
        pools = (self._writes, self._reads, self._ops, self._queries)
        finished = all([pool.waitForDone(timeout_ms) for pool in pools])
        if self.ws is None:
            return
        if finished:
            self.ws.close()
        else:  # closing under a running operation could deadlock; what is committed is safe anyway
            log.warning("work was still running after %d ms; the workspace is left for the process exit",
                        timeout_ms)


def _failed(report: IngestReport | ReembedReport) -> list[dict[str, str]]:
    """An ingest's failed files (a re-embedding has none)."""
    from engine.reembed import ReembedReport  # noqa: PLC0415 - the engine is loaded by now

    return [] if isinstance(report, ReembedReport) else report.failed


def _nothing_read(report: IngestReport) -> bool:
    """True when an ingest read no file and found none unchanged."""
    return report.ingested == 0 and report.unchanged == 0


def _summary(report: IngestReport | ReembedReport) -> str:
    from engine.reembed import ReembedReport  # noqa: PLC0415 - the engine is loaded by now

    if isinstance(report, ReembedReport):
        return report.summary()
    parts = [f"{report.ingested} read", f"{report.unchanged} unchanged"]
    parts += [f"{n} {what}" for n, what in ((report.moved, "moved"), (report.removed, "removed"),
                                            (len(report.failed), "failed")) if n]
    parts += [report.unsupported_line()] if report.unsupported else []
    passages = "passage" if report.chunks == 1 else "passages"
    return ", ".join(parts) + f"; {report.chunks} new {passages} in {report.seconds:.1f} s."


def failures_sentence(failed: list[dict[str, str]]) -> str:
    """One sentence about an ingest's failed files ({path, reason}): the first by name and reason,
    and how many there are."""
    first = failed[0]
    sentence = f"Grace could not read {Path(first['path']).name}: {first['reason'].rstrip('.')}."
    if len(failed) > 1:
        sentence = f"{len(failed)} files could not be read. " + sentence + " The Library lists all of them."
    return sentence
