"""The table editor pane: the person's tables, a lazy grid to browse and edit them, and a read-only SQL box.

The pane is thin: every read and write goes through ``ws.tables``. Writes return the
engine's ``Changes``, which the pane re-emits on ``changed`` so the shell can tell
the other panes; ``on_changes`` is the slot the shell calls in return.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.tables import RowFilter
from engine.tables.api import QUERY_CANCELLED, QueryStop
from engine.tables.browse import EXPORT_FORMATS
from engine.tables.domain import bookkeeping, persons_own
from grace_desktop.qt import (
    QAbstractItemModel,
    QAbstractItemView,
    QColor,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPoint,
    QPushButton,
    QSplitter,
    QStackedWidget,
    Qt,
    QTableView,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

from . import add_shortcut, file_dialogs
from .errors import confirmed
from .links import LinkLabel
from .table_model import LazyTableModel, ResultModel, run_engine, try_call
from .theme import colors

SEARCH_DELAY_MS = 250
LIST_WIDTH = 220  # px the table list takes in a wide pane: long table names read whole
LIST_SHARE, LIST_MIN_WIDTH = 0.24, 140  # in a narrow pane (under ~920 px): its share, and no less than this
PLACEHOLDER_ROOM = 36  # px a line edit needs beside its placeholder: frame, margins and the clear button
QUERY_LIMIT = 10_000  # rows a query shows at most
NO_COLUMN = "there is no column"  # how ``engine.errors.in_words`` names an unknown column
COLUMNS_SHOWN = 20  # a table's columns named after a query asked for one it lacks
EXPORT_FILTERS = ";;".join(f"{label} (*{suffix})" for suffix, label in EXPORT_FORMATS.items())
EMPTY_TEXT = ("No tables yet. Add a CSV, JSON, Excel or Parquet file with File ▸ Add files… (Ctrl+O), or drop it "
              "on Grace: a clean file becomes a table here at once; one Grace is unsure of waits for you in "
              "Approvals.")
CATALOG_LINK = ("<p>Grace also keeps {n} empty catalog tables that documents fill once you approve their "
                "rows: <a href='catalog'>show them</a>.</p>")
TABLE_NAME = Qt.ItemDataRole.UserRole  # on a list item: the table it opens (none on the catalog group)


class MessageLine(QLabel):
    """One line under a view for what just happened: plain for news, red for a failure."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = False  # a failure is showing
        self.hide()

    def say(self, text: str, error: bool = False) -> None:
        """Show ``text`` (or hide the line when it is empty)."""
        self.setStyleSheet(f"color: {colors()['error']};" if error else "")
        self.setText(text)
        self.setVisible(bool(text))
        self.error = error and bool(text)

    def clear_error(self) -> None:
        """A failure is news until the person does something else that works."""
        if self.error:
            self.say("")

    def fail(self, text: str) -> None:
        self.say(text, error=True)


def with_suffix(path: str, name_filter: str) -> str:
    """``path``, ending in the extension of the chosen file-dialog filter when it has no known one."""
    if Path(path).suffix.lower() in EXPORT_FORMATS:
        return path
    found = re.search(r"\(\*(\.\w+)\)", name_filter)
    return path + found.group(1) if found else path


