"""Browsing, editing, undo, export and read-only SQL over the person's tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine import Workspace
from engine.embed import Embedder
from engine.errors import NotApproved, TableError
from engine.tables import RowFilter
from engine.tables.edits import NextUndo


@pytest.fixture
def people(ws: Workspace, tmp_path: Path) -> Workspace:
    path = tmp_path / "people.csv"
    path.write_text("name,city,age\nAda,London,36\nGrace,New York,85\nAlan,Wilmslow,41\nKaren,Cambridge,70\n"
                    "Edsger,Austin,72\n")
    assert ws.tables.import_file(path).status == "applied"
    return ws


def _names(ws: Workspace, **kw: object) -> list[str]:
    return [row[1] for row in ws.tables.page("people", 0, 100, **kw)]  # type: ignore[arg-type]


def _last_audit(ws: Workspace) -> dict:
    return ws.audit_entries(1)[0]


def test_pages_start_with_a_stable_row_key(people: Workspace) -> None:
    rows = people.tables.page("people", 1, 2)
    assert rows == [(2, "Grace", "New York", 85), (3, "Alan", "Wilmslow", 41)]
    people.tables.delete_rows("people", [1])
    assert people.tables.page("people", 0, 2)[0][0] == 2  # keys do not shift after a delete
    assert people.tables.page("people", 10, 5) == []


def test_filters_and_sorting_narrow_and_order_the_rows(people: Workspace) -> None:
    assert _names(people, flt=RowFilter(text="LON")) == ["Ada"]  # any column, any case
    assert _names(people, flt=RowFilter(text="an")) == ["Alan"]
    assert _names(people, flt=RowFilter(columns={"city": "a"})) == ["Karen", "Edsger"]
    assert _names(people, flt=RowFilter(text="8")) == ["Grace"]  # numbers match as text
    assert people.tables.count("people", RowFilter(text="e", columns={"city": "n"})) == 2
    assert _names(people, sort=("age", False)) == ["Grace", "Edsger", "Karen", "Alan", "Ada"]
    assert _names(people, flt=RowFilter(text="%")) == []  # wildcards in the text are literal
    with pytest.raises(TableError, match="no column"):
        people.tables.page("people", 0, 5, sort=("salary", True))
    with pytest.raises(TableError, match="no table"):
        people.tables.count("nobody")


def test_pages_near_the_top_and_deep_inside_agree_on_one_order(ws: Workspace, tmp_path: Path) -> None:
    from engine.tables import browse

    path = tmp_path / "stock.csv"
    rows = [(f"item{i:04}", (i * 7919) % 1500) for i in range(1500)]  # quantities in a scrambled order
    path.write_text("item,qty\n" + "".join(f"{a},{b}\n" for a, b in rows))
    assert ws.tables.import_file(path).status == "applied"
    want = [name for name, _ in sorted(rows, key=lambda r: -r[1])]
    by_qty = {"sort": ("qty", False)}
    top = ws.tables.page("stock", 0, 100, **by_qty)  # type: ignore[arg-type]  # a top-N query: no order built
    assert not ws.tables._orders.cached("stock", ws.tables.store.generation.get("stock", 0), None, ("qty", False))  # noqa: SLF001
    deep = ws.tables.page("stock", browse.DIRECT_ROWS + 200, 100, **by_qty)  # type: ignore[arg-type]  # builds it
    again = ws.tables.page("stock", 0, 100, **by_qty)  # type: ignore[arg-type]  # now from the built order
    assert [r[1] for r in top] == [r[1] for r in again] == want[:100]
    assert [r[1] for r in deep] == want[browse.DIRECT_ROWS + 200:browse.DIRECT_ROWS + 300]


def test_a_filter_holding_sql_is_just_text(people: Workspace) -> None:
    hostile = RowFilter(text="'; DROP TABLE people; --", columns={"name": "\" OR 1=1 --"})
    assert people.tables.count("people", hostile) == 0
    assert people.tables.count("people") == 5


def test_a_cell_edit_is_audited_and_can_be_undone(people: Workspace) -> None:
    changes = people.tables.update_cell("people", 2, "age", "86")
    assert changes.tables and changes.audit
    assert people.tables.page("people", 1, 1)[0] == (2, "Grace", "New York", 86)
    entry = _last_audit(people)
    assert (entry["action"], entry["subject"], entry["details"]["value"]) == ("table_update", "people", "86")
    people.tables.undo_last_edit()
    assert people.tables.page("people", 1, 1)[0][3] == 85
    assert _last_audit(people)["action"] == "table_undo"
    assert people.verify_audit().ok


def test_a_value_that_does_not_fit_changes_nothing(people: Workspace) -> None:
    with pytest.raises(TableError, match=r"^'old' cannot go in column 'age': it takes a whole number\.$"):
        people.tables.update_cell("people", 1, "age", "old")  # in words, not "not a valid BIGINT (Conversion Error…)"
    with pytest.raises(TableError, match="it takes a whole number, and this one is too large for it"):
        people.tables.update_cell("people", 1, "age", "1e30")
    with pytest.raises(TableError, match="no column"):
        people.tables.update_cell("people", 1, "_grace_id", 5)
    assert people.tables.page("people", 0, 1)[0][3] == 36
    with pytest.raises(TableError, match="no edit to undo"):
        people.tables.undo_last_edit()


def test_added_rows_get_the_next_key_and_undo_removes_them(people: Workspace) -> None:
    people.tables.add_row("people", {"name": "Barbara", "age": 81})
    assert people.tables.page("people", 5, 1)[0] == (6, "Barbara", None, 81)
    people.tables.undo_last_edit()
    assert people.tables.count("people") == 5


def test_deleted_rows_come_back_with_their_keys_on_undo(people: Workspace) -> None:
    people.tables.delete_rows("people", [2, 4])
    assert _names(people) == ["Ada", "Alan", "Edsger"]
    people.tables.undo_last_edit()
    assert [row[0] for row in people.tables.page("people", 0, 10)] == [1, 2, 3, 4, 5]
    assert _names(people) == ["Ada", "Grace", "Alan", "Karen", "Edsger"]


def test_undo_walks_back_through_several_edits(people: Workspace) -> None:
    people.tables.update_cell("people", 1, "city", "Paris")
    people.tables.update_cell("people", 1, "city", "Rome")
    people.tables.undo_last_edit()
    assert people.tables.page("people", 0, 1)[0][2] == "Paris"
    people.tables.undo_last_edit()
    assert people.tables.page("people", 0, 1)[0][2] == "London"


def test_a_dropped_table_comes_back_whole_on_undo(people: Workspace) -> None:
    columns = people.tables.columns("people")
    people.tables.drop_table("people", "cleaning up")
    assert "people" not in [t.name for t in people.tables.list()]
    people.tables.undo_last_edit()
    assert _names(people) == ["Ada", "Grace", "Alan", "Karen", "Edsger"]
    assert people.tables.columns("people") == columns  # original names and types kept
    people.tables.add_row("people", {"name": "Barbara"})
    assert [row[0] for row in people.tables.page("people", 0, 10)] == [1, 2, 3, 4, 5, 6]
    assert [e["action"] for e in people.audit_entries(3)][1:] == ["table_undo", "table_drop"]


def test_edits_that_need_approval_wait_as_proposals(people: Workspace) -> None:
    people.tables.set_policy({**people.tables.policy(), "edits_need_approval_for": ["people"]})
    with pytest.raises(NotApproved) as caught:
        people.tables.update_cell("people", 1, "city", "Paris")
    pid = caught.value.proposal_id
    assert pid and caught.value.changes.proposals  # type: ignore[union-attr]
    assert people.tables.page("people", 0, 1)[0][2] == "London"
    waiting = people.tables.proposal(pid)
    assert (waiting.kind, waiting.table, waiting.status) == ("edit", "people", "pending")
    people.tables.approve(pid, actor="manager")
    assert people.tables.page("people", 0, 1)[0][2] == "Paris"
    edit = next(e for e in people.audit_entries(20) if e["action"] == "table_update")
    assert edit["actor"] == "manager"


def test_an_edit_whose_audit_entry_was_lost_is_audited_on_the_next_open(people: Workspace, ws_dir: Path,
                                                                        embedder: Embedder,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(type(people.tables), "audit_edits", lambda self: None)  # as if the process died here
    people.tables.update_cell("people", 3, "city", "Manchester")
    assert _last_audit(people)["action"] != "table_update"
    people.close()
    monkeypatch.undo()
    with Workspace(ws_dir, embedder) as again:
        again.tables.list()
        entry = _last_audit(again)
        assert (entry["action"], entry["details"]["value"]) == ("table_update", "Manchester")
        assert again.verify_audit().ok


def test_export_writes_the_filtered_sorted_rows(people: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    n = people.tables.export("people", out, RowFilter(columns={"city": "a"}), ("age", True))
    rows = list(csv.reader(out.open()))
    assert n == 2 and rows[0] == ["name", "city", "age"]
    assert rows[1:] == [["Karen", "Cambridge", "70"], ["Edsger", "Austin", "72"]]


def test_queries_join_tables_and_only_read(people: Workspace, tmp_path: Path) -> None:
    (tmp_path / "cities.csv").write_text("city,country,million\nLondon,UK,8.9\nAustin,USA,1\n")
    people.tables.import_file(tmp_path / "cities.csv")
    columns, rows = people.tables.query(
        "SELECT p.name, c.country FROM people p JOIN cities c USING (city) ORDER BY p.name")
    assert columns == ["name", "country"] and rows == [("Ada", "UK"), ("Edsger", "USA")]
    assert people.tables.query("WITH x AS (SELECT 1 AS n) SELECT n FROM x")[1] == [(1,)]
    assert people.tables.query("SELECT * FROM people", limit=2)[1][1][0] == "Grace"  # the row key stays hidden
    assert "people" in {r[0] for r in people.tables.query("SHOW TABLES")[1]}
    assert people.tables.query("DESCRIBE people")[1][1][0] == "name"


@pytest.mark.parametrize(("sql", "said"), [
    ("SELECT nmae FROM people", 'The query failed: there is no column "nmae"; did you mean "name"?'),
    ("SELECT zzz FROM people", 'The query failed: there is no column "zzz"'),
    ("SELECT lenght(name) FROM people", 'The query failed: there is no function lenght(); did you mean "length"?'),
    ("SELEC 1", 'The query is not valid SQL: syntax error at or near "SELEC"'),
])
def test_a_query_that_fails_says_why_in_words(people: Workspace, sql: str, said: str) -> None:
    with pytest.raises(TableError) as caught:
        people.tables.query(sql)
    assert str(caught.value) == said


@pytest.mark.parametrize(("sql", "why"), [
    ("DROP TABLE people", "a DROP statement"),
    ("DELETE FROM people", "DELETE"),
    ("UPDATE people SET age = 0", "an UPDATE statement"),
    ("INSERT INTO people VALUES (9, 'x', 'y', 1)", "INSERT"),
    ("SELECT 1; DROP TABLE people", "one statement"),
    ("COPY people TO '/tmp/out.csv'", "COPY"),
    ("ATTACH '/tmp/other.db'", "ATTACH"),
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    ("SELECT * FROM read_text('/etc/hostname')", "read_text"),
    ("SELECT * FROM '/etc/passwd'", "no table"),
    ("SELEC nonsense", "not valid"),
])
def test_queries_that_would_write_or_read_files_are_refused(people: Workspace, sql: str, why: str) -> None:
    with pytest.raises(TableError, match=why):
        people.tables.query(sql)
    assert people.tables.count("people") == 5


def test_reading_while_another_thread_imports(people: Workspace, tmp_path: Path) -> None:
    import threading

    big = tmp_path / "big.csv"
    big.write_text("n,word\n" + "".join(f"{i},w{i}\n" for i in range(200_000)))
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(people.tables.import_file(big)))
    worker.start()
    seen = []
    while worker.is_alive():
        seen.append(people.tables.page("people", 0, 2)[0][1])
    worker.join()
    assert seen and set(seen) == {"Ada"}
    assert people.tables.count("big") == 200_000 and done[0].status == "applied"  # type: ignore[attr-defined]


# -- undo after a re-import, undo under the approval policy, whole numbers ------------------------


def _load(ws: Workspace, path: Path) -> None:
    """Import ``path`` and approve it if the policy left it waiting."""
    proposal = ws.tables.import_file(path)
    if proposal.status == "pending":
        ws.tables.approve(proposal.id)


def _reimport_people(ws: Workspace, tmp_path: Path) -> None:
    """The same file again with other rows: its earlier rows are replaced and their keys handed out anew."""
    (tmp_path / "people.csv").write_text("name,city,age\nMary,Leeds,50\nJohn,York,60\n")
    _load(ws, tmp_path / "people.csv")  # waits for the person when it would replace their edits


def test_an_edit_made_before_a_reimport_is_not_undone_into_the_new_rows(people: Workspace, tmp_path: Path) -> None:
    (tmp_path / "cities.csv").write_text("city,country\nLondon,UK\nAustin,USA\n")
    _load(people, tmp_path / "cities.csv")
    people.tables.update_cell("cities", 1, "country", "England")
    people.tables.update_cell("people", 1, "age", 37)
    _reimport_people(people, tmp_path)
    with pytest.raises(TableError, match="age in row 1 of people cannot be undone: people was reloaded"):
        people.tables.undo_last_edit()
    assert people.tables.page("people", 0, 5) == [(1, "Mary", "Leeds", 50), (2, "John", "York", 60)]
    assert people.tables.next_undo() == NextUndo("cities", "the edit of country in row 1 of cities")  # undo moves on
    people.tables.undo_last_edit()
    assert people.tables.page("cities", 0, 1)[0][2] == "UK"
    with pytest.raises(TableError, match="no edit to undo"):
        people.tables.undo_last_edit()


def test_an_undone_delete_never_brings_back_a_key_a_new_row_has(people: Workspace, tmp_path: Path) -> None:
    people.tables.delete_rows("people", [1])
    _reimport_people(people, tmp_path)
    with pytest.raises(TableError, match="deletion of row 1 from people cannot be undone"):
        people.tables.undo_last_edit()
    keys = [r[0] for r in people.tables.query("SELECT _grace_id FROM people ORDER BY 1")[1]]
    assert keys == [1, 2]
    people.tables.update_cell("people", 1, "age", 99)
    assert people.tables.query("SELECT name FROM people WHERE age = 99")[1] == [("Mary",)]


def test_an_undone_delete_is_refused_when_its_keys_were_taken_since(people: Workspace, tmp_path: Path) -> None:
    people.tables.delete_rows("people", [5])
    other = tmp_path / "more" / "people.csv"  # another file of the same name: appended, not replacing
    other.parent.mkdir()
    other.write_text("name,city,age\nBarbara,Boston,83\n")
    _load(people, other)
    assert people.tables.page("people", 4, 1)[0][:2] == (5, "Barbara")
    with pytest.raises(TableError, match="rows with the same keys were added to people"):
        people.tables.undo_last_edit()
    assert people.tables.count("people") == 5


def test_undo_follows_the_policy_that_edits_need_approval(people: Workspace) -> None:
    people.tables.update_cell("people", 1, "age", 37)  # made before the policy changed
    people.tables.set_policy({**people.tables.policy(), "edits_need_approval_for": ["people"]})
    with pytest.raises(NotApproved, match="the undo of the edit of age in row 1 of people waits") as caught:
        people.tables.undo_last_edit()
    assert people.tables.page("people", 0, 1)[0][3] == 37
    with pytest.raises(TableError, match=f"already waits for approval as proposal {caught.value.proposal_id}"):
        people.tables.undo_last_edit()
    people.tables.approve(caught.value.proposal_id)  # type: ignore[arg-type]
    assert people.tables.page("people", 0, 1)[0][3] == 36
    assert people.tables.proposal(caught.value.proposal_id).status == "applied"  # type: ignore[arg-type]
    assert any(e["action"] == "table_undo" for e in people.audit_entries(5))


@pytest.mark.parametrize("value", ["3.7", 3.7, " -2.5 "])
def test_a_fraction_in_a_whole_number_column_is_refused_not_rounded(people: Workspace, value: object) -> None:
    with pytest.raises(TableError, match="whole numbers only"):
        people.tables.update_cell("people", 1, "age", value)
    with pytest.raises(TableError, match="whole numbers only"):
        people.tables.add_row("people", {"name": "Z", "age": value})
    assert people.tables.page("people", 0, 1)[0][3] == 36 and people.tables.count("people") == 5
    people.tables.update_cell("people", 1, "age", "40.0")  # a whole number written with a point is fine
    assert people.tables.page("people", 0, 1)[0][3] == 40


def test_more_decimal_places_than_a_decimal_column_keeps_are_refused(ws: Workspace, tmp_path: Path) -> None:
    from decimal import Decimal

    import duckdb

    path = tmp_path / "prices.parquet"
    duckdb.connect().execute("COPY (SELECT 1 AS id, 3.50::DECIMAL(10,2) AS price) TO ? (FORMAT parquet)", [str(path)])
    assert ws.tables.import_file(path).status == "applied"
    with pytest.raises(TableError, match="at most 2 decimal places"):
        ws.tables.update_cell("prices", 1, "price", "3.756")  # DuckDB would store 3.76
    ws.tables.update_cell("prices", 1, "price", "3.75")
    assert ws.tables.page("prices", 0, 1)[0][2] == Decimal("3.75")


def test_a_typed_date_that_could_be_day_or_month_first_is_refused_with_both_readings(ws: Workspace,
                                                                                      tmp_path: Path) -> None:
    import datetime as dt

    import duckdb

    path = tmp_path / "trips.parquet"
    duckdb.connect().execute("COPY (SELECT 1 AS id, DATE '2024-01-05' AS day) TO ? (FORMAT parquet)", [str(path)])
    assert ws.tables.import_file(path).status == "applied"
    with pytest.raises(TableError, match=r"'03/04/2024' could be day/month or month/day.*2024-03-04 or 2024-04-03"):
        ws.tables.update_cell("trips", 1, "day", "03/04/2024")
    with pytest.raises(TableError, match="day/month or month/day"):
        ws.tables.add_row("trips", {"id": 2, "day": "03/04/2024"})
    assert ws.tables.page("trips", 0, 5)[0][-1] == dt.date(2024, 1, 5) and ws.tables.count("trips") == 1
    ws.tables.update_cell("trips", 1, "day", "28/03/2024")  # only one reading: taken
    ws.tables.add_row("trips", {"id": 2, "day": "2024-04-03"})
    assert [r[-1] for r in ws.tables.page("trips", 0, 5)] == [dt.date(2024, 3, 28), dt.date(2024, 4, 3)]


# -- export formats -------------------------------------------------------------------------


def _read_back(path: Path) -> list[list[object]]:
    """Header and rows of an exported file, whatever its format."""
    import json

    import duckdb
    from openpyxl import load_workbook

    if path.suffix == ".xlsx":
        return [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    if path.suffix == ".json":
        records = json.loads(path.read_text())
        return [list(records[0])] + [list(r.values()) for r in records]
    if path.suffix == ".parquet":
        rel = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
        return [list(rel.columns)] + [list(r) for r in rel.fetchall()]
    delimiter = "\t" if path.suffix == ".tsv" else ","
    return [[int(v) if v.isdigit() else v for v in r] for r in csv.reader(path.open(), delimiter=delimiter)]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".json", ".xlsx"])
def test_export_writes_the_format_the_extension_names(people: Workspace, tmp_path: Path, suffix: str) -> None:
    people.tables.update_cell("people", 4, "city", "Cam\tbridge")
    people.tables.update_cell("people", 5, "city", '=HYPERLINK("b")')  # text, never a formula
    out = tmp_path / f"out{suffix}"
    assert people.tables.export("people", out, RowFilter(columns={"city": "b"}), ("age", False)) == 2
    assert _read_back(out) == [["name", "city", "age"], ["Edsger", '=HYPERLINK("b")', 72],
                               ["Karen", "Cam\tbridge", 70]]  # no internal row key
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


@pytest.mark.parametrize("name", ["out.csv.gz", "out.txt", "out"])
def test_export_to_an_unknown_extension_is_refused_with_the_supported_ones(people: Workspace, tmp_path: Path,
                                                                         name: str) -> None:
    with pytest.raises(TableError, match=r"end the file's name with \.csv, \.tsv, \.parquet, \.json or \.xlsx"):
        people.tables.export("people", tmp_path / name)
    assert not (tmp_path / name).exists()


def test_a_failed_export_leaves_the_old_file_and_no_half_written_one(people: Workspace, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.tables import browse

    out = tmp_path / "out.xlsx"
    out.write_text("the earlier export")
    monkeypatch.setattr(browse, "EXCEL_ROWS", 5)  # Excel's limit, made small: 5 rows and a header do not fit
    with pytest.raises(TableError, match="5 rows do not fit in an Excel sheet"):
        people.tables.export("people", out)
    assert out.read_text() == "the earlier export"
    assert people.tables.export("people", out, RowFilter(columns={"city": "o"})) == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(TableError, match="does not exist"):
        people.tables.export("people", tmp_path / "nowhere" / "out.csv")
    (tmp_path / "taken.csv").mkdir()  # the rename fails: DuckDB wrote the rows, the name is a folder
    with pytest.raises(TableError, match="could not be exported"):
        people.tables.export("people", tmp_path / "taken.csv")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- querying ----------------------------------------------------------------------------------


def test_select_star_shows_the_persons_columns_and_the_row_key_only_when_named(people: Workspace) -> None:
    columns, rows = people.tables.query("SELECT * FROM people ORDER BY age LIMIT 1")
    assert columns == ["name", "city", "age"] and rows == [("Ada", "London", 36)]
    columns, rows = people.tables.query("SELECT a.*, b.name AS other FROM people a JOIN people b USING (age)")
    assert "_grace_id" not in columns and len(rows[0]) == len(columns) == 4
    columns, rows = people.tables.query("SELECT _grace_id, * FROM people ORDER BY _grace_id LIMIT 1")
    assert columns[0] == "_grace_id" and rows[0][0] == 1  # asked for by name: shown


# -- stopping a query ---------------------------------------------------------------------------


def test_a_running_query_can_be_stopped_from_another_thread(people: Workspace) -> None:
    import threading

    from engine.errors import Cancelled
    from engine.tables.api import QueryStop

    stop, outcome = QueryStop(), []

    def run() -> None:
        try:
            people.tables.query("SELECT count(*) FROM range(10000000000000) a WHERE a.range % 7 = 3", stop=stop)
        except Cancelled as exc:
            outcome.append(str(exc))
        outcome.append(people.tables.query("SELECT count(*) FROM people")[1])  # the thread's cursor still works

    worker = threading.Thread(target=run)
    worker.start()
    while stop._cursor is None and worker.is_alive():  # noqa: SLF001 - wait until the query runs
        threading.Event().wait(0.01)
    stop.cancel()
    worker.join(120)
    assert outcome == ["Query cancelled.", [(5,)]]
    with pytest.raises(Cancelled):
        people.tables.query("SELECT 1", stop=stop)  # a stopped query does not start again


def test_a_typed_month_or_yes_is_read_as_the_import_read_the_file(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "budget.csv"
    path.write_text("month,category,amount,paid\n2024-01,rent,1200,yes\n2024-02,food,300,no\n")
    proposal = ws.tables.import_file(path)
    assert proposal.status == "pending"  # a month read as its first day is checked first
    ws.tables.approve(proposal.id)
    assert [c.type for c in ws.tables.columns("budget")][:1] + [ws.tables.columns("budget")[3].type] == \
        ["DATE", "BOOLEAN"]
    ws.tables.add_row("budget", {"month": "2024-03", "category": "rent", "amount": "1200", "paid": "yes"})
    ws.tables.update_cell("budget", 2, "month", "2024-04")
    rows = ws.tables.page("budget", 0, 10)
    assert [str(r[1]) for r in rows] == ["2024-01-01", "2024-04-01", "2024-03-01"] and rows[2][4] is True
    with pytest.raises(TableError, match=r"cannot go in column 'month': it takes a date \(YYYY-MM-DD\)"):
        ws.tables.update_cell("budget", 1, "month", "someday")
    with pytest.raises(TableError, match=r"^'2025-02-30' cannot go in column 'month': February 2025 has 28 days\.$"):
        ws.tables.update_cell("budget", 1, "month", "2025-02-30")
    with pytest.raises(TableError, match=r"'2025-13-01' .*: there is no month 13; write the date as YYYY-MM-DD\.$"):
        ws.tables.add_row("budget", {"month": "2025-13-01"})


def test_a_row_that_cannot_be_added_names_the_value_and_what_its_column_takes(people: Workspace) -> None:
    with pytest.raises(TableError, match=r"could not be added to 'people': 'old' cannot go in column 'age': "
                                         r"it takes a whole number\.$"):
        people.tables.add_row("people", {"name": "Z", "age": "old"})
    assert people.tables.count("people") == 5


def test_a_typed_number_is_read_as_an_import_reads_one(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "fees.csv"
    path.write_text("member,fee,visits\nAnna,25.5,3\nBram,10,4\n")
    assert ws.tables.import_file(path).status == "applied"
    ws.tables.update_cell("fees", 1, "fee", "12,5")  # a decimal comma, as the file's column could have had
    ws.tables.update_cell("fees", 2, "fee", "1.234,56")
    ws.tables.add_row("fees", {"member": "Cleo", "fee": "1,200.50", "visits": "2"})
    assert [row[2] for row in ws.tables.page("fees", 0, 10)] == [12.5, 1234.56, 1200.5]
    with pytest.raises(TableError, match="'2,5' cannot go in column 'visits': it takes whole numbers only"):
        ws.tables.update_cell("fees", 1, "visits", "2,5")  # not rounded to 3 (nor read as 25)


def test_a_changed_file_that_would_replace_hand_edits_waits_and_says_so(people: Workspace, tmp_path: Path) -> None:
    people.tables.update_cell("people", 2, "age", "86")
    people.tables.delete_rows("people", [3])
    (tmp_path / "people.csv").write_text("name,city,age\nAda,London,36\nGrace,New York,85\nAlan,Wilmslow,41\n")
    again = people.tables.import_file(tmp_path / "people.csv")
    assert again.status == "pending"  # not approved by the policy, however clean the file
    assert ("1 of those rows was edited in Grace, and the file's values will replace those edits; 1 row you deleted "
            "comes back") in " ".join(again.reasons)
    assert people.tables.page("people", 1, 1)[0][3] == 86  # nothing replaced until the person approves


def test_a_list_column_reads_as_json_in_the_grid_the_csv_and_excel_and_its_type_in_words(
        ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from engine.tables.model import cell_text

    source = tmp_path / "trips.json"
    source.write_text('[{"place": "Bern", "with": ["Anna", "Bram"]}, {"place": "Chur", "with": []}]')
    assert ws.tables.import_file(source).status == "applied"
    column = next(c for c in ws.tables.columns("trips") if c.source_name == "with")
    assert column.kind == 'a list in square brackets, like ["first", "second"]'
    assert cell_text(ws.tables.page("trips", 0, 1)[0][2]) == '["Anna", "Bram"]'
    ws.tables.export("trips", tmp_path / "out.csv")
    assert list(csv.reader((tmp_path / "out.csv").open()))[1] == ["Bern", '["Anna","Bram"]']
    ws.tables.export("trips", tmp_path / "out.xlsx")
    assert [c.value for c in next(load_workbook(tmp_path / "out.xlsx").active.iter_rows(min_row=2))] == \
        ["Bern", '["Anna", "Bram"]']
    ws.tables.update_cell("trips", 2, column.name, '["Dora"]')  # what the grid shows, typed back
    assert ws.tables.page("trips", 1, 1)[0][2] == ["Dora"]


def _held(ws: Workspace, edit: object) -> int:
    with pytest.raises(NotApproved) as caught:
        edit()  # type: ignore[operator]
    return caught.value.proposal_id  # type: ignore[return-value]


def test_a_held_edit_shows_the_rows_it_changes_under_its_columns(people: Workspace) -> None:
    people.tables.set_policy({**people.tables.policy(), "edits_need_approval_for": ["people"]})
    deletion = people.tables.proposal(_held(people, lambda: people.tables.delete_rows("people", [2, 4])))
    assert [c.name for c in deletion.columns] == ["name", "city", "age"]
    assert deletion.sample == [["Grace", "New York", 85], ["Karen", "Cambridge", 70]]
    added = people.tables.proposal(_held(people, lambda: people.tables.add_row("people", {"age": 9, "name": "Z"})))
    assert ([c.name for c in added.columns], added.sample) == (["name", "age"], [["Z", 9]])  # the table's order
    cell = people.tables.proposal(_held(people, lambda: people.tables.update_cell("people", 1, "city", "Paris")))
    assert ([c.name for c in cell.columns], cell.sample) == (["city"], [["Paris"]])


def test_a_held_undo_shows_the_rows_it_removes_or_puts_back(people: Workspace) -> None:
    people.tables.add_row("people", {"name": "Zed", "city": "Oslo", "age": 30})
    people.tables.set_policy({**people.tables.policy(), "edits_need_approval_for": ["people"]})
    undo_add = people.tables.proposal(_held(people, people.tables.undo_last_edit))
    assert len(undo_add.columns) == 3 and undo_add.sample == [["Zed", "Oslo", 30]]
    people.tables.reject(undo_add.id, "keep Zed")
    people.tables.set_policy({**people.tables.policy(), "edits_need_approval_for": []})
    people.tables.delete_rows("people", [3])
    people.tables.set_policy({**people.tables.policy(), "edits_need_approval_for": ["people"]})
    undo_delete = people.tables.proposal(_held(people, people.tables.undo_last_edit))
    assert undo_delete.sample == [["Alan", "Wilmslow", 41]]
