"""The schema approval pane: proposals for new tables (and changes to tables) waiting for the person.

A proposal is shown with its confidence (a bar and a percent) and the reasons behind
it, its source file, the target table, its columns and a sample. Before approving,
the person may rename the table and its columns and change column types. Rejecting
needs a reason, which goes in the audit log. Everything goes through ``ws.tables``.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import PurePath
from typing import Any

from engine import Changes
from engine.tables.governance import LOAD_KINDS
from engine.tables.model import same_type, type_in_words
from grace_desktop.qt import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFont,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPalette,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

from . import breakable
from .table_model import ResultModel, error_sentence, run_engine, try_call
from .tables import MessageLine, compact_rows, empty_state, grid_view

# The column types offered, in words, with the DuckDB type each stands for (shown as its tooltip).
TYPE_CHOICES = [("Text", "VARCHAR"), ("Whole number", "BIGINT"), ("Number", "DOUBLE"),
                ("Amount (2 decimal places)", "DECIMAL(18,2)"), ("Yes or no", "BOOLEAN"), ("Date", "DATE"),
                ("Date and time", "TIMESTAMP"), ("Time", "TIME"), ("JSON", "JSON")]
# What the status filter offers, and the engine statuses each shows ("applied": approved and carried out).
STATUSES = [("Waiting for you", ("pending",)), ("Approved", ("approved", "applied")), ("Rejected", ("rejected",)),
            ("All", None)]
KINDS = {"new": "New table", "append": "Rows for a table", "schema_change": "Column change", "row": "New row",
         "edit": "Edit"}
NOTHING_PENDING = ("No proposals are waiting for you. A table file you add (File ▸ Add files…, Ctrl+O, or drop "
                   "it on Grace) proposes a table: the policy approves a clean one at once, and it appears in "
                   "Tables; one Grace is unsure of waits here for you to check, adjust and approve.")
NOTHING_MATCHES = "No proposals match these filters. Lower the confidence or show another status."
ROW_TABLE_TIP = "A document's row goes into a catalog table: type another catalog table's name to file it there."
CONFIDENCE_ROLE = Qt.ItemDataRole.UserRole + 1  # the list's percent, painted as a bar
STATUS_WORDS = {"pending": "Waiting", "approved": "Approved", "applied": "Approved", "rejected": "Rejected"}
TABLE_COLUMN, STATUS_COLUMN, SOURCE_COLUMN = 1, 4, 5
SOURCE_SHARE = 0.6  # of the width the other columns leave: the file names, which tell rows of one table apart
CHOSEN_NOTE = "proposals chosen: Approve or Reject decides all of them, as proposed (renaming is for one at a time)."
SAMPLE_COLUMN_WIDTH = 280  # px a sample column may take: a long summary leaves the other columns in view
# Below this pane width the detail goes under the list (as a mail reader's reading pane does): beside it,
# at 800 px, six columns shared 300 px and read "re…ts", "rece….csv".
SIDE_BY_SIDE_WIDTH = 1000
LIST_SHARE_BELOW = 0.4  # of the height, the list's, when the detail is under it


def percent(confidence: float) -> int:
    """A confidence (0..1) as a whole percent."""
    return round(confidence * 100) if confidence <= 1 else round(confidence)


def file_name(source: str) -> str:
    """The last part of a source path (the whole of anything else)."""
    return PurePath(source).name or source


def local_time(iso: str) -> str:
    """An ISO timestamp as local "YYYY-MM-DD HH:MM" (or as given, if it does not parse)."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(iso)


