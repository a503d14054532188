"""The GUI bootstrap: the QApplication, the main window and its panes, the runner, the
error presenter and the folder watcher, wired together.

Startup order keeps the window quick: the window is shown first; the workspace opens in
a worker; the panes fill in; only then does the model load (in a worker) and the folder
watcher start. The status bar says where each of those is.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import appsettings, ms_since_start
from .qt import QApplication, QCoreApplication, QIcon, QObject, QStyle, QTimer, Signal
from .runner import Job, Runner

if TYPE_CHECKING:
    from engine import Changes, Workspace

    from .qt import QWidget

PaneFactory = Callable[["Workspace", Runner], "QWidget"]

MODEL_WORDS = {"idle": "Model: loads after startup", "loading": "Model: loading…", "ready": "Model: ready",
               "failed": "Model: failed to load"}
WATCH_LABEL = "Reading changes in watched folders"


def resources_dir() -> Path:
    from engine.paths import resources_dir as engine_resources

    return engine_resources()


def app_icon() -> QIcon:
    """Grace's icon (a PNG, so no image plugin is needed)."""
    return QIcon(str(resources_dir() / "icons" / "grace.png"))


class Shell(QObject):
    """Everything the desktop app is made of, wired; ``ready`` fires once it is usable."""

    ready = Signal(int)  # milliseconds since the process started

    def __init__(self, ws_dir: str | Path | None = None, *, workspace: Workspace | None = None,
                 embedder: Any = None, allow_modal: bool = True) -> None:
        super().__init__()
        from ui.activity import ActivityPane
        from ui.errors import ErrorPresenter
        from ui.library import LibraryPane
        from ui.main_window import MainWindow
        from ui.search import SearchPane

        self.ws_dir, self.workspace, self.embedder = ws_dir, workspace, embedder
        self.runner = Runner(self)
        self.window = MainWindow()
        self.window.setWindowIcon(app_icon())
        self.presenter = ErrorPresenter(self.window, self.window.notifications, allow_modal)
        self.library = LibraryPane(self.runner)
        self.activity = ActivityPane(self.runner)
        self.search = SearchPane(self.runner)
        style = self.window.style()
        pixmap = QStyle.StandardPixmap
        self.window.register_pane("Library", self.library, style.standardIcon(pixmap.SP_DirIcon))
        self.window.register_pane("Activity", self.activity, style.standardIcon(pixmap.SP_BrowserReload))
        self.window.register_pane("Search", self.search, style.standardIcon(pixmap.SP_FileDialogContentsView))
        self.watcher: Any = None
        self._flashed: Job | None = None  # the job whose start the status bar's note tells of
        self.watch_timing: dict[str, float] = {}  # what the running watcher was made with
        self.is_ready = False
        self._status_shown = False
        self._late_panes: dict[str, PaneFactory] = {}
        self.add_pane("Tables", _tables_pane, style.standardIcon(pixmap.SP_FileDialogDetailedView))
        self.add_pane("Approvals", _approvals_pane, style.standardIcon(pixmap.SP_DialogApplyButton))
        self.add_pane("Chat", _chat_pane, style.standardIcon(pixmap.SP_MessageBoxQuestion))
        self._wire()

    def _wire(self) -> None:
        r, w = self.runner, self.window
        r.error.connect(self.presenter.present)
        r.files_failed.connect(self.presenter.present_failures)
        self.presenter.presented.connect(w.show_error)
        r.workspace_opened.connect(self._opened)
        r.model_state.connect(lambda state: w.set_status(model=MODEL_WORDS.get(state, state)))
        r.jobs_changed.connect(self._show_queue)
        r.jobs_changed.connect(self._end_flash)
        r.job_progress.connect(lambda _job: self._show_queue())
        r.changed.connect(self._on_changed)
        w.add_paths.connect(self.add_paths)
        w.watch_folder.connect(self.library.watched.add)
        w.settings_requested.connect(self.edit_settings)
        self.library.sample_requested.connect(self.load_sample)
        self.search.row_requested.connect(self.open_row)
        self.library.loaded.connect(self._check_ready)
        self.activity.loaded.connect(self._check_ready)

    # -- starting --------------------------------------------------------------------------

    def start(self, pane: str | None = None) -> None:
        """Show the window at once, then open the workspace in a worker."""
        self.window.restore_state()
        if pane:
            self.window.show_pane(pane)
        self.window.show()
        if self.workspace is not None:
            self.runner.set_workspace(self.workspace)
        else:
            self.runner.open_workspace(self.ws_dir, self.embedder)

    def _opened(self, ws: Workspace) -> None:
        self.window.set_status(workspace=f"Workspace: {_short(str(ws.folder))}")
        self._count_waiting()
        name = ws.folder.name
        self.window.setWindowTitle("Grace" if name.lower() == "grace" else f"Grace — {name}")
        self._refresh_status()

    def _check_ready(self) -> None:
        """Ready once the workspace is open and the panes and status bar show it."""
        if self.is_ready or not (self.library.has_loaded and self.activity.has_loaded and self._status_shown):
            return
        self.is_ready = True
        QTimer.singleShot(0, self._announce_ready)

    def _announce_ready(self) -> None:
        QCoreApplication.sendPostedEvents()  # settle pending layouts, so the paint shows them
        self.window.repaint()
        self.ready.emit(ms_since_start())

    def after_ready(self) -> None:
        """What waits until the window is usable: the model, the folder watcher, late panes, and
        re-embedding what another model embedded or what has no token bits (the old vectors
        answer meanwhile)."""
        self.runner.load_model()
        self.start_watcher()
        self.runner.reembed_stale()
        for key in list(self._late_panes):
            self._build_late_pane(key)

    # -- panes added by other parts of the app ----------------------------------------------

    def add_pane(self, name: str, factory: PaneFactory, icon: QIcon | None = None) -> str:
        """Add a pane built by ``factory(workspace, runner)`` once the app is ready (so its
        imports and reads never slow the start); until then it shows a placeholder. A pane
        with an ``on_changes(Changes)`` method is called with every ``runner.changed``."""
        from .qt import QLabel, Qt

        placeholder = QLabel("Opening workspace…", alignment=Qt.AlignmentFlag.AlignCenter)
        key = self.window.register_pane(name, placeholder, icon)
        self._late_panes[key] = factory
        if self.is_ready and self.runner.ws is not None:
            self._build_late_pane(key)
        return key

    def build_late_panes(self) -> None:
        """Build every pane still waiting (used before a screenshot of a late pane)."""
        for key in list(self._late_panes):
            self._build_late_pane(key)

    def _build_late_pane(self, key: str) -> None:
        factory, ws = self._late_panes.pop(key), self.runner.ws
        assert ws is not None, "late panes are built once the workspace is open"
        try:
            widget = factory(ws, self.runner)
        except Exception as exc:  # noqa: BLE001 - one broken pane must not stop the app
            self.runner.report_error(exc, user=False, doing=f"building the {key} pane")
            return
        self.window.replace_pane(key, widget)
        for action in getattr(widget, "window_actions", []):
            self.window.add_pane_action(key, action)
        slot = getattr(widget, "on_changes", None) or getattr(widget, "on_changed", None)
        if callable(slot):
            self.runner.changed.connect(slot)

    # -- actions ---------------------------------------------------------------------------

    def add_paths(self, paths: list[str]) -> None:
        """Ingest dropped or chosen files and folders (the Activity shows the job at once)."""
        job = self.runner.ingest(paths)
        self._flashed = job
        self.window.flash(f"{job.label}…")

    def _end_flash(self) -> None:
        """The job the status bar says is under way ended: its "Adding …" note gives way to how it
        went (a failure has the error's place in the status bar already), not left for seconds
        beside the result."""
        job = self._flashed
        if job is None or job.state not in ("done", "failed", "cancelled"):
            return
        self._flashed = None
        if self.window.news_label.text() != f"{job.label}…":  # something else was said since
            return
        if job.state == "done":
            self.window.flash(done_note(job), tip=f"Done: {job.message}")
        else:
            self.window.flash(job.message if job.state == "cancelled" else "")

    def load_sample(self) -> None:
        """Copy the bundled sample documents into the workspace and read them."""
        ws = self.runner.ws
        if ws is None:
            return
        target = ws.folder / "sample"
        shutil.copytree(resources_dir() / "sample", target, dirs_exist_ok=True)
        self.runner.ingest([str(target)], label="Loading the sample documents")

    def open_row(self, row: dict[str, Any]) -> None:
        """Show the Tables pane on ``row``'s table (a row the Search pane found), filtered to the
        row's first matched cell, the cursor on that cell."""
        if "tables" in self._late_panes and self.runner.ws is not None:
            self._build_late_pane("tables")
        pane = self.window.panes["tables"].widget
        if hasattr(pane, "table_list") and self.window.show_pane("tables"):
            _show_row(pane, row)

    def edit_settings(self) -> None:
        from ui.settings_dialog import edit_settings

        edit_settings(self.runner, self.window)

    # -- status ----------------------------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        self._refresh_status()
        if changes.proposals:
            self._count_waiting()
        if changes.documents and self.presenter.failing:  # a file it names may be read or removed by now
            self.runner.fetch("failures (notice)", lambda ws: ws.failures(), self.presenter.follow_failures,
                              owner=self.presenter)
        if changes.watches:
            self._refresh_watcher()
        if changes.settings and self.watcher is not None:
            self.runner.fetch("watcher timing", _watch_timing, self._retime_watcher)

    def _count_waiting(self) -> None:
        """"Approvals (1)" in the sidebar while proposals wait: a table file Grace was unsure of said
        only "Done: 1 file read.", and nothing led the person to the Approvals pane."""
        def show(count: int) -> None:
            tip = f"{count} proposal{'s wait' if count != 1 else ' waits'} for your approval"
            self.window.set_pane_count("approvals", count, tip)

        self.runner.fetch("proposals waiting", lambda ws: len(ws.tables.proposals("pending")), show, owner=self.window)

    def _refresh_status(self) -> None:
        self.runner.fetch("status", lambda ws: ws.status(), self._show_status, owner=self.window)

    def _show_status(self, status: dict[str, Any]) -> None:
        self.window.set_status(workspace=workspace_status(status))
        if not self._status_shown:
            self._status_shown = True
            self._check_ready()

    def _show_queue(self) -> None:
        import ui

        running, n = self.runner.running_job, self.runner.queue_length
        if not n:
            self.window.set_status(queue="Queue: empty")
            return
        text = f"Queue: {n} job{'s' if n != 1 else ''}"
        doing = "re-embedding" if running and running.kind == "reembed" else "reading"
        self.window.set_status(queue=text + (f" ({doing}, {ui.percent(running.fraction)}%)" if running else ""))

    # -- the folder watcher ----------------------------------------------------------------

    def start_watcher(self) -> None:
        """Start the folder watcher, if this build has one, on the workspace's watched folders."""
        ws = self.runner.ws
        if ws is None or self.watcher is not None:
            return
        try:
            from .watcher import FolderWatcher
        except ImportError:
            return
        self.watch_timing = _watch_timing(ws)
        self.watcher = FolderWatcher(debounce_ms=int(self.watch_timing["debounce_ms"]),
                                     reconcile_seconds=self.watch_timing["reconcile_seconds"])
        self.watcher.changed.connect(self._watched_paths_changed)
        self.watcher.status.connect(lambda sentence: self.window.flash(sentence, 8000))
        self.watcher.missing.connect(self.library.watched.set_missing)
        self.runner.fetch("watched folders (watcher)", lambda ws: ws.watched_folders(), self.watcher.start)

    def _refresh_watcher(self) -> None:
        if self.watcher is not None:
            self.runner.fetch("watched folders (watcher)", lambda ws: ws.watched_folders(),
                              self.watcher.set_folders)

    def _retime_watcher(self, timing: dict[str, float]) -> None:
        """The watcher reads its timing only when made: a changed one restarts it (its start rescans
        the watched folders, so nothing waiting in the old one is lost)."""
        if self.watcher is None or timing == self.watch_timing:
            return
        self.watcher.stop()
        self.watcher = None
        self.start_watcher()

    def _watched_paths_changed(self, paths: list[str]) -> None:
        self.runner.ingest(paths, label=WATCH_LABEL, user=False, merge=True)

    # -- the end ---------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop the watcher, cancel and wait for the workers, close the workspace."""
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        for pane in self.window.panes.values():  # panes with workers of their own (the chat's answer)
            stop = getattr(pane.widget, "shutdown", None)
            if callable(stop):
                stop()
        self.runner.shutdown()


