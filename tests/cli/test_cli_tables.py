"""``grace tables``, ``grace proposals`` and ``grace sql``, run as a person would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "tables"


def grace(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "grace_desktop", "--workspace", str(ws), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _json(out: subprocess.CompletedProcess[str]) -> dict:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_import_list_and_query_as_json(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    found = _json(grace(ws, "tables", "import", str(FIX / "dates_mixed.csv"), "--json"))["proposal"]
    assert set(found) >= {"id", "table", "status", "confidence", "reasons", "row_count", "columns"}
    assert found["table"] == "dates_mixed" and found["status"] == "pending" and found["row_count"] == 3
    assert found["columns"][0] == {"name": "when_", "source_name": "when", "type": "DATE"}

    approved = _json(grace(ws, "proposals", "approve", str(found["id"]), "--rename", "when_=happened", "--json"))
    assert approved["proposal"]["status"] == "applied"

    tables = {t["name"]: t for t in _json(grace(ws, "tables", "list", "--json"))["tables"]}
    assert tables["dates_mixed"]["rows"] == 3
    assert tables["dates_mixed"]["columns"][0] == {"name": "happened", "type": "DATE"}
    assert "security_runbooks" not in tables  # an empty catalog table: `tables list --all` lists it

    result = _json(grace(ws, "sql", "SELECT happened, period FROM dates_mixed ORDER BY happened LIMIT 2", "--json"))
    assert result == {"columns": ["happened", "period"],
                      "rows": [["1995-01-01", "1974-01-01"], ["1996-02-12", "1974-04-01"]]}


def test_proposals_can_be_listed_and_rejected_with_a_reason(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    found = _json(grace(ws, "tables", "import", str(FIX / "headerless.csv"), "--json"))["proposal"]
    listed = _json(grace(ws, "proposals", "list", "--json"))["proposals"]
    assert [(p["id"], p["status"]) for p in listed] == [(found["id"], "pending")]
    out = grace(ws, "proposals", "reject", str(found["id"]))
    assert out.returncode != 0 and "--reason" in out.stderr
    rejected = _json(grace(ws, "proposals", "reject", str(found["id"]), "--reason", "made up names", "--json"))
    assert rejected["proposal"]["status"] == "rejected" and rejected["proposal"]["reason"] == "made up names"
    out = grace(ws, "proposals", "approve", str(found["id"]))
    assert out.returncode == 1 and "already rejected" in out.stderr


def test_sql_refuses_to_write_and_says_why(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    out = grace(ws, "sql", "DROP TABLE notes")
    assert out.returncode == 1 and "Only reading queries" in out.stderr
    assert "notes" in {t["name"] for t in _json(grace(ws, "tables", "list", "--all", "--json"))["tables"]}


def test_tables_list_leaves_out_the_catalogs_empty_tables_and_says_so(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (tmp_path / "boats.csv").write_text("boat,seats\nHeron,4\nKingfisher,1\n", encoding="utf-8")
    assert grace(ws, "tables", "import", str(tmp_path / "boats.csv")).returncode == 0
    out = grace(ws, "tables", "list")
    assert out.stdout.splitlines()[0].split() == ["boats", "2", "rows", "2", "columns"]
    assert "empty catalog tables" in out.stdout and "--all" in out.stdout and "notes " not in out.stdout
    assert [t["name"] for t in _json(grace(ws, "tables", "list", "--json"))["tables"]] == ["boats"]
    assert "notes" in grace(ws, "tables", "list", "--all").stdout


def test_an_unreadable_file_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    out = grace(tmp_path / "ws", "tables", "import", str(FIX / "binary.csv"))
    assert out.returncode == 1 and "binary.csv could not be imported" in out.stderr
    assert "Traceback" not in out.stderr


def test_tabular_files_given_to_ingest_become_tables(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    data = tmp_path / "data"
    data.mkdir()
    (data / "orders.csv").write_text("order_id,total,placed\n1,9.5,2024-01-02\n2,12.25,2024-01-03\n")
    assert _json(grace(ws, "ingest", str(data), "--json"))["failed"] == []
    result = _json(grace(ws, "sql", "SELECT sum(total) AS total, max(placed) AS last FROM orders", "--json"))
    assert result["rows"] == [[21.75, "2024-01-03"]]


# -- `grace sql` plain output stays valid TSV ---------------------------------------------------


def test_sql_plain_output_escapes_tabs_newlines_and_backslashes(tmp_path: Path) -> None:
    out = grace(tmp_path / "ws", "sql", "SELECT 'a' || chr(9) || 'b' AS tab, 'one' || chr(10) || 'two' AS line, "
                                         "'back\\slash' AS back, NULL AS nothing, 'x' || chr(13) AS cr")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["tab\tline\tback\tnothing\tcr", "a\\tb\tone\\ntwo\tback\\\\slash\t\tx\\r"]
    assert "written as \\t, \\n, \\r or \\\\" in grace(tmp_path / "ws", "sql", "--help").stdout


# -- `grace sql` reads only the workspace's tables, whatever a CTE is called --------------------


def test_sql_cannot_read_a_file_through_a_cte_named_like_it(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    secret = tmp_path / "secret.csv"
    secret.write_text("user,pass\nroot,hunter2\n")
    f, q = f'"{secret}"', f"'{secret}'"
    for sql in [f"SELECT b.* FROM (WITH {f} AS (SELECT 1) SELECT * FROM {f}) a, {q} b",  # the CTE's scope ends
                f"WITH a AS (SELECT * FROM {f}), {f} AS (SELECT 1) SELECT * FROM a",  # defined after its use
                f"WITH {f} AS (SELECT * FROM {f}) SELECT * FROM {f}",  # a CTE does not see itself
                f"WITH RECURSIVE {f} AS (SELECT * FROM {f} UNION ALL SELECT * FROM {f}) SELECT * FROM {f}"]:
        out = grace(ws, "sql", sql)
        assert out.returncode == 1 and "There is no table called" in out.stderr, (sql, out.stdout)
        assert "hunter2" not in out.stdout
    legit = f"WITH {f} AS (SELECT 1 AS n) SELECT * FROM {q}, (SELECT * FROM {f}) x"
    assert _json(grace(ws, "sql", legit, "--json"))["rows"] == [[1, 1]]
    counted = ("WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM (SELECT * FROM r) WHERE n < 3) "
               "SELECT count(*) FROM r")
    assert _json(grace(ws, "sql", counted, "--json"))["rows"] == [[3]]


def test_importing_a_note_as_a_table_is_refused_saying_why(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    note = tmp_path / "car.md"
    note.write_text("The car is a 2019 Toyota Yaris hybrid, registration KX19 ABC.\n", encoding="utf-8")
    out = grace(ws, "tables", "import", str(note))
    assert out.returncode != 0, out.stdout  # was a "CSV" table of its words, waiting in Approvals
    assert f"{note} could not be imported: it is a document (markdown), not a table file (CSV, TSV, JSON, Excel or " \
           "Parquet); add it as a document instead (grace ingest)" in out.stderr
    assert _json(grace(ws, "proposals", "list", "--json"))["proposals"] == []
