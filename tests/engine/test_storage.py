"""The catalog, the vector index and the audit chain under damage, crashes and upgrades."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import Workspace, db
from engine.embed import Embedder


def test_missing_index_is_rebuilt_without_the_model(ws_dir: Path, embedder: Embedder, docs: Path,
                                                    monkeypatch) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
        expected = ws.search("tyre pressure road bike", k=1)[0].path
    (ws_dir / "vectors.usearch").unlink()
    with monkeypatch.context() as patch:
        patch.setattr(embedder, "embed", lambda *a, **k: pytest.fail("the model ran during a rebuild"))
        ws = Workspace(ws_dir, embedder)
    with ws:
        assert ws.index_repaired
        assert ws.status()["vectors"] == ws.status()["chunks"] > 0
        assert ws.search("tyre pressure road bike", k=1)[0].path == expected


def test_unreadable_index_is_rebuilt(ws_dir: Path, embedder: Embedder, docs: Path) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
    (ws_dir / "vectors.usearch").write_bytes(b"garbage" * 100)
    with Workspace(ws_dir, embedder) as ws:
        assert ws.index_repaired and ws.status()["vectors"] == ws.status()["chunks"]


def test_index_behind_the_catalog_is_brought_in_step(ws_dir: Path, embedder: Embedder, docs: Path) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
    stale = (ws_dir / "vectors.usearch").read_bytes(), (ws_dir / "vectors.usearch.json").read_bytes()
    (docs / "extra.md").write_text("# Kites\n\nA kite needs steady wind of about 15 km/h.\n")
    (docs / "notes.txt").unlink()
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
    (ws_dir / "vectors.usearch").write_bytes(stale[0])
    (ws_dir / "vectors.usearch.json").write_bytes(stale[1])
    with Workspace(ws_dir, embedder) as ws:
        assert ws.index_repaired
        assert ws.status()["vectors"] == ws.status()["chunks"]
        assert ws.search("steady wind kite", k=1)[0].path.endswith("extra.md")


def test_an_index_of_another_count_than_the_catalog_is_rebuilt_whatever_its_stamp(
        ws_dir: Path, tmp_path: Path, embedder: Embedder, docs: Path) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
        generation = ws._catalog_generation()
    with Workspace(tmp_path / "other", embedder) as other:
        other.ingest([docs / "notes.txt"])
        count = len(other.index)
    (ws_dir / "vectors.usearch").write_bytes((tmp_path / "other" / "vectors.usearch").read_bytes())
    (ws_dir / "vectors.usearch.json").write_text(f'{{"generation": {generation}, "count": {count}}}')
    with Workspace(ws_dir, embedder) as ws:
        assert ws.index_repaired and ws.status()["vectors"] == ws.status()["chunks"] > count


def test_two_workspaces_on_one_folder_keep_each_others_vectors(ws_dir: Path, tmp_path: Path, embedder: Embedder,
                                                              docs: Path) -> None:
    """The app and a command line open the same folder: each writer first takes in what the
    other wrote, and the index saved last holds both."""
    more = tmp_path / "more"
    more.mkdir()
    (more / "kites.md").write_text("# Kites\n\nA kite needs steady wind of about 15 km/h.\n")
    a, b = Workspace(ws_dir, embedder), Workspace(ws_dir, embedder)
    b.ingest([docs])
    b.close()
    assert a.search("tyre pressure road bike", k=1)[0].path.endswith("page.html")  # a search catches up
    a.ingest([more])
    a.close()
    with Workspace(ws_dir, embedder) as ws:
        assert not ws.index_repaired and ws.status()["vectors"] == ws.status()["chunks"]
        assert ws.search("steady wind kite", k=1)[0].path.endswith("kites.md")
        assert ws.search("tyre pressure road bike", k=1)[0].path.endswith("page.html")


def test_a_workspace_opens_and_searches_when_the_index_cannot_be_saved(ws_dir: Path, embedder: Embedder,
                                                                      docs: Path, monkeypatch) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
    (ws_dir / "vectors.usearch").unlink()
    from engine.vectors import VectorIndex

    def disk_full(self, generation):  # noqa: ANN001, ANN202
        raise RuntimeError("Failed to serialize into stream")

    monkeypatch.setattr(VectorIndex, "save", disk_full)
    with Workspace(ws_dir, embedder) as ws:
        assert "could not be saved" in ws.status()["index_error"]
        assert ws.search("tyre pressure road bike", k=1)[0].path.endswith("page.html")


def test_search_refuses_k_below_one_and_a_blank_query_finds_nothing(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])
    with pytest.raises(ValueError, match="at least 1"):
        ws.search("bike", k=0)
    assert ws.search("   ", k=3) == []


def test_an_older_workspace_opens_in_this_build(tmp_path: Path, embedder: Embedder, docs: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    engine = db.open_engine(folder / "grace.sqlite", write=True)
    db.migrate(engine, target=1)  # the first released schema
    with engine.connect() as conn:
        assert db.schema_version(conn) == 1
    engine.dispose()
    with Workspace(folder, embedder) as ws:
        assert ws.status()["schema"] == db.SCHEMA_VERSION
        ws.ingest([docs])
        ws.set_setting("search_k", 7)
        assert ws.setting("search_k") == 7 and ws.verify_audit().ok


def test_a_text_copy_of_a_table_linked_by_an_older_build_is_read_as_text_after_the_upgrade(
        tmp_path: Path, embedder: Embedder) -> None:
    folder, files = tmp_path / "old", tmp_path / "files"
    files.mkdir()
    (files / "a.csv").write_text("city,mascot\nOslo,narwhal\nLima,capybara\n")
    with Workspace(folder, embedder) as ws:
        ws.ingest([files / "a.csv"])
    digest = hashlib.sha256((files / "a.csv").read_bytes()).hexdigest()
    con = sqlite3.connect(folder / "grace.sqlite")  # as schema 7 left it: b.txt linked to the table's content
    con.executescript(f"""PRAGMA foreign_keys=OFF; UPDATE contents SET hash='{digest}';
        UPDATE documents SET content_hash='{digest}'; UPDATE follow_up SET content_hash='{digest}';
        INSERT INTO documents(path, content_hash, size, mtime_ns, format, kind, status, ingested_at, updated_at)
        SELECT '{files / "b.txt"}', content_hash, size, mtime_ns, 'text', 'table', 'ok', 0, 0 FROM documents;
        PRAGMA user_version=7;""")
    con.close()
    shutil.copy(files / "a.csv", files / "b.txt")
    with Workspace(folder, embedder) as ws:
        ws.ingest([files])
        assert {d["name"]: d["kind"] for d in ws.documents()} == {"a.csv": "table", "b.txt": "text"}
        assert ws.search("capybara", k=1)[0].path == str(files / "b.txt")
        assert ws.status()["chunks"] == ws.status()["vectors"] and ws.verify_audit().ok


def test_audit_chain_verifies_and_names_the_first_tampered_entry(ws_dir: Path, embedder: Embedder,
                                                                 docs: Path) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
        report = ws.verify_audit()
        assert report.ok and report.entries >= 5  # one per document, plus tables/proposals entries
    con = sqlite3.connect(ws_dir / "grace.sqlite")
    con.execute("UPDATE audit SET subject='/elsewhere' WHERE id=3")
    con.commit()
    con.close()
    with Workspace(ws_dir, embedder) as ws:
        report = ws.verify_audit()
        assert not report.ok and report.first_bad_id == 3 and "changed" in report.reason


@pytest.mark.parametrize("tamper, bad_id", [
    ("DELETE FROM audit WHERE id=2", 2),
    ("DELETE FROM audit WHERE id=5", 5),
    ("UPDATE audit SET id=99 WHERE id=2; UPDATE audit SET id=2 WHERE id=3; UPDATE audit SET id=3 WHERE id=99", 2),
    ("DELETE FROM audit WHERE id=1", 1),
    ("DELETE FROM meta WHERE key='audit_head'", 0),  # 0: the newest entry
    ("UPDATE meta SET value='xx' WHERE key='audit_head'", 0),
    ("DELETE FROM audit WHERE id>=4", 4),
])
def test_deleted_or_reordered_audit_entries_are_caught(ws_dir: Path, embedder: Embedder, docs: Path,
                                                       tamper: str, bad_id: int) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
    con = sqlite3.connect(ws_dir / "grace.sqlite")
    con.executescript(tamper)
    con.commit()
    con.close()
    with Workspace(ws_dir, embedder) as ws:
        report = ws.verify_audit()
        assert not report.ok and report.first_bad_id == (bad_id or report.entries)


def test_removed_newest_entries_stay_evident_after_the_next_write(ws_dir: Path, embedder: Embedder,
                                                                   docs: Path) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
    con = sqlite3.connect(ws_dir / "grace.sqlite")
    con.execute("DELETE FROM audit WHERE id>=4")
    con.commit()
    con.close()
    with Workspace(ws_dir, embedder) as ws:
        ws.set_setting("search_k", 7)  # a write chains onto entry 3
        report = ws.verify_audit()
        assert not report.ok and report.first_bad_id == 4 and "entries after 3 were removed" in report.reason


def _tamper(ws_dir: Path, sql: str) -> None:
    con = sqlite3.connect(ws_dir / "grace.sqlite")
    con.executescript(sql)
    con.commit()
    con.close()


_CUT_TAIL = ("DELETE FROM audit WHERE id >= 4; "  # the newest entries, and the head record made to match
             "UPDATE meta SET value = (SELECT json_array(id, hash) FROM audit WHERE id = 3) WHERE key = 'audit_head'")


def test_removed_newest_entries_with_a_rewritten_head_record_are_caught_by_the_witness(
        ws_dir: Path, embedder: Embedder, docs: Path) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
        newest = ws.verify_audit().entries
    assert json.loads((ws_dir / "audit.head").read_text())[0] == newest
    _tamper(ws_dir, _CUT_TAIL)
    with Workspace(ws_dir, embedder) as ws:
        report = ws.verify_audit()
        assert not report.ok and report.first_bad_id == 4 and f"(4 to {newest}) were removed" in report.reason
        ws.set_setting("search_k", 7)  # a write chains onto entry 3 and rewrites the witness...
        report = ws.verify_audit()  # ...but what it found stays evident
        assert not report.ok and report.first_bad_id == 4 and "entries after 3 were removed" in report.reason


def test_a_lagging_witness_is_fine_and_a_deleted_one_is_evident(ws_dir: Path, embedder: Embedder,
                                                                 docs: Path) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
        early = (ws_dir / "audit.head").read_text()
        ws.set_setting("search_k", 7)
        ws.set_setting("search_k", 8)
    (ws_dir / "audit.head").write_text(early)  # as after a crash between a commit and its witness
    with Workspace(ws_dir, embedder) as ws:
        assert ws.verify_audit().ok
        ws.set_setting("search_k", 9)
        assert ws.verify_audit().ok and json.loads((ws_dir / "audit.head").read_text())[0] == ws.verify_audit().entries
    (ws_dir / "audit.head").unlink()
    with Workspace(ws_dir, embedder) as ws:
        report = ws.verify_audit()
        assert not report.ok and "audit.head" in report.reason and "deleted" in report.reason


def test_a_workspace_from_before_the_witness_verifies_and_gains_one(ws_dir: Path, embedder: Embedder,
                                                                     docs: Path) -> None:
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
    (ws_dir / "audit.head").unlink()
    _tamper(ws_dir, "DELETE FROM meta WHERE key = 'audit_witnessed'")
    with Workspace(ws_dir, embedder) as ws:
        assert ws.verify_audit().ok
        ws.set_setting("search_k", 7)
        assert ws.verify_audit().ok and (ws_dir / "audit.head").exists()


_CRASH_CHILD = """
import sys
from engine import Workspace
import engine.ingest as ingest
ingest.FLUSH_CHUNKS = 8
with Workspace(sys.argv[1]) as ws:
    ws.ingest([sys.argv[2]])
