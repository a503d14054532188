"""Proposals, approvals, the policy and crash repair, over real DuckDB and SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from engine import Workspace
from engine.embed import Embedder
from engine.errors import PolicyViolation, TableError

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "tables"


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _actions(ws: Workspace, subject: str) -> list[str]:
    return [e["action"] for e in reversed(ws.audit_entries(1000)) if e["subject"] == subject]


def test_a_confident_import_is_approved_and_applied_by_the_policy(ws: Workspace, tmp_path: Path) -> None:
    p = ws.tables.import_file(_csv(tmp_path / "sales.csv", "region,amount\nnorth,10\nsouth,20\n"))
    assert p.status == "applied" and p.decided_by == "policy" and p.confidence >= 0.9
    assert "threshold" in (p.reason or "") and p.decided_at
    assert _actions(ws, f"proposal {p.id}") == ["propose", "approve", "apply"]
    assert ws.tables.count("sales") == 2
    assert ws.verify_audit().ok


def test_a_doubtful_import_waits_and_creates_no_table(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "headerless.csv")
    assert p.status == "pending" and p.decided_by is None
    assert "headerless" not in [t.name for t in ws.tables.list()]
    assert [q.id for q in ws.tables.proposals("pending")] == [p.id]


def test_approval_can_rename_the_table_and_columns_and_change_a_type(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "headerless.csv")
    changes = ws.tables.approve(p.id, table="Greek Letters", renames={"column_1": "rank", "column_2": "letter"},
                                types={"column_3": "VARCHAR", "rank": "INTEGER"})
    assert changes.tables and changes.proposals and changes.audit
    done = ws.tables.proposal(p.id)
    assert done.status == "applied" and done.table == "greek_letters" and done.decided_by == "user"
    assert [(c.name, c.type) for c in ws.tables.columns("greek_letters")] == [
        ("rank", "INTEGER"), ("letter", "VARCHAR"), ("column_3", "VARCHAR")]
    assert ws.tables.page("greek_letters", 0, 1)[0][1:] == (1, "alpha", "3.5")


def test_rejection_needs_a_reason_and_discards_the_staged_rows(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "headerless.csv")
    with pytest.raises(TableError, match="reason"):
        ws.tables.reject(p.id, "  ")
    ws.tables.reject(p.id, "not my data", actor="alice")
    done = ws.tables.proposal(p.id)
    assert (done.status, done.reason, done.decided_by) == ("rejected", "not my data", "alice")
    staged = ws.tables.query("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%stage%'")[1]
    assert staged == [(0,)]
    assert _actions(ws, f"proposal {p.id}") == ["propose", "reject"]


def test_a_decided_proposal_cannot_be_decided_again(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "headerless.csv")
    ws.tables.reject(p.id, "no")
    with pytest.raises(TableError, match="already rejected"):
        ws.tables.approve(p.id)
    with pytest.raises(TableError, match="no proposal 999"):
        ws.tables.approve(999)


def test_a_failed_application_goes_back_to_pending_with_the_reason(ws: Workspace) -> None:
    p = ws.tables.import_file(FIX / "headerless.csv")
    with pytest.raises(TableError, match="The table 'headerless' could not be made from headerless.csv: column "
                                         "'column_2' cannot all become a whole number: 'alpha' in row 1"):
        ws.tables.approve(p.id, types={"column_2": "INTEGER"})  # 'alpha' is no integer
    back = ws.tables.proposal(p.id)
    assert back.status == "pending" and "'gamma' in row 3 and 1 more cannot be read so" in (back.reason or "")
    ws.tables.approve(p.id)
    assert ws.tables.proposal(p.id).status == "applied"


def test_reimporting_a_changed_file_replaces_its_rows(ws: Workspace, tmp_path: Path) -> None:
    path = _csv(tmp_path / "stock.csv", "item,qty\nbolt,1\nnut,2\n")
    ws.tables.import_file(path)
    _csv(path, "item,qty\nbolt,5\nnut,6\nwasher,7\n")
    p = ws.tables.import_file(path)
    assert p.kind == "append" and any("replaces the 2 rows" in r for r in p.reasons)
    assert p.status == "applied"
    assert [r[1:] for r in ws.tables.page("stock", 0, 10)] == [("bolt", 5), ("nut", 6), ("washer", 7)]


def test_a_file_with_the_same_columns_appends_to_the_existing_table(ws: Workspace, tmp_path: Path) -> None:
    ws.tables.import_file(_csv(tmp_path / "sales_jan.csv", "region,amount\nnorth,10\n"))
    p = ws.tables.import_file(_csv(tmp_path / "sales_feb.csv", "region,amount\nsouth,20\n"))
    assert (p.kind, p.table, p.status) == ("append", "sales_jan", "pending")
    ws.tables.approve(p.id)
    assert [r[0] for r in ws.tables.page("sales_jan", 0, 10)] == [1, 2]


def test_an_extra_column_is_a_schema_change_that_waits(ws: Workspace, tmp_path: Path) -> None:
    ws.tables.import_file(_csv(tmp_path / "sales.csv", "region,amount\nnorth,10\n"))
    other = tmp_path / "more"
    other.mkdir()
    p = ws.tables.import_file(_csv(other / "sales.csv", "region,amount,rep\nsouth,20,ann\n"))
    assert (p.kind, p.status) == ("schema_change", "pending") and any("adds column(s) rep" in r for r in p.reasons)
    ws.tables.approve(p.id)
    assert [c.name for c in ws.tables.columns("sales")] == ["region", "amount", "rep"]
    assert [r[1:] for r in ws.tables.page("sales", 0, 10)] == [("north", 10, None), ("south", 20, "ann")]


def test_a_file_whose_columns_do_not_fit_gets_a_new_table(ws: Workspace, tmp_path: Path) -> None:
    ws.tables.import_file(_csv(tmp_path / "data.csv", "a,b\n1,2\n"))
    other = tmp_path / "other"
    other.mkdir()
    p = ws.tables.import_file(_csv(other / "data.csv", "x,y,z\nq,r,s\n"))
    assert (p.kind, p.table) == ("new", "data_2")


def test_the_policy_is_copied_into_the_workspace_and_every_change_versioned(ws: Workspace, ws_dir: Path) -> None:
    policy = ws.tables.policy()
    assert policy["auto_approve_threshold"] == 0.9 and "finance_treasury" in policy["protected_tables"]
    current = ws_dir / "policies" / "policy.yaml"
    assert yaml.safe_load(current.read_text())["auto_approve_threshold"] == 0.9
    ws.tables.set_policy({**policy, "auto_approve_threshold": 0.5})
    assert (ws_dir / "policies" / "history" / "policy-v0002.yaml").exists()
    edited = yaml.safe_load(current.read_text()) | {"auto_approve_threshold": 0.75}
    current.write_text(yaml.safe_dump(edited))
    assert ws.tables.policy()["auto_approve_threshold"] == 0.75
    entries = [e for e in ws.audit_entries(100) if e["action"] == "policy"]
    assert [e["actor"] for e in reversed(entries)] == ["install", "user", "file"]
    with pytest.raises(TableError, match="from 0 to 1"):
        ws.tables.set_policy({**policy, "auto_approve_threshold": 2})
    with pytest.raises(TableError, match="unknown"):
        ws.tables.set_policy({**policy, "delete_everything": True})


def test_the_threshold_decides_what_waits(ws: Workspace, tmp_path: Path) -> None:
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    waiting = ws.tables.import_file(_csv(tmp_path / "a.csv", "x,y\n1,2\n"))
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 0.0})
    applied = ws.tables.import_file(FIX / "headerless.csv")
    assert (waiting.status, applied.status) == ("pending", "applied")


def test_protected_tables_cannot_be_dropped_and_others_need_a_reason(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(PolicyViolation, match="protected"):
        ws.tables.drop_table("finance_treasury", "tidy up")
    ws.tables.import_file(_csv(tmp_path / "scratch.csv", "a,b\n1,2\n"))
    with pytest.raises(TableError, match="reason"):
        ws.tables.drop_table("scratch", "")
    ws.tables.drop_table("scratch", "no longer needed")
    assert "scratch" not in [t.name for t in ws.tables.list()]
    drop = next(e for e in ws.audit_entries(50) if e["action"] == "table_drop")
    assert drop["subject"] == "scratch" and drop["details"]["reason"] == "no longer needed"
    assert next(t for t in ws.tables.list() if t.name == "finance_treasury").protected


_CHILD = """
import os, sys
from pathlib import Path
import engine.tables.apply, engine.tables.proposals
from engine import Workspace