def _watch_timing(ws: Workspace) -> dict[str, float]:
    """The watcher's settings: quiet time after a change, and how often folders are rescanned."""
    return {"debounce_ms": int(ws.setting("watch_debounce_ms")),
            "reconcile_seconds": float(ws.setting("reconcile_minutes")) * 60}


def done_note(job: Job) -> str:
    """The status bar's short word on an ingest that ended well: "Done: 5 files read, 1 not read."
    (the passages are in the workspace's figures beside it; the Activity, and the note's tooltip,
    have the whole summary with its timing); the summary itself for other jobs. Beside an error
    the whole summary was cut to "Done: 5 read,…"."""
    from engine.ingest import IngestReport  # noqa: PLC0415 - the engine is loaded by now

    report = job.report
    if not isinstance(report, IngestReport):
        return f"Done: {job.message}"
    parts = [f"{report.ingested} file{'' if report.ingested == 1 else 's'} read"]
    parts += [f"{n} {what}" for n, what in ((report.unchanged, "unchanged"), (report.moved, "moved"),
                                            (report.removed, "removed"), (len(report.failed), "not read"),
                                            (len(report.unsupported), "skipped")) if n]
    return f"Done: {', '.join(parts)}."


def workspace_status(status: dict[str, Any]) -> str:
    """The status bar's line for ``Workspace.status()``: "Workspace: ~/Grace — 1 document, 2 passages, 1 failed"."""
    documents, chunks = int(status["documents"]), int(status["chunks"])
    failed = f", {status['failed']} failed" if status["failed"] else ""
    return (f"Workspace: {_short(status['workspace'])} — {documents} document{'' if documents == 1 else 's'}, "
            f"{chunks} passage{'' if chunks == 1 else 's'}{failed}")


