"""The ``grace`` command, run as a person (or a script) would run it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def grace(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "grace_desktop", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_ingest_search_status_and_audit_as_json(tmp_path: Path, docs: Path) -> None:
    ws = str(tmp_path / "ws")
    (docs / "bad.pdf").write_text("not a pdf")
    out = grace("--workspace", ws, "ingest", str(docs), "--json")
    assert out.returncode == 1, out.stderr  # bad.pdf failed (the others were read)
    report = json.loads(out.stdout)
    assert set(report) >= {"ingested", "unchanged", "removed", "moved", "failed", "chunks", "seconds"}
    assert report["ingested"] == 5 and report["chunks"] > 0
    assert report["failed"][0]["path"] == str(docs / "bad.pdf") and report["failed"][0]["reason"]

    out = grace("--workspace", ws, "search", "tomato watering", "bike chain oil", "-k", "3", "--json")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["tomato watering", "bike chain oil"]
    first = lines[0]["results"][0]
    assert set(first) == {"path", "chunk_id", "score", "page", "line_start", "line_end", "heading", "text", "trust"}
    assert first["path"] == str(docs / "guide.md") and os.path.isabs(first["path"])
    assert lines[1]["results"][0]["path"].endswith("page.html") and lines[0]["ms"] >= 0

    status = json.loads(grace("--workspace", ws, "status", "--json").stdout)
    assert status["documents"] == 6 and status["failed"] == 1 and status["queued"] == 0
    assert status["vectors"] == status["chunks"] and status["model"]
    listed = json.loads(grace("--workspace", ws, "tables", "list", "--json").stdout)["tables"]
    assert "sales" in {t["name"] for t in listed}  # sales.csv, read and applied by policy
    # the person's tables: the catalog's domain tables count once they hold rows
    assert status["table_files"] == 1 and status["memory_tables"] == len([t for t in listed if t["rows"]])
    assert status["failures"] == [{"path": str(docs / "bad.pdf"), "reason": report["failed"][0]["reason"]}]

    verify = grace("--workspace", ws, "audit", "verify", "--json")
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] is True


def test_audit_verify_exits_non_zero_naming_the_bad_entry(tmp_path: Path, docs: Path) -> None:
    ws = tmp_path / "ws"
    assert grace("--workspace", str(ws), "ingest", str(docs)).returncode == 0
    con = sqlite3.connect(ws / "grace.sqlite")
    con.execute("UPDATE audit SET details='{}' WHERE id=2")
    con.commit()
    con.close()
    out = grace("--workspace", str(ws), "audit", "verify")
    assert out.returncode == 1 and "entry 2" in out.stderr


def test_workspace_comes_from_grace_home(tmp_path: Path, docs: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRACE_HOME", str(tmp_path / "home-ws"))
    assert grace("ingest", str(docs / "notes.txt")).returncode == 0
    assert (tmp_path / "home-ws" / "grace.sqlite").exists()


def test_missing_path_is_reported_and_the_run_still_completes(tmp_path: Path, docs: Path) -> None:
    out = grace("--workspace", str(tmp_path / "ws"), "ingest", str(docs / "nope.md"), str(docs / "notes.txt"),
                "--json")
    assert out.returncode == 1  # was 0: a script or a cron job could not tell
    assert "grace: 1 path failed (nope.md); the rest were read. Exit code 1." in out.stderr
    report = json.loads(out.stdout)
    assert report["ingested"] == 1 and "does not exist" in report["failed"][0]["reason"]
    again = grace("--workspace", str(tmp_path / "ws"), "ingest", str(docs / "notes.txt"))
    assert again.returncode == 0 and again.stderr == ""  # all went well


def test_status_names_stale_vectors_and_reembed_replaces_them(tmp_path: Path, docs: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from engine import Workspace
    from tests.fixtures.old_model import age_vectors

    folder = tmp_path / "ws"
    with Workspace(folder, embedder) as ws:
        ws.ingest([docs])
        n = len(age_vectors(ws))
    out = grace("--workspace", str(folder), "status")
    assert out.returncode == 0 and f"{n} passages need re-embedding" in out.stdout
    assert json.loads(grace("--workspace", str(folder), "status", "--json").stdout)["stale_vectors"] == n

    out = grace("--workspace", str(folder), "reembed", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) | {"seconds": 0} == {"reembedded": n, "remaining": 0, "model": embedder.model_id,
                                                       "seconds": 0}
    assert json.loads(grace("--workspace", str(folder), "status", "--json").stdout)["stale_vectors"] == 0
    assert json.loads(grace("--workspace", str(folder), "reembed", "--json").stdout)["reembedded"] == 0
    assert grace("--workspace", str(folder), "reembed").stdout.startswith("0 passages re-embedded")


def test_a_workspace_that_cannot_be_opened_is_a_plain_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    out = grace("--workspace", str(tmp_path / "afile"), "status")
    assert out.returncode == 1 and "it is a file, not a folder" in out.stderr and "Traceback" not in out.stderr
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "grace.sqlite").write_text("hello")
    out = grace("--workspace", str(tmp_path / "ws"), "status")
    assert out.returncode == 1 and "not a Grace catalog" in out.stderr and "Traceback" not in out.stderr
    out = grace("--workspace", str(tmp_path / "ws2"), "search", "x", "-k", "0")
    assert out.returncode == 2 and "at least 1" in out.stderr
    out = grace("--workspace", str(tmp_path / "ws2"), "search", "x", "-k", "abc")
    assert out.returncode == 2 and "-k: must be a whole number, not 'abc'" in out.stderr


def test_a_file_read_in_part_is_said_by_ingest_and_status(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    notes = tmp_path / "notes.txt"
    notes.write_text("Tide notes for the northern harbour.\n\n" * 50)  # 1,900 characters
    assert grace("--workspace", ws, "settings", "max_chars", "1000").returncode == 0
    out = grace("--workspace", ws, "ingest", str(notes), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report) >= {"ingested", "unchanged", "removed", "moved", "failed", "chunks", "seconds"}
    reason = "read the first 1,000 of 1,900 characters (the max_chars setting)"
    assert report["ingested"] == 1 and report["failed"] == []
    assert report["partial"] == [{"path": str(notes), "reason": reason}]
    status = json.loads(grace("--workspace", ws, "status", "--json").stdout)
    assert status["failed"] == 0 and status["failures"] == []
    assert status["partial"] == [{"path": str(notes), "reason": reason}]
    assert f"partly read: {notes}: {reason}" in grace("--workspace", ws, "status").stdout


def test_files_of_types_grace_does_not_read_are_named_by_type_not_only_counted(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "notes.md").write_text("The allotment key is under the blue pot.\n")
    for name in ("photo-1.heic", "photo-2.heic", "scan.tiff"):
        (folder / name).write_bytes(b"\x00\x01\x02")
    ws = str(tmp_path / "ws")
    report = json.loads(grace("--workspace", ws, "ingest", str(folder), "--json").stdout)
    assert report["ingested"] == 1 and report["failed"] == []
    assert report["unsupported"] == {"count": 3, "types": {".heic": 2, ".tiff": 1},
                                     "paths": [str(folder / n) for n in ("photo-1.heic", "photo-2.heic", "scan.tiff")]}
    plain = grace("--workspace", ws, "ingest", str(folder)).stdout  # unchanged files: the others are still said
    assert "not read: 3 files of types Grace does not read" in plain
    assert ".heic: 2 (photo-1.heic, photo-2.heic)" in plain and ".tiff: 1 (scan.tiff)" in plain
