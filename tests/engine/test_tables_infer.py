"""Schema inference on real, messy files: delimiters, quoting, encodings, dates, nesting."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from engine import Workspace
from engine.errors import TableError
from engine.tables.infer import infer_file
from engine.tables.model import Proposal, notes_under
from engine.tables.values import detect

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "tables"


def _types(proposal) -> dict[str, str]:  # noqa: ANN001
    return {c.name: c.type for c in proposal.columns}


def _rows(ws: Workspace, table: str) -> list[tuple]:
    return [row[1:] for row in ws.tables.page(table, 0, 1000)]


def _applied(ws: Workspace, path: Path) -> Proposal:
    """The proposal for ``path``'s table, approved when it waits for approval."""
    p = ws.tables.import_file(path)
    if p.status == "pending":
        ws.tables.approve(p.id)
    return p


def test_semicolons_quoted_delimiters_and_decimal_commas_are_read_exactly(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "semicolon_decimal_comma.csv")
    assert p.status == "applied" and p.row_count == 3
    assert _types(p) == {"id": "BIGINT", "customer": "VARCHAR", "amount": "DOUBLE", "note": "VARCHAR"}
    assert _rows(ws, p.table) == [(1, "Dupont; Fils", 12.5, "first"), (2, "Müller", 3.75, None),
                                  (3, "Ünal", 1000.0, 'said "hi"')]


def test_ragged_rows_keep_every_value_and_wait_for_approval(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "pipe_ragged.csv")
    assert p.status == "pending" and p.confidence < 0.9 and p.row_count == 4
    assert [c.name for c in p.columns] == ["code", "city", "population", "column_4"]
    assert any("more or fewer fields" in r for r in p.reasons)
    ws.tables.approve(p.id)
    assert _rows(ws, "pipe_ragged") == [("A1", "Lyon", 516092, None), ("B2", "Porto", None, None),
                                        ("C3", "Gent", 263927, "extra"), ("D4", "Graz", 291072, None)]


def test_tab_separated_values_keep_embedded_tabs_and_empty_cells_become_null(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "tabs.tsv")
    assert _types(p)["qty"] == "BIGINT"
    assert _rows(ws, "tabs") == [("bolt", 10, "has\ta tab"), ("nut", 25, "plain"), ("washer", None, "empty qty")]


def test_cp1252_file_keeps_its_accents_and_euro_sign(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "cp1252_prices.csv")
    assert any("cp1252" in r for r in p.reasons)
    assert _rows(ws, "cp1252_prices") == [("café", 2.5, "€ included"), ("thé", 3.1, "naïve choice"),
                                          ("crème", 4.0, "“quoted”")]


def test_utf16_file_with_a_bom_is_read(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "utf16_bom.csv")
    assert [c.name for c in p.columns] == ["name", "city", "score"]
    assert _rows(ws, "utf16_bom")[2] == ("Li", "北京", 8)


def test_utf8_bom_and_crlf_do_not_leak_into_names_or_values(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "utf8_bom_crlf.csv")
    assert _types(p) == {"sku": "VARCHAR", "price": "DOUBLE", "in_stock": "BOOLEAN"}
    assert _rows(ws, "utf8_bom_crlf")[0] == ("A-1", 9.99, True)


def test_dates_in_many_spellings_become_dates_and_ambiguity_is_reported(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "dates_mixed.csv")
    assert set(_types(p).values()) == {"DATE"}
    assert p.status == "pending" and any("day/month or month/day" in r for r in p.reasons)
    # 01/02/1995 could be either; the file's eu_style column (13/02/1995) writes the day first
    assert any("read as day/month, as the file's other dates are written" in r for r in p.reasons), p.reasons
    ws.tables.approve(p.id)
    first = dict(zip([c.name for c in p.columns], _rows(ws, "dates_mixed")[0], strict=True))
    assert first["when_"] == first["iso"] == first["report_date"] == dt.date(1995, 1, 1)
    assert first["us_style"] == dt.date(1995, 2, 1) and first["eu_style"] == dt.date(1995, 2, 13)
    assert first["period"] == dt.date(1974, 1, 1) and first["month"] == dt.date(1974, 1, 1)
    assert _rows(ws, "dates_mixed")[2][5] == dt.date(1974, 7, 1)  # 1974Q3


def test_ambiguous_dates_approved_as_text_keep_their_original_spelling(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "dates_mixed.csv")
    ws.tables.approve(p.id, types={"us_style": "VARCHAR"})
    cols = [c.name for c in ws.tables.columns("dates_mixed")]
    assert "_grace_raw_us_style" not in cols
    us = [row[cols.index("us_style")] for row in _rows(ws, "dates_mixed")]
    assert us == ["01/02/1995", "03/04/1996", "05/06/1997"]


def test_wide_sparse_file_keeps_integer_columns_integer(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "wide_sparse.csv")
    assert len(p.columns) == 40 and set(_types(p).values()) == {"BIGINT"}
    assert p.columns[0].name == "field_1" and p.columns[0].source_name == "field 1"
    assert any("empty" in r for r in p.reasons)
    assert ws.tables.count("wide_sparse") == 30


def test_headerless_file_gets_made_up_names_and_waits(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "headerless.csv")
    assert p.status == "pending" and p.row_count == 4
    assert _types(p) == {"column_1": "BIGINT", "column_2": "VARCHAR", "column_3": "DOUBLE"}
    assert any("no header" in r for r in p.reasons)


def test_missing_value_words_leading_zeros_and_thousands_separators(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "nulls_and_zeros.csv")
    assert _types(p) == {"zip": "VARCHAR", "visits": "BIGINT", "revenue": "BIGINT", "flag": "BOOLEAN"}
    assert _rows(ws, "nulls_and_zeros") == [("02134", 12, 1234, True), ("10001", None, 12000, False),
                                            ("00501", 7, 1000000, True), ("94105", None, 999, False)]


def test_quoted_newlines_survive(ws: Workspace) -> None:
    ws.tables.import_file(FIX / "quoted_newlines.csv")
    assert _rows(ws, "quoted_newlines") == [(1, "line one\nline two"), (2, "plain"), (3, 'a, b and "c"')]