def empty_state(text: str, kind: type[QLabel] = QLabel) -> QLabel:
    """A friendly sentence shown, centred, where a view has nothing to show yet (a ``LinkLabel``
    when it has links the keyboard should reach)."""
    label = kind(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setMargin(48)
    label.setStyleSheet(f"color: {colors()['muted']}; font-size: 11pt;")
    return label


def grid_view(model: QAbstractItemModel) -> QTableView:
    """A grid over ``model``, one line a cell, where Tab moves on to the next control (arrows move
    within the grid; Tab while editing a cell still goes to the next cell)."""
    view = QTableView()
    view.setModel(model)
    view.setTabKeyNavigation(False)
    view.setWordWrap(False)
    # Names at the left of their columns, above where the values start: centred over a column of
    # long text, a name sat off screen until the grid was scrolled (the walkthrough's note sample).
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


def compact_rows(view: QTableView) -> None:
    """Rows of one fixed, text-high size: no per-row measuring, so a million rows cost nothing."""
    rows = view.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
    rows.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class QueryBox(QWidget):
    """A read-only SQL box: type a query, press Run (or Ctrl+Enter), see the rows below.

    With a runner the query runs in its query pool, so a long one freezes neither the window
    nor approvals and exports; Cancel (or Esc) interrupts it.
    """

    def __init__(self, tables: Any, parent: QWidget | None = None, runner: Any = None) -> None:
        super().__init__(parent)
        self.tables = tables
        self.runner = runner
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("SELECT … FROM … (read-only; Ctrl+Enter runs it)")
        self.editor.setMaximumHeight(72)
        self.editor.setTabChangesFocus(True)  # Tab goes on to Run; a query needs no tab characters
        self.run_button = QPushButton("&Run")
        self.run_button.setToolTip("Run the query (Ctrl+Enter)")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running query (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self._stop: QueryStop | None = None  # the running query's
        self._sql = ""  # the query last run
        self.message = MessageLine()
        self.results = ResultModel(self)
        self.view = grid_view(self.results)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setStretchLastSection(False)
        compact_rows(self.view)
        self._layout()
        self._show_view(False)  # until there is a result to show
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            add_shortcut(self.editor, keys, self.run, "Run query")
        add_shortcut(self, "Esc", self.cancel, "Cancel the query")

    def _layout(self) -> None:
        buttons = QVBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.editor, 1)
        top.addLayout(buttons)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel("Ask your tables in SQL (read-only):"))
        box.addLayout(top)
        box.addWidget(self.message)
        box.addWidget(self.view, 1)
        box.addStretch(0)  # takes the room while there are no results

    def _show_view(self, visible: bool) -> None:
        self.view.setVisible(visible)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.setStretch(layout.count() - 1, 0 if visible else 1)

    def run(self) -> bool:
        """Run the query in the box; show its rows, or its failure as a sentence in red.

        Returns False when there is no query to run.
        """
        sql = self.editor.toPlainText().strip()
        if self.tables is None:
            self.message.fail("The workspace is still opening; try again in a moment.")
            return False
        if not sql:
            self.message.fail("Type a query first, for example: SELECT * FROM my_table LIMIT 10")
            return False
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.say("Running…")
        tables, stop = self.tables, QueryStop()
        self._stop, self._sql = stop, sql
        run_engine(self.runner, lambda: tables.query(sql, QUERY_LIMIT, stop), "run the query",
                   lambda result: self._show(result, stop), lambda sentence: self._fail(sentence, stop),
                   query=True, stop=stop.cancel)
        return True

    def cancel(self) -> bool:
        """Interrupt the running query (it then says "Query cancelled."); False when none runs."""
        if self._stop is None or self._stop.cancelled:
            return False
        self._stop.cancel()
        self.cancel_button.setEnabled(False)
        self.message.say("Cancelling…")
        return True

    def _over(self, stop: QueryStop) -> bool:
        """The query ``stop`` belongs to ended: re-enable Run; False if a newer query has started since."""
        if stop is not self._stop:
            return False
        self._stop = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        return True

    def _show(self, result: tuple[list[str], list[tuple]], stop: QueryStop) -> None:
        if not self._over(stop):
            return
        names, rows = result
        self.results.set_result(names, rows)
        self._show_view(True)
        self.view.resizeColumnsToContents()
        more = " (the first ones; add LIMIT or a WHERE clause to see others)" if len(rows) >= QUERY_LIMIT else ""
        self.message.say(f"{len(rows):,} row{'s' if len(rows) != 1 else ''}{more}.")

    def _fail(self, sentence: str, stop: QueryStop) -> None:
        if not self._over(stop):
            return
        self.results.set_result([], [])
        self._show_view(False)
        if stop.cancelled:
            self.message.say(QUERY_CANCELLED)
        else:
            hint = columns_hint(self._sql, self.tables) if NO_COLUMN in sentence else ""
            self.message.fail(sentence + ("" if not hint or sentence.endswith((".", "?")) else ".") + hint)


