"""The table editor, its lazy model, and the schema approval pane, over a real workspace."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest

from engine import Changes, Workspace
from engine.errors import GraceError, TableError
from engine.tables import Proposal
from engine.tables.model import Column
from grace_desktop.qt import QKeySequence, Qt, QToolButton
from ui.approvals import (
    NOTHING_MATCHES,
    SAMPLE_COLUMN_WIDTH,
    SOURCE_COLUMN,
    STATUS_COLUMN,
    ApprovalsPane,
    ColumnEditor,
)
from ui.table_model import LazyTableModel
from ui.tables import TablesPane
from ui.theme import colors

PEOPLE = "name,age,city\nAda,36,London\nGrace,85,New York\nAlan,41,London\nEdsger,72,Rotterdam\n"
# Three of five columns empty: the engine doubts it (confidence 0.9), so with the bar at 1.0 it waits.
SALES = "Region,Amount,Note,Extra,More\nnorth,10.5,,,\nsouth,20,,,\neast,7.25,,,\n"


def import_csv(ws: Workspace, folder: Path, name: str, text: str) -> Proposal:
    path = folder / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return ws.tables.import_file(path)


def set_policy(ws: Workspace, **changes: Any) -> None:
    ws.tables.set_policy({**ws.tables.policy(), **changes})


@pytest.fixture
def people(ws: Workspace, tmp_path: Path) -> str:
    """A small table, approved by the policy (a clean file is fully confident)."""
    proposal = import_csv(ws, tmp_path, "people", PEOPLE)
    assert proposal.status == "applied"
    return proposal.table


@pytest.fixture
def pending(ws: Workspace, tmp_path: Path) -> Proposal:
    """A proposal waiting for the person."""
    set_policy(ws, auto_approve_threshold=1.0)
    proposal = import_csv(ws, tmp_path, "sales", SALES)
    assert proposal.status == "pending"
    return proposal


def cells(pane: TablesPane, column: int) -> list[str]:
    return [pane.model.data(pane.model.index(r, column)) for r in range(pane.model.rowCount())]


def list_row(pane: TablesPane, name: str) -> tuple[str, str]:
    item = pane._item_for(name)
    assert item is not None, name
    return item.text(0), item.text(1)


# -- the approval pane ------------------------------------------------------------------


def test_approving_a_pending_proposal_with_a_renamed_column_creates_the_table(qtbot, ws, pending) -> None:
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    assert pane.list.topLevelItemCount() == 1
    assert (pane.list.topLevelItem(0).text(1), pane.list.topLevelItem(0).text(SOURCE_COLUMN)) == ("sales", "sales.csv")
    assert pane.detail.bar.value() == 90
    assert "60% of the cells are empty" in pane.detail.reasons.text()
    assert pane.detail.sample.rowCount() == 3
    emitted: list[Changes] = []
    pane.changed.connect(emitted.append)

    name, kind = pane.detail.columns.editor("amount")
    name.setText("total")
    assert kind.currentText() == "Number"  # in words; the tooltip names the DuckDB type
    kind.setCurrentIndex(kind.findText("Amount (2 decimal places)"))
    assert pane.detail.sample.headerData(1, Qt.Orientation.Horizontal) == "total"  # the sample follows the rename
    pane.detail.table_name.setText("regional_sales")
    pane.detail.approve_button.click()

    columns = ws.tables.columns("regional_sales")
    assert [c.name for c in columns] == ["region", "total", "note", "extra", "more"]
    assert columns[1].type == "DECIMAL(18,2)"
    assert ws.tables.count("regional_sales") == 3
    assert emitted and emitted[0].tables and emitted[0].proposals
    assert pane.list.topLevelItemCount() == 0  # nothing left waiting
    assert pane.stack.currentWidget() is pane.empty


def test_rejecting_a_proposal_requires_a_reason(qtbot, ws, pending) -> None:
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)

    pane.detail.reject_button.click()
    assert ws.tables.proposals()[0].status == "pending"
    assert "say why" in pane.message.text().lower()
    assert colors()["error"] in pane.message.styleSheet()

    pane.detail.reason.setText("Duplicate of last month's file")
    pane.detail.reject_button.click()
    decided = ws.tables.proposals()[0]
    assert (decided.status, decided.reason) == ("rejected", "Duplicate of last month's file")


def test_the_approval_pane_updates_live_and_filters_by_confidence_and_status(qtbot, ws, tmp_path) -> None:
    set_policy(ws, auto_approve_threshold=1.0)
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    assert pane.stack.currentWidget() is pane.empty
    assert "No proposals are waiting" in pane.empty.text()

    import_csv(ws, tmp_path, "sales", SALES)
    import_csv(ws, tmp_path, "stock", SALES.replace("Region", "Shelf"))
    pane.on_changes(Changes(proposals=True))
    assert pane.list.topLevelItemCount() == 2

    pane.min_confidence.setValue(91)
    assert pane.list.topLevelItemCount() == 0 and pane.empty.text() == NOTHING_MATCHES
    pane.min_confidence.setValue(90)
    assert pane.list.topLevelItemCount() == 2

    first = pane.selected()
    ws.tables.reject(first.id, "not needed")
    pane.on_changes(Changes(proposals=True))
    assert pane.list.topLevelItemCount() == 1
    pane.status.setCurrentIndex(pane.status.findText("Rejected"))
    assert pane.list.topLevelItemCount() == 1
    assert "not needed" in pane.detail.meta.text()
    assert not pane.detail.approve_button.isVisibleTo(pane)  # a decided proposal is read-only


def test_the_delete_and_enter_keys_decide_nothing_in_the_approval_pane(qtbot, ws, pending) -> None:
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitExposed(pane)
    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_Delete)
    qtbot.keyClick(pane.list, Qt.Key.Key_Return)
    qtbot.keyClick(pane.detail.reason, Qt.Key.Key_Return)
    assert ws.tables.proposals()[0].status == "pending"


def test_decisions_run_in_the_runner_worker_when_there_is_one(qtbot, ws, pending) -> None:
    from grace_desktop.runner import Runner

    runner = Runner()
    runner.set_workspace(ws)
    pane = ApprovalsPane(ws, runner=runner)
    qtbot.addWidget(pane)
    emitted: list[Changes] = []
    pane.changed.connect(emitted.append)
    assert not pane.detail.isEnabled()  # the proposals are read in the worker too
    qtbot.waitUntil(lambda: pane.list.topLevelItemCount() == 1, timeout=10_000)
    pane.detail.approve_button.click()
    assert not pane.detail.approve_button.isEnabled()  # waiting for the worker
    qtbot.waitUntil(lambda: bool(emitted), timeout=10_000)
    assert ws.tables.count("sales") == 3
    assert pane.list.topLevelItemCount() == 0
    runner.shutdown()  # closes the workspace too; the fixture's close is then a no-op


def test_a_decided_proposal_shown_by_the_filter_is_read_only_at_once(qtbot, ws, pending) -> None:
    from grace_desktop.runner import Runner

    runner = Runner()
    runner.set_workspace(ws)
    pane = ApprovalsPane(ws, runner=runner)
    qtbot.addWidget(pane)
    pane.status.setCurrentIndex(pane.status.findText("All"))
    qtbot.waitUntil(lambda: pane.list.topLevelItemCount() == 1 and pane.detail.isEnabled(), timeout=10_000)
    emitted: list[Changes] = []
    pane.changed.connect(emitted.append)
    pane.detail.approve_button.click()
    qtbot.waitUntil(lambda: bool(emitted), timeout=10_000)
    assert pane.selected().status != "pending"  # not waiting for the worker's re-read
    assert not pane.detail.approve_button.isVisibleTo(pane)  # so it cannot be approved twice
    qtbot.waitUntil(lambda: pane.selected().status == "applied", timeout=10_000)  # the re-read is in
    assert "Approved" in pane.message.text()  # and the note about it stays
    runner.shutdown()


# -- the lazy model ---------------------------------------------------------------------


class CountingTables:
    """Wraps ``ws.tables`` and records every page asked for, and how long it took."""

    def __init__(self, tables: Any) -> None:
        self._tables = tables
        self.pages: list[int] = []
        self.seconds: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tables, name)

    def page(self, table: str, offset: int, limit: int, flt: Any = None, sort: Any = None) -> list[tuple]:
        start = time.perf_counter()
        rows = self._tables.page(table, offset, limit, flt, sort)
        self.seconds.append(time.perf_counter() - start)
        self.pages.append(offset)
        return rows


def test_the_lazy_model_at_a_million_rows_fetches_only_the_pages_asked_for(qtbot, ws, tmp_path) -> None:
    source = tmp_path / "big.parquet"
    duckdb.sql(f"COPY (SELECT range AS n, 'item ' || range AS label, range * 0.5 AS amount FROM range(1000000)) "
               f"TO '{source}'")
    start = time.perf_counter()
    assert ws.tables.import_file(source).status == "applied"
    imported = time.perf_counter() - start
    counting = CountingTables(ws.tables)
    model = LazyTableModel(counting, page_size=200)
    model.set_table("big")

    assert model.rowCount() == 1_000_000
    assert counting.pages == []
    assert model.data(model.index(999_999, 1)) == "item 999999"
    assert model.data(model.index(999_998, 0)) == "999998"
    assert counting.pages == [999_800]
    for row in (0, 150, 500_000, 500_199, 250_123):
        model.data(model.index(row, 0))
    assert counting.pages == [999_800, 0, 500_000, 250_000]

    for row in range(0, 1_000_000, 1_000_000 // 40):
        model.data(model.index(row, 2))
    plain = sorted(counting.seconds)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 1)) == "item 999999"
    sorted_first = counting.seconds[-1]
    model.data(model.index(999_999, 1))
    print(f"\n1M rows: import {imported:.1f} s; page of 200: first {counting.seconds[0] * 1000:.1f} ms "
          f"(builds the row order), median {plain[len(plain) // 2] * 1000:.1f} ms, max {plain[-1] * 1000:.1f} ms "
          f"over {len(plain)} pages; sorted by text: first {sorted_first * 1000:.1f} ms, "
          f"next {counting.seconds[-1] * 1000:.1f} ms")
    assert len(model.cached_pages()) <= model.max_pages


def test_a_page_that_cannot_be_read_shows_greyed_out_with_the_reason(qtbot, ws, people) -> None:
    class Broken(CountingTables):
        def page(self, *args: Any, **kwargs: Any) -> list[tuple]:
            raise TableError("The table file is locked by another program.")

    model = LazyTableModel(Broken(ws.tables))
    model.set_table(people)
    assert model.rowCount() == 4
    assert model.data(model.index(0, 0)) == "Could not load this row"
    assert model.data(model.index(2, 1), Qt.ItemDataRole.ToolTipRole) == "The table file is locked by another program."
    assert model.data(model.index(2, 1), Qt.ItemDataRole.ForegroundRole) is not None
    assert not model.flags(model.index(2, 1)) & Qt.ItemFlag.ItemIsEditable


# -- the table editor -------------------------------------------------------------------


def test_the_editor_lists_tables_with_their_row_counts_and_opens_one_with_rows(qtbot, ws, people) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    assert list_row(pane, people) == ("people", "4")
    top = [pane.table_list.topLevelItem(i) for i in range(pane.table_list.topLevelItemCount())]
    assert [i.text(0) for i in top] == ["people", f"Empty catalog tables ({len(ws.tables.list()) - 1})"]
    assert not top[1].isExpanded() and top[1].childCount() == len(ws.tables.list()) - 1
    assert pane.model.table == people  # the catalog's empty tables wait in a closed group; the person's is opened
    assert pane.count_label.text() == "4 rows"


def test_the_editor_follows_changes_made_elsewhere(qtbot, ws, people, tmp_path) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.show()  # on screen: a new table does not take the grid from the one being read
    assert import_csv(ws, tmp_path, "cities", "city,people\nLondon,8900000\nRotterdam,650000\n").status == "applied"
    ws.tables.add_row(people, {"name": "Barbara", "age": 83, "city": "Boston"})
    pane.on_changes(Changes(tables=True))
    assert list_row(pane, "cities") == ("cities", "2")
    assert pane.model.rowCount() == 5 and pane.count_label.text() == "5 rows"

    ws.tables.drop_table(people, "no longer needed")
    pane.on_changes(Changes(tables=True))
    assert pane.model.table == "cities"
    assert [pane.filter_column.itemText(i) for i in range(pane.filter_column.count())] == ["city", "people"]


def test_filter_search_and_sort_change_the_rows_shown(qtbot, ws, people) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)

    pane.set_column_filter("city", "london")
    assert cells(pane, 0) == ["Ada", "Alan"]
    assert pane.count_label.text() == "2 of 4 rows match"
    pane.clear_filters()
    assert pane.model.rowCount() == 4

    pane.search.setText("york")  # debounced: nothing happens at once
    assert pane.model.rowCount() == 4
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=60_000)  # the delay, however busy the machine
    assert cells(pane, 0) == ["Grace"]
    pane.clear_filters()
    (clear_button,) = pane.search.findChildren(QToolButton)  # the box's own clear button fades out with its text
    qtbot.waitUntil(lambda: clear_button.property("opacity") == 0.0, timeout=10_000)
    pane.message.fail("Conversion Error: invalid date")  # as after a cell edit that failed
    pane.set_column_filter("city", "york")  # the next thing that works takes the failure away
    assert pane.message.isHidden() and not pane.message.error
    pane.clear_filters()

    pane.sort_by(1)  # age, ascending
    assert cells(pane, 1) == ["36", "41", "72", "85"]
    pane.sort_by(1)  # descending
    assert cells(pane, 1) == ["85", "72", "41", "36"]
    assert pane.view.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    pane.sort_by(1)  # the table's own order again
    assert cells(pane, 0) == ["Ada", "Grace", "Alan", "Edsger"]


def test_editing_a_cell_goes_through_update_cell_and_undo_restores_it(qtbot, ws, people) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    emitted: list[Changes] = []
    pane.changed.connect(emitted.append)
    index = pane.model.index(1, 1)

    assert pane.model.setData(index, "86")
    assert pane.model.data(index) == "86"
    assert ws.tables.page(people, 1, 1)[0][2] == 86
    assert emitted and emitted[-1].tables

    assert not pane.model.setData(index, "very old")  # refused by the engine: the old value stays
    assert pane.model.data(index) == "86"
    assert "cannot go in column" in pane.message.text() and "BIGINT" not in pane.message.text()

    pane.undo_button.click()
    assert pane.model.data(index) == "85"
    assert ws.tables.page(people, 1, 1)[0][2] == 85


def test_an_edit_the_policy_holds_for_approval_waits_in_the_approvals_pane(qtbot, ws, people) -> None:
    set_policy(ws, edits_need_approval_for=[people])
    pane, approvals = TablesPane(ws), ApprovalsPane(ws)
    qtbot.addWidget(pane)
    qtbot.addWidget(approvals)
    pane.changed.connect(approvals.on_changes)

    assert not pane.model.setData(pane.model.index(0, 1), "37")
    assert pane.model.data(pane.model.index(0, 1)) == "36"
    assert "need approval" in pane.message.text() and "Approvals" in pane.message.text()
    assert approvals.list.topLevelItemCount() == 1
    assert approvals.selected().kind == "edit"
    # A held edit keeps its table and columns: they are shown read-only.
    name, kind = approvals.detail.columns.editor(approvals.selected().columns[0].name)
    assert not approvals.detail.table_name.isEnabled() and not name.isEnabled() and not kind.isEnabled()


def test_a_long_text_in_the_sample_leaves_the_next_columns_name_in_view(qtbot, ws, tmp_path) -> None:
    set_policy(ws, auto_approve_threshold=1.0)
    long = "A summary that runs on and on about the garden committee's compost plans " * 4
    import_csv(ws, tmp_path, "minutes", f"summary,owner\n{long.strip()},Anna\n")
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    pane.show()
    qtbot.waitUntil(lambda: pane.detail.sample.columnCount() == 2, timeout=10_000)
    view = pane.detail.sample_view
    assert view.horizontalHeader().defaultAlignment() & Qt.AlignmentFlag.AlignLeft  # a name above where values start
    assert view.columnWidth(0) <= SAMPLE_COLUMN_WIDTH < view.fontMetrics().horizontalAdvance(long)
    assert view.columnViewportPosition(1) < view.viewport().width()  # "owner" is on screen, not off to the right


def test_tab_reaches_every_column_editor_and_the_decision_in_the_approval_pane(qtbot, ws, pending) -> None:
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.show()
    detail = pane.detail
    reached, widget = [], detail.table_name
    while widget is not detail.reject_button and len(reached) < 100:  # the order Tab follows
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible() and widget.isEnabled():
            reached.append(widget)
    editors = detail.columns.editors_in_order()
    assert reached[: len(editors)] == editors  # each column's name and type, in order
    assert reached[len(editors):] == [detail.sample_view, detail.approve_button, detail.reason, detail.reject_button]


def test_adding_a_row_and_deleting_it_after_confirming(qtbot, ws, people, monkeypatch) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    assert pane.add_row({"name": "Barbara", "age": "83", "city": "Boston"})
    assert pane.model.rowCount() == 5 and list_row(pane, people) == ("people", "5")

    pane.view.setCurrentIndex(pane.model.index(4, 0))
    monkeypatch.setattr(pane, "confirm", lambda question: False)
    pane.delete_button.click()
    assert pane.model.rowCount() == 5
    asked: list[str] = []
    monkeypatch.setattr(pane, "confirm", lambda question: asked.append(question) or True)
    pane.delete_button.click()
    assert asked == ["Delete 1 row from “people”?"]
    assert pane.model.rowCount() == 4 and "Barbara" not in cells(pane, 0)


def test_del_and_ctrl_z_on_the_grid_delete_after_asking_and_undo(qtbot, ws, people, monkeypatch) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    keys = {action.shortcut().toString(): action for action in pane.view.actions()}
    assert {"Del", "Ins"} <= set(keys)
    assert keys["Ctrl+Z"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    pane.view.setCurrentIndex(pane.model.index(0, 0))
    asked: list[str] = []
    monkeypatch.setattr(pane, "confirm", lambda question: asked.append(question) or True)

    keys["Del"].trigger()  # offscreen windows never become active, so key presses cannot reach shortcuts
    assert asked and cells(pane, 0) == ["Grace", "Alan", "Edsger"]
    keys["Ctrl+Z"].trigger()
    assert cells(pane, 0) == ["Ada", "Grace", "Alan", "Edsger"]


def test_export_writes_the_filtered_sorted_rows_to_csv(qtbot, ws, people, tmp_path, monkeypatch) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.set_column_filter("city", "london")
    pane.sort_by(1)
    pane.sort_by(1)
    target = tmp_path / "london.csv"
    from ui import file_dialogs

    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV files (*.csv)"))
    pane.export_button.click()
    with open(target, encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["name", "age", "city"], ["Alan", "41", "London"], ["Ada", "36", "London"]]
    assert "Exported 2 rows" in pane.message.text()


def test_the_sql_box_shows_results_and_a_sentence_for_a_write(qtbot, ws, people) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    box = pane.query_box
    box.editor.setPlainText("SELECT city, count(*) AS people FROM people GROUP BY city ORDER BY city")
    box.run_button.click()
    assert box.results.rowCount() == 3
    assert box.results.headerData(1, Qt.Orientation.Horizontal) == "people"
    assert box.results.data(box.results.index(0, 0)) == "London"
    assert not box.message.styleSheet()

    box.editor.setPlainText("DELETE FROM people")
    box.run_button.click()
    assert "only reading queries" in box.message.text().lower() and "a DELETE statement" in box.message.text()
    assert colors()["error"] in box.message.styleSheet()
    assert ws.tables.count(people) == 4
    assert box.editor.tabChangesFocus()  # Tab reaches Run from the query

    box.editor.setPlainText("SELECT 0.1::DOUBLE + 0.2::DOUBLE AS noisy, 1150::DOUBLE AS whole, 2.5::DOUBLE AS half")
    box.run_button.click()
    assert [box.results.data(box.results.index(0, c)) for c in range(3)] == ["0.3", "1150", "2.5"]


def test_a_new_workspace_shows_no_tables_yet_and_the_catalog_on_request(qtbot, ws) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    assert pane.stack.currentWidget() is pane.empty
    assert "No tables yet" in pane.empty.text() and f"{len(ws.tables.list())} empty catalog tables" in pane.empty.text()
    pane.empty.linkActivated.emit("catalog")
    assert pane.stack.currentWidget() is not pane.empty
    current = pane.table_list.currentItem()
    assert current is not None and current.parent() is not None and current.parent().isExpanded()
    assert pane.model.table == current.text(0)


def test_the_editor_says_what_to_do_when_there_are_no_tables(qtbot) -> None:
    pane = TablesPane(SimpleNamespace(tables=SimpleNamespace(list=lambda: [])))
    qtbot.addWidget(pane)
    assert pane.stack.currentWidget() is pane.empty
    assert "No tables yet" in pane.empty.text()


def test_panes_built_before_the_workspace_opens_show_it_once_it_does(qtbot, ws, people, pending) -> None:
    tables, approvals = TablesPane(None), ApprovalsPane(None)
    qtbot.addWidget(tables)
    qtbot.addWidget(approvals)
    assert tables.stack.currentWidget() is tables.empty and "Opening" in tables.empty.text()
    assert approvals.stack.currentWidget() is approvals.empty and "Opening" in approvals.empty.text()

    tables.set_workspace(ws)
    approvals.set_workspace(ws)
    assert tables.model.table == people and tables.model.rowCount() == 4
    assert approvals.list.topLevelItemCount() == 1


def test_a_proposal_from_a_long_path_fits_a_narrow_window(qtbot, ws, tmp_path) -> None:
    set_policy(ws, auto_approve_threshold=1.0)
    folder = tmp_path / ("a_very_long_folder_name_" * 4) / ("another_deeply_nested_folder_" * 3)
    folder.mkdir(parents=True)
    import_csv(ws, folder, "quarterly_sales_figures_for_the_northern_region_" * 2, SALES)
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.resize(650, 500)
    pane.show()
    qtbot.waitExposed(pane)
    assert pane.list.topLevelItemCount() == 1
    assert pane.minimumSizeHint().width() <= 650 and pane.width() <= 650


def test_a_fraction_typed_into_a_whole_number_cell_is_refused(qtbot, ws, people) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    index = pane.model.index(0, 1)
    assert not pane.model.setData(index, "3.7")
    assert pane.model.data(index) == "36" and ws.tables.page(people, 0, 1)[0][2] == 36
    assert "whole numbers only" in pane.message.text() and colors()["error"] in pane.message.styleSheet()


def test_undo_says_which_edit_of_which_table_it_undid(qtbot, ws, people) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    assert pane.model.setData(pane.model.index(2, 1), "42")
    pane.undo_button.click()
    assert pane.message.text() == "Undid the edit of age in row 3 of people."
    assert pane.model.data(pane.model.index(2, 1)) == "41"
    pane.show_table(None)  # another table (or none): the news was about people's, so it goes
    assert pane.message.isHidden() and pane.message.text() == ""


def test_export_offers_every_format_and_writes_the_one_chosen(qtbot, ws, people, tmp_path, monkeypatch) -> None:
    from openpyxl import load_workbook

    from ui import file_dialogs

    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.set_column_filter("city", "london")
    offered: list[str] = []

    def choose(_parent: Any, _title: str, _name: str, filters: str) -> tuple[str, str]:
        offered.extend(filters.split(";;"))
        return str(tmp_path / "london"), "Excel workbook (*.xlsx)"  # no extension typed: the filter's is added

    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName", choose)
    pane.export_button.click()
    assert offered == ["CSV (*.csv)", "Tab-separated text (*.tsv)", "Parquet (*.parquet)", "JSON (*.json)",
                       "Excel workbook (*.xlsx)"]
    sheet = load_workbook(tmp_path / "london.xlsx").active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [["name", "age", "city"], ["Ada", 36, "London"],
                                                                     ["Alan", 41, "London"]]
    assert "Exported 2 rows" in pane.message.text()
    pane.export_view(tmp_path / "london.gz")
    assert "end the file's name with .csv, .tsv" in pane.message.text()


def test_a_long_query_can_be_cancelled_and_does_not_hold_up_approvals(qtbot, ws, people, pending) -> None:
    from grace_desktop.runner import Runner

    runner = Runner()
    runner.set_workspace(ws)
    pane, approvals = TablesPane(ws, runner=runner), ApprovalsPane(ws, runner=runner)
    qtbot.addWidget(pane)
    qtbot.addWidget(approvals)
    box = pane.query_box
    box.editor.setPlainText("SELECT count(*) FROM range(10000000000000) a WHERE a.range % 7 = 3")  # hours
    assert box.run() and box.cancel_button.isEnabled() and not box.run_button.isEnabled()
    qtbot.waitUntil(lambda: approvals.list.topLevelItemCount() == 1, timeout=60_000)
    approvals.approve_selected()
    qtbot.waitUntil(lambda: ws.tables.proposal(pending.id).status == "applied", timeout=60_000)
    assert not box.run_button.isEnabled()  # the query still runs beside the approval
    escape = next(a for a in box.actions() if a.shortcut().toString() == "Esc")
    escape.trigger()  # offscreen windows never become active, so key presses cannot reach shortcuts
    qtbot.waitUntil(box.run_button.isEnabled, timeout=60_000)
    assert box.message.text() == "Query cancelled." and colors()["error"] not in box.message.styleSheet()
    assert not box.cancel_button.isEnabled()
    box.editor.setPlainText("SELECT count(*) AS n FROM people")
    box.run()
    qtbot.waitUntil(box.run_button.isEnabled, timeout=60_000)
    assert box.results.data(box.results.index(0, 0)) == "4"
    runner.shutdown()


def test_after_a_decision_the_selection_stays_in_its_place(qtbot, ws, tmp_path) -> None:
    set_policy(ws, auto_approve_threshold=1.0)
    for name in ("north", "south", "east"):
        import_csv(ws, tmp_path, name, SALES)
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    tables = [pane.list.topLevelItem(i).text(1) for i in range(3)]
    pane.list.setCurrentItem(pane.list.topLevelItem(1))
    pane.detail.approve_button.click()
    assert pane.selected().table == tables[2]  # the next one, now in the approved one's row
    pane.detail.approve_button.click()
    assert pane.selected().table == tables[0]  # the last one approved: the one before it


def test_enter_in_the_reason_box_rejects(qtbot, ws, pending) -> None:
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitExposed(pane)
    qtbot.keyClicks(pane.detail.reason, "Duplicate of last month's file")
    qtbot.keyClick(pane.detail.reason, Qt.Key.Key_Return)
    decided = ws.tables.proposals()[0]
    assert (decided.status, decided.reason) == ("rejected", "Duplicate of last month's file")


def test_several_proposals_chosen_are_approved_or_rejected_together(qtbot, ws, tmp_path) -> None:
    set_policy(ws, auto_approve_threshold=1.0)
    for name in ("north", "south", "east", "west"):
        import_csv(ws, tmp_path, name, SALES)
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    assert pane.list.isColumnHidden(STATUS_COLUMN)  # "Waiting for you": one status, no column for it
    items = [pane.list.topLevelItem(i) for i in range(4)]
    for item in items[:2]:
        item.setSelected(True)
    assert pane.detail.approve_button.text() == "&Approve 2" and not pane.detail.table_name.isEnabled()
    pane.detail.approve_button.click()
    assert "Approved 2 of 2 proposals." in pane.message.text()
    assert sorted(p.status for p in ws.tables.proposals()) == ["applied", "applied", "pending", "pending"]
    pane.list.selectAll()
    assert pane.detail.reject_button.text() == "&Reject 2"
    pane.detail.reject_button.click()  # no reason: nothing is rejected
    assert "Say why" in pane.message.text() and len(ws.tables.proposals("pending")) == 2
    pane.reject_selected("Regional files are merged elsewhere")
    assert {(p.status, p.reason) for p in ws.tables.proposals("rejected")} == {
        ("rejected", "Regional files are merged elsewhere")} and len(ws.tables.proposals("rejected")) == 2
    pane.status.setCurrentIndex(pane.status.findText("All"))
    assert not pane.list.isColumnHidden(STATUS_COLUMN)
    shown = sorted(pane.list.topLevelItem(i).text(STATUS_COLUMN) for i in range(pane.list.topLevelItemCount()))
    assert shown == ["Approved", "Approved", "Rejected", "Rejected"]


def test_one_proposal_that_cannot_be_approved_leaves_the_others_approved(qtbot, ws, tmp_path, monkeypatch) -> None:
    set_policy(ws, auto_approve_threshold=1.0)
    for name in ("north", "south", "east"):
        import_csv(ws, tmp_path, name, SALES)
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    broken = pane.list.topLevelItem(1).text(1)
    approve = ws.tables.approve

    def refuse_one(pid: int, **edits: Any) -> Any:
        if ws.tables.proposal(pid).table == broken:
            raise GraceError(f"the table {broken} is locked by another program")
        return approve(pid, **edits)

    monkeypatch.setattr(ws.tables, "approve", refuse_one)
    pane.list.selectAll()
    pane.detail.approve_button.click()
    assert "Approved 2 of 3 proposals." in pane.message.text() and broken in pane.message.text()
    assert [p.table for p in ws.tables.proposals("pending")] == [broken]


def test_the_add_row_fields_say_what_each_column_takes_in_words(qtbot) -> None:
    from engine.tables.model import Column
    from ui.tables import AddRowDialog

    dialog = AddRowDialog("budget", [Column("amount", "amount", "DOUBLE"), Column("month", "month", "DATE"),
                                     Column("n", "n", "BIGINT"), Column("price", "price", "DECIMAL(10,2)"),
                                     Column("note", "note", "VARCHAR")])
    qtbot.addWidget(dialog)
    assert [f.placeholderText() for f in dialog._fields.values()] == [
        "a number", "a date (YYYY-MM-DD)", "a whole number", "a number with at most 2 decimal places", "text"]


def test_the_type_boxes_offer_types_in_words_keeping_an_unlisted_proposed_type(qtbot) -> None:
    editor = ColumnEditor()
    qtbot.addWidget(editor)
    editor.set_columns([Column(c, c, t) for c, t in (("n", "INTEGER"), ("price", "DECIMAL(10,2)"), ("day", "DATE"))],
                       True)
    n, price, day = (editor.editor(c)[1] for c in ("n", "price", "day"))
    assert (n.currentText(), n.currentData()) == ("Whole number", "INTEGER")  # not listed twice
    assert [n.itemText(i) for i in range(n.count())].count("Whole number") == 1
    assert (price.currentText(), price.currentData()) == ("Number with at most 2 decimal places", "DECIMAL(10,2)")
    assert day.currentText() == "Date" and editor.types() == {}
    day.setCurrentIndex(day.findText("Text"))
    assert editor.types() == {"day": "VARCHAR"}


def test_ins_on_the_grid_opens_the_add_row_dialog(qtbot, ws, people, monkeypatch) -> None:
    from ui.tables import AddRowDialog

    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    asked: list[str] = []

    def fill_in(dialog: AddRowDialog) -> int:
        asked.append(dialog.windowTitle())
        for field, text in zip(dialog._fields.values(), ("Ada", "36", "London"), strict=True):
            field.setText(text)
        dialog.accept()  # OK
        return dialog.result()

    monkeypatch.setattr(AddRowDialog, "exec", fill_in)
    keys = {action.shortcut().toString(): action for action in pane.view.actions()}
    keys["Ins"].trigger()  # as the key does (triggered carries a bool, which add_row once took for values)
    assert len(asked) == 1 and not pane.message.text()
    assert pane.model.rowCount() == 5 and "Ada" in cells(pane, 0)


def test_a_row_refused_by_the_table_keeps_the_add_row_dialog_open_with_what_was_typed(qtbot, ws, people,
                                                                                    monkeypatch) -> None:
    from ui.tables import AddRowDialog

    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    seen: list[tuple[bool, str, str]] = []

    def fill_in(dialog: AddRowDialog) -> int:
        fields = dialog._fields
        for name, text in (("name", "Ada"), ("age", "lots"), ("city", "London")):
            fields[name].setText(text)
        dialog.accept()  # OK: refused, the dialog stays with the values and says why
        seen.append((dialog.result() == AddRowDialog.DialogCode.Accepted, dialog.problem.text(),
                     fields["name"].text()))
        fields["age"].setText("36,0")  # corrected: a decimal comma is read as an import reads it
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(AddRowDialog, "exec", fill_in)
    assert pane.add_row()
    assert seen == [(False, "The row could not be added to 'people': 'lots' cannot go in column 'age': it takes a "
                            "whole number.", "Ada")]
    assert pane.model.rowCount() == 5 and "Ada" in cells(pane, 0)


def test_a_rejected_table_is_proposed_again_from_approvals(qtbot, ws, pending) -> None:
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    assert pane.detail.again_button.isHidden()  # only a rejected table can be proposed again
    pane.reject_selected("Wrong month")
    pane.status.setCurrentIndex(pane.status.findText("Rejected"))
    qtbot.waitUntil(lambda: pane.detail.proposal is not None and pane.detail.proposal.status == "rejected")
    assert not pane.detail.again_button.isHidden()
    pane.detail.again_button.click()
    assert pane.message.text() == "“sales” is proposed again from sales.csv; it waits under Waiting for you."
    assert [(p.status, p.table) for p in ws.tables.proposals()] == [("pending", "sales"), ("rejected", "sales")]


def test_deleting_rows_says_so_and_how_to_bring_them_back(qtbot, ws, people, monkeypatch) -> None:
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.view.selectRow(0)
    pane.view.selectionModel().select(pane.model.index(1, 0), pane.view.selectionModel().SelectionFlag.Select
                                      | pane.view.selectionModel().SelectionFlag.Rows)
    monkeypatch.setattr(pane, "confirm", lambda question: True)
    assert pane.delete_selected()
    assert pane.message.text() == "Deleted 2 rows from “people”. Undo (Ctrl+Z) brings them back."


def test_undo_asks_first_when_the_newest_edit_is_in_another_table(qtbot, ws, people, tmp_path, monkeypatch) -> None:
    assert import_csv(ws, tmp_path, "pets", "pet,legs\nrex,4\n").status == "applied"
    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    pane.select_table("pets")
    assert pane.model.setData(pane.model.index(0, 1), "3")
    pane.select_table(people)
    asked: list[str] = []
    monkeypatch.setattr(pane, "confirm", lambda question: asked.append(question) or False)
    assert not pane.undo_last_edit()  # declined: the edit stays
    assert asked == ["The newest edit is not in “people”: it is the edit of legs in row 1 of pets. Undo it?"]
    assert ws.tables.page("pets", 0, 1)[0][2] == 3
    monkeypatch.setattr(pane, "confirm", lambda question: True)
    assert pane.undo_last_edit() and ws.tables.page("pets", 0, 1)[0][2] == 4
    assert pane.message.text() == "Undid the edit of legs in row 1 of pets."


def test_the_export_dialog_opens_in_documents_then_where_the_last_export_went(qtbot, ws, people, tmp_path,
                                                                              monkeypatch) -> None:
    from grace_desktop.qt import QStandardPaths
    from ui import file_dialogs

    pane = TablesPane(ws)
    qtbot.addWidget(pane)
    offered: list[str] = []

    def choose(_parent: Any, _title: str, start: str, _filters: str) -> tuple[str, str]:
        offered.append(start)
        return str(tmp_path / "out" / "people.csv"), "CSV files (*.csv)"

    (tmp_path / "out").mkdir()
    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName", choose)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    first = documents if Path(documents).is_dir() else str(Path.home())
    pane.export_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "out" / "people.csv").exists())
    pane.export_button.click()
    assert offered == [str(Path(first) / "people.csv"), str(tmp_path / "out" / "people.csv")]