def test_lines_above_the_table_are_skipped(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "preamble.csv")
    assert _types(p) == {"month": "DATE", "units": "BIGINT"}
    assert any("above the table" in r for r in p.reasons)
    assert p.status == "pending" and p.confidence < 0.9  # a month read as its first day is checked first
    assert any("months such as '2024-01' read as the month's first day" in r for r in p.reasons)
    ws.tables.approve(p.id)
    assert _rows(ws, "preamble")[0] == (dt.date(2024, 1, 1), 5)


def test_months_approved_as_text_keep_their_original_spelling(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "preamble.csv")
    ws.tables.approve(p.id, types={"month": "VARCHAR"})
    assert _rows(ws, "preamble")[0] == ("2024-01", 5)


def test_header_only_file_is_proposed_empty_with_low_confidence(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "header_only.csv")
    assert p.status == "pending" and p.row_count == 0 and p.confidence < 0.5
    assert any("no data rows" in r for r in p.reasons)


def _late_surprises(path: Path, rows: int = 30000) -> Path:
    lines = ["id,amount,label"]
    lines += [f"{i},{i * 1.5:.2f},x{i}" for i in range(rows)]
    lines += [f"{rows},n.a.,late", f"{rows + 1},7,extra,field", f'{rows + 2},8,"never closed']
    path.write_text("\n".join(lines) + "\n")
    return path


def test_inference_reads_a_sample_and_the_full_read_corrects_it(ws: Workspace, tmp_path: Path) -> None:
    path = _late_surprises(tmp_path / "late.csv")
    sampled = infer_file(duckdb.connect(), path, tmp_path / "tmp")[0]
    assert {c.name: c.type for c in sampled.columns}["amount"] == "DOUBLE"  # the sample never saw 'n.a.'
    p = ws.tables.import_file(path)
    assert _types(p) == {"id": "BIGINT", "amount": "VARCHAR", "label": "VARCHAR", "column_4": "VARCHAR"}
    assert p.status == "pending" and p.row_count == 30003
    text = " ".join(p.reasons)
    assert "'n.a.'" in text and "more fields than the header" in text
    ws.tables.approve(p.id)
    assert ws.tables.query("SELECT amount, label, column_4 FROM late WHERE id >= 30000 ORDER BY id")[1] == [
        ("n.a.", "late", None), ("7", "extra", "field"), ("8", '"never closed', None)]
    assert ws.tables.query("SELECT amount FROM late WHERE id = 3")[1] == [("4.50",)]


def test_nested_json_is_flattened_into_parent_child_columns(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "nested.json")
    assert _types(p) == {"id": "BIGINT", "name": "VARCHAR", "address_city": "VARCHAR", "address_geo_lat": "DOUBLE",
                         "address_geo_lon": "DOUBLE", "tags": "VARCHAR[]", "joined": "DATE"}
    assert _rows(ws, "nested")[1][:3] == (2, "Grace", "New York")


@pytest.mark.parametrize(("mode", "address_type"), [("struct", "STRUCT"), ("json", "JSON")])
def test_nested_json_can_be_kept_whole_by_policy(ws: Workspace, mode: str, address_type: str) -> None:
    ws.tables.set_policy({**ws.tables.policy(), "nested_json": mode})
    p = ws.tables.import_file(FIX / "nested.json")
    assert _types(p)["address"].startswith(address_type)
    if mode == "json":
        assert json.loads(_rows(ws, "nested")[0][2])["geo"]["lat"] == 51.5


def test_json_lines_are_read_with_their_timestamps(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "records.jsonl")
    assert _types(p) == {"ts": "TIMESTAMP", "level": "VARCHAR", "count": "BIGINT"}
    assert p.row_count == 5 and _rows(ws, "records")[0][0] == dt.datetime(2024, 5, 1, 10, 0)


def test_a_json_object_wrapping_a_list_is_read_as_that_list(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "wrapped.json")
    assert _types(p) == {"k": "VARCHAR", "v": "BIGINT"} and p.row_count == 3
    assert any("'data'" in r for r in p.reasons)