def columns_hint(sql: str, tables: Any) -> str:
    """" Columns of “people”: name, age, city." for each table ``sql`` names: after "there is no column
    “shop”" (which offers only a close match) the person sees what the table does have."""
    words = set(re.findall(r"\w+", sql.lower()))
    named = [info for info in tables.list() if info.name.lower() in words][:3]
    return "".join(f" Columns of “{info.name}”: {', '.join(c.name for c in info.columns[:COLUMNS_SHOWN])}"
                   f"{', …' if len(info.columns) > COLUMNS_SHOWN else ''}." for info in named)


class AddRowDialog(QDialog):
    """Asks for the values of a new row, one field per column; a blank field stays empty. With
    ``submit`` (values -> why they were refused, or None), OK adds the row, and a refusal stays in
    the dialog with every value typed, the field it names chosen."""

    def __init__(self, table: str, columns: list[Any], parent: QWidget | None = None,
                 submit: Callable[[dict[str, object]], str | None] | None = None, note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Add a row to “{table}”")
        self.setMinimumWidth(380)
        self.submit = submit
        self._fields: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        self.note = QLabel(note, wordWrap=True)
        self.note.setVisible(bool(note))
        form.addRow(self.note)
        for col in columns:
            edit = QLineEdit()
            edit.setPlaceholderText(col.kind)
            self._fields[col.name] = edit
            form.addRow(f"{col.name}:", edit)
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet(f"color: {colors()['error']};")
        self.problem.hide()
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, object]:
        """The values typed, by column name (blank fields are left out)."""
        return {name: edit.text() for name, edit in self._fields.items() if edit.text() != ""}

    def accept(self) -> None:
        problem = self.submit(self.values()) if self.submit is not None else None
        if problem is None:
            super().accept()
            return
        self.problem.setText(problem)
        self.problem.show()
        named = next((edit for name, edit in self._fields.items() if f"column '{name}'" in problem), None)
        if named is not None:
            named.setFocus()
            named.selectAll()