class ConfidenceDelegate(QStyledItemDelegate):
    """Paints a list cell's percent as a small progress bar (one widget a row would make a list of
    thousands of proposals take a minute to fill)."""

    def paint(self, painter: Any, option: QStyleOptionViewItem, index: Any) -> None:
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)  # selection
        share = int(index.data(CONFIDENCE_ROLE) or 0)
        text = f"{share}%"
        width = option.fontMetrics.horizontalAdvance("100%") + 6
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -width, -3)
        bar.minimum, bar.maximum, bar.progress = 0, 100, share
        bar.textVisible = False  # the percent goes beside the bar, not across its fill
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)
        role = QPalette.ColorRole.HighlightedText if option.state & QStyle.StateFlag.State_Selected else \
            QPalette.ColorRole.Text
        painter.save()
        painter.setPen(option.palette.color(role))
        painter.drawText(option.rect.adjusted(0, 0, -2, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         text)
        painter.restore()


class ConfidenceBar(QWidget):
    """A small bar with its percent beside it (a percent written across the fill is cut in two)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(14)
        self.label = QLabel()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.label)

    def setValue(self, share: int) -> None:  # noqa: N802 - as QProgressBar's, which it stands for
        self.bar.setValue(share)
        self.label.setText(f"{share}%")

    def value(self) -> int:
        return self.bar.value()


def confidence_bar(confidence: float) -> ConfidenceBar:
    """A small bar with the percent beside it."""
    bar = ConfidenceBar()
    bar.setValue(percent(confidence))
    return bar


def bold(text: str = "", size_delta: int = 0) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    if size_delta:
        font.setPointSize(font.pointSize() + size_delta)
    label.setFont(font)
    label.setWordWrap(True)
    return label


NAME_ROOM = 24  # characters of a column's name that must show whole before the form goes one line a row
NAME_PADDING = 16  # a line edit's frame and margins around its text


class ColumnEditor(QWidget):
    """One row per proposed column: the file's heading, an editable name and a type.

    Where the three side by side would leave a name too narrow to read (a small window: the
    names scrolled inside their boxes, "ummary", "ent_date"), each heading goes above its name
    and type, which then have the whole width.
    """

    renamed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._rows: list[tuple[Any, QLineEdit, QComboBox]] = []
        self._headings: list[QLabel] = []

    def set_columns(self, columns: list[Any], editable: bool) -> None:
        """Show ``columns`` (engine ``Column`` records); ``editable`` allows renaming and retyping."""
        while self._form.rowCount():
            self._form.removeRow(0)
        self._rows, self._headings = [], []
        if columns:
            self._form.addRow(bold("In the file"), self._pair(bold("Name in the table"), bold("Type")))
        for col in columns:
            name, kind = QLineEdit(col.name), self._type_box(col.type)
            name.setEnabled(editable)
            kind.setEnabled(editable)
            name.textChanged.connect(self.renamed)
            self._rows.append((col, name, kind))
            heading = QLabel(col.source_name or col.name)
            self._headings.append(heading)
            self._form.addRow(heading, self._pair(name, kind))
        self._fit(self.width())

    def stacked(self) -> bool:
        """True while each heading sits above its name and type (too narrow for one line)."""
        return self._form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.WrapAllRows

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit(event.size().width())

    def _fit(self, width: int) -> None:
        wanted = (QFormLayout.RowWrapPolicy.WrapAllRows if self._rows and width < self._one_line_width()
                  else QFormLayout.RowWrapPolicy.DontWrapRows)
        if self._form.rowWrapPolicy() != wanted:
            self._form.setRowWrapPolicy(wanted)

    def _one_line_width(self) -> int:
        """The width a heading, a name readable whole (up to ``NAME_ROOM`` characters) and a type
        need side by side; the name takes three fifths of what the heading leaves (``_pair``)."""
        metrics = self.fontMetrics()
        heading = max(h.sizeHint().width() for h in self._headings)
        longest = max(min(metrics.horizontalAdvance(n.text() or "x"), metrics.averageCharWidth() * NAME_ROOM)
                      for _, n, _ in self._rows)
        name = longest + NAME_PADDING
        kind = max(k.minimumSizeHint().width() for _, _, k in self._rows)
        spacing = max(self._form.horizontalSpacing(), 0)
        return heading + spacing + max(name * 5 // 3, name + spacing + kind)

    @staticmethod
    def _pair(left: QWidget, right: QWidget) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(left, 3)
        row.addWidget(right, 2)
        return box

    @staticmethod
    def _type_box(current: str) -> QComboBox:
        """The types in words; a proposed type not among them is offered in its own words."""
        box = QComboBox()
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(8)  # its longest choice would widen the whole proposal; the list shows it
        choices = list(TYPE_CHOICES)
        if same_type(current) not in {same_type(sql) for _, sql in choices}:
            words = type_in_words(current).removeprefix("a ").capitalize()
            alike = next((i for i, (said, _) in enumerate(choices) if said == words), None)
            if alike is None:
                choices.insert(0, (words, current))
            else:  # INTEGER is a whole number too: the proposed one stands for it
                choices[alike] = (words, current)
        for words, sql in choices:
            box.addItem(words, sql)
            box.setItemData(box.count() - 1, f"Stored as {sql}", Qt.ItemDataRole.ToolTipRole)
        box.setCurrentIndex(next(i for i, (_, sql) in enumerate(choices) if same_type(sql) == same_type(current)))
        return box

    def names(self) -> list[str]:
        """The column names as they stand now."""
        return [name.text().strip() or col.name for col, name, _ in self._rows]

    def renames(self) -> dict[str, str]:
        """Proposed name -> new name, for the columns the person renamed."""
        return {col.name: name.text().strip() for col, name, _ in self._rows
                if name.text().strip() and name.text().strip() != col.name}

    def types(self) -> dict[str, str]:
        """Proposed name -> new type, for the columns whose type the person changed."""
        return {col.name: kind.currentData() for col, _, kind in self._rows
                if same_type(kind.currentData()) != same_type(col.type)}

    def editors_in_order(self) -> list[QWidget]:
        """Each column's name field and type box, top to bottom."""
        return [w for _, name, kind in self._rows for w in (name, kind)]

    def editor(self, column: str) -> tuple[QLineEdit, QComboBox]:
        """The name field and type box of the proposed column ``column`` (for tests and shortcuts)."""
        return next((name, kind) for col, name, kind in self._rows if col.name == column)


def _item(p: Any) -> QTreeWidgetItem:
    """A proposal's row in the list."""
    share = percent(p.confidence)
    item = QTreeWidgetItem([f"{share}%", p.table, KINDS.get(p.kind, p.kind), f"{p.row_count:,}",
                            STATUS_WORDS.get(p.status, p.status), file_name(p.source)])
    item.setData(0, Qt.ItemDataRole.UserRole, p.id)
    item.setData(0, CONFIDENCE_ROLE, share)
    item.setToolTip(TABLE_COLUMN, p.table)
    item.setToolTip(SOURCE_COLUMN, p.source)
    item.setToolTip(0, "\n".join(map(type_words, p.reasons)))
    item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def type_words(reason: str) -> str:
    """An engine reason with its SQL types named as the Type list names them: "approve with the type
    VARCHAR" sent the person looking for a VARCHAR the list does not offer (it says "Text")."""
    for word, sql in TYPE_CHOICES:
        reason = re.sub(rf"\btype {re.escape(sql)}(?![\w(])", f"type “{word}”", reason)
    return reason


class ProposalList(QTreeWidget):
    """The proposals' list. Its Source column takes the width its file names need, up to
    ``SOURCE_SHARE`` of what the other columns leave, and the Table column the rest: at 900 px
    the equal share left seven "notes" rows from "wi…xt", "t…d" (the Table column stretches)."""

    def __init__(self) -> None:
        super().__init__()
        self.header().sectionResized.connect(self._resized)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit_source()

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if column not in (TABLE_COLUMN, SOURCE_COLUMN):  # a column fitted to new contents leaves another width
            self.fit_source()

    def fit_source(self) -> None:
        """Size the Source column for the rows shown and the width on hand."""
        head = self.header()
        others = sum(head.sectionSize(i) for i in range(self.columnCount())
                     if i not in (TABLE_COLUMN, SOURCE_COLUMN) and not self.isColumnHidden(i))
        spare = self.viewport().width() - others
        wanted = max(self.sizeHintForColumn(SOURCE_COLUMN), head.sectionSizeHint(SOURCE_COLUMN))
        head.resizeSection(SOURCE_COLUMN, max(head.minimumSectionSize(), min(wanted, int(spare * SOURCE_SHARE))))


class ProposalDetail(QWidget):
    """Everything about one proposal, with the controls to adjust and decide it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proposal: Any = None
        self.title = bold(size_delta=2)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        self.bar = confidence_bar(0)
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.table_name = QLineEdit()
        self.columns = ColumnEditor()
        self.columns.renamed.connect(self._show_sample)
        self.sample = ResultModel(self)
        self.sample_view = grid_view(self.sample)
        self.sample_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        compact_rows(self.sample_view)
        self.reason = QLineEdit()
        # Short enough to read whole beside the buttons in an 800×560 window ("Reason to rej…" before);
        # that a reason is required is in the tooltip, and Reject without one says so.
        self.reason.setPlaceholderText("Why reject?")
        self.reason.setToolTip("Rejecting needs a reason; it goes in the audit log.")
        self.reason.setMinimumWidth(self.reason.fontMetrics().horizontalAdvance("Why reject?") + 16)
        self.approve_button = QPushButton("&Approve")
        self.reject_button = QPushButton("&Reject")
        self.again_button = QPushButton("&Propose again")
        self.again_button.setToolTip("Read the file again and propose its table anew, to decide again")
        self._layout()

    def _layout(self) -> None:
        """Everything above the decision scrolls as one page, so a small window scrolls the whole
        proposal rather than squeezing the columns and the sample into slivers."""
        form = QFormLayout()
        form.addRow("Confidence:", self.bar)
        form.addRow("Why:", self.reasons)
        form.addRow("Table name:", self.table_name)
        rows = self.sample_view.verticalHeader().defaultSectionSize()
        self.sample_view.setMinimumHeight(self.sample_view.horizontalHeader().sizeHint().height() + 5 * rows)
        page = QWidget()
        body = QVBoxLayout(page)
        body.setContentsMargins(0, 0, 0, 0)
        for part in (self.title, self.meta):
            body.addWidget(part)
        body.addLayout(form)
        body.addWidget(bold("Columns"))
        body.addWidget(self.columns)
        body.addWidget(bold("Sample"))
        body.addWidget(self.sample_view, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus, not the area around them
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        self.page = scroll
        decide = QHBoxLayout()
        decide.addWidget(self.approve_button)
        decide.addSpacing(16)
        decide.addWidget(self.reason, 1)
        decide.addWidget(self.reject_button)
        decide.addWidget(self.again_button)
        box = QVBoxLayout(self)
        box.addWidget(scroll, 1)
        box.addLayout(decide)

    def show_proposal(self, proposal: Any) -> None:
        """Fill the view from ``proposal``; only a pending one can be edited and decided. Another
        proposal than the one shown opens at its top (its title, confidence and reasons), not where
        the last one was scrolled to."""
        if self.proposal is None or self.proposal.id != proposal.id:
            self.page.verticalScrollBar().setValue(0)
        self.proposal = proposal
        pending = proposal.status == "pending"
        kind = KINDS.get(proposal.kind, proposal.kind)
        self.title.setText(breakable(f"{kind} “{proposal.table}” from {file_name(proposal.source)}"))
        self.meta.setText(breakable(self._meta_text(proposal)))
        self.bar.setValue(percent(proposal.confidence))
        self.reasons.setText("\n".join(f"• {type_words(r)}" for r in proposal.reasons) or "No reasons were recorded.")
        self.table_name.setText(proposal.table)
        self.table_name.setToolTip(ROW_TABLE_TIP if proposal.kind == "row" else "")
        self.columns.set_columns(proposal.columns, True)
        self.set_editable(True)
        self._show_sample()
        for widget in (self.approve_button, self.reject_button, self.reason):
            widget.setVisible(pending)
        self.again_button.setVisible(proposal.status == "rejected" and proposal.kind in LOAD_KINDS)
        self.reason.clear()
        self._tab_order()

    def set_editable(self, editable: bool) -> None:
        """Let the person rename and retype (one proposal), or not (several chosen: decided as proposed).
        Only a pending proposal is edited; a document's row or a cell edit keeps its table's columns,
        and a row may go to another catalog table."""
        pending = self.proposal is not None and self.proposal.status == "pending"
        self.table_name.setEnabled(editable and pending and self.proposal.kind != "edit")
        for widget in self.columns.editors_in_order():
            widget.setEnabled(editable and pending and self.proposal.kind not in ("row", "edit"))

    def _tab_order(self) -> None:
        """Tab from the table name through each column's name and type, the sample, then the
        decision (the column editors are made after the buttons, so Qt's own order skips them)."""
        chain = [self.table_name, *self.columns.editors_in_order(), self.sample_view, self.approve_button,
                 self.reason, self.reject_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _meta_text(p: Any) -> str:
        rows = f"{p.row_count:,} row{'s' if p.row_count != 1 else ''}"
        text = f"{p.source} · {rows} · proposed {local_time(p.created_at)} · {p.status}"
        if p.decided_by:
            text += f" by {p.decided_by}" + (f" on {local_time(p.decided_at)}" if p.decided_at else "")
        return text + (f" — “{p.reason}”" if p.reason else "")

    def _show_sample(self) -> None:
        rows = self.proposal.sample if self.proposal else []
        self.sample.set_result(self.columns.names(), rows)
        self.sample_view.resizeColumnsToContents()
        for column in range(self.sample.columnCount()):  # a summary's long text leaves room for the rest
            self.sample_view.setColumnWidth(column, min(self.sample_view.columnWidth(column), SAMPLE_COLUMN_WIDTH))

    def edits(self) -> dict[str, Any]:
        """The person's changes, as keyword arguments for ``approve`` (None where nothing changed)."""
        table = self.table_name.text().strip()
        return {"table": table if table and table != self.proposal.table else None,
                "renames": self.columns.renames() or None, "types": self.columns.types() or None}


class ApprovalsPane(QWidget):
    """Proposals waiting for approval (or decided, by filter), their detail, and Approve / Reject.

    ``changed`` carries the engine's ``Changes`` after a decision. With a ``runner``
    (``grace_desktop.runner.Runner``) decisions run in its worker: approving a big file
    builds its table, which can take seconds. ``ws`` may be None while the workspace
    opens; ``set_workspace`` then shows it.
    """

    changed = Signal(object)

    def __init__(self, ws: Any, parent: QWidget | None = None, runner: Any = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self._shown: tuple[int, str] | None = None
        self._proposals: list[Any] = []
        self._own: object = None  # the Changes this pane last emitted (already shown)
        self._keep_note = False  # the next list shown keeps the note (a refusal that says why a proposal went)
        self._build()
        self.reload()

    def _build(self) -> None:
        self.status = QComboBox()
        for text, value in STATUSES:
            self.status.addItem(text, value)
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.min_confidence = QSpinBox()
        self.min_confidence.setRange(0, 100)
        self.min_confidence.setSuffix(" %")
        self.min_confidence.setPrefix("at least ")
        self.min_confidence.setToolTip("Show only proposals at least this confident")
        self.min_confidence.valueChanged.connect(lambda _v: self.reload())
        self.count_label = QLabel()
        self.message = MessageLine()
        self.list = self._build_list()
        self.keyboard_entry = self.list
        self.detail = ProposalDetail()
        self.detail.setEnabled(False)  # until a proposal is shown
        self.detail.approve_button.clicked.connect(self.approve_selected)
        self.detail.reject_button.clicked.connect(lambda: self.reject_selected())
        self.detail.again_button.clicked.connect(self.propose_again)
        self.detail.reason.returnPressed.connect(lambda: self.reject_selected())  # Enter after the reason rejects
        self.empty = empty_state(NOTHING_PENDING)
        self._layout()

    def _build_list(self) -> ProposalList:
        tree = ProposalList()
        tree.setHeaderLabels(["Confidence", "Table", "Kind", "Rows", "Status", "Source"])
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a long file name keeps its end: "sales_20…q1.csv"
        tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # Shift/Ctrl: decide several
        head = tree.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(TABLE_COLUMN, QHeaderView.ResizeMode.Stretch)  # it gets what Source leaves
        head.setSectionResizeMode(SOURCE_COLUMN, QHeaderView.ResizeMode.Interactive)  # sized by fit_source
        head.resizeSection(0, 96)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        head.setResizeContentsPrecision(100)  # fitting columns to thousands of rows reads the first hundred
        tree.setItemDelegateForColumn(0, ConfidenceDelegate(tree))
        tree.currentItemChanged.connect(lambda _item, _old: self._show_selected())
        tree.itemSelectionChanged.connect(self._show_chosen)
        return tree

    def _layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show"))
        filters.addWidget(self.status)
        filters.addWidget(self.min_confidence)
        filters.addWidget(QLabel("confident"))
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.list)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)  # both give way as the window narrows, alike: the list has six columns
        split.setStretchFactor(1, 1)
        split.setSizes([500, 500])
        self.stack.addWidget(split)
        box = QVBoxLayout(self)
        box.addLayout(filters)
        box.addWidget(self.stack, 1)
        box.addWidget(self.message)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._orient(event.size().width())

    def _orient(self, width: int) -> None:
        """The detail beside the list in a wide pane, under it in a narrow one."""
        wanted = Qt.Orientation.Horizontal if width >= SIDE_BY_SIDE_WIDTH else Qt.Orientation.Vertical
        if self.split.orientation() == wanted:
            return
        self.split.setOrientation(wanted)
        whole = 1000
        first = whole // 2 if wanted == Qt.Orientation.Horizontal else int(whole * LIST_SHARE_BELOW)
        self.split.setSizes([first, whole - first])  # shares, scaled to the room there is

    # -- reading -------------------------------------------------------------------------

    def set_workspace(self, ws: Any) -> None:
        """Show the proposals of ``ws`` (the slot for ``Runner.workspace_opened``)."""
        self.ws = ws
        self.reload()

    def on_changes(self, changes: Any) -> None:
        """The shell's slot: refresh when proposals or tables changed (not again for this pane's own)."""
        if changes is self._own:
            self._own = None
            return
        if getattr(changes, "proposals", False) or getattr(changes, "tables", False):
            self.reload()

    def reload(self) -> None:
        """Re-read the proposals (in the runner's worker, if there is one), keeping the selected one
        (and the person's edits to it) if unchanged."""
        if self.ws is None:
            self.empty.setText("Opening the workspace…")
            return
        statuses = self.status.currentData()
        one = statuses[0] if statuses and len(statuses) == 1 else None
        if self.runner is not None:
            self.runner.fetch("proposals", lambda ws: ws.tables.proposals(one), self._show_found, owner=self)
            return
        ok, found = try_call(lambda: self.ws.tables.proposals(one), "list the proposals", self.message.fail)
        if ok and found is not None:
            self._show_found(found)

    def _show_found(self, found: list[Any]) -> None:
        statuses = self.status.currentData()
        found = [p for p in found if statuses is None or p.status in statuses]
        floor = self.min_confidence.value()
        self._proposals = [p for p in found if percent(p.confidence) >= floor]
        keep, row = self.selected(), self.list.currentIndex().row()
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addTopLevelItems([_item(p) for p in self._proposals])  # at once: one layout, not one a row
        self.list.blockSignals(False)
        one_status = statuses is not None and len({STATUS_WORDS.get(s) for s in statuses}) == 1
        self.list.setColumnHidden(STATUS_COLUMN, one_status)  # "All" says each one's
        self.list.fit_source()
        ids = [p.id for p in self._proposals]
        # The same proposal; once it is gone (decided), the one now in its row, or the last.
        at = ids.index(keep.id) if keep and keep.id in ids else min(max(row, 0), len(ids) - 1)
        item = self.list.topLevelItem(at) if ids else None
        if item is not None:
            self.list.setCurrentItem(item)
        self._show_selected()
        self._show_chosen()
        self.count_label.setText(f"{len(ids)} shown" if ids else "")
        self.empty.setText(NOTHING_PENDING if not found and statuses == ("pending",) else NOTHING_MATCHES)
        self.stack.setCurrentIndex(1 if ids else 0)

    def selected(self) -> Any:
        """The proposal selected in the list (None if none)."""
        item = self.list.currentItem()
        pid = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        return next((p for p in self._proposals if p.id == pid), None)

    def chosen(self) -> list[Any]:
        """The pending proposals selected in the list (Shift- or Ctrl-click chooses several), in
        the list's order; the current one alone when the selection holds none."""
        ids = {item.data(0, Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()}
        found = [p for p in self._proposals if p.id in ids and p.status == "pending"]
        current = self.selected()
        return found or ([current] if current is not None and current.status == "pending" else [])

    def _show_chosen(self) -> None:
        """With several proposals chosen, the buttons decide them all, as proposed."""
        count = len(self.chosen())
        self.detail.approve_button.setText(f"&Approve {count}" if count > 1 else "&Approve")
        self.detail.reject_button.setText(f"&Reject {count}" if count > 1 else "&Reject")
        self.detail.set_editable(count <= 1)
        if count > 1:
            self.message.say(f"{count} {CHOSEN_NOTE}")
        elif self.message.text().endswith(CHOSEN_NOTE):
            self.message.say("")

    def _show_selected(self) -> None:
        p = self.selected()
        key = (p.id, p.status) if p else None
        keep_note, self._keep_note = self._keep_note, False
        if key == self._shown:
            return  # same proposal, same state: keep what the person typed
        if (p is None or self._shown is None or self._shown[0] != p.id) and not keep_note:
            self.message.say("")  # another proposal: the note was about the last one
        self._shown = key
        self.detail.setEnabled(p is not None)
        if p is not None:
            self.detail.show_proposal(p)
            self._show_chosen()

    # -- deciding ------------------------------------------------------------------------

    def approve_selected(self) -> bool:
        """Approve the chosen proposal with the person's edits (table name, renames, types), or
        the several chosen ones as proposed."""
        chosen = self.chosen()
        if len(chosen) > 1:
            return self._decide_all(chosen, "approved", lambda p: self.ws.tables.approve(p.id), "approve")
        if not chosen:
            return False
        p, edits = chosen[0], self.detail.edits()
        return self._decide(lambda: self.ws.tables.approve(p.id, **edits), f"approve the table “{p.table}”",
                            f"Approved “{edits['table'] or p.table}”.", [(p.id, "approved")])

    def reject_selected(self, reason: str | None = None) -> bool:
        """Reject the chosen proposal (or proposals); a reason is required (typed in the box, or given)."""
        chosen = self.chosen()
        if not chosen:
            return False
        reason = (reason if reason is not None else self.detail.reason.text()).strip()
        if not reason:
            self.message.fail("Say why you are rejecting it first; the reason goes in the audit log.")
            self.detail.reason.setFocus()
            return False
        if len(chosen) > 1:
            return self._decide_all(chosen, "rejected", lambda p: self.ws.tables.reject(p.id, reason), "reject")
        p = chosen[0]
        return self._decide(lambda: self.ws.tables.reject(p.id, reason), f"reject the table “{p.table}”",
                            f"Rejected “{p.table}”.", [(p.id, "rejected")])

    def propose_again(self) -> bool:
        """Propose the shown rejected table anew from its file (read again); it waits in Approvals."""
        p = self.detail.proposal
        if p is None or p.status != "rejected":
            return False

        def run() -> Changes:
            self.ws.tables.propose_again(p.id)
            return Changes(proposals=True, audit=True)

        return self._decide(run, f"propose the table “{p.table}” again",
                            f"“{p.table}” is proposed again from {file_name(p.source)}; it waits under "
                            "Waiting for you.", [])

    def _decide_all(self, chosen: list[Any], status: str, decide: Any, verb: str) -> bool:
        """Decide each of ``chosen`` in one run; one that fails leaves the others decided, and the
        note names it and why."""
        outcome: list[tuple[int, str]] = []
        failures: list[str] = []

        def run() -> Any:
            changes = None
            for p in chosen:
                try:
                    made = decide(p)
                    changes = made if changes is None else changes | made
                    outcome.append((p.id, status))
                except Exception as exc:  # noqa: BLE001 - one proposal's failure is said, the rest go on
                    failures.append(error_sentence(exc, f"{verb} the table “{p.table}”"))
            return changes

        def news() -> tuple[str, bool]:
            said = f"{status.capitalize()} {len(outcome)} of {len(chosen)} proposals."
            return " ".join([said, *failures]), bool(failures)

        return self._decide(run, f"{verb} {len(chosen)} proposals", news, outcome)

    def _decide(self, call: Any, doing: str, news: Any, outcome: list[tuple[int, str]]) -> bool:
        """Run a decision; the buttons wait until it is done. Returns True once it is under way.
        ``outcome`` lists (proposal id, its status once decided); ``news`` is the note after, or a
        function giving (the note, whether it tells of a failure)."""
        self._busy(True)

        def done(changes: Any) -> None:
            self._busy(False)
            self._shown = None  # show the decided proposal afresh
            self._drop_decided(outcome)  # at once: the re-read below may run in the worker
            self.reload()
            note, failed_some = news() if callable(news) else (news, False)
            (self.message.fail if failed_some else self.message.say)(note)
            if changes is not None:
                self._own = changes
                self.changed.emit(changes)

        def failed(sentence: str) -> None:
            self._busy(False)
            self.message.fail(sentence)
            self._keep_note = True  # the refusal may come of a change made elsewhere ("already rejected"):
            self.reload()  # the list shows it, and the note stays to say why the proposal went

        run_engine(self.runner, call, doing, done, failed)
        return True

    def _drop_decided(self, outcome: list[tuple[int, str]]) -> None:
        """Show just-decided proposals as decided at once (off the list, if the status filter no
        longer shows them), so none can be decided twice while the list is re-read."""
        status = dict(outcome)
        self._show_found([dataclasses.replace(p, status=status[p.id]) if p.id in status else p
                          for p in self._proposals])

    def _busy(self, busy: bool) -> None:
        for button in (self.detail.approve_button, self.detail.reject_button, self.detail.again_button):
            button.setEnabled(not busy)
        if busy:
            self.message.say("Working on it…")
