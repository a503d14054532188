"""Table files an ingest has seen: unchanged, they are neither imported nor audited again."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pytest

from engine import Workspace


def _broken_xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:  # a zip with a workbook part, cut short
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="S" sheetId="1"')


def _good_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["item", "price"])
    book.active.append(["tea", 7])
    book.save(path)


def _good_parquet(path: Path) -> None:
    duckdb.connect().execute(f"COPY (SELECT 'tea' AS item, 7 AS price) TO '{path}' (FORMAT parquet)")


BROKEN: dict[str, Callable[[Path], object]] = {
    "prices.json": lambda p: p.write_text("{not json"),
    "prices.parquet": lambda p: p.write_bytes(b"PAR1 this is really text, not Parquet PAR1"),
    "prices.xlsx": _broken_xlsx,
}
FIXED: dict[str, Callable[[Path], object]] = {
    "prices.json": lambda p: p.write_text('[{"item": "tea", "price": 7}]'),
    "prices.parquet": _good_parquet,
    "prices.xlsx": _good_xlsx,
}


def _audit_count(ws: Workspace) -> int:
    return int(ws.status()["audit_entries"])


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_an_unchanged_table_file_that_cannot_be_imported_is_reported_but_not_read_or_audited_again(
        ws: Workspace, tmp_path: Path, name: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "good.csv").write_text("name,age\nAda,36\n")
    bad = folder / name
    BROKEN[name](bad)
    (failure,) = ws.ingest([folder]).failed
    assert failure["path"] == str(bad) and failure["reason"].startswith("its table could not be imported: ")
    entries, proposals = _audit_count(ws), len(ws.tables.proposals())
    for _ in range(2):  # as a watched folder's rescans read it
        again = ws.ingest([folder])
        assert again.failed == [failure] and again.unchanged == 1 and again.ingested == 0
    assert _audit_count(ws) == entries and len(ws.tables.proposals()) == proposals  # the good one neither
    assert ws.status()["failed"] == 1 and [(d["path"], d["error"]) for d in ws.failures()] == [
        (str(bad), failure["reason"])]
    assert ws.verify_audit().ok
    FIXED[name](bad)  # fixed: read, and imported
    fixed = ws.ingest([folder])
    assert fixed.ingested == 1 and fixed.failed == [] and ws.failures() == [] and ws.tables.count("prices") == 1


def test_a_table_file_that_failed_because_the_tables_file_was_in_use_is_read_again(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "good.csv").write_text("name,age\nAda,36\n")
    (folder / "broken.json").write_text("{not json")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(ws.folder / "tables.duckdb")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        first = ws.ingest([folder])
    finally:
        holder.communicate("")
    assert len(first.failed) == 2 and all("in use by another Grace process" in f["reason"] for f in first.failed)
    second = ws.ingest([folder])  # not the files' fault: both read again
    assert second.ingested == 1 and ws.tables.count("good") == 1
    (failure,) = second.failed
    assert failure["path"] == str(folder / "broken.json") and "JSON" in failure["reason"]
    entries = _audit_count(ws)
    assert ws.ingest([folder]).failed == [failure] and _audit_count(ws) == entries  # its own failure lasts


def test_a_retry_reads_an_unchanged_table_file_again(ws: Workspace, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.errors import TableError
    from engine.tables import governance

    (tmp_path / "good.csv").write_text("name,age\nAda,36\n")
    ws.ingest([tmp_path / "good.csv"])  # (the tables are open: a failure now is the file's)
    prices = tmp_path / "prices.csv"
    prices.write_text("item,price\ntea,7\n")
    real = governance.propose_file

    def fails_once(*args: object) -> object:  # a fault that goes away by itself
        monkeypatch.setattr(governance, "propose_file", real)
        raise TableError("the disk was busy")

    monkeypatch.setattr(governance, "propose_file", fails_once)
    assert ws.ingest([prices]).failed and ws.ingest([prices]).failed  # unchanged: not read again
    retried = ws.ingest([prices], retry=True)  # the Library's Retry
    assert retried.failed == [] and ws.failures() == [] and ws.tables.count("prices") == 1