def test_each_sheet_of_a_workbook_becomes_its_own_proposal(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    sales = wb.active
    sales.title = "Sales"
    sales.append(["Region", "Amount", "Closed"])
    sales.append(["north", 10, dt.datetime(2024, 1, 5)])
    sales.append(["south", 20.5, dt.datetime(2024, 2, 6)])
    staff = wb.create_sheet("Staff list")
    staff.append(["name", "started"])
    staff.append(["Ada", dt.date(2020, 3, 1)])
    wb.create_sheet("Empty")
    wb.save(tmp_path / "book.xlsx")
    found = ws.tables.import_all(tmp_path / "book.xlsx")
    assert [p.table for p in found] == ["book_sales", "book_staff_list"]
    assert _types(found[0]) == {"region": "VARCHAR", "amount": "DOUBLE", "closed": "DATE"}
    assert found[0].source.endswith("book.xlsx#Sales")
    assert _rows(ws, "book_staff_list") == [("Ada", dt.date(2020, 3, 1))]


def test_a_sheet_named_as_its_workbook_is_not_named_twice(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Tenants"
    wb.active.append(["name", "flat"])
    wb.active.append(["Anna", "2B"])
    wb.create_sheet("Payments").append(["name", "amount"])
    wb["Payments"].append(["Anna", 850])
    wb.save(tmp_path / "tenants.xlsx")
    assert [p.table for p in ws.tables.import_all(tmp_path / "tenants.xlsx")] == ["tenants", "tenants_payments"]


def test_an_empty_last_cell_in_a_sheet_is_no_ragged_row(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    plants = wb.active
    plants.title = "Plants"
    plants.append(["plant", "bed", "price", "location"])
    for row in (["tomato", 1, 3.2, "north"], ["basil", 2, 2.5, None], ["chard", 3, 1.8, "south"]):
        plants.append(row)
    wb.save(tmp_path / "garden.xlsx")
    (found,) = ws.tables.import_all(tmp_path / "garden.xlsx")
    assert not [r for r in found.reasons if "more or fewer fields" in r]  # was "33% of the sampled rows …"
    assert found.status == "applied" and _rows(ws, "garden")[1] == ("basil", 2, 2.5, None)


def test_parquet_written_by_duckdb_keeps_its_types(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    duckdb.connect().execute(
        "COPY (SELECT i AS id, 'e' || i AS name, DATE '2024-01-01' + i::INTEGER AS day, i * 0.5 AS score, "
        "strftime(DATE '2024-01-01' + i::INTEGER, '%d/%m/%Y') AS written FROM range(1, 40) t(i)) TO ? (FORMAT parquet)",
        [str(path)])
    p = ws.tables.import_file(path)
    assert p.status == "applied" and p.row_count == 39
    types = _types(p)
    assert types.pop("score").startswith("DECIMAL")
    assert types == {"id": "BIGINT", "name": "VARCHAR", "day": "DATE", "written": "DATE"}
    assert _rows(ws, "events")[0][4] == dt.date(2024, 1, 2)


@pytest.mark.parametrize(("name", "content", "why"), [
    ("binary.csv", None, "binary"),
    ("empty.csv", b"", "empty"),
    ("broken.json", b'[{"a": 1}, {"a": ', "JSON"),
    ("fake.xlsx", b"PK\x03\x04 not really a zip", "Excel"),
    ("fake.parquet", b"PAR1 nope", "Parquet"),
])
def test_unreadable_files_fail_with_a_sentence_naming_the_file(ws: Workspace, tmp_path: Path, name: str,
                                                               content: bytes | None, why: str) -> None:
    path = FIX / name if content is None else tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TableError) as caught:
        ws.tables.import_file(path)
    assert str(path) in str(caught.value) and why in str(caught.value)
    assert ws.tables.proposals() == []


def test_a_missing_file_fails_with_a_sentence(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(TableError, match="does not exist"):
        ws.tables.import_file(tmp_path / "gone.csv")


def test_hostile_header_names_become_harmless_columns(ws: Workspace) -> None:
    ws.tables.import_file(FIX / "semicolon_decimal_comma.csv")  # a table the header would like to drop
    p = ws.tables.import_file(FIX / "injection.csv")
    assert [(c.name, c.source_name) for c in p.columns] == [
        ("x_drop_table_y", 'x"; DROP TABLE y; --'), ("select_", "select"), ("column_3", "column_3"),
        ("amount", "Amount"), ("amount_2", "amount")]
    assert _rows(ws, "injection") == [(1, "a", "b", 2, 3), (4, "c", "d", 5, 6)]
    assert "semicolon_decimal_comma" in [t.name for t in ws.tables.list()]


def test_hostile_file_names_become_harmless_table_names(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / 'x"; DROP TABLE notes; --.csv'
    path.write_text("a,b\n1,2\n")
    p = ws.tables.import_file(path)
    assert p.table == "x_drop_table_notes" and ws.tables.count(p.table) == 1
    assert "notes" in [t.name for t in ws.tables.list()]


def test_cp1252_bytes_past_the_sample_are_read_without_loss(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "late_cp.csv"
    path.write_bytes(b"name,qty\n" + b"plain,1\n" * 150_000 + b"caf\xe9,2\n\x80uro,3\n")  # past the first MB
    p = ws.tables.import_file(path)
    assert p.row_count == 150_002 and p.status == "applied" and any("cp1252" in r for r in p.reasons)
    assert ws.tables.query("SELECT name FROM late_cp WHERE qty > 1 ORDER BY qty")[1] == [("café",), ("€uro",)]


def test_gzipped_csv_is_read(ws: Workspace, tmp_path: Path) -> None:
    import gzip

    with gzip.open(tmp_path / "orders.csv.gz", "wb") as f:
        f.write(b"id,total\n1,2.5\n2,3.5\n")
    p = ws.tables.import_file(tmp_path / "orders.csv.gz")
    assert (p.table, _types(p)) == ("orders", {"id": "BIGINT", "total": "DOUBLE"})
    assert _rows(ws, "orders") == [(1, 2.5), (2, 3.5)]


def test_json_fields_of_mixed_types_become_text_not_quoted_json(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "mixed.json").write_text(json.dumps([{"id": 1, "v": "a"}, {"id": "x", "v": 2}]))
    p = ws.tables.import_file(tmp_path / "mixed.json")
    assert _types(p) == {"id": "VARCHAR", "v": "VARCHAR"}
    assert _rows(ws, "mixed") == [("1", "a"), ("x", "2")]


# -- single-byte code pages other than cp1252 -------------------------------------------------


@pytest.mark.parametrize(("encoding", "text"), [
    ("cp1251", "город,население\nМосква,13000000\nСанкт-Петербург,5600000\nНовосибирск,1600000\n"),
    ("cp1250", "miasto,ludność\nŁódź,670000\nKraków,800000\nGdańsk,470000\nWrocław,640000\n"),
])
def test_cyrillic_and_central_european_code_pages_are_not_read_as_cp1252(ws: Workspace, tmp_path: Path,
                                                                         encoding: str, text: str) -> None:
    (tmp_path / "cities.csv").write_bytes(text.encode(encoding))
    p = ws.tables.import_file(tmp_path / "cities.csv")
    assert any(f"read as {encoding}" in r for r in p.reasons)
    assert [c.source_name for c in p.columns] == text.splitlines()[0].split(",")
    assert [r[0] for r in _rows(ws, "cities")] == [line.split(",")[0] for line in text.splitlines()[1:]]


# -- JSON numbers a double cannot hold, and columns with no value ------------------------------


def test_json_numbers_a_double_cannot_hold_stay_text_as_written(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "bignum.json").write_text('[{"id": 12345678901234567890123, "f": 1e400, "g": 2.5, '
                                          '"n": {"x": 1e400, "y": 1.5}}, {"id": 7, "f": 1.5, "g": 3, '
                                          '"n": {"x": 2, "y": 2}}]')
    p = ws.tables.import_file(tmp_path / "bignum.json")
    assert _types(p) == {"id": "VARCHAR", "f": "VARCHAR", "g": "DOUBLE", "n_x": "VARCHAR", "n_y": "DOUBLE"}
    assert _rows(ws, "bignum") == [("12345678901234567890123", "1e400", 2.5, "1e400", 1.5),
                                   ("7", "1.5", 3.0, "2", 2.0)]
    assert any("numbers too long for an integer are kept as text" in r for r in p.reasons)


def test_text_cells_lose_surrounding_spaces_and_blank_lines_are_no_rows(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text('Name ; Phone;Notes\n Lee Wong ;0612;" multi\nline "\n;;\n  ; ;\n'
                                           'Maria;;   \n')
    p = ws.tables.import_file(tmp_path / "contacts.csv")
    assert p.row_count == 2
    ws.tables.approve(p.id)
    assert _rows(ws, p.table) == [("Lee Wong", "0612", "multi\nline"), ("Maria", None, None)]


def test_a_number_too_large_for_a_double_keeps_a_csv_column_text(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "huge.csv").write_text("label,x\na,1.5\nb,1e400\n")
    p = ws.tables.import_file(tmp_path / "huge.csv")
    assert _types(p)["x"] == "VARCHAR" and _rows(ws, "huge") == [("a", "1.5"), ("b", "1e400")]


def test_a_fraction_past_the_sample_in_a_whole_number_csv_column_is_not_rounded(ws: Workspace, tmp_path: Path) -> None:
    lines = [f"{i},{i % 7}" for i in range(1, 30_000)]  # far past the rows inference samples
    (tmp_path / "late.csv").write_text("id,qty\n" + "\n".join(lines) + "\n30000,2.5\n")
    p = ws.tables.import_file(tmp_path / "late.csv")
    assert _types(p) == {"id": "BIGINT", "qty": "VARCHAR"} and any("'2.5'" in r for r in p.reasons)
    assert ws.tables.query("SELECT qty FROM late WHERE id = 30000")[1] == [("2.5",)]  # DuckDB's reader said 3
    (tmp_path / "word.csv").write_text("id,qty\n" + "\n".join(lines) + "\n30000,many\n")  # the reader rejects it
    assert _types(ws.tables.import_file(tmp_path / "word.csv")) == {"id": "BIGINT", "qty": "VARCHAR"}


def test_a_number_past_the_sample_too_large_for_a_double_keeps_a_csv_column_text(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    lines = [f"{i},{i + 0.5}" for i in range(1, 30_000)]
    (tmp_path / "far.csv").write_text("id,x\n" + "\n".join(lines) + "\n30000,1e400\n")
    p = ws.tables.import_file(tmp_path / "far.csv")
    assert _types(p) == {"id": "BIGINT", "x": "VARCHAR"}  # not infinity
    assert ws.tables.query("SELECT x FROM far WHERE id = 30000")[1] == [("1e400",)]


def test_whole_numbers_past_the_sample_too_large_for_a_double_stay_exact(ws: Workspace, tmp_path: Path) -> None:
    lines = [f"{i},{i * 3}" for i in range(1, 30_000)]
    (tmp_path / "ids.csv").write_text("id,n\n" + "\n".join(lines) + "\n9007199254740993,1\n")
    p = ws.tables.import_file(tmp_path / "ids.csv")
    assert _types(p) == {"id": "BIGINT", "n": "BIGINT"}
    assert ws.tables.query("SELECT id FROM ids WHERE n = 1")[1] == [(9007199254740993,)]


def test_a_json_number_past_the_sample_too_large_for_a_double_turns_the_column_to_text(
        ws: Workspace, tmp_path: Path) -> None:
    records = [{"x": i + 0.5} for i in range(12_000)]  # past the 10,000 rows inference samples
    (tmp_path / "late.json").write_text(json.dumps(records)[:-1] + ', {"x": 1e400}]')
    p = ws.tables.import_file(tmp_path / "late.json")
    assert _types(p) == {"x": "VARCHAR"} and any("'1e400'" in r for r in p.reasons)
    assert ws.tables.query("SELECT x FROM late ORDER BY _grace_id DESC LIMIT 2")[1] == [("1e400",), ("11999.5",)]


def test_columns_with_no_value_in_json_and_parquet_become_text(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "mixed.json").write_text('[{"a": 1}, {"a": "x"}, {"b": null}]')
    assert _types(ws.tables.import_file(tmp_path / "mixed.json")) == {"a": "VARCHAR", "b": "VARCHAR"}
    path = tmp_path / "odd.parquet"
    duckdb.connect().execute("COPY (SELECT 1 AS id, NULL AS nothing) TO ? (FORMAT parquet)", [str(path)])
    assert _types(ws.tables.import_file(path)) == {"id": "INTEGER", "nothing": "VARCHAR"}
    ws.tables.update_cell("mixed", 3, "b", "now a value")
    ws.tables.update_cell("odd", 1, "nothing", "something")
    assert (_rows(ws, "mixed")[2], _rows(ws, "odd")) == ((None, "now a value"), [(1, "something")])


# -- comment lines above the table -------------------------------------------------------------


def test_comment_lines_above_the_table_are_skipped_but_a_hash_header_is_kept(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "noted.csv").write_text("# comment\n# another\na,b\n1,2\n")
    p = ws.tables.import_file(tmp_path / "noted.csv")
    assert _types(p) == {"a": "BIGINT", "b": "BIGINT"} and _rows(ws, "noted") == [(1, 2)]
    (tmp_path / "hashed.csv").write_text("#id,name\n1,a\n2,b\n")
    p = ws.tables.import_file(tmp_path / "hashed.csv")
    assert [c.source_name for c in p.columns] == ["#id", "name"] and _rows(ws, "hashed") == [(1, "a"), (2, "b")]
    (tmp_path / "tool.csv").write_text("# exported by tool, v2\n# on 2024-05-01\ncode,label\n1,a\n2,b\n")
    p = ws.tables.import_file(tmp_path / "tool.csv")  # DuckDB's sniffer finds '#' comments here
    assert [c.source_name for c in p.columns] == ["code", "label"] and _rows(ws, "tool") == [(1, "a"), (2, "b")]


def test_columns_renamed_for_sql_are_named_in_the_reasons(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "runs.csv"
    path.write_text("time,2024,Start Date,distance\n10:00,5,2026-01-01,10\n")
    p = ws.tables.import_file(path)
    assert [c.name for c in p.columns] == ["time_", "c_2024", "start_date", "distance"]
    (said,) = [r for r in p.reasons if r.startswith("columns renamed")]
    assert said == "columns renamed to be usable in SQL: time → time_, 2024 → c_2024"  # not "Start Date"


def test_a_price_written_as_its_sign_over_a_thing_is_named_a_rate(ws: Workspace, tmp_path: Path) -> None:
    # "£/box" beside "box" was box_2, which "how many boxes" then added up
    path = tmp_path / "boxes.csv"
    path.write_text("name,box,£/box\nPriya,medium,16\nJon,large,21\n")
    assert [c.name for c in ws.tables.import_file(path).columns] == ["name", "box", "gbp_per_box"]


def test_a_json_file_cut_off_after_a_whole_record_waits_with_the_doubt_said(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "truncated.json"
    path.write_text('[{"a": 1}, {"a": 2},')
    p = ws.tables.import_file(path)
    assert p.status == "pending" and p.confidence <= 0.5  # was applied at 1.00 by the policy
    assert "the file ends with ',', before its closing ], so it may have been cut short and records may be " \
           "missing" in p.reasons
    path.write_text('{"rows": [{"a": 1}, {"a": 2}]')  # cut inside: refused, as before
    with pytest.raises(TableError, match="could not be read as JSON"):
        ws.tables.import_file(path)


def test_a_whole_json_file_with_a_trailing_newline_is_not_doubted(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "whole.json"
    path.write_text('\ufeff[{"a": 1}, {"a": 2}]\n\n', encoding="utf-8")
    p = ws.tables.import_file(path)
    assert p.status == "applied" and not any("closing" in r for r in p.reasons)


def test_a_title_line_over_a_table_duckdb_cannot_sniff_is_still_skipped(tmp_path: Path) -> None:
    # a title typed over a Windows file (\n after it, \r\n after each row): DuckDB's sniffer gives
    # up, and its strict reading dropped every row, so the title became the header and all was text
    path = tmp_path / "stock_orders.csv"
    rows = ["order_ref,ordered,supplier,item,qty,unit_price,status,received",
            "SO-001,08-Jan-26,Boehringer,NexGard (3 pack),2,€39.90,back-ordered,",
            "SO-002,17-Jan-26,Zoetis,Apoquel 16 mg,4,€142.00,received,18-Jan-26",
            'SO-003,11-Nov-26,Covetrus,"Surgical gloves, box of 50",10,€18.90,received,14-Nov-26']
    path.write_bytes(("Stock orders 2026 (kept by Aoife; prices incl. VAT)\n" + "\r\n".join(rows) + "\r\n").encode())
    with duckdb.connect() as con:
        inf = infer_file(con, path, tmp_path / "tmp")[0]
    assert [c.name for c in inf.columns][:5] == ["order_ref", "ordered", "supplier", "item", "qty"]
    assert {c.name: c.type for c in inf.columns}["qty"] == "BIGINT"


def test_amounts_that_carry_a_currency_sign_are_numbers(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("item,unit_price,line_total,refund\nGloves,€18.90,\"€1,451.40\",12 €\n"
                    "Sutures,€96.00,€576.00,\"3,50 €\"\nMuzzle,n/a,€9.00,\n")
    assert ws.tables.import_file(path).status in ("applied", "pending")
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    types = {c.name: c.type for c in next(t for t in ws.tables.list() if t.name == "orders").columns}
    assert (types["unit_price"], types["line_total"], types["refund"]) == ("DOUBLE", "DOUBLE", "DOUBLE")
    assert ws.tables.query("SELECT sum(line_total), sum(refund), count(unit_price) FROM orders")[1] == [
        (2036.4, 15.5, 2)]
    # a column where one value has no sign stays text: nothing is guessed
    path.write_text("item,price\nGloves,€18.90\nSutures,96 dollars\n")
    (tmp_path / "other.csv").write_text(path.read_text())
    ws.tables.import_file(tmp_path / "other.csv")
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    other = next(t for t in ws.tables.list() if t.name == "other")
    assert {c.name: c.type for c in other.columns}["price"] == "VARCHAR"


def test_amounts_typed_in_several_ways_in_one_column_are_numbers(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "rent_ledger.csv"
    path.write_text('date paid,flat,amount\n2026-01-01,A1,"€ 850,00"\n2026-01-02,A2,850.00\n2026-01-03,B1,€720\n'
                    '2026-02-01,B2,"€ 1.020,00"\n2026-02-02,A1,"1.020"\n2026-02-03,B1,\n')
    ws.tables.import_file(path)
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    assert ws.tables.query("SELECT list(amount ORDER BY date_paid) FROM rent_ledger")[1] == [
        ([850.0, 850.0, 720.0, 1020.0, 1020.0, None],)]  # "1.020" among decimal commas: a thousand and twenty
    assert detect("price", ["€5", "$6"]).type == "VARCHAR"  # two currencies: not one number column
    assert detect("version", ["1.020", "2.5"]).type == "DOUBLE"  # no decimal comma: a point is a point


def test_a_header_line_repeated_below_is_no_row(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "payments.csv"
    path.write_text("date paid,flat,amount\n2026-01-01,A1,850\n2026-01-02,A2,900\n"
                    "Date Paid,Flat,Amount\n2026-02-01,A1,850\n")
    proposal = ws.tables.import_file(path)
    assert any("1 line(s) repeating the header were skipped" in r for r in proposal.reasons)
    for pending in ws.tables.proposals("pending"):
        ws.tables.approve(pending.id)
    types = {c.name: c.type for c in next(t for t in ws.tables.list() if t.name == "payments").columns}
    assert (types["date_paid"], types["amount"]) == ("DATE", "BIGINT")
    assert ws.tables.query("SELECT count(*), sum(amount) FROM payments")[1] == [(3, 2600)]


def test_a_total_row_under_the_rows_is_left_out_and_the_proposal_says_so(ws: Workspace, tmp_path: Path) -> None:
    # the footer was a row: "which month had the highest revenue?" answered "Total" at 1.0
    path = tmp_path / "monthly_activity.csv"
    path.write_text("month,consultations,revenue_gbp\nJanuary,412,38120\nFebruary,388,36200\n"
                    "TOTAL,800,\"£74,320\"\n", encoding="utf-8")
    p = _applied(ws, path)
    assert any("1 total row(s) left out" in r for r in p.reasons), p.reasons
    assert ws.tables.query("SELECT month, revenue_gbp FROM monthly_activity ORDER BY 1")[1] == [
        ("February", 36200), ("January", 38120)]


def test_a_total_row_of_figures_written_with_their_unit_is_left_out(ws: Workspace, tmp_path: Path) -> None:
    # "TOTAL,,,467 mi,,£210.15" under a mileage log was a row: every sum of miles doubled
    path = tmp_path / "mileage.csv"
    path.write_text("Date,To,Miles (return),Claim\n20/01/2026,Priston Mill,34 mi,£15.30\n"
                    "14/02/2026,Clifton,5 mi,£2.25\nTOTAL,,39 mi,£17.55\n", encoding="utf-8")
    p = _applied(ws, path)
    assert any("1 total row(s) left out" in r for r in p.reasons), p.reasons
    assert ws.tables.query("SELECT count(*), sum(claim) FROM mileage")[1] == [(2, 17.55)]


def test_a_row_that_only_starts_with_total_is_kept(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text("name,kind,price\nTotal Care shampoo,grooming,12\nFlea drops,medicine,9\n", encoding="utf-8")
    _applied(ws, path)
    assert ws.tables.query("SELECT count(*) FROM products")[1] == [(2,)]


def test_notes_under_the_rows_are_the_tables_description_not_rows(ws: Workspace, tmp_path: Path) -> None:
    # "Notes: counted 20/11 by Callum." under a stock sheet was a row: "how many items" counted it
    path = tmp_path / "van_stock.csv"
    path.write_text("item,qty,unit_price\n15mm elbow,40,0.65\nPTFE tape,9,0.80\nTOTAL,49,\n,,\n"
                    "Notes: counted 20/11 by Callum.\n* prices exclude VAT\n", encoding="utf-8")
    p = _applied(ws, path)
    assert any("2 line(s) of notes under the table" in r for r in p.reasons), p.reasons
    assert any("1 total row(s) left out" in r for r in p.reasons), p.reasons
    assert ws.tables.query("SELECT count(*), sum(qty) FROM van_stock")[1] == [(2, 49)]
    info = next(t for t in ws.tables.list() if t.name == "van_stock")
    assert notes_under(info.description) == ["Notes: counted 20/11 by Callum.", "* prices exclude VAT"]


def test_a_sheets_lines_set_apart_under_the_rows_are_its_description_not_rows(ws: Workspace,
                                                                              tmp_path: Path) -> None:
    # "prices: small £12 / medium £16 …" two rows under a box list were two more subscribers; a
    # row with only its first cell filled among the rows ("Unassigned") stays a row
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["name", "size", "price"], ["Ann Lee", "small", 12], ["Unassigned"], ["Bo Tan", "large", 21],
                [], ["TOTAL", None, 33], [None, None, None],
                ["prices: small £12 / large £21 per box. fortnightly = wk A or wk B"],
                ["delivery thurs pm, Ludlow + villages"]):
        wb.active.append(row)
    wb.save(tmp_path / "boxes.xlsx")
    p = _applied(ws, tmp_path / "boxes.xlsx")
    assert any("2 line(s) of notes under the table" in r for r in p.reasons), p.reasons
    assert ws.tables.query("SELECT count(*), sum(price) FROM boxes")[1] == [(3, 33)]
    info = next(t for t in ws.tables.list() if t.name == "boxes")
    assert notes_under(info.description)[-1] == "delivery thurs pm, Ludlow + villages"


def test_a_line_of_prose_alone_under_the_rows_is_a_note(ws: Workspace, tmp_path: Path) -> None:
    # "Rate £8.60/hr from Apr 26. …" under a timesheet was a row, and made its date column text
    path = tmp_path / "timesheet.tsv"
    path.write_text("Date\tHrs\tWhere\n20/11/2026\t6.5\t19 Parc Ave\n23/11/2026\t8.0\tLlantrisant Rd\n"
                    "Rate £8.60/hr from Apr 26. Paid Fridays for w/c.\n", encoding="utf-8")
    _applied(ws, path)
    assert ws.tables.query("SELECT count(*), sum(hrs), min(date) FROM timesheet")[1] == [
        (2, 14.5, dt.date(2026, 11, 20))]


def test_a_note_in_the_first_cell_of_a_last_row_under_dates_is_a_note(ws: Workspace, tmp_path: Path) -> None:
    # "half term wk 26-30 oct Tom off,,,," was a row, and made the date column text: no month
    # question reached Tom's hours
    path = tmp_path / "tom hours.csv"
    path.write_text("date,start,finish,hrs,what\n13/10/2026,09:00,13:00,4,weeding bed 7\n"
                    "Thu 08 Oct,09:30,13:30,4,strimming edges\n2026-10-15,08:00,15:30,7.5,squash + garlic\n"
                    "half term wk 26-30 oct Tom off,,,,\n", encoding="utf-8")
    p = _applied(ws, path)
    assert any("1 line(s) of notes under the table" in r for r in p.reasons), p.reasons
    assert ws.tables.query("SELECT count(*), sum(hrs), min(date) FROM tom_hours")[1] == [
        (3, 15.5, dt.date(2026, 10, 8))]


def test_rows_of_totals_among_the_rows_are_left_out(ws: Workspace, tmp_path: Path) -> None:
    # a mileage log's monthly subtotal rows (date blank, "SEPT TOTAL business" in a later column)
    # added every mile twice
    path = tmp_path / "mileage.csv"
    path.write_text("Date,Miles,Bus/Priv,Where\n01/09/2026,15,Bus,6 Brynteg Close\n02/09/2026,17,Bus,Hill Street\n"
                    ",32,Bus,SEPT TOTAL business\n2026-10-01,20,Bus,Meadow St\n2026-10-02,4,Priv,Shop\n"
                    ",20,Bus,OCT TOTAL business\n,4,Priv,OCT total private\n", encoding="utf-8")
    p = _applied(ws, path)
    assert any("3 row(s) of totals among the rows left out" in r for r in p.reasons), p.reasons
    assert ws.tables.query("SELECT count(*), sum(miles), count(date) FROM mileage")[1] == [(4, 56, 4)]


def test_dates_with_two_and_four_digit_years_in_one_column_are_dates(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("date,job\n2026-11-19,J-140\n20/11/2026,J-141\n23/11/26,J-142\n", encoding="utf-8")
    _applied(ws, path)
    assert ws.tables.query("SELECT list(date ORDER BY job) FROM jobs")[1] == [
        ([dt.date(2026, 11, 19), dt.date(2026, 11, 20), dt.date(2026, 11, 23)],)]


def test_a_last_row_with_only_its_first_cell_filled_is_a_row(ws: Workspace, tmp_path: Path) -> None:
    # a to-do list's newest task, not yet given a date: not a note under the table
    path = tmp_path / "todo.csv"
    path.write_text("task,due,done\nOrder expansion vessel,2026-11-20,yes\nRing Mrs Patel back about the boiler,,\n",
                    encoding="utf-8")
    _applied(ws, path)
    assert ws.tables.query("SELECT count(*) FROM todo")[1] == [(2,)]
    assert notes_under(next(t for t in ws.tables.list() if t.name == "todo").description) == []


def test_dates_typed_two_ways_in_one_column_are_dates(ws: Workspace, tmp_path: Path) -> None:
    # "31/01/2024" among ISO dates left the whole column text, so no month could be asked of it
    path = tmp_path / "invoices.csv"
    path.write_text("invoice_no,invoice_date,amount\nNP-1,2024-01-12,10\nCP-2,31/01/2024,20\nNP-3,2024-02-03,30\n"
                    "CP-4,15 Feb 2024,40\n", encoding="utf-8")
    p = ws.tables.import_file(path)
    assert _types(p)["invoice_date"] == "DATE" and p.status == "applied", p.reasons
    assert ws.tables.query("SELECT invoice_date FROM invoices ORDER BY invoice_no")[1] == [
        (dt.date(2024, 1, 31),), (dt.date(2024, 2, 15),), (dt.date(2024, 1, 12),), (dt.date(2024, 2, 3),)]


def test_a_title_padded_with_delimiters_is_above_the_table_not_its_header(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "members_2025.csv"
    path.write_text("Harbourside Players - membership list 2025\n"
                    "Exported from the membership spreadsheet 01/04/2025,,,,\n"
                    "Member No,Name,Category,Fee due,Email\n"
                    "101,Rosalind Achterberg,Adult,£40,rosalind@example.org\n"
                    "102,Priya Raman,Adult,£40,priya@example.org\n"
                    "103,Tomás Ó Briain,Concession,£20,\n", encoding="utf-8")
    p = ws.tables.import_file(path)
    assert [c.name for c in p.columns] == ["member_no", "name", "category", "fee_due", "email"], p.columns
    assert p.row_count == 3 and any("2 line(s) above the table" in r for r in p.reasons), p.reasons


def test_a_sheets_title_over_a_header_with_a_mostly_empty_last_column_is_skipped(ws: Workspace,
                                                                                 tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["Household budget 2025 (monthly)"], ["Category", "Monthly budget", "Jan actual", "Notes"],
                ["Mortgage", 965, 964.98, "new deal from June!"], ["Council tax", 221, 209], ["Energy", 142, 142],
                ["Car insurance", 51, None, "paid yearly"], ["Groceries", 650, 702.35]):
        wb.active.append(row)
    wb.save(tmp_path / "budget.xlsx")
    p = ws.tables.import_file(tmp_path / "budget.xlsx")
    assert [c.name for c in p.columns] == ["category", "monthly_budget", "jan_actual", "notes"], p.columns
    assert p.row_count == 5 and ws.tables.query("SELECT sum(monthly_budget) FROM budget")[1] == [(2029,)]


@pytest.mark.parametrize(("values", "fmt"), [
    (["Wed 07/05/2025", "Thu 08/05/2025", "Sat 10/05/2025"], "%a %d/%m/%Y"),  # 5 July 2025 is no Wednesday
    (["Thu 05/08/2025", "Fri 05/09/2025"], "%a %m/%d/%Y"),  # 8 May 2025 is a Thursday: month first
    (["Saturday, 3 May 2025", "Sunday, 4 May 2025"], "%A, %d %b %Y"),
])
def test_dates_after_their_day_of_the_week_are_dates_the_days_settling_the_order(values: list[str],
                                                                                  fmt: str) -> None:
    found = detect("date", values)
    assert (found.type, found.fmt, found.ambiguous) == ("DATE", fmt, False)


def test_days_of_the_week_that_fit_no_reading_leave_the_column_text() -> None:
    assert detect("date", ["Mon 07/05/2025", "Thu 08/05/2025"]).type == "VARCHAR"  # 7 May 2025 is a Wednesday


def test_a_rota_with_days_of_the_week_is_imported_with_dates(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "foh_rota.tsv"
    path.write_text("Date\tPerformance\tRole\tVolunteer\nWed 07/05/2025\tEvening\tUsher\tDave Pritchard\n"
                    "Sat 10/05/2025\tMatinee\tBar\tEwan MacLeod\nSat 10/05/2025\tEvening\tBar\tOwain Price\n")
    p = _applied(ws, path)
    assert _types(p)["date"] == "DATE"
    assert [r[0] for r in _rows(ws, "foh_rota")] == [dt.date(2025, 5, 7), dt.date(2025, 5, 10), dt.date(2025, 5, 10)]


def test_dates_with_ordinal_days_and_sept_beside_numeric_ones_are_one_date_column(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    path = tmp_path / "car history.csv"
    path.write_text("Date,Type,Mileage,Cost\n15/03/2022,Service,\"28,950\",£189.00\n3rd Oct 2022,Tyres,\"31,560\","
                    "£218.00\n2023-03-20,Service,\"36,410\",£329.50\n9th Sept 2024,MOT,\"47,763\",£54.85\n",
                    encoding="utf-8")
    assert ws.tables.import_file(path).status == "applied"
    assert ws.tables.query('SELECT "date", mileage FROM car_history ORDER BY "date"')[1] == [
        (dt.date(2022, 3, 15), 28950), (dt.date(2022, 10, 3), 31560), (dt.date(2023, 3, 20), 36410),
        (dt.date(2024, 9, 9), 47763)]


def test_a_total_row_whose_label_says_what_it_totals_is_left_out_and_a_named_row_is_kept(
        ws: Workspace, tmp_path: Path) -> None:
    # "TOTAL EXPENSES" under a budget was a 14th row: any sum over the budget counted it twice
    path = tmp_path / "budget.csv"
    path.write_text("line,budget,actual\nCourt maintenance,4200,3950\nTotal Care cleaning,600,640\n"
                    "Floodlights,1800,1710\nTOTAL EXPENSES,6600,6300\n", encoding="utf-8")
    p = _applied(ws, path)
    assert any("1 total row(s) left out" in r for r in p.reasons), p.reasons
    assert ws.tables.query("SELECT count(*), sum(budget) FROM budget")[1] == [(3, 6600)]


def test_a_sheet_of_labels_and_their_values_keeps_its_first_pair_as_a_row(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    for pair in (["Trip", "Y10 ecology fieldwork, Flatford Mill"], ["Date", "Thursday 18 March 2027"],
                 ["Charge per pupil", 42], ["Pupils", 52], ["Leader", "C Hartley"]):
        summary.append(pair)
    costs = wb.create_sheet("Costs")  # a header over numbers is still a header
    for row in (["item", "cost"], ["Coach", 1145], ["Field centre", 1014], ["First aid kit", 24.6]):
        costs.append(row)
    wb.save(tmp_path / "trip budget.xlsx")
    summary_p, costs_p = ws.tables.import_all(tmp_path / "trip budget.xlsx")
    assert list(_types(summary_p)) == ["field", "value"]  # were trip | y10_ecology_fieldwork_flatford_mill
    assert summary_p.row_count == 5
    if summary_p.status != "applied":
        ws.tables.approve(summary_p.id)
    assert _rows(ws, summary_p.table)[0] == ("Trip", "Y10 ecology fieldwork, Flatford Mill")
    assert list(_types(costs_p)) == ["item", "cost"] and costs_p.row_count == 3


def test_numbers_written_with_their_unit_are_numbers_and_the_column_named_for_it(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    # "4.05 kg" beside "6.5" kept the whole column text: sums left the kg cells out
    path = tmp_path / "harvest.csv"
    path.write_text("date,crop,weight,hrs\n2026-10-03,squash,4.05 kg,2 hrs\n2026-10-04,kale,3.2kg,1.5\n"
                    "2026-10-05,leeks,6.5,3 hours\n")
    p = _applied(ws, path)
    assert _types(p) == {"date": "DATE", "crop": "VARCHAR", "weight_kg": "DOUBLE", "hrs": "DOUBLE"}, p.columns
    assert _rows(ws, p.table) == [(dt.date(2026, 10, 3), "squash", 4.05, 2.0), (dt.date(2026, 10, 4), "kale", 3.2, 1.5),
                                  (dt.date(2026, 10, 5), "leeks", 6.5, 3.0)]
    assert detect("note", ["4 kg", "3 lb"]).type == "VARCHAR"  # two units: kept as written
    assert detect("size", ["8 m", "12 m"]).type == "VARCHAR"  # metres or minutes: not said
    assert detect("size", ["15mm", "22mm"]).type == "VARCHAR"  # a pipe's size is its label
    assert detect("vessel", ["8 L", "12 L"]).type == "BIGINT"


def test_dates_typed_by_hand_every_way_in_one_column_are_dates_a_missing_year_taken_from_the_rows_around(
        ws: Workspace, tmp_path: Path) -> None:
    # a bookings sheet's date cells beside six typed by hand left the whole column text, so no
    # question about this year or last month reached it
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["Ref", "Client", "Date", "Days"], ["B-01", "Harrington", "12th April 2025", 1],
                ["B-02", "Okafor", dt.datetime(2025, 6, 5), 1], ["B-03", "Murphy", "Sat 14 June", 1],
                ["B-04", "Fisher", "30/08/25", "half"], ["B-05", "Turner", dt.datetime(2025, 12, 6), 1],
                ["B-06", "Stewart", "Sat 25 July 26", 2], ["B-07", "Sharma", "14 Oct", 1],
                ["B-08", "Morgan", "2026-11-05", 1]):
        wb.active.append(row)
    wb.save(tmp_path / "bookings.xlsx")
    p = _applied(ws, tmp_path / "bookings.xlsx")
    assert _types(p)["date"] == "DATE" and _types(p)["days"] == "DOUBLE", p.reasons
    assert ws.tables.query("SELECT list(date ORDER BY ref), sum(days) FROM bookings")[1] == [(
        [dt.date(2025, 4, 12), dt.date(2025, 6, 5), dt.date(2025, 6, 14), dt.date(2025, 8, 30), dt.date(2025, 12, 6),
         dt.date(2026, 7, 25), dt.date(2026, 10, 14), dt.date(2026, 11, 5)], 8.5)]


@pytest.mark.parametrize("values", [
    ["Sat 14 June", "14 Oct"],  # no row has its year
    ["2025-06-05", "Fri 14 June"],  # a Friday in 2024, a year before the row it follows
    ["2025-06-05", "Fri 25 July 2026"],  # a Saturday
    ["2025-06-05", "14 Oct", "a fortnight later"],
])
def test_a_hand_typed_date_whose_year_or_reading_cannot_be_settled_leaves_the_column_text(values: list[str]) -> None:
    assert detect("date", values).type == "VARCHAR"


def test_a_hand_typed_date_s_year_is_the_nearest_the_rows_around_it_where_its_day_of_the_week_falls() -> None:
    found = detect("date", ["2025-12-20", "Sat 3 Jan", "2026-01-10"])  # 3 Jan 2026 is a Saturday
    assert (found.type, found.known) == ("DATE", {"Sat 3 Jan": "2026-01-03"})
