"""Item models for the table editor: a lazy model over ``ws.tables`` and a small one for query results.

``LazyTableModel`` follows Anki's browser model: it holds only the row count, the
columns and a bounded LRU of pages. When the view asks for a row that is not cached,
``data()`` fetches that row's page from the engine synchronously (a DuckDB page is a
few milliseconds); a page that cannot be fetched shows its rows greyed out with the
reason in a tooltip instead of raising.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from engine.errors import GraceError, NotApproved
from engine.tables.model import cell_text
from grace_desktop.qt import (
    QAbstractTableModel,
    QBrush,
    QColor,
    QFont,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from .numbers import column_places, number_text
from .theme import colors

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")

_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "FLOAT", "REAL", "DOUBLE", "DECIMAL", "NUMERIC")
RESULT_ROWS_LOOKED_AT = 200  # a query's rows read to decide its columns' decimal places (a grid page's worth)
_TEXT = ("VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR", "JSON")


def error_sentence(exc: BaseException, doing: str) -> str:
    """The sentence a person reads for ``exc``, raised while ``doing`` something ("save the cell")."""
    if isinstance(exc, GraceError):
        return str(exc)
    log.error("Could not %s", doing, exc_info=exc)
    return f"Grace could not {doing}: {exc}"


def try_call(fn: Callable[[], T], doing: str, on_error: Callable[[str], None],
             on_waiting: Callable[[str, Any], None] | None = None) -> tuple[bool, T | None]:
    """Run ``fn()``; on failure hand its sentence to ``on_error``. Returns ``(ok, result)``.

    An edit the policy holds for approval raises ``NotApproved``; with ``on_waiting`` that
    is not a failure: ``on_waiting(sentence, changes)`` gets what did change (a new proposal).
    """
    try:
        return True, fn()
    except NotApproved as exc:
        if on_waiting is None:
            on_error(str(exc))
        else:
            on_waiting(str(exc), exc.changes)
        return False, None
    except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence, none crashes a slot
        on_error(error_sentence(exc, doing))
        return False, None


def run_engine(runner: Any, call: Callable[[], T], doing: str, on_done: Callable[[T], None],
               on_error: Callable[[str], None], query: bool = False, stop: Callable[[], None] | None = None) -> None:
    """Run ``call()``, then ``on_done(result)``, or ``on_error(sentence)`` if it raised.

    With a ``grace_desktop.runner.Runner`` the call runs in its worker and the callbacks
    in the GUI thread (for work that may take seconds); with None it all happens here, now.
    A ``query`` (read-only) runs in the runner's query pool, never behind approvals or exports;
    ``stop`` interrupts it if the runner shuts down first.
    """
    if runner is None:
        ok, result = try_call(call, doing, on_error)
        if ok:
            on_done(result)  # type: ignore[arg-type]
        return

    def work(_ws: Any) -> tuple[bool, Any]:
        try:
            return True, call()
        except Exception as exc:  # noqa: BLE001 - handed back to the GUI thread as a sentence
            return False, exc

    def done(outcome: tuple[bool, Any]) -> None:
        ok, value = outcome
        if ok:
            on_done(value)
        else:
            on_error(error_sentence(value, doing))

    if query:
        runner.run_query(work, done, stop)
    else:
        runner.run_op(work, doing, done)


def is_numeric(type_name: str) -> bool:
    """True for DuckDB number types (shown right-aligned)."""
    return type_name.upper().split("(")[0].strip() in _NUMERIC


def is_text(type_name: str) -> bool:
    """True for DuckDB text types (where an empty cell is an empty string, not NULL)."""
    return type_name.upper().split("(")[0].strip() in _TEXT


def display(value: object) -> str:
    """How a cell value reads in the grid (``engine.tables.model.cell_text``)."""
    return cell_text(value)


@dataclass
class _FailedPage:
    """A page the engine could not return; its rows show greyed out with ``message``."""

    message: str


@dataclass
class _View:
    """What the model shows: a table, a filter and a sort; changing it resets the cache."""

    table: str | None = None
    flt: Any = None
    sort: tuple[str, bool] | None = None
    columns: list[Any] = field(default_factory=list)
    places: dict[int, int | None] | None = None  # each column's decimal places, from its type and first page


class LazyTableModel(QAbstractTableModel):
    """A table of ``ws.tables`` that fetches pages of rows only when the view asks for them.

    Each fetched row is ``(row_key, *values)``; the model keeps at most ``max_pages``
    pages of ``page_size`` rows. ``failed`` carries a sentence when a cell edit is
    refused; ``changed`` carries the engine's ``Changes`` after a successful edit;
    ``waiting`` carries the sentence and ``Changes`` of an edit held for approval.
    """

    failed = Signal(str)
    changed = Signal(object)
    waiting = Signal(str, object)

    def __init__(self, tables: Any, page_size: int = 200, max_pages: int = 50, parent: Any = None) -> None:
        super().__init__(parent)
        self._tables = tables
        self.page_size = page_size
        self.max_pages = max_pages
        self._view = _View()
        self._count = 0
        self._pages: OrderedDict[int, list[tuple] | _FailedPage] = OrderedDict()

    # -- what is shown -------------------------------------------------------------------

    @property
    def table(self) -> str | None:
        return self._view.table

    @property
    def row_filter(self) -> Any:
        return self._view.flt

    @property
    def sort_key(self) -> tuple[str, bool] | None:
        return self._view.sort

    @property
    def columns(self) -> list[Any]:
        return list(self._view.columns)

    def set_source(self, tables: Any) -> None:
        """Read from another ``ws.tables`` (a workspace opened later); shows no table until asked."""
        self._tables = tables
        self._reset(_View())

    def set_table(self, table: str | None) -> None:
        """Show ``table`` (or nothing), with no filter and no sort."""
        self._reset(_View(table=table))

    def set_filter(self, flt: Any) -> None:
        """Show only rows matching ``flt`` (an engine ``RowFilter`` or None)."""
        self._reset(_View(self._view.table, flt, self._view.sort, places=self._view.places))

    def set_sort(self, column: str | None, ascending: bool = True) -> None:
        """Order rows by ``column`` (None: the table's own order)."""
        self._reset(_View(self._view.table, self._view.flt, (column, ascending) if column else None,
                          places=self._view.places))  # the same table reads the same, whatever its order

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Qt's sort entry point: sort by the column at ``column`` (or no sort if it is negative)."""
        name = self.column_name(column) if 0 <= column < len(self._view.columns) else None
        self.set_sort(name, order == Qt.SortOrder.AscendingOrder)

    def _reset(self, view: _View) -> None:
        self.beginResetModel()
        self._pages.clear()
        self._view = view
        self._view.columns, self._count = self._load_shape(view)
        self.endResetModel()

    def _load_shape(self, view: _View) -> tuple[list[Any], int]:
        """The columns and row count for ``view``; a failure shows an empty grid and a sentence."""
        if not view.table:
            return [], 0
        ok, shape = try_call(lambda: (self._tables.columns(view.table), self._tables.count(view.table, view.flt)),
                             f"open the table “{view.table}”", self.failed.emit)
        return shape if ok and shape else ([], 0)

    def refresh(self) -> bool:
        """Re-read the count and drop cached pages, keeping the view's scroll position and selection.

        A change of columns resets the model (and returns True); a change of row count
        inserts or removes rows at the end; every cell is then re-fetched on demand.
        """
        columns, count = self._load_shape(self._view)
        if [(c.name, c.type) for c in columns] != [(c.name, c.type) for c in self._view.columns]:
            sort = self._view.sort if self._view.sort and self._view.sort[0] in {c.name for c in columns} else None
            self._reset(_View(self._view.table, self._view.flt, sort))
            return True
        self._pages.clear()
        if count > self._count:
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < self._count:
            self.beginRemoveRows(QModelIndex(), count, self._count - 1)
            self._count = count
            self.endRemoveRows()
        if self._count and self._view.columns:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(self._view.columns) - 1))
        return False

    # -- rows ----------------------------------------------------------------------------

    def cached_pages(self) -> list[int]:
        """The page numbers held right now, oldest first (for tests and diagnostics)."""
        return list(self._pages)

    def _page(self, number: int) -> list[tuple] | _FailedPage:
        """Page ``number`` from the cache, or fetched from the engine (and cached)."""
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        view = self._view
        try:
            page = list(self._tables.page(view.table, number * self.page_size, self.page_size, view.flt, view.sort))
            self._decide_places(view, page)
        except Exception as exc:  # noqa: BLE001 - a failed page is shown, never raised into Qt
            page = _FailedPage(error_sentence(exc, "read these rows"))
        self._pages[number] = page
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return page

    def _row(self, row: int) -> tuple | _FailedPage | None:
        page = self._page(row // self.page_size)
        if isinstance(page, _FailedPage):
            return page
        offset = row % self.page_size
        return page[offset] if offset < len(page) else None

    def row_key(self, row: int) -> int | None:
        """The engine's key for visible row ``row`` (None if it could not be read)."""
        got = self._row(row) if 0 <= row < self._count else None
        return got[0] if isinstance(got, tuple) else None

    def _places(self, column: int) -> int | None:
        """The decimal places the numbers of ``column`` show (decided by the first page read of the table)."""
        return (self._view.places or {}).get(column)

    def _decide_places(self, view: _View, rows: list[tuple]) -> None:
        if view.places is None:
            view.places = {i: column_places(c.name, c.type, (r[i + 1] for r in rows))
                           for i, c in enumerate(view.columns)}

    def column_name(self, column: int) -> str:
        return str(self._view.columns[column].name)

    # -- Qt's model interface ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._view.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._count or index.column() >= len(self._view.columns):
            return None
        got = self._row(index.row())
        if isinstance(got, _FailedPage):
            return self._failed_data(got, index.column(), role)
        if got is None:
            return None
        value = got[index.column() + 1]
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.EditRole:
            return number_text(value, self._places(index.column()))
        if role == Qt.ItemDataRole.TextAlignmentRole and is_numeric(self._view.columns[index.column()].type):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and len(display(value)) > 60:
            return display(value)[:2000]
        return None

    def _failed_data(self, page: _FailedPage, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return "Could not load this row"
        if role == Qt.ItemDataRole.ToolTipRole:
            return page.message
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(colors()["muted"]))
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return f"{section + 1:,}" if role == Qt.ItemDataRole.DisplayRole else None
        if section >= len(self._view.columns):
            return None
        col = self._view.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.name
        if role == Qt.ItemDataRole.ToolTipRole:
            source = f" (from “{col.source_name}”)" if col.source_name and col.source_name != col.name else ""
            return f"{col.name}{source}: {col.type}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if self.row_key(index.row()) is not None else base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Save an edited cell through ``update_cell``; a refusal emits ``failed`` and keeps the old value."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        key = self.row_key(index.row())
        got = self._row(index.row())
        if key is None or display(value) in (self.data(index, Qt.ItemDataRole.EditRole),
                                             display(got[index.column() + 1] if isinstance(got, tuple) else None)):
            return False  # unchanged, as shown ("42.10") or as stored ("42.1")
        col = self._view.columns[index.column()]
        new = None if value == "" and not is_text(col.type) else value
        ok, changes = try_call(lambda: self._tables.update_cell(self._view.table, key, col.name, new),
                               f"save the cell “{col.name}”", self.failed.emit, self.waiting.emit)
        if not ok:
            return False
        self._pages.pop(index.row() // self.page_size, None)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(self._view.columns) - 1))
        self.changed.emit(changes)
        return True


class ResultModel(QAbstractTableModel):
    """An in-memory table of query results: column names and a list of row tuples."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._names: list[str] = []
        self._rows: Sequence[Sequence[Any]] = []
        self._places: list[int | None] = []

    def set_result(self, names: list[str], rows: Sequence[Sequence[Any]]) -> None:
        """Show ``rows`` under the headings ``names`` (a column of amounts with cents shows them all)."""
        self.beginResetModel()
        self._names, self._rows = list(names), rows
        first = rows[:RESULT_ROWS_LOOKED_AT]
        self._places = [column_places(name, None, (r[i] for r in first if i < len(r))) for i, name in enumerate(names)]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self._cell(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            places = self._places[index.column()] if index.column() < len(self._places) else None
            return number_text(value, places)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float) and not isinstance(value, bool):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _cell(self, row: int, column: int) -> Any:
        """The value at ``row``, ``column``; None past the end of a short row (an exception raised in
        ``data`` takes the whole app down under PySide6)."""
        values = self._rows[row] if 0 <= row < len(self._rows) else ()
        return values[column] if 0 <= column < len(values) else None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return f"{section + 1:,}"
        return self._names[section] if section < len(self._names) else None
