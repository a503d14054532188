"""The Activity pane: the ingestion queue (a progress bar per job and overall, with ETA and
Cancel), files an interrupted ingest left waiting, and a readable log of recent events."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ui
from engine.catalog import WITHDRAWN
from engine.tables.model import source_file
from grace_desktop.qt import (
    QAction,
    QEvent,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QProgressBar,
    QPushButton,
    Qt,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

from .theme import colors

if TYPE_CHECKING:
    from engine import Changes, Workspace
    from grace_desktop.runner import Job, Runner

STATE_WORDS = {"queued": "Waiting", "running": "Running", "done": "Done", "failed": "Failed",
               "cancelled": "Cancelled"}


JOB_ROWS_SHOWN = 10  # the most jobs the list shows at once before it scrolls


class EventLog(QTextBrowser):
    """The log of recent events: one Tab (or Shift+Tab) leaves it. A QTextBrowser would step
    through each of its file links first, a hundred presses for a long log."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt's names
        return QWidget.focusNextPrevChild(self, next)  # past QTextBrowser's, which moves to the next link


class ActivityPane(QWidget):
    """What Grace is doing and has done; see the module docstring."""

    loaded = Signal()

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.has_loaded = False
        self.waiting_files: list[str] = []
        self._events: list[dict[str, Any]] | None = None  # the log's events once read
        self._bars: dict[int, tuple[QTreeWidgetItem, QProgressBar]] = {}
        self._build()
        runner.workspace_opened.connect(lambda _ws: self.refresh())
        runner.changed.connect(self.on_changed)
        runner.jobs_changed.connect(self.show_jobs)
        runner.job_progress.connect(self.show_progress)

    def _build(self) -> None:
        self.overall = QProgressBar()
        self.overall.setRange(0, 1000)
        self.overall.setTextVisible(False)
        self.overall.setMaximumHeight(10)
        self.summary = QLabel("Nothing is being read right now.")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running job; what it finished is kept, the rest stays queued (Esc)")
        self.cancel_button.clicked.connect(lambda: self.runner.cancel())
        escape = QAction("Cancel the running job", self)
        escape.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        escape.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only while this pane has focus
        escape.triggered.connect(lambda: self.runner.cancel())  # nothing running: it does nothing
        self.addAction(escape)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.cancel_button)
        self.jobs = QTreeWidget()
        self.jobs.setHeaderLabels(["Job", "State", "Progress", "Details"])
        self.jobs.setRootIsDecorated(False)
        self.jobs.setUniformRowHeights(True)
        header = self.jobs.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((260, 80, 140)):
            self.jobs.setColumnWidth(column, width)
        self.waiting = QFrame()
        self.waiting.setObjectName("waiting")
        self.waiting.setStyleSheet(_banner_style())
        self.waiting_label = QLabel("")
        self.resume_button = QPushButton("Resume")
        self.resume_button.clicked.connect(lambda: self.runner.resume())
        row = QHBoxLayout(self.waiting)
        row.setContentsMargins(12, 6, 8, 6)
        row.addWidget(self.waiting_label, 1)
        row.addWidget(self.resume_button)
        self.waiting.hide()
        self.log = EventLog()
        self.log.setOpenLinks(False)
        self.log.anchorClicked.connect(ui.open_url)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(QLabel("<b>Queue</b>"))
        layout.addLayout(top)
        layout.addWidget(self.overall)
        layout.addWidget(self.jobs, 2)
        layout.addWidget(self.waiting)
        layout.addWidget(QLabel("<b>Recent events</b>"))
        layout.addWidget(self.log, 3)
        self.log.setHtml(_muted("Opening workspace…"))
        self.show_jobs()

    # -- the queue -------------------------------------------------------------------------

    def show_jobs(self) -> None:
        """Rebuild the job list: running and waiting jobs first, then finished ones, newest first."""
        jobs = self.runner.jobs
        ordered = [j for j in jobs if j.state == "running"] + [j for j in jobs if j.state == "queued"]
        ordered += [j for j in reversed(jobs) if not j.active][:20]
        self.jobs.clear()
        self._bars.clear()
        for job in ordered:
            item = QTreeWidgetItem([job.label, STATE_WORDS[job.state], "", job.message])
            item.setToolTip(0, "\n".join(job.paths) or "Files left in the queue")
            item.setToolTip(3, job.message)
            if job.state == "failed":
                item.setForeground(3, _brush("error"))
            self.jobs.addTopLevelItem(item)
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setValue(1000 if job.state == "done" else int(job.fraction * 1000))
            bar.setEnabled(job.state in ("running", "done"))
            if job.state == "cancelled":
                item.setForeground(1, _brush("muted"))
            self.jobs.setItemWidget(item, 2, bar)
            self._bars[job.id] = (item, bar)
        if not ordered:
            empty = QTreeWidgetItem(["No jobs yet. Files and folders you drop on the window are read here, "
                                     "one job at a time."])
            self.jobs.addTopLevelItem(empty)
            empty.setFirstColumnSpanned(True)
            empty.setForeground(0, _brush("muted"))
        self._fit_jobs(len(ordered) or 1)
        self._update_summary()
        self._update_waiting()

    def _fit_jobs(self, rows: int) -> None:
        """The job list is as tall as its rows (up to ``JOB_ROWS_SHOWN``; more scroll): an empty queue's
        one line took 40% of the pane at 1280×800, the recent events squeezed below it."""
        jobs = self.jobs
        row = max(jobs.sizeHintForRow(0), self.overall.sizeHint().height())  # a row holds a bar like it
        frame = 2 * jobs.frameWidth() + jobs.header().sizeHint().height()
        scroll = jobs.horizontalScrollBar().sizeHint().height()  # room for it, should the columns need it
        jobs.setMaximumHeight(frame + row * min(rows, JOB_ROWS_SHOWN) + scroll)

    def show_progress(self, job: Job) -> None:
        """Move one job's bar and message, and the overall bar."""
        found = self._bars.get(job.id)
        if found is None:
            self.show_jobs()
            return
        item, bar = found
        bar.setValue(int(job.fraction * 1000))
        item.setText(3, job.message)
        self._update_summary()

    def _update_summary(self) -> None:
        running = self.runner.running_job
        queued = self.runner.queue_length - (1 if running else 0)
        self.cancel_button.setEnabled(running is not None)
        self.overall.setValue(int(self.runner.overall() * 1000))
        self.overall.setVisible(running is not None or queued > 0)
        if running is None:
            self.summary.setText("Waiting for the model to load…" if queued else
                                 "Nothing is being read right now.")
            return
        eta = running.eta()
        text = f"{running.label}: {ui.percent(running.fraction)}%"
        text += f", about {_duration(eta)} left" if eta is not None else ""
        text += f"; {queued} more job{'s' if queued != 1 else ''} waiting" if queued else ""
        self.summary.setText(text)

    def _update_waiting(self) -> None:
        n = len(self.waiting_files)
        self.waiting.setVisible(n > 0 and self.runner.queue_length == 0)
        self.waiting_label.setText(f"{n} file{'s' if n != 1 else ''} from an interrupted or cancelled ingest "
                                   f"{'are' if n != 1 else 'is'} still waiting to be read.")

    # -- the event log ---------------------------------------------------------------------

    def refresh(self, waiting: bool = True) -> None:
        """Read recent events and (with ``waiting``) the files left waiting again (in a worker)."""
        self.runner.fetch("recent events", recent_events, self._show_events, owner=self)
        if waiting:
            self.runner.fetch("queue", lambda ws: ws.queued(), self._show_waiting, owner=self)

    def on_changed(self, changes: Changes) -> None:
        if changes.documents or changes.audit or changes.queue:
            # While an ingest runs its queue is long and hidden anyway: read it again when it ends.
            self.refresh(waiting=changes.queue or not self.runner.ingesting)

    def _write_log(self) -> None:
        if self._events is None:
            return
        if self._events:
            self.log.setHtml("".join(_event_html(e) for e in self._events))
        else:
            self.log.setHtml(_muted("Nothing has happened yet. Files you add appear here as they are read."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """After a switch between light and dark, the log, the jobs and the banner take the new colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.waiting.setStyleSheet(_banner_style())
            self.show_jobs()
            self._write_log()

    def _show_waiting(self, paths: list[str]) -> None:
        self.waiting_files = paths
        self._update_waiting()

    def _show_events(self, events: list[dict[str, Any]]) -> None:
        self._events = events
        self._write_log()
        if not self.has_loaded:
            self.has_loaded = True
            self.loaded.emit()


def recent_events(ws: Workspace, limit: int = 100) -> list[dict[str, Any]]:
    """What the log shows, newest first: the documents' events and the outcomes of the actions
    that waited for a decision (approved in Chat or on the command line, or rejected)."""
    events = ws.recent_events(limit)
    chat = getattr(ws, "chat", None)
    if chat is not None:
        events += chat.actions.events(limit)
    return sorted(events, key=lambda e: -int(e["id"]))[:limit]


def _event_html(event: dict[str, Any]) -> str:
    """One event as a line a person can read: its time and a plain sentence."""
    c = colors()
    when = ui.human_time(datetime.fromisoformat(event["ts"]).timestamp())
    start = f"<p style='margin:2px 0'><span style='color:{c['muted']}'>{when}</span>&nbsp;&nbsp;"
    if "governed" in event:
        return f"{start}{_action_outcome(event)}</p>"
    if event["action"].startswith("table_"):
        return f"{start}{_table_edit(event)}</p>"
    details, action = event.get("details") or {}, event["action"]
    path = str(details.get("source") or "") if action == "propose" else event["subject"]
    file = source_file(path)  # a sheet's source is "book.xlsx#Sheet 1": its link opens the workbook
    name = f"<a href='{ui.escape(_file_url(file))}'>{ui.escape(os.path.basename(path) or path)}</a>"
    if action == "propose":
        sentence = _proposed(details, event.get("proposal") or {}, name)
        if not sentence:
            return ""
    elif action == "fail":
        sentence = (f"<span style='color:{c['error']}'>Could not read {name}: "
                    f"{ui.escape(str(details.get('reason') or 'unknown reason'))}</span>")
    elif action in ("ingest", "update"):
        sentence = f"{'Read' if action == 'ingest' else 'Read the new version of'} {name}{_what_was_read(details)}."
    elif action == "move":
        sentence = f"Noticed that {name} moved from {ui.escape(str(details.get('from', '?')))}."
    elif action == "hand_over":
        gone = ui.escape(os.path.basename(str(details.get("from", "?"))))
        sentence = f"{name} took over the tables of {gone}, which was removed: it has the same content."
    elif action == "remove":
        sentence = (f"Removed {name} from the workspace." if event.get("actor") != "ingest"
                    else f"Forgot {name}: the file is gone.")
    else:
        sentence = f"{ui.escape(action)} {name}"
    folder = ui.escape(os.path.dirname(file))
    return f"{start}{sentence} <span style='color:{c['muted']}; font-size:small'>{folder}</span></p>"



def _what_was_read(details: dict[str, Any]) -> str:
    """" as a table", " (3 passages)", or what an empty file means ("(0 passages)" said nothing)."""
    if details.get("kind") == "table":
        return " as a table"
    n = details.get("chunks", 0)
    return f" ({n} passage{'' if n == 1 else 's'})" if n else f": {ui.NO_TEXT}"

def _table_edit(event: dict[str, Any]) -> str:
    """An edit made to a table (in Tables, by an approved proposal or by chat), as a sentence."""
    details, op = event.get("details") or {}, event["action"].removeprefix("table_")
    table = f"<b>{ui.escape(event['subject'])}</b>"
    rows = details.get("rows")
    keys: list[Any] = rows if isinstance(rows, list) else []
    if op == "update":
        what = (f"Set {ui.escape(str(details.get('column')))} in row {keys[0] if keys else '?'} of table {table} to "
                f"“{ui.escape(str(details.get('value')))}”")
    elif op == "add":
        what = f"Added a row to table {table}"
    elif op == "delete":
        n = rows if isinstance(rows, int) else len(keys)  # a deletion's audit says how many
        what = f"Deleted {n:,} row{'' if n == 1 else 's'} from table {table}"
    elif op == "undo":
        undone = {"update": "an edit", "add": "an added row", "delete": "a deletion", "drop": "the drop"}
        what = f"Undid {undone.get(str(details.get('op')), 'an edit')} in table {table}"
    else:
        what = f"Dropped table {table} (“{ui.escape(str(details.get('reason') or ''))}”)"
    who = _DECIDERS.get(str(event.get("actor")), ui.escape(str(event.get("actor") or "someone")))
    return f"{what}{'' if who == 'you' else f', approved by {who}'}."


def _proposed(details: dict[str, Any], now: dict[str, Any], name: str) -> str:
    """A table proposed from the file ``name``, as it stands now: waiting, made or added to (by the
    policy or the person), or rejected; "" for one a newer version of the file replaced."""
    proposed = str(details.get("table", "?"))
    table, rows = f"<b>{ui.escape(str(now.get('table') or proposed))}</b>", int(details.get("rows") or 0)
    counted = f"{rows:,} row{'' if rows == 1 else 's'}"
    status, reason, adding = now.get("status"), str(now.get("reason") or ""), details.get("kind") != "new"
    if status == "pending":
        what = f"{counted} from {name} for table {table}" if adding else f"Table {table} from {name} ({counted})"
        return f"{what} wait{'' if adding and rows != 1 else 's'} for your approval in Approvals."
    if status in ("approved", "applied"):
        by = {"policy": " by the policy", "user": " by you"}.get(str(now.get("decided_by")), "")
        done = f"{counted} from {name} went into table {table}" if adding else \
            f"Table {table} was made from {name} ({counted})"
        renamed = f" (renamed from {ui.escape(proposed)})" if now.get("table") not in (None, proposed) else ""
        return f"{done}, approved{by}{renamed}."
    rows_were = f"The {counted} from {name} for table {table} {'was' if rows == 1 else 'were'}"
    if status == "rejected" and reason == WITHDRAWN:  # by Grace, not the person: nothing of it was loaded
        return (f"{rows_were} dropped: the file was removed before they were approved; the table keeps its rows."
                if adding else f"Table {table} from {name} was not made: the file was removed before it was approved.")
    if status == "rejected" and reason != "superseded":
        return f"{rows_were if adding else f'Table {table} from {name} was'} rejected: {ui.escape(reason)}"
    return ""


def _action_outcome(event: dict[str, Any]) -> str:
    """How an action that waited for a decision ended: done (approved by whom, with the reason
    given), rejected (and why) or failed (and why); or that it waits again (its chat restored)."""
    action, details = event["governed"], event.get("details") or {}
    what = f"<b>{ui.escape(action.summary)}</b>"
    who = _DECIDERS.get(str(event.get("actor")), ui.escape(str(event.get("actor") or "someone")))
    if event["action"] == "action.reject":
        return f"Chat action rejected by {who}: {what}. Reason: “{ui.escape(str(details.get('reason') or '?'))}”."
    if event["action"] == "action.reopen":  # its rejection was its chat's deletion, now undone
        return f"Chat action waiting for approval again: {what}. Its chat was restored."
    if event["action"] == "action.execute":
        why = f" Reason: “{ui.escape(action.reason)}”." if action.reason else ""
        return f"Chat action done: {what}, approved by {who}.{why}"
    error = ui.escape(str(details.get("error") or action.error or "no reason was recorded"))
    return f"<span style='color:{colors()['error']}'>Chat action failed: {what}: {error}</span>"


_DECIDERS = {"user": "you", "policy": "the policy", "grace": "Grace"}  # an audit entry's actor, in words


def _file_url(path: str) -> str:
    from grace_desktop.qt import QUrl

    return QUrl.fromLocalFile(path).toString()


def _banner_style() -> str:
    return f"#waiting {{ background: {colors()['banner']}; border-radius: 6px; }}"


def _muted(text: str) -> str:
    return f"<p style='color:{colors()['muted']}'>{ui.escape(text)}</p>"


def _brush(name: str) -> Any:
    from grace_desktop.qt import QBrush, QColor

    return QBrush(QColor(colors()[name]))


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