def _short(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home != "/" and path.startswith(home + os.sep) else path


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, named for QSettings, themed, with Grace's icon."""
    from ui.theme import apply_theme

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    appsettings.set_application_names()
    app.setWindowIcon(app_icon())
    apply_theme(app)
    return app


def _show_row(pane: Any, row: dict[str, Any]) -> None:
    """Select ``row["table"]`` in the Tables pane ``pane``, filter it to the row's first matched cell,
    and put the cursor on that cell (unfiltered when the filter would hide the row)."""
    if not _select_table(pane, row["table"]):
        return
    pane.clear_filters()
    column = (row["matched"] or row["columns"])[0]
    value = row["values"][row["columns"].index(column)]
    if value is not None:
        pane.set_column_filter(column, str(value))
    model = pane.model
    at = next((i for i in range(min(model.rowCount(), model.page_size)) if model.row_key(i) == row["key"]), None)
    if at is None:
        if not model.rowCount():
            pane.clear_filters()  # the cell reads otherwise in the grid (a time, say): show the whole table
        return
    names = [model.column_name(c) for c in range(model.columnCount())]
    index = model.index(at, names.index(column) if column in names else 0)
    pane.view.setCurrentIndex(index)
    pane.view.scrollTo(index)
    pane.view.setFocus()


def _select_table(pane: Any, table: str) -> bool:
    """Make ``table`` the Tables pane's current table (re-reading its list when ``table`` is new to it)."""
    if pane.select_table(table):
        return True
    pane.reload_tables()
    return bool(pane.select_table(table))


def _tables_pane(ws: Workspace, runner: Runner) -> Any:
    from ui.tables import TablesPane

    pane = TablesPane(ws, runner=runner)
    pane.changed.connect(runner.changed)  # its own edits reach the other panes
    return pane


def _approvals_pane(ws: Workspace, runner: Runner) -> Any:
    from ui.approvals import ApprovalsPane

    pane = ApprovalsPane(ws, runner=runner)
    pane.changed.connect(runner.changed)
    return pane


def _chat_pane(ws: Workspace, runner: Runner) -> Any:
    from ui.chat import ChatPane

    pane = ChatPane(ws, runner=runner)
    pane.changed.connect(runner.changed)
    return pane


def run_gui(ws_dir: str | Path | None = None, exit_after_ready: bool = False, screenshot: str | None = None,
            pane: str | None = None) -> int:
    """Start the desktop app on the workspace in ``ws_dir`` (default: the user's).

    With ``exit_after_ready`` it prints ``ready <ms>`` once the window is shown, painted and
    the workspace open, saves a PNG of the window to ``screenshot`` if given, and exits 0.
    """
    app = make_application()
    shell = Shell(ws_dir, allow_modal=not exit_after_ready)
    if pane and pane.lower() not in shell.window.panes:
        print(f"grace: there is no pane called {pane!r}; the panes are: {', '.join(shell.window.panes)}",
              file=sys.stderr)
        return 2
    shell.window.persist = not exit_after_ready  # a probe run leaves the remembered layout alone
    app.aboutToQuit.connect(shell.shutdown)

    def on_ready(ms: int) -> None:
        if not exit_after_ready:
            shell.after_ready()
            return
        print(f"ready {ms}", flush=True)
        if screenshot:
            shell.build_late_panes()  # after "ready", so the figure is the plain start-up
            QCoreApplication.sendPostedEvents()
            shell.window.grab().save(screenshot, "PNG")
        app.quit()

    def on_failed(sentence: str) -> None:
        shell.window.set_status(workspace=f"The workspace could not be opened: {sentence}")
        if exit_after_ready:
            print(f"grace: the workspace could not be opened: {sentence}", file=sys.stderr)
            app.exit(1)

    shell.ready.connect(on_ready)
    shell.runner.workspace_failed.connect(on_failed)
    _quit_on_ctrl_c(app)
    shell.start(pane)
    return 0 if app.exec() == 0 else 1


def _quit_on_ctrl_c(app: QApplication) -> None:
    """Let Ctrl+C in the terminal quit cleanly (Python handles signals only while it runs)."""
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(500)
