"""The Activity pane's event log: a keyboard passes it in one Tab, its sentences name tables as
they are now, and its file links open real files."""

from __future__ import annotations

from grace_desktop.qt import QApplication, QLineEdit, Qt, QVBoxLayout, QWidget
from ui.activity import EventLog


def test_one_tab_leaves_the_event_log_however_many_links_it_holds(qtbot) -> None:
    from PySide6.QtTest import QTest

    window = QWidget()
    before, log, after = QLineEdit(), EventLog(), QLineEdit()
    layout = QVBoxLayout(window)
    for widget in (before, log, after):
        layout.addWidget(widget)
    log.setHtml("".join(f"<p>Read <a href='file:///tmp/n{i}.md'>n{i}.md</a>.</p>" for i in range(12)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    log.setFocus()
    QTest.keyClick(log, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is after  # was the log, its cursor on the first link
    log.setFocus()
    QTest.keyClick(log, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is before


def test_a_table_renamed_at_approval_is_named_as_it_is_now() -> None:
    from ui.activity import _proposed

    proposed = {"table": "spending_messy", "rows": 8, "kind": "new"}
    now = {"status": "applied", "decided_by": "user", "table": "spending"}
    assert _proposed(proposed, now, "spending_messy.csv") == (
        "Table <b>spending</b> was made from spending_messy.csv (8 rows), approved by you (renamed from "
        "spending_messy).")  # was "Table spending_messy", a table that does not exist
    same = {**now, "table": "spending_messy", "decided_by": "policy"}
    assert _proposed(proposed, same, "x.csv") == "Table <b>spending_messy</b> was made from x.csv (8 rows), " \
                                                 "approved by the policy."


def test_a_sheet_s_link_opens_its_workbook(tmp_path) -> None:
    from grace_desktop.qt import QUrl
    from ui.activity import _event_html

    book = tmp_path / "energy.xlsx"
    book.write_bytes(b"PK")
    event = {"ts": "2026-01-02T10:00:00+00:00", "action": "propose", "subject": "proposal 3",
             "details": {"source": f"{book}#Tariffs", "table": "energy_tariffs", "rows": 4, "kind": "new"},
             "proposal": {"status": "pending", "table": "energy_tariffs"}}
    html = _event_html(event)
    href = html.split("href='", 1)[1].split("'", 1)[0]
    assert QUrl(href).toLocalFile() == str(book)  # was …/energy.xlsx#Tariffs, a file that does not exist
    assert ">energy.xlsx#Tariffs</a>" in html  # the sheet is still named


def test_a_copy_taking_over_a_removed_file_is_said_in_words() -> None:
    from ui.activity import _event_html

    event = {"ts": "2026-01-02T10:00:00+00:00", "action": "hand_over", "subject": "/d/jan copy.csv",
             "details": {"from": "/d/jan.csv"}, "actor": "system"}
    assert "took over the tables of jan.csv, which was removed: it has the same content." in _event_html(event)


def test_edits_to_a_table_are_in_the_log(ws, tmp_path) -> None:
    from ui.activity import _event_html, recent_events

    path = tmp_path / "people.csv"
    path.write_text("name,age\nAda,36\nGrace,85\nAlan,41\n", encoding="utf-8")
    assert ws.tables.import_file(path).status == "applied"
    ws.tables.update_cell("people", 1, "age", 37)
    ws.tables.add_row("people", {"name": "Edsger", "age": 72})
    ws.tables.delete_rows("people", [2, 3])
    ws.tables.undo_last_edit()
    lines = [_event_html(e) for e in recent_events(ws)][:4]
    assert ["Undid a deletion in table <b>people</b>." in lines[0], "Deleted 2 rows from table <b>people</b>." in
            lines[1], "Added a row to table <b>people</b>." in lines[2],
            "Set age in row 1 of table <b>people</b> to “37”." in lines[3]] == [True] * 4, lines