"""


@pytest.mark.slow
def test_kill_9_during_ingest_loses_nothing_committed(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(60):
        (folder / f"doc{i:02}.md").write_text(f"# Note {i}\n\n" + f"Paragraph about subject {i}. " * 80)
    reference = tmp_path / "reference"
    with Workspace(reference, embedder) as ws:
        ws.ingest([folder])
        expected = {k: ws.status()[k] for k in ("documents", "chunks", "vectors")}
    crashed = tmp_path / "crashed"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, "-c", _CRASH_CHILD, str(crashed), str(folder)], env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if (crashed / "grace.sqlite").exists() and _documents(crashed) >= 10:
            break
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    with Workspace(crashed, embedder) as ws:
        partial = ws.status()
        assert partial["chunks"] == partial["vectors"]
        assert partial["documents"] < 60
        ws.ingest([folder])
        assert {k: ws.status()[k] for k in expected} == expected
        assert ws.status()["queued"] == 0 and ws.verify_audit().ok


def _documents(folder: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{folder / 'grace.sqlite'}?mode=ro", uri=True, timeout=0.1)
        n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        con.close()
        return n
    except sqlite3.Error:
        return 0


def test_a_writer_waiting_for_another_process_blocks_no_other_write_and_can_be_cancelled(
        ws: Workspace, docs: Path) -> None:
    import fcntl
    import threading

    from engine import Cancelled

    holder = os.open(ws.folder / "write.lock", os.O_RDWR)  # another process's ingest, as the OS sees it
    fcntl.flock(holder, fcntl.LOCK_EX)
    waiting, cancel = threading.Event(), threading.Event()
    outcome: list[object] = []

    def ingest() -> None:
        try:
            ws.ingest([docs], progress=lambda f, m: waiting.set() if m.startswith("Waiting") else None,
                      is_cancelled=cancel.is_set)
        except Cancelled as exc:
            outcome.append(exc)

    thread = threading.Thread(target=ingest)
    thread.start()
    try:
        assert waiting.wait(60)
        ws.set_setting("search_k", 7)  # not held up by the waiting ingest
        assert ws.setting("search_k") == 7
    finally:
        cancel.set()
        thread.join(60)
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
    assert isinstance(outcome[0], Cancelled) and ws.status()["documents"] == 0


_HOLD_WRITER = """
import sys, time
from engine import Workspace
ws = Workspace(sys.argv[1])
assert ws._index_writer.acquire()
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


def test_a_reader_never_waits_at_exit_for_another_process_writing(ws_dir: Path, embedder: Embedder,
                                                                  docs: Path) -> None:
    import threading

    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writer = subprocess.Popen([sys.executable, "-c", _HOLD_WRITER, str(ws_dir)], env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "held"
        reader = Workspace(ws_dir, embedder)
        assert reader.search("tyre pressure road bike", k=1)
        reader.index.dirty = True  # as when it brought a saved index behind the catalog in step at open
        closing = threading.Thread(target=reader.close, daemon=True)
        closing.start()
        closing.join(60)  # the old close waited for the writer's whole ingest: here, for ever
        assert not closing.is_alive()
    finally:
        writer.communicate("", timeout=60)