def crash(*args, **kwargs):
    os._exit(3)

if sys.argv[3] == "after-duckdb":
    engine.tables.proposals.mark_applied = crash
else:
    engine.tables.apply.apply = crash
ws = Workspace(sys.argv[1])
ws.tables.import_file(Path(sys.argv[2]))
"""


@pytest.mark.parametrize("moment", ["after-duckdb", "before-duckdb"])
def test_a_crash_in_the_middle_of_applying_is_repaired_on_the_next_open(ws_dir: Path, embedder: Embedder,
                                                                         tmp_path: Path, moment: str) -> None:
    path = _csv(tmp_path / "ledger.csv", "account,balance\ncash,100\nbank,250\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ws_dir), str(path), moment], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 3, out.stderr
    with Workspace(ws_dir, embedder) as ws:
        (p,) = ws.tables.proposals()
        assert p.status == "applied" and p.decided_by == "policy"
        assert ws.tables.query("SELECT account, balance FROM ledger ORDER BY balance")[1] == [("cash", 100),
                                                                                            ("bank", 250)]
        assert _actions(ws, f"proposal {p.id}") == ["propose", "approve", "apply"]
        assert ws.verify_audit().ok
    with Workspace(ws_dir, embedder) as ws:  # and a second open changes nothing
        assert ws.tables.count("ledger") == 2 and len(ws.tables.proposals()) == 1


def test_a_moved_table_file_keeps_its_rows_and_a_later_change_replaces_them(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    _csv(folder / "stock.csv", "item,qty\nbolt,1\nnut,2\n")
    ws.ingest([folder])
    assert ws.tables.count("stock") == 2
    (folder / "stock.csv").rename(folder / "inventory.csv")
    moved = ws.ingest([folder])
    assert moved.moved == 1 and ws.tables.count("stock") == 2  # not loaded a second time
    assert {p.source for p in ws.tables.proposals()} == {str(folder / "inventory.csv")}
    _csv(folder / "inventory.csv", "item,qty\nbolt,5\nnut,6\nwasher,7\n")
    ws.ingest([folder])
    assert [r[1:] for r in ws.tables.page("stock", 0, 10)] == [("bolt", 5), ("nut", 6), ("washer", 7)]


# -- another file's rows, sibling sheets and approving under the table's own name --------------


def test_a_file_of_the_same_name_from_another_folder_waits_before_its_rows_join_the_table(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _csv(tmp_path / "a" / "staff.csv", "name,age\nAnn,30\n")
    ws.tables.import_file(first)
    p = ws.tables.import_file(_csv(tmp_path / "b" / "staff.csv", "name,age\nTest User,99\n"))
    assert (p.kind, p.table, p.status) == ("append", "staff", "pending") and p.confidence < 0.9
    assert any(f"already holds rows from {first}" in r for r in p.reasons)
    assert [r[1:] for r in ws.tables.page("staff", 0, 10)] == [("Ann", 30)]
    _csv(first, "name,age\nAnn,31\n")
    again = ws.tables.import_file(first)  # the same file again is still a confident replace
    assert (again.status, again.confidence) == ("applied", 1.0)
    assert [r[1:] for r in ws.tables.page("staff", 0, 10)] == [("Ann", 31)]


def test_sheets_whose_names_differ_only_in_case_or_spaces_get_a_table_each(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sales Q1"
    wb.active.append(["region", "amount"])
    wb.active.append(["north", 10])
    wb.create_sheet("sales q1 ").append(["region", "amount"])
    wb["sales q1 "].append(["east", 5])
    wb.save(tmp_path / "book.xlsx")
    found = ws.tables.import_all(tmp_path / "book.xlsx")
    assert [(p.table, p.kind, p.status) for p in found] == [("book_sales_q1", "new", "applied"),
                                                           ("book_sales_q1_2", "new", "applied")]
    assert [r[1:] for r in ws.tables.page("book_sales_q1", 0, 10)] == [("north", 10)]
    assert [r[1:] for r in ws.tables.page("book_sales_q1_2", 0, 10)] == [("east", 5)]


def test_sheets_of_one_workbook_with_the_same_columns_get_a_table_each(ws: Workspace, tmp_path: Path) -> None:
    # the second sheet was appended to the first's table, named for the first sheet ("Autumn 2026"):
    # "how much did i invoice for autumn" added up last year's sheet too
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Autumn 2026"
    for row in (["pupil", "amount"], ["Sam", 247], ["Ella", 247]):
        wb.active.append(row)
    last = wb.create_sheet("2025-26")
    for row in (["pupil", "amount"], ["Sam", 234], ["Ben", 234]):
        last.append(row)
    wb.save(tmp_path / "fees.xlsx")
    found = ws.tables.import_all(tmp_path / "fees.xlsx")
    assert [(p.table, p.kind, p.status) for p in found] == [("fees_autumn_2026", "new", "applied"),
                                                           ("fees_2025_26", "new", "applied")]
    assert [r[1:] for r in ws.tables.page("fees_autumn_2026", 0, 10)] == [("Sam", 247), ("Ella", 247)]
    (tmp_path / "more").mkdir()  # another file of those columns still joins a table of them
    p = ws.tables.import_file(_csv(tmp_path / "more" / "fees_2024.csv", "pupil,amount\nMo,200\n"))
    assert p.kind == "append" and p.table in ("fees_autumn_2026", "fees_2025_26"), p


@pytest.mark.parametrize("name", ["orders", "Orders"])
def test_approving_a_reimport_under_its_own_table_name_still_replaces(ws: Workspace, tmp_path: Path,
                                                                      name: str) -> None:
    path = _csv(tmp_path / "orders.csv", "id,qty\n1,5\n2,6\n")
    ws.tables.import_file(path)
    p = ws.tables.import_file(_csv(path, "id\n7\n"))  # a single column: it waits
    assert (p.kind, p.status) == ("append", "pending") and any("replaces the 2 rows" in r for r in p.reasons)
    ws.tables.approve(p.id, table=name)
    assert [r[1:] for r in ws.tables.page("orders", 0, 10)] == [(7, None)]


def test_two_ingests_ending_together_take_the_table_follow_ups_one_at_a_time(ws: Workspace, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "sales.csv").write_text("region,amount\nnorth,10\nsouth,20\n")
    with Workspace(ws.folder) as other:  # another process's workspace, as far as locks go
        assert other.tables._follow_lock.acquire()
        read, finished = threading.Event(), threading.Event()
        progress = lambda _fraction, message: read.set() if message == "Files read" else None  # noqa: E731
        ingest = threading.Thread(target=lambda: (ws.ingest([tmp_path / "files"], progress), finished.set()),
                                  daemon=True)
        ingest.start()
        assert read.wait(300)  # the files are read and committed; the follow-ups come next
        finished.wait(3)
        assert not finished.is_set()  # they wait for the other's to end
        other.tables._follow_lock.release()
        ingest.join(300)
    assert finished.is_set() and len(ws.tables.proposals()) == 1


def test_a_text_column_approved_as_a_number_reads_each_value_as_an_import_would(ws: Workspace,
                                                                                 tmp_path: Path) -> None:
    path = _csv(tmp_path / "receipts.csv", 'shop,amount\nLidl,"1,200.50"\nEdeka,"2,5"\nBVG,-40\nRewe,"1.234,56"\n'
                                           "Aldi,N/A\n")
    p = ws.tables.import_file(path)
    # read value by value; the conventions differ row to row, so the person is asked first
    assert {c.name: c.type for c in p.columns}["amount"] == "DOUBLE" and p.status == "pending"
    assert any("column amount: amounts written in several ways" in r for r in p.reasons)
    ws.tables.approve(p.id)
    assert [r[0] for r in ws.tables.query("SELECT amount FROM receipts ORDER BY _grace_id")[1]] == [
        1200.5, 2.5, -40.0, 1234.56, None]


def test_values_that_cannot_be_numbers_are_named_with_their_rows_and_nothing_is_made(ws: Workspace,
                                                                                    tmp_path: Path) -> None:
    path = _csv(tmp_path / "receipts.csv", 'shop,amount\nLidl,"1,200.50"\nEdeka,€ 12\nBVG,lots\n')
    p = ws.tables.import_file(path)
    with pytest.raises(TableError, match=r"The table 'receipts' could not be made from receipts.csv: column 'amount' "
                                         r"cannot all become a number: '€ 12' in row 2, 'lots' in row 3 cannot be "
                                         r"read so\. Keep the column as text"):
        ws.tables.approve(p.id, types={"amount": "DOUBLE"})
    assert not ws.tables.store.exists("receipts") and ws.tables.proposal(p.id).status == "pending"


def test_rows_added_to_a_number_column_from_text_are_read_value_by_value(ws: Workspace, tmp_path: Path) -> None:
    assert ws.tables.import_file(_csv(tmp_path / "receipts.csv", "shop,amount\nLidl,12.5\n")).status == "applied"
    p = ws.tables.import_file(_csv(tmp_path / "more.csv", 'shop,amount\nEdeka,"2,5"\nRewe,"1,200.50"\n'))
    ws.tables.approve(p.id, table="receipts", types={"amount": "DOUBLE"})  # the text column, said to be a number
    assert [r[0] for r in ws.tables.query("SELECT amount FROM receipts ORDER BY _grace_id")[1]] == [12.5, 2.5, 1200.5]
    bad = ws.tables.import_file(_csv(tmp_path / "bad.csv", "shop,amount\nBVG,lots\n"))
    with pytest.raises(TableError, match="The rows of bad.csv could not be added to the table 'receipts': column "
                                         "'amount' cannot all become a number: 'lots' in row 1"):
        ws.tables.approve(bad.id, table="receipts", types={"amount": "DOUBLE"})


def test_a_rejected_table_can_be_proposed_again_from_its_file(ws: Workspace, tmp_path: Path) -> None:
    path = _csv(tmp_path / "letters.csv", (FIX / "headerless.csv").read_text())  # no header: it waits
    p = ws.tables.import_file(path)
    ws.tables.reject(p.id, "looked wrong")
    again = ws.tables.propose_again(p.id)
    assert (again.status, again.table, again.row_count) == ("pending", "letters", p.row_count)  # for the person
    ws.tables.approve(again.id)
    assert ws.tables.count("letters") == p.row_count
    with pytest.raises(TableError, match="Only a rejected table from a file can be proposed again; this one is "
                                         "applied"):
        ws.tables.propose_again(again.id)
    path.unlink()
    with pytest.raises(TableError, match="letters.csv can no longer be read"):
        ws.tables.propose_again(p.id)


def test_the_log_of_events_names_a_table_as_it_was_approved(ws: Workspace, tmp_path: Path) -> None:
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    path = _csv(tmp_path / "spending_messy.csv", "when,amount\n2025-01-03,£12.40\n03/01/2025,£7,95\n")
    ws.ingest([path])
    (pid,) = [p.id for p in ws.tables.proposals("pending")]
    ws.tables.approve(pid, table="spending")
    (event,) = [e for e in ws.recent_events() if e["action"] == "propose"]
    assert (event["details"]["table"], event["proposal"]["table"]) == ("spending_messy", "spending")


def test_last_years_file_in_an_old_folder_is_its_own_table_not_rows_added_to_this_years(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "Old").mkdir()
    ws.tables.import_file(_csv(tmp_path / "takings 2026.csv", "date,total\n2026-11-02,812.40\n2026-11-03,655.10\n"))
    old = ws.tables.import_file(_csv(tmp_path / "Old" / "takings 2025.csv", "date,total\n2025-11-03,702.00\n"))
    assert (old.kind, old.table) == ("new", "takings_2025")  # was an append to takings_2026, pending
    other = ws.tables.import_file(_csv(tmp_path / "takings december.csv", "date,total\n2026-12-01,590.00\n"))
    assert (other.kind, other.table) == ("append", "takings_2026")  # a current file of the same columns still may