class TablesPane(QWidget):
    """The table editor: tables on the left; on the right the grid, its filters and actions, and SQL.

    ``changed`` carries the engine's ``Changes`` after each edit the pane makes. With a
    ``runner`` (``grace_desktop.runner.Runner``), exports and SQL queries run in its
    worker; pages and single edits are a few milliseconds and run here. ``ws`` may be
    None while the workspace opens; ``set_workspace`` then shows it.
    """

    changed = Signal(object)

    def __init__(self, ws: Any, parent: QWidget | None = None, runner: Any = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self._own: object = None  # the Changes this pane last emitted (no need to refresh for it again)
        self.model = LazyTableModel(ws.tables if ws else None, parent=self)
        self._column_filters: dict[str, str] = {}
        self._totals: dict[str, int] = {}
        self._catalog_shown = False  # the catalog's empty tables: listed closed until asked for
        self._mine: set[str] | None = None  # the person's tables at the last reading (None: not read yet)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self._build()
        self.model.failed.connect(self.message.fail)
        self.model.changed.connect(self._after_edit)
        self.model.waiting.connect(self._held_for_approval)
        self.reload_tables()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.table_list = self._build_list()
        self.message = MessageLine()
        self.view = self._build_grid()
        self.query_box = QueryBox(self.ws.tables if self.ws else None, runner=self.runner)
        editor = QWidget()
        box = QVBoxLayout(editor)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(self._build_filters())
        box.addWidget(self.view, 1)
        box.addLayout(self._build_actions())
        box.addWidget(self.message)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(editor)
        right.addWidget(self.query_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([450, 250])
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table_list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([LIST_WIDTH, 780])
        self._list_dragged = False  # once the person drags the splitter, its place is theirs
        split.splitterMoved.connect(lambda _pos, _i: setattr(self, "_list_dragged", True))
        self.empty = empty_state(EMPTY_TEXT, LinkLabel)
        self.empty.linkActivated.connect(self.show_catalog)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(split)
        QVBoxLayout(self).addWidget(self.stack)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self._list_dragged:
            self._fit_list(event.size().width())

    def _fit_list(self, width: int) -> None:
        """The table list's width for a pane ``width`` wide: ``LIST_WIDTH``, or in a narrow pane a
        share of it, so the grid and its filters have the room (at 800 px the list kept 210 of 634)."""
        wanted = min(LIST_WIDTH, max(LIST_MIN_WIDTH, int(width * LIST_SHARE)))
        sizes = self.split.sizes()
        if sum(sizes) and sizes[0] != wanted:
            self.split.setSizes([wanted, sum(sizes) - wanted])

    def _build_list(self) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(["Table", "Rows"])
        tree.setRootIsDecorated(True)  # the catalog's empty tables are a group that opens
        tree.setUniformRowHeights(True)
        tree.header().setStretchLastSection(False)
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        tree.currentItemChanged.connect(self._chosen_in_list)
        return tree

    def _chosen_in_list(self, item: QTreeWidgetItem | None, _old: Any = None) -> None:
        name = item.data(0, TABLE_NAME) if item is not None else None
        if name:  # the catalog group opens no table
            self.show_table(name)

    def _build_filters(self) -> QHBoxLayout:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search rows…")  # "Search every column…" read "Search every colu…" at 800 px
        self.search.setToolTip("Show the rows with this text in any column")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.filter_column = QComboBox()
        self.filter_column.setToolTip("The column to filter")
        self.filter_column.currentTextChanged.connect(self._show_column_filter)
        self.filter_text = QLineEdit()
        self.filter_text.setPlaceholderText("contains…")
        self.filter_text.setClearButtonEnabled(True)
        self.filter_text.textEdited.connect(self._edit_column_filter)
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        for edit in (self.search, self.filter_text):  # the placeholder reads whole, beside the clear button
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + PLACEHOLDER_ROOM)
        row = QHBoxLayout()
        row.addWidget(self.search, 2)
        row.addWidget(QLabel("Filter"))
        row.addWidget(self.filter_column, 1)
        row.addWidget(self.filter_text, 1)
        row.addWidget(self.clear_button)
        return row

    def _build_grid(self) -> QTableView:
        view = grid_view(self.model)
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        compact_rows(view)
        head = view.horizontalHeader()
        head.setSectionsClickable(True)
        head.setSortIndicatorShown(True)
        head.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        head.setStretchLastSection(False)  # a number column stretched put its figures far from their rows
        head.sectionClicked.connect(self.sort_by)
        undo = QKeySequence.StandardKey.Undo
        self.edit_actions = [add_shortcut(view, "Ins", self.add_row, "Add a row"),
                             add_shortcut(view, QKeySequence.StandardKey.Delete, self.delete_selected,
                                          "Delete the selected rows…"),
                             add_shortcut(view, undo, self.undo_last_edit, "Undo the last edit")]
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._grid_menu)
        return view

    def _build_actions(self) -> QHBoxLayout:
        self.add_button = QPushButton("&Add row")
        self.add_button.setToolTip("Add a row (Ins)")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.delete_button = QPushButton("&Delete rows")
        self.delete_button.setToolTip("Delete the selected rows (Del); asks first")
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_button = QPushButton("&Undo last edit")
        self.undo_button.setToolTip("Undo the newest edit, whichever table it was in (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_last_edit)
        self.export_button = QPushButton("E&xport…")
        self.export_button.setToolTip("Save the rows shown (with this filter and order) as a CSV, TSV, Parquet, "
                                      "JSON or Excel file")
        self.export_button.clicked.connect(lambda: self.export_view())
        self.count_label = QLabel()
        row = QHBoxLayout()
        for button in (self.add_button, self.delete_button, self.undo_button, self.export_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.count_label)
        return row

    # -- the list of tables --------------------------------------------------------------

    def set_workspace(self, ws: Any) -> None:
        """Show the tables of ``ws`` (the slot for ``Runner.workspace_opened``)."""
        self.ws = ws
        self.model.set_source(ws.tables)
        self.query_box.tables = ws.tables
        self.reload_tables()

    @property
    def keyboard_entry(self) -> QWidget:
        """Where Ctrl+4 puts the keyboard: the list of tables, or (no table of the person's yet) the
        empty state's link to the catalog's tables, which the keyboard did not reach."""
        return self.empty if self.stack.currentIndex() == 0 else self.table_list

    def on_changes(self, changes: Any) -> None:
        """The shell's slot: refresh when tables changed (counts, rows or schemas) — unless this pane
        made the change and has already refreshed for it."""
        if changes is self._own:
            self._own = None
            return
        if getattr(changes, "tables", False):
            self._refresh()

    def _refresh(self) -> None:
        """Re-read the list and the grid's shape; the rows in sight are fetched again."""
        self.reload_tables()
        if self.model.refresh():
            self._columns_changed()
        self._show_count()

    def reload_tables(self) -> None:
        """Re-read the list of tables, keeping the current one selected if it still exists. The
        person's tables come first; the catalog's empty ones wait in a closed group below."""
        if self.ws is None:
            self.empty.setText("Opening the workspace…")
            return
        ok, infos = try_call(self.ws.tables.list, "list the tables", self.message.fail)
        if not ok or infos is None:
            return
        current = self.model.table
        own = persons_own(infos)
        mine = sorted(own, key=lambda i: (i.name.lower(), i.name))  # in name order, as a person looks for one
        spare = sorted((i for i in infos if i not in own), key=lambda i: (i.name.lower(), i.name))
        self._fill_list(mine, spare)
        names = [info.name for info in mine + spare]
        filled = [info.name for info in mine if info.rows]
        keep = current if current in names else (filled or [info.name for info in mine] or [None])[0]
        made = [info.name for info in mine if self._mine is not None and info.name not in self._mine]
        if made and (current is None or not self.isVisible()):  # made elsewhere (a chat): shown when Tables opens
            keep = made[0]
        self._mine = {info.name for info in mine}
        item = self._item_for(keep)
        if item is not None:
            self.table_list.setCurrentItem(item)
        if keep != current:
            self.show_table(keep)
        shown = bool(mine) or (self._catalog_shown and bool(spare))
        self.empty.setText(EMPTY_TEXT + (CATALOG_LINK.format(n=len(spare)) if spare else ""))
        self.stack.setCurrentIndex(1 if shown else 0)

    def _fill_list(self, mine: list[Any], spare: list[Any]) -> None:
        self._totals = {info.name: info.rows for info in mine + spare}
        self.table_list.blockSignals(True)
        self.table_list.clear()
        for info in mine:
            self.table_list.addTopLevelItem(self._list_item(info))
        if spare:
            group = QTreeWidgetItem([f"Empty catalog tables ({len(spare)})", ""])
            group.setToolTip(0, "Tables of Grace's catalog that documents fill once you approve their rows "
                                "in Approvals; you can also add rows to them by hand.")
            group.setForeground(0, QColor(colors()["muted"]))
            group.addChildren([self._list_item(info) for info in spare])
            self.table_list.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)  # its label has the Rows column's room too
            group.setExpanded(self._catalog_shown)
        self.table_list.blockSignals(False)

    def _item_for(self, name: str | None) -> QTreeWidgetItem | None:
        """The list's item for table ``name`` (in the catalog group too)."""
        if name is None:
            return None
        found = self.table_list.findItems(name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0)
        return next((i for i in found if i.data(0, TABLE_NAME) == name), None)

    def select_table(self, name: str) -> bool:
        """Make ``name`` the current table of the list (False when the list has no such table)."""
        item = self._item_for(name)
        if item is None:
            return False
        group = item.parent()
        if group is not None:
            group.setExpanded(True)
        self.table_list.setCurrentItem(item)
        return True

    def show_catalog(self, _link: str = "") -> None:
        """Show the catalog's empty tables (the link of the empty state)."""
        self._catalog_shown = True
        self.reload_tables()
        group = self.table_list.topLevelItem(self.table_list.topLevelItemCount() - 1)
        first = group.child(0) if group is not None else None
        if first is not None:
            self.select_table(first.data(0, TABLE_NAME))

    @staticmethod
    def _list_item(info: Any) -> QTreeWidgetItem:
        """A row of the list: name and row count; empty tables muted; the description as a tooltip."""
        item = QTreeWidgetItem([info.name, f"{info.rows:,}"])
        item.setData(0, TABLE_NAME, info.name)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        tip = textwrap.fill(info.description or info.name, 70)
        item.setToolTip(0, tip + ("\n\nProtected by the policy: it cannot be dropped." if info.protected else ""))
        if not info.rows:
            for column in (0, 1):
                item.setForeground(column, QColor(colors()["muted"]))
        return item

    def show_table(self, name: str | None) -> None:
        """Open ``name`` in the grid, with no filter and no sort."""
        if name == self.model.table:
            return
        self._column_filters.clear()
        self._clear_search()
        self.message.say("")  # news of another table ("Undid the edit of … in household_budget") is not this one's
        self.model.set_table(name)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._columns_changed()
        self._show_count()
        if name and not self.model.rowCount():  # a blank grid said nothing of what to do with it
            self.message.say(f"“{name}” has no rows yet: Add row (Ins) adds one.")

    def _columns_changed(self) -> None:
        """Offer the grid's columns for filtering and size them to their contents."""
        self.filter_column.blockSignals(True)
        self.filter_column.clear()
        self.filter_column.addItems([c.name for c in self.model.columns])
        self.filter_column.blockSignals(False)
        self._show_column_filter(self.filter_column.currentText())
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Size columns to their header and to the first and last page of rows, within bounds.

        Two pages, not the rows in sight: values often grow down the table ("item 9" … "item 999999").
        """
        model, head, metrics = self.model, self.view.horizontalHeader(), self.view.fontMetrics()
        count, size = model.rowCount(), model.page_size
        sample = [*range(min(count, size)), *range(max(size, count - size), count)]
        for column in range(model.columnCount()):
            texts = [str(model.headerData(column, Qt.Orientation.Horizontal))]
            texts += [model.data(model.index(row, column)) or "" for row in sample]
            widest = max(metrics.horizontalAdvance(text) for text in texts)
            head.resizeSection(column, max(70, min(320, widest + 24)))

    def _show_count(self) -> None:
        total = self._totals.get(self.model.table or "", self.model.rowCount())
        shown = self.model.rowCount()
        if self.model.table is None:
            self.count_label.setText("")
        elif self._filtering():
            self.count_label.setText(f"{shown:,} of {total:,} rows match")
        else:
            self.count_label.setText(f"{shown:,} row{'s' if shown != 1 else ''}")

    # -- filter and sort -----------------------------------------------------------------

    def _filtering(self) -> bool:
        return bool(self.search.text().strip() or self._column_filters)

    def current_filter(self) -> RowFilter | None:
        """The filter the grid shows (None when nothing is filtered)."""
        if not self._filtering():
            return None
        return RowFilter(text=self.search.text().strip(), columns=dict(self._column_filters))

    def apply_filter(self) -> None:
        """Show the rows that match the search box and the column filters."""
        self._search_timer.stop()
        self.message.clear_error()  # before: a filter that fails says so
        self.model.set_filter(self.current_filter())
        self._show_count()

    def _show_column_filter(self, column: str) -> None:
        self.filter_text.setText(self._column_filters.get(column, ""))

    def _edit_column_filter(self, text: str) -> None:
        self.set_column_filter(self.filter_column.currentText(), text, delay=True)

    def set_column_filter(self, column: str, text: str, delay: bool = False) -> None:
        """Keep rows whose ``column`` contains ``text`` (empty text removes that filter)."""
        if not column:
            return
        if text.strip():
            self._column_filters[column] = text.strip()
        else:
            self._column_filters.pop(column, None)
        if column != self.filter_column.currentText():
            self.filter_column.setCurrentText(column)  # shows this column's filter text
        elif self.filter_text.text() != text:
            self.filter_text.setText(text)
        if delay:
            self._search_timer.start()
        else:
            self.apply_filter()

    def clear_filters(self) -> None:
        """Drop the search and every column filter."""
        self._column_filters.clear()
        self.filter_text.clear()
        self._clear_search()
        self.apply_filter()

    def _clear_search(self) -> None:
        """Empty the search box without a delayed search of its own (not by blocking its signals,
        which would leave its clear button showing over the empty box)."""
        self.search.clear()
        self._search_timer.stop()

    def sort_by(self, section: int) -> None:
        """A header click: ascending, then descending, then the table's own order."""
        current = self.model.sort_key
        if current is None or current[0] != self.model.column_name(section):
            self.sort_column(section, True)
        else:
            self.sort_column(section, False if current[1] else None)

    def sort_column(self, section: int, ascending: bool | None) -> None:
        """Order the rows by the column at ``section`` (``None``: the table's own order); the header shows it."""
        self.model.set_sort(None if ascending is None else self.model.column_name(section), ascending is not False)
        order = Qt.SortOrder.DescendingOrder if ascending is False else Qt.SortOrder.AscendingOrder
        self.view.horizontalHeader().setSortIndicator(-1 if ascending is None else section, order)
        self.view.setCurrentIndex(self.model.index(0, section))  # the reset lost the cell: the keyboard goes on from it

    def _grid_menu(self, pos: QPoint) -> None:
        """The grid's menu, by right-click or by the Menu key (Shift+F10) on a cell: sorting by the cell's
        column (the header alone did it, out of the keyboard's reach), and the edits with their keys."""
        menu = QMenu(self)
        column = self.view.currentIndex().column()
        if column >= 0:
            name = self.model.column_name(column)
            menu.addAction(f"Sort by “{name}”, ascending", lambda: self.sort_column(column, True))
            menu.addAction(f"Sort by “{name}”, descending", lambda: self.sort_column(column, False))
            menu.addAction("The table's own order", lambda: self.sort_column(column, None)).setEnabled(
                self.model.sort_key is not None)
            menu.addSeparator()
        menu.addActions(self.edit_actions)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    # -- edits ---------------------------------------------------------------------------

    def _after_edit(self, changes: Any) -> None:
        """An edit went through: clear old news and tell the shell what changed."""
        self.message.say("")
        self._emit(changes)

    def _emit(self, changes: Any) -> None:
        self._own = changes
        self.changed.emit(changes)

    def _held_for_approval(self, sentence: str, changes: Any) -> None:
        """The policy holds this table's edits for approval: say so, and tell the shell of the new proposal."""
        self.message.say(sentence + " Approve it in Approvals.")
        if changes is not None:
            self._emit(changes)

    def _write(self, call: Any, doing: str, on_error: Callable[[str], None] | None = None) -> Any:
        """Run an engine write; on success refresh the grid and the list and re-emit its ``Changes``.
        A failure's sentence goes to ``on_error`` (the message line when None)."""
        ok, changes = try_call(call, doing, on_error or self.message.fail, self._held_for_approval)
        if not ok:
            return None
        self._refresh()
        self._after_edit(changes)
        return changes

    def add_row(self, values: dict[str, object] | None = None) -> bool:
        """Add a row with ``values`` (asked for in a dialog when not given)."""
        table = self.model.table
        if table is None:
            return False
        doing = f"add a row to “{table}”"
        if values is not None:
            done = self._write(lambda: self.ws.tables.add_row(table, values), doing)
        else:  # a refused row stays in the dialog, with what was typed
            refusals: list[str] = []

            def submit(typed: dict[str, object]) -> str | None:
                refusals.clear()
                self._write(lambda: self.ws.tables.add_row(table, typed), doing, refusals.append)
                return refusals[0] if refusals else None

            shown = [c for c in self.model.columns if c.name not in bookkeeping(self.model.columns)]
            dialog = AddRowDialog(table, shown, self, submit, self._approval_note(table))
            done = dialog.exec() == QDialog.DialogCode.Accepted or None
        if done is not None:
            self.view.scrollToBottom()
        return done is not None

    def _approval_note(self, table: str) -> str:
        """What the Add-row dialog says first when the policy holds edits to ``table`` for approval."""
        policy = self.ws.tables.policy()
        if not (policy.get("edits_need_approval") or table in policy.get("edits_need_approval_for", ())):
            return ""
        return f"The policy holds edits to “{table}” for approval: the row waits in Approvals until approved."

    def selected_keys(self) -> list[int]:
        """The engine keys of the rows with a selected cell."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedIndexes()})
        return [key for key in (self.model.row_key(row) for row in rows) if key is not None]

    def delete_selected(self) -> bool:
        """Delete the selected rows, after the person confirms."""
        table, keys = self.model.table, self.selected_keys()
        if table is None or not keys:
            self.message.say("Select the rows to delete first.")
            return False
        rows = f"{len(keys):,} row{'s' if len(keys) != 1 else ''}"
        if not self.confirm(f"Delete {rows} from “{table}”?"):
            return False
        done = self._write(lambda: self.ws.tables.delete_rows(table, keys), f"delete {rows}") is not None
        if done:
            them = "them" if len(keys) > 1 else "it"
            self.message.say(f"Deleted {rows} from “{table}”. Undo (Ctrl+Z) brings {them} back.")
        return done

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question; No is the default."""
        return confirmed(self, question)

    def undo_last_edit(self) -> bool:
        """Undo the most recent table edit (in any table), saying which edit of which table it was.
        An edit in another table than the one shown is undone only once the person agrees."""
        nxt = self.ws.tables.next_undo()
        shown = self.model.table
        if nxt is not None and shown is not None and nxt.table != shown \
                and not self.confirm(f"The newest edit is not in “{shown}”: it is {nxt.what}. Undo it?"):
            return False
        done = self._write(self.ws.tables.undo_last_edit, "undo the last edit") is not None
        if done:
            self.message.say(f"Undid {nxt.what}." if nxt else "Undid the last edit.")
        return done

    def export_view(self, path: str | Path | None = None) -> bool:
        """Save the rows shown (filter and order included) to a file whose extension picks the format
        (CSV, TSV, Parquet, JSON or Excel); asks where when ``path`` is None.

        Returns False when there is nothing to export or the person cancelled the file dialog.
        """
        table = self.model.table
        if table is None:
            return False
        if path is None:
            path, chosen = file_dialogs.save_file(self, "Export the rows shown", f"{table}.csv", EXPORT_FILTERS)
            if not path:
                return False
            path = with_suffix(path, chosen)
        target, flt, sort = Path(path), self.model.row_filter, self.model.sort_key
        self.export_button.setEnabled(False)
        self.message.say(f"Exporting to {target}…")

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            self.message.say(f"Exported {count:,} row{'s' if count != 1 else ''} to {target}.")

        def failed(sentence: str) -> None:
            self.export_button.setEnabled(True)
            self.message.fail(sentence)

        run_engine(self.runner, lambda: self.ws.tables.export(table, target, flt, sort),
                   f"export “{table}” to {target}", done, failed)
        return True
