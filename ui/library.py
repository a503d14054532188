"""The Library pane: every document with its state, failures with their reasons, watched
folders, and the first-start offer of the sample documents."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ui
from engine.tables.model import source_file
from grace_desktop import appsettings
from grace_desktop.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QColor,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QItemSelectionModel,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMenu,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPushButton,
    QSortFilterProxyModel,
    QSplitter,
    QStackedWidget,
    Qt,
    QTableView,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)

from .errors import confirmed
from .tables import grid_view
from .theme import colors
from .watched import WatchedFolders, add_delete_key

if TYPE_CHECKING:
    from engine import Changes
    from grace_desktop.runner import Runner

COLUMNS = [("Name", "name"), ("Kind", "kind"), ("Size", "size"), ("Passages", "chunks"), ("Status", "status"),
           ("Last ingested", "updated_at")]
_NUMERIC = {"size", "chunks"}
RESIZE_PRECISION = 500  # rows a column's width is measured over: enough to see a long one, cheap for thousands
LIVE_PAUSE_FACTOR = 4  # while an ingest runs, at most a fifth of the time goes to refreshing the list
Index = QModelIndex | QPersistentModelIndex


class DocumentsModel(QAbstractTableModel):
    """The rows of ``Workspace.documents()``; failed rows in red with their reason as tooltip.

    The model sorts its own rows (the view's header asks through ``DocumentsFilter.sort``):
    one Python sort by key instead of the proxy's comparisons, each asking ``data`` twice,
    which took a fifth of a second for two thousand documents, on every change.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.order: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = self._sorted(rows)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column``, keeping the selection (persistent indexes) on the same documents."""
        self.order = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        paths = [self.rows[i.row()]["path"] for i in old]
        self.rows = self._sorted(self.rows)
        where = {r["path"]: n for n, r in enumerate(self.rows)}
        self.changePersistentIndexList(old, [self.index(where[p], i.column()) for p, i in zip(paths, old, strict=True)])
        self.layoutChanged.emit()

    def _sorted(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        column, order = self.order
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else "name"
        return sorted(rows, key=lambda row: _sort_value(row, key), reverse=order == Qt.SortOrder.DescendingOrder)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, key = self.rows[index.row()], COLUMNS[index.column()][1]
        failed = row["status"] == "failed"
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if failed:
                return f"Could not read {row['name']}: {row['error']}"
            return f"{row['path']}\nPartly read: {row['partial']}" if row.get("partial") else row["path"]
        if role == Qt.ItemDataRole.ForegroundRole and failed:
            return QColor(colors()["error"])
        if role == Qt.ItemDataRole.TextAlignmentRole and key in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "status":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def _sort_value(row: dict[str, Any], key: str) -> tuple[float, str]:
    """What a column sorts by: numbers and times as numbers, text without case and with the numbers
    in it in order ("journal-2" before "journal-10"), then by path."""
    value = row.get(key)
    if key in _NUMERIC or key == "updated_at":
        return (float(value or 0), row["path"])
    return (0.0, _NUMBER.sub(lambda m: m.group().zfill(20), f"{str(value or '').lower()}\0{row['path']}"))


_NUMBER = re.compile(r"\d{1,20}")


def with_table_states(ws: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with each table file's tables by state: ``in_table`` (the tables its rows went
    into), ``waiting`` (the tables they wait to go into, until approved in Approvals) or
    ``rejected`` (refused), each the tables' names joined (a workbook's sheets make one each). A
    file read as a table is not searchable text: until approved, nothing of it can be found, and
    the Library says why."""
    state: dict[str, tuple[str, str, str]] = {}
    for status in ("rejected", "applied", "pending"):  # newest first within each: a later state wins
        for p in reversed(ws.tables.proposals(status)):
            if p.kind in ("new", "append"):
                state[p.source] = (status, p.table, p.reason or "")
    by_file: dict[str, list[tuple[str, str, str]]] = {}
    for source, found in state.items():  # a sheet's source is "book.xlsx#Sheet 1"
        by_file.setdefault(source_file(source), []).append(found)
    for row in rows:
        if row.get("kind") != "table":
            continue
        for status, key in (("applied", "in_table"), ("pending", "waiting"), ("rejected", "rejected")):
            tables = [(t, why) for s, t, why in by_file.get(row["path"], []) if s == status]
            if tables:
                row[key] = ", ".join(dict.fromkeys(t for t, _ in tables))
            if status == "rejected" and tables:
                row["rejected_why"] = "; ".join(dict.fromkeys(why for _, why in tables if why))
    return _with_copies(rows)


_STATE_KEYS = ("in_table", "waiting", "rejected", "rejected_why")


def _with_copies(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A table file with the same bytes as another is not proposed again: its rows are the other's.
    It shows the other's tables and states, and ``same_as``: the other's path."""
    owners: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.get("content_hash") and any(row.get(k) for k in _STATE_KEYS):
            owners.setdefault(row["content_hash"], row)
    for row in rows:
        owner = owners.get(row.get("content_hash") or "")
        if row.get("kind") == "table" and row["status"] == "ok" and owner is not None and owner is not row \
                and not any(row.get(k) for k in _STATE_KEYS):
            row.update({k: owner[k] for k in _STATE_KEYS if owner.get(k)}, same_as=owner["path"])
    return rows


def _display(row: dict[str, Any], key: str) -> str:
    if key == "kind":
        fmt = row.get("format") or "unknown"
        return f"table ({fmt})" if row.get("kind") == "table" else fmt
    if key == "size":
        return ui.human_size(row.get("size"))
    if key == "chunks":
        return "" if row["status"] == "failed" or row.get("kind") == "table" else str(row.get("chunks") or 0)
    if key == "updated_at":
        return ui.human_time(row.get("updated_at"))
    if key == "status" and _no_text(row):
        return "no text"
    if key == "status" and row["status"] == "ok" and row.get("partial"):
        return "ok (part)"  # ingested, but a limit or encoded data left some of it out
    if key == "status" and row["status"] == "ok" and row.get("waiting"):
        return "waiting for approval"
    if key == "status" and row["status"] == "ok" and row.get("rejected"):
        return "part rejected" if row.get("in_table") else "table rejected"
    return str(row.get(key) or "")


def _no_text(row: dict[str, Any]) -> bool:
    """Read without a failure, yet nothing in it to search ("ok" and 0 passages said nothing of it)."""
    return row["status"] == "ok" and row.get("kind") != "table" and not row.get("chunks")


# The status filter's choices, each the rows whose Status column reads so (see ``status_group``).
STATUS_FILTERS = (("All documents", "all"), ("Read (ok)", "ok"), ("No text", "no text"),
                  ("Waiting or rejected", "table"), ("Failed", "failed"))


def status_group(row: dict[str, Any]) -> str:
    """Which status filter lists ``row``, as its Status column reads: "ok" (and "ok (part)"), "no text",
    "table" (its table waits for approval or was rejected), or the engine's status ("failed")."""
    if row["status"] != "ok":
        return str(row["status"])
    shown = _display(row, "status")
    return shown if shown == "no text" else "ok" if shown.startswith("ok") else "table"


class DocumentsFilter(QSortFilterProxyModel):
    """Filters by a text (in the name or path) and a status group (``STATUS_FILTERS``); sorting is
    the source model's (see ``DocumentsModel``), so the proxy keeps its order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text, self.status = "", "all"

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

    def set_filter(self, text: str | None = None, status: str | None = None) -> None:
        self.beginFilterChange()
        self.text = (text if text is not None else self.text).strip().lower()
        self.status = status or self.status
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, _parent: Index) -> bool:  # noqa: N802 - Qt's name
        row = self.sourceModel().rows[source_row]  # type: ignore[attr-defined]
        if self.status != "all" and status_group(row) != self.status:
            return False
        return not self.text or self.text in row["path"].lower()


class SampleBanner(QFrame):
    """The first-start offer: load a few sample documents, or dismiss for good."""

    accepted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sampleBanner")
        text = QLabel("<b>New to Grace?</b> Load a few sample documents to see how it reads, finds and cites.")
        text.setWordWrap(True)
        self.load_button = QPushButton("Load the sample documents")
        self.load_button.clicked.connect(self._accept)
        dismiss = QPushButton("No thanks")
        dismiss.setFlat(True)
        dismiss.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        row.addWidget(text, 1)
        row.addWidget(self.load_button)
        row.addWidget(dismiss)
        self.setStyleSheet(f"#sampleBanner {{ background: {colors()['banner']}; border-radius: 6px; }}")
        self.hide()

    def _accept(self) -> None:
        self.dismiss()
        self.accepted.emit()

    def dismiss(self) -> None:
        appsettings.save("library/sample_dismissed", True)
        self.hide()

    def offer(self, library_empty: bool) -> None:
        """Show the banner when the library is empty and the offer was not dismissed."""
        self.setVisible(library_empty and not appsettings.load_bool("library/sample_dismissed"))


class LibraryPane(QWidget):
    """Documents in a sortable, filterable table, with details, Retry, Open and Remove."""

    loaded = Signal()  # the first list of documents arrived
    sample_requested = Signal()

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.confirm: Callable[[str], bool] = self._ask
        self.has_loaded = False
        self._reading_since: float | None = None  # a read of the documents is on its way
        self._shown_at, self._refresh_cost = 0.0, 0.0  # when the list was last shown, and what that took
        self.model = DocumentsModel(self)
        self.proxy = DocumentsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.banner = SampleBanner(self)
        self.banner.accepted.connect(self.sample_requested)
        self._build()
        runner.workspace_opened.connect(lambda _ws: self.refresh())
        runner.changed.connect(self.on_changed)

    # -- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.filter_edit = QLineEdit(placeholderText="Filter by name or folder…", clearButtonEnabled=True)
        self.filter_edit.textChanged.connect(lambda t: self._refilter(text=t))
        self.status_combo = QComboBox()
        for label, value in STATUS_FILTERS:
            self.status_combo.addItem(label, value)
        self.status_combo.setToolTip("Show the documents whose Status reads so: read, read with no text in it, "
                                     "with a table waiting for approval or rejected, or not read")
        self.status_combo.currentIndexChanged.connect(lambda _i: self._refilter(status=self.status_combo.currentData()))
        self.count_label = QLabel("")
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Read the selected failed files again")
        self.retry_button.clicked.connect(self.retry_selected)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setToolTip("Forget the selected documents (their files are left alone; Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        tools = QHBoxLayout()
        tools.addWidget(self.filter_edit, 1)
        tools.addWidget(self.status_combo)
        tools.addWidget(self.count_label)
        tools.addStretch()
        tools.addWidget(self.retry_button)
        tools.addWidget(self.remove_button)
        self.table = self._build_table()
        self.keyboard_entry = self.table
        self.placeholder = QLabel("Opening workspace…", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.placeholder.setStyleSheet(f"color: {colors()['muted']}; font-size: 13pt; padding: 24px;")
        self.views = QStackedWidget()
        self.views.addWidget(self.placeholder)
        self.views.addWidget(self.table)
        self.details = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setFrameShape(QFrame.Shape.StyledPanel)
        self.details.setContentsMargins(8, 6, 8, 6)
        self.watched = WatchedFolders(self.runner, self)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.details)
        bottom.addWidget(self.watched)
        bottom.setSizes([600, 360])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.views)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([480, 150])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.banner)
        layout.addLayout(tools)
        layout.addWidget(self.splitter, 1)
        self._update_details()
        self.restore_state()

    def _build_table(self) -> QTableView:
        table = grid_view(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(26)
        table.horizontalHeader().setStretchLastSection(False)
        _fit_columns(table)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.doubleClicked.connect(lambda _index: self.open_selected())
        ui.add_shortcut(table, [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)], self.open_selected,
                        "Open", Qt.ShortcutContext.WidgetShortcut)
        add_delete_key(table, "Remove from workspace…", self.remove_selected)
        table.selectionModel().selectionChanged.connect(lambda *_: self._update_details())
        return table

    # -- data ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the documents again (in a worker) and show them."""
        self._read_rows()
        self.watched.refresh()

    def on_changed(self, changes: Changes) -> None:
        if (changes.documents or changes.proposals) and not self._too_soon():  # proposals: a table file's state
            self._read_rows()
        if changes.watches:
            self.watched.refresh()

    def _read_rows(self) -> None:
        self._reading_since = time.monotonic()
        self.runner.fetch("documents", lambda ws: with_table_states(ws, ws.documents()), self._show_rows, owner=self)

    def _too_soon(self) -> bool:
        """While an ingest runs, a refresh waits for the one still reading, and for a pause as long as
        a few refreshes took (a big workspace); the ingest's end refreshes anyway."""
        if not self.runner.ingesting:
            return False
        return (self._reading_since is not None
                or time.monotonic() - self._shown_at < LIVE_PAUSE_FACTOR * self._refresh_cost)

    def _show_rows(self, rows: list[dict[str, Any]]) -> None:
        started = self._reading_since or time.monotonic()
        selected = set(self.selected_paths())
        self.model.set_rows(rows)
        self._reselect(selected)
        self.watched.set_documents([r["path"] for r in rows])
        self.banner.offer(not rows)
        self._update_counts()
        self._shown_at = time.monotonic()
        self._refresh_cost, self._reading_since = self._shown_at - started, None
        if not self.has_loaded:
            self.has_loaded = True
            self.loaded.emit()

    def _reselect(self, paths: set[str]) -> None:
        if not paths:
            return
        selection = self.table.selectionModel()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.model.rows[self.proxy.mapToSource(index).row()]["path"] in paths:
                selection.select(index, flags)

    def _refilter(self, text: str | None = None, status: str | None = None) -> None:
        self.proxy.set_filter(text, status)
        self._update_counts()

    def _update_counts(self) -> None:
        rows = self.model.rows
        failed = sum(1 for r in rows if r["status"] == "failed")
        shown = self.proxy.rowCount()
        text = f"{len(rows)} document{'s' if len(rows) != 1 else ''}" + (f", {failed} failed" if failed else "")
        self.count_label.setText(text if shown == len(rows) else f"{shown} of {text}")
        if not rows:
            self.placeholder.setText("Nothing here yet.\nDrop files or folders anywhere on this window, "
                                     "or choose File ▸ Add files… (Ctrl+O).")
        elif not shown:
            self.placeholder.setText("No documents match this filter.")
        self.views.setCurrentWidget(self.table if shown else self.placeholder)
        self._update_details()

    # -- selection and actions -------------------------------------------------------------

    def selected_rows(self) -> list[dict[str, Any]]:
        """The documents selected in the table."""
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [self.model.rows[self.proxy.mapToSource(i).row()] for i in indexes]

    def selected_paths(self) -> list[str]:
        return [r["path"] for r in self.selected_rows()]

    def select_path(self, path: str) -> bool:
        """Select the document at ``path`` (used by tests and by other panes)."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.model.rows[self.proxy.mapToSource(index).row()]["path"] == path:
                # not selectRow: with Ctrl held (a shortcut just typed) it toggles a selected row off
                flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                self.table.selectionModel().setCurrentIndex(index, flags)
                return True
        return False

    def _update_details(self) -> None:
        rows = self.selected_rows()
        failed = [r for r in rows if r["status"] == "failed"]
        self.retry_button.setEnabled(bool(failed))
        self.remove_button.setEnabled(bool(rows))
        self.details.setText(_details_html(rows))

    def retry_selected(self) -> None:
        """Queue the selected failed files for another read."""
        paths = [r["path"] for r in self.selected_rows() if r["status"] == "failed"]
        if paths:
            self.runner.ingest(paths, label=f"Retrying {', '.join(os.path.basename(p) for p in paths[:3])}"
                                            + (" and more" if len(paths) > 3 else ""), retry=True)

    def remove_selected(self) -> None:
        """Forget the selected documents, after asking."""
        paths = self.selected_paths()
        if not paths:
            return
        what = os.path.basename(paths[0]) if len(paths) == 1 else f"these {len(paths)} documents"
        folders = [self.watched.folder_holding(p) for p in paths]
        note = _tables_note(self.selected_rows(), self.model.rows) + _watched_note(paths, folders)
        if self.confirm(f"Remove {what} from Grace? The files themselves are left alone.{note}"):
            self.runner.run_op(lambda ws: ws.remove_documents(paths), "removing documents")

    def open_selected(self, folder: bool = False) -> None:
        """Open the selected documents (or their folders) with the system's applications."""
        for path in self.selected_paths()[:10]:
            target = os.path.dirname(path) if folder else path
            ui.open_url(QUrl.fromLocalFile(target))

    def _context_menu(self, pos: QPoint) -> None:
        """Right-click, or the Menu key (Shift+F10): what to do with the selected documents, and sorting
        by the current column (the header alone did it, out of the keyboard's reach)."""
        rows = self.selected_rows()
        menu = QMenu(self)
        if rows:
            menu.addAction("Open", self.open_selected)
            menu.addAction("Open containing folder", lambda: self.open_selected(folder=True))
            if any(r["status"] == "failed" for r in rows):
                menu.addAction("Retry", self.retry_selected)
            menu.addSeparator()
            menu.addAction("Remove from workspace…", self.remove_selected)
            menu.addSeparator()
        self._sort_entries(menu)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _sort_entries(self, menu: QMenu) -> None:
        column = max(self.table.currentIndex().column(), 0)
        name = self.model.headerData(column, Qt.Orientation.Horizontal)
        up, down = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
        menu.addAction(f"Sort by {name}, ascending", lambda: self.table.sortByColumn(column, up))
        menu.addAction(f"Sort by {name}, descending", lambda: self.table.sortByColumn(column, down))

    def _ask(self, question: str) -> bool:
        return confirmed(self, question)

    # -- remembered layout -----------------------------------------------------------------

    def restore_state(self) -> None:
        header = appsettings.load("library/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
            _fit_columns(self.table)  # a layout saved before the columns fitted their contents
        splitter = appsettings.load("library/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_state(self) -> None:
        appsettings.save("library/header", self.table.horizontalHeader().saveState())
        appsettings.save("library/splitter", self.splitter.saveState())


def _fit_columns(table: QTableView) -> None:
    """The other columns as wide as what they hold, and Name the rest: at 800 pixels a fixed-width
    Status and Last ingested kept their room while "household_spending.csv" read "household_…"."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setResizeContentsPrecision(RESIZE_PRECISION)


def _tables_note(rows: list[dict[str, Any]], others: Sequence[dict[str, Any]] = ()) -> str:
    """What removing table files does to their tables: a table made stays, with any edits made
    to it; a table waiting for approval is not made, unless a copy of the file (among ``others``,
    the documents that stay) takes it over. Removing a copy changes no table."""
    leaving = {r["path"] for r in rows}
    heirs = {r["content_hash"]: r for r in others if r["path"] not in leaving and r["status"] == "ok"
             and r.get("content_hash")}
    owned = [r for r in rows if not r.get("same_as")]
    handed = [r for r in owned if r.get("content_hash") in heirs and (r.get("in_table") or r.get("waiting"))]
    return _kept_note([r for r in owned if r not in handed]) + "".join(
        f" {os.path.basename(heirs[r['content_hash']]['path'])} has the same content, so it takes over the table "
        f"{', '.join(dict.fromkeys(filter(None, (r.get('in_table'), r.get('waiting')))))}." for r in handed)


def _kept_note(rows: list[dict[str, Any]]) -> str:
    """What becomes of the tables of table files removed with no copy left."""
    made = ", ".join(dict.fromkeys(r["in_table"] for r in rows if r.get("in_table")))
    waiting = ", ".join(dict.fromkeys(r["waiting"] for r in rows if r.get("waiting")))
    note = ""
    if made:
        several = "," in made
        them = "them" if several else "it"
        note += (f" The table{'s' if several else ''} {made} and any edits made to {them} stay in Tables; "
                 f"delete {them} there if you no longer want {them}.")
    if waiting:
        note += f" The proposed table {waiting}, waiting in Approvals, is withdrawn."
    return note


def _watched_note(paths: list[str], folders: list[str | None]) -> str:
    """Why a removal will not last: a document in a watched folder is read again at its next scan."""
    inside = sorted({f for f in folders if f})
    if not inside:
        return ""
    folder = "folder" if len(inside) == 1 else "folders"
    where = f"the watched {folder} {', '.join(inside)}"
    if len(paths) == 1:
        return (f" It is in {where}, so it comes back when the folder is next scanned; remove it from disk or "
                "stop watching the folder to keep it out.")
    n = sum(1 for f in folders if f)
    who = "They are" if n == len(paths) else f"{n} of them are"
    return (f" {who} in {where}, so they come back when the {folder} {'is' if len(inside) == 1 else 'are'} next "
            f"scanned; remove them from disk or stop watching the {folder} to keep them out.")


def _details_html(rows: list[dict[str, Any]]) -> str:
    muted, error = colors()["muted"], colors()["error"]
    if not rows:
        return (f"<span style='color:{muted}'>Select a document to see its details. Double-click or Enter "
                "opens it.</span>")
    if len(rows) > 1:
        failed = sum(1 for r in rows if r["status"] == "failed")
        return f"<b>{len(rows)} documents selected</b>" + (f", {failed} of them failed." if failed else ".")
    r = rows[0]
    lines = [f"<b>{ui.escape(r.get('title') or r['name'])}</b>", f"<span style='color:{muted}'>"
             f"{ui.escape(r['path'])}</span>"]
    if r["status"] == "failed":
        lines.append(f"<span style='color:{error}'><b>Could not be read:</b> {ui.escape(r['error'] or '')}</span>")
        lines.append("Fix the file (or the setting that refused it), then choose <b>Retry</b>.")
    else:
        count = r.get("chunks") or 0
        kind = "a table" if r.get("kind") == "table" else f"{count} passage{'' if count == 1 else 's'}"
        lines.append(f"{_display(r, 'kind')}, {ui.human_size(r.get('size'))}, {kind}; "
                     f"last read {ui.human_time(r.get('updated_at'))}.")
        if _no_text(r):
            lines.append(f"<b>Nothing to search:</b> {ui.NO_TEXT}.")
        if r.get("partial"):
            lines.append(f"<b>Partly read:</b> {ui.escape(r['partial'])}.")
        if r.get("same_as"):
            other = ui.escape(os.path.basename(r["same_as"]))
            lines.append(f"<b>Same content as {other}</b> <span style='color:{muted}'>({ui.escape(r['same_as'])})"
                         f"</span>: its rows are {other}'s, so they are not proposed a second time. If {other} is "
                         "removed, this file takes over its table.")
        if r.get("in_table"):
            several = "," in r["in_table"]
            lines.append(f"Its rows are in the table{'s' if several else ''} <b>{ui.escape(r['in_table'])}</b> "
                         "(see Tables).")
        if r.get("waiting"):
            lines.append(f"<b>Waiting for your approval:</b> its rows go into the table "
                         f"<b>{ui.escape(r['waiting'])}</b> once you approve it in Approvals; until then "
                         "search and chat cannot use them.")
        if r.get("rejected"):
            lines.append(_rejected_line(r))
    return "<br>".join(lines)


def _rejected_line(r: dict[str, Any]) -> str:
    """What became of a table file's rejected table(s), with the reason given; when some other
    sheet's table was made or waits, it names the rejected one(s) rather than "its table"."""
    names = ui.escape(r["rejected"])
    several = "," in r["rejected"]
    alone = not (r.get("in_table") or r.get("waiting"))
    whose = "Its" if alone and not several else "The"
    what = f"{whose} table{'s' if several else ''} {names} {'were' if several else 'was'} rejected"
    why = f" (“{ui.escape(r['rejected_why'])}”)" if r.get("rejected_why") else ""
    those = "its rows are" if alone else "those rows are"
    return (f"<b>{what}</b>{why}: {those} not in any table, and search and chat do not use them. "
            "<b>Propose again</b> in Approvals reconsiders it.")
