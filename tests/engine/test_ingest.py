"""Ingestion end to end over real files, the real model and real databases."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from engine import Cancelled, Workspace
from engine.extract.base import Block


def _paths(ws: Workspace) -> set[str]:
    return {d["path"] for d in ws.documents()}


def test_folder_is_ingested_recursively_and_searchable(ws: Workspace, docs: Path) -> None:
    report = ws.ingest([docs])
    assert report.ingested == 5 and not report.failed
    assert str(docs / "sub" / "page.html") in _paths(ws)
    status = ws.status()
    assert status["documents"] == 5 and status["chunks"] == status["vectors"] > 0
    hits = ws.search("how often should I oil my bike chain", k=3)
    assert hits[0].path == str(docs / "sub" / "page.html")
    assert "300 kilometres" in hits[0].text


def test_tables_are_recorded_as_table_documents_without_chunks(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])
    table = next(d for d in ws.documents() if d["name"] == "sales.csv")
    assert table["kind"] == "table" and table["chunks"] == 0 and table["status"] == "ok"


def test_unchanged_files_are_skipped_without_reading(ws: Workspace, docs: Path, monkeypatch) -> None:
    ws.ingest([docs])
    import engine.ingest as ingest_mod

    def boom(*a, **k):  # noqa: ANN002, ANN003
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr(ingest_mod, "read_file", boom)
    again = ws.ingest([docs])
    assert again.unchanged == 5 and again.ingested == 0 and again.chunks == 0


def test_changed_file_replaces_its_chunks(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])
    notes = docs / "notes.txt"
    notes.write_text("Meeting notes\n\nThe offsite is now in Porto, booked for the first week of May.\n")
    report = ws.ingest([docs])
    assert report.ingested == 1 and report.unchanged == 4
    hits = ws.search("where is the offsite", k=5)
    texts = " ".join(h.text for h in hits if h.path == str(notes))
    assert "Porto" in texts and "Lyon" not in texts
    assert ws.status()["chunks"] == ws.status()["vectors"]


def test_removed_file_is_forgotten(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])
    (docs / "notes.txt").unlink()
    report = ws.ingest([docs])
    assert report.removed == 1
    assert str(docs / "notes.txt") not in _paths(ws)
    assert all(h.path != str(docs / "notes.txt") for h in ws.search("invoice supplier Lyon", k=10))


def test_files_in_a_folder_that_cannot_be_listed_are_kept_not_forgotten(ws: Workspace, docs: Path,
                                                                        monkeypatch) -> None:
    sub = docs / "hives"
    sub.mkdir()
    (sub / "inner.md").write_text("# Hives\n\nCheck the queen cells every week in spring.\n")
    ws.ingest([docs])
    inner = str(sub / "inner.md")
    real_scandir, real_isfile = os.scandir, os.path.isfile

    def scandir(path):  # type: ignore[no-untyped-def]
        if os.fspath(path) == str(sub):
            raise PermissionError(13, "Permission denied", str(sub))
        return real_scandir(path)

    # what chmod 000 on the folder does (the test may run as root, which ignores it): no listing, no stat inside
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os.path, "isfile", lambda p: False if str(p).startswith(str(sub) + os.sep) else real_isfile(p))
    report = ws.ingest([docs])
    assert report.removed == 0 and inner in _paths(ws)  # not known to be gone: kept (it was removed before)
    assert [f["reason"] for f in report.failed if f["path"] == str(sub)] == ["the folder cannot be read "
                                                                              "(Permission denied)"]
    monkeypatch.undo()
    assert ws.ingest([docs]).ingested == 0 and ws.search("queen cells", k=1)[0].path == inner


def test_moved_file_keeps_its_chunks_under_the_new_path(ws: Workspace, docs: Path, monkeypatch) -> None:
    ws.ingest([docs])
    before = ws.status()["chunks"]
    ids_before = {h.chunk_id for h in ws.search("tomatoes full sun", k=3)}
    (docs / "archive").mkdir()
    shutil.move(docs / "guide.md", docs / "archive" / "renamed.md")
    calls = []
    original = ws.embedder.embed
    monkeypatch.setattr(ws.embedder, "embed", lambda texts, **kw: calls.append(texts) or original(texts, **kw))
    report = ws.ingest([docs])
    assert report.moved == 1 and report.removed == 0 and calls == []
    assert ws.status()["chunks"] == before
    hit = ws.search("tomatoes full sun", k=1)[0]
    assert hit.path == str(docs / "archive" / "renamed.md") and hit.chunk_id in ids_before


def test_a_rename_given_as_its_old_and_new_paths_is_a_move(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs / "guide.md"])
    (docs / "guide.md").rename(docs / "zz-renamed.md")  # the old path comes first, as a rename list gives it
    report = ws.ingest([docs / "guide.md", docs / "zz-renamed.md"])
    assert (report.moved, report.removed) == (1, 0)
    assert [d["path"] for d in ws.documents()] == [str(docs / "zz-renamed.md")]
    assert ws.search("tomatoes full sun", k=1)[0].path == str(docs / "zz-renamed.md")
    assert ws.status()["queued"] == 0


def test_identical_content_at_two_paths_is_embedded_once(ws: Workspace, docs: Path, monkeypatch) -> None:
    ws.ingest([docs])
    chunks = ws.status()["chunks"]
    shutil.copy(docs / "guide.md", docs / "copy-of-guide.md")
    monkeypatch.setattr(ws.embedder, "embed", lambda *a, **k: pytest.fail("content was embedded twice"))
    report = ws.ingest([docs])
    assert report.ingested == 1
    assert ws.status()["chunks"] == chunks and ws.status()["documents"] == 6


def test_bad_files_fail_with_reasons_and_the_batch_goes_on(ws: Workspace, docs: Path) -> None:
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 50)
    (docs / "fake.pdf").write_text("this is not a pdf at all")
    (docs / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    os.mkfifo(docs / "pipe.txt")
    os.symlink(docs / "loop-a", docs / "loop-b")
    os.symlink(docs / "loop-b", docs / "loop-a")
    report = ws.ingest([docs])
    reasons = {Path(f["path"]).name: f["reason"] for f in report.failed}
    assert set(reasons) == {"binary.txt", "fake.pdf", "broken.docx", "pipe.txt", "loop-a", "loop-b"}
    assert "binary" in reasons["binary.txt"] and "pipe" in reasons["pipe.txt"] and "loop" in reasons["loop-a"]
    assert report.ingested == 5
    failed = {Path(d["path"]).name: d["error"] for d in ws.failures()}
    assert failed == reasons
    assert ws.status()["failed"] == 6


def test_oversized_file_fails_naming_the_limit(ws: Workspace, tmp_path: Path) -> None:
    ws.set_setting("max_file_mb", 0.01)
    big = tmp_path / "big.txt"
    big.write_text("word " * 5000)
    report = ws.ingest([big])
    assert report.failed and "max_file_mb" in report.failed[0]["reason"]


def test_fixed_file_is_retried_and_succeeds(ws: Workspace, docs: Path) -> None:
    bad = docs / "later.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    assert ws.ingest([docs]).failed
    bad.write_text("Now it is readable text about lighthouses.")
    report = ws.ingest([docs])
    assert not report.failed and ws.status()["failed"] == 0


def test_cancelled_ingest_keeps_what_was_committed_and_resumes(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        (folder / f"f{i:02}.txt").write_text(f"Document {i} talks about topic number {i}. " * 40)
    import engine.ingest as ingest_mod

    old = ingest_mod.FLUSH_CHUNKS
    ingest_mod.FLUSH_CHUNKS = 5
    try:
        seen = []
        with pytest.raises(Cancelled):
            ws.ingest([folder], progress=lambda f, m: seen.append(f), is_cancelled=lambda: len(seen) > 6)
    finally:
        ingest_mod.FLUSH_CHUNKS = old
    partial = ws.status()
    assert 0 < partial["documents"] < 30 and partial["queued"] > 0
    ws.resume()
    assert ws.status()["queued"] == 0
    ws.ingest([folder])
    assert ws.status()["documents"] == 30 and ws.status()["chunks"] == ws.status()["vectors"]


def _prose(tmp_path: Path, n: int) -> Path:
    """``n`` text files of about three passages each, no two alike."""
    folder = tmp_path / "prose"
    folder.mkdir()
    for i in range(n):
        (folder / f"p{i:02}.txt").write_text(" ".join(
            f"Ferry {i}-{k} leaves pier {k % 7} for island {i * k % 13} carrying {k + i} bicycles." for k in range(40)))
    return folder


def _every_update(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let every progress update through to the callback (none held back by the reporter's pace)."""
    import engine.workspace as workspace_mod
    from engine.progress import Reporter

    monkeypatch.setattr(workspace_mod, "Reporter", lambda progress=None, is_cancelled=None: Reporter(
        progress, is_cancelled, interval=0.0))


def test_progress_moves_with_each_sub_batch_of_passages_embedded(ws: Workspace, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.ingest as ingest_mod

    folder = _prose(tmp_path, 12)
    (folder / "trips.csv").write_text("city,days\nOslo,3\nRome,4\n")  # (a table: the follow-up comes last)
    monkeypatch.setattr(ingest_mod, "EMBED_CHUNKS", 4, raising=False)
    monkeypatch.setattr(ingest_mod, "FLUSH_CHUNKS", 16)
    _every_update(monkeypatch)
    seen: list[tuple[float, str]] = []
    report = ws.ingest([folder], progress=lambda f, m: seen.append((f, m)))
    embedding = [f for f, m in seen if m.startswith("Embedding")]
    assert report.chunks >= 30 and len(embedding) >= report.chunks // 4  # one update per sub-batch of 4
    assert all(b > a for a, b in zip(embedding, embedding[1:], strict=False))  # each one further on
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and seen[-1] == (1.0, "Done")  # never backwards, "Done" only at the end
    assert any(m.startswith("Proposing tables") for _, m in seen) and [m for _, m in seen].count("Done") == 1


def test_a_cancel_while_embedding_keeps_the_files_embedded_before_it(ws: Workspace, tmp_path: Path, embedder,
                                                                   _empty_workspace: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.ingest as ingest_mod

    folder = _prose(tmp_path, 12)
    monkeypatch.setattr(ingest_mod, "EMBED_CHUNKS", 4, raising=False)  # (all 12 files make one batch to commit)
    _every_update(monkeypatch)
    embedding: list[str] = []
    asked: list[bool] = []

    def cancel() -> bool:  # the person presses Cancel once the model has been at work a little
        if embedding:
            asked.append(True)
        return len(asked) >= 3

    with pytest.raises(Cancelled) as stopped:
        ws.ingest([folder], progress=lambda f, m: embedding.append(m) if m.startswith("Embedding") else None,
                  is_cancelled=cancel)
    kept = ws.status()
    assert 0 < kept["documents"] < 12 and len(embedding) == 3  # no model work after the cancel
    assert stopped.value.report.ingested == kept["documents"]  # type: ignore[attr-defined]
    assert kept["queued"] == 12 - kept["documents"] and kept["chunks"] == kept["vectors"] > 0
    ws.resume()
    shutil.copytree(_empty_workspace, tmp_path / "other")
    other = Workspace(tmp_path / "other", embedder)
    try:
        other.ingest([folder])
        counts = ("documents", "chunks", "vectors", "queued")
        resumed, whole = ws.status(), other.status()  # the same as an ingest never cancelled
        assert [resumed[c] for c in counts] == [whole[c] for c in counts] == [12, whole["vectors"], whole["chunks"], 0]
    finally:
        other.close()


def test_searches_run_while_an_ingest_is_under_way(ws: Workspace, docs: Path, tmp_path: Path) -> None:
    import threading

    ws.ingest([docs])
    folder = tmp_path / "more"
    folder.mkdir()
    for i in range(40):
        (folder / f"m{i}.md").write_text(f"# Part {i}\n\n" + "Lighthouses guide ships along the coast. " * 60)
    worker = threading.Thread(target=ws.ingest, args=([folder],))
    worker.start()
    answered = 0
    while worker.is_alive() and answered < 20:
        assert ws.search("bicycle chain oil", k=3)
        answered += 1
        time.sleep(0.01)
    worker.join()
    assert answered > 0 and ws.status()["documents"] == 45


def test_a_deleted_file_given_by_path_is_removed(ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])
    (docs / "notes.txt").unlink()
    report = ws.ingest([docs / "notes.txt"])
    assert report.removed == 1 and not report.failed
    assert str(docs / "notes.txt") not in _paths(ws)


def test_a_copy_of_a_file_edited_in_the_same_run_keeps_the_old_content(ws: Workspace, docs: Path) -> None:
    """A copy (or a rename plus a new file at the old name; their names sort after the original's,
    so the original is committed first) links to the content the edited
    original lets go of in the same batch; the content must outlive the batch."""
    ws.ingest([docs])
    notes = docs / "notes.txt"
    old = notes.read_text()
    shutil.copy(notes, docs / "notes_backup.txt")
    notes.write_text("Meeting notes\n\nThe offsite moved to Porto.\n")
    shutil.move(docs / "guide.md", docs / "guide_old.md")
    (docs / "guide.md").write_text("# Guide\n\nA new guide about bees.\n")
    report = ws.ingest([docs])
    assert not report.failed and ws.status()["queued"] == 0
    assert (docs / "notes_backup.txt").read_text() == old
    hit = ws.search("invoice supplier Lyon", k=1)[0]
    assert hit.path == str(docs / "notes_backup.txt")
    assert ws.search("tomatoes full sun", k=1)[0].path == str(docs / "guide_old.md")
    assert ws.status()["chunks"] == ws.status()["vectors"] and ws.verify_audit().ok


def test_an_item_the_catalog_refuses_fails_alone_and_leaves_the_queue_empty(ws: Workspace, docs: Path,
                                                                           monkeypatch) -> None:
    from sqlalchemy.exc import IntegrityError

    import engine.catalog as catalog_mod

    original = catalog_mod.save_document

    def refuse_notes(conn, path, **kw):  # noqa: ANN001, ANN003, ANN202
        if path.endswith("notes.txt") and kw["status"] == "ok":
            raise IntegrityError("INSERT", {}, Exception("FOREIGN KEY constraint failed"))
        return original(conn, path, **kw)

    monkeypatch.setattr(catalog_mod, "save_document", refuse_notes)
    report = ws.ingest([docs])
    assert report.ingested == 4 and [Path(f["path"]).name for f in report.failed] == ["notes.txt"]
    assert "could not record it" in report.failed[0]["reason"] and "FOREIGN KEY" in report.failed[0]["reason"]
    assert ws.status()["queued"] == 0 and ws.status()["failed"] == 1
    assert ws.status()["chunks"] == ws.status()["vectors"] and ws.verify_audit().ok


def test_a_file_whose_name_is_not_utf8_fails_by_itself(ws: Workspace, docs: Path) -> None:
    bad = os.path.join(os.fsencode(docs), b"bad\xffname.txt")
    with open(bad, "wb") as f:
        f.write(b"hello")
    os.mkdir(os.path.join(os.fsencode(docs), b"folder\xfe"))
    os.symlink(b"/nonexistent", os.path.join(os.fsencode(docs), b"link\xff"))
    os.mkfifo(os.path.join(os.fsencode(docs), b"pipe\xfe"))
    report = ws.ingest([docs])
    assert report.ingested == 5
    assert sorted(Path(f["path"]).name for f in report.failed) == [
        "bad\\xffname.txt", "folder\\xfe", "link\\xff", "pipe\\xfe"]
    assert "not valid UTF-8" in report.failed[0]["reason"]
    assert sorted(Path(f["path"]).name for f in ws.failures()) == [  # in status and the Library too
        "bad\\xffname.txt", "folder\\xfe", "link\\xff", "pipe\\xfe"] and ws.status()["failed"] == 4
    again = ws.ingest([docs])
    assert len(again.failed) == 4 and ws.status()["failed"] == 4 and ws.verify_audit().ok
    os.rename(bad, os.path.join(os.fsencode(docs), b"good_name.txt"))  # renamed: read, and the failure goes
    fixed = ws.ingest([docs])
    assert fixed.ingested == 1 and fixed.removed == 1 and ws.status()["failed"] == 3


def test_a_file_replaced_by_a_folder_is_forgotten_and_an_emptied_file_is_not_a_failure(
        ws: Workspace, docs: Path) -> None:
    ws.ingest([docs])
    (docs / "notes.txt").unlink()
    (docs / "notes.txt").mkdir()
    (docs / "guide.md").write_text("")
    report = ws.ingest([docs])
    assert str(docs / "notes.txt") not in _paths(ws) and report.removed == 1
    assert not report.failed and ws.status()["failed"] == 0
    assert all(h.path != str(docs / "guide.md") for h in ws.search("tomatoes full sun", k=10))


def test_the_same_bytes_as_a_table_and_as_text_are_each_read_their_own_way(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "a.csv").write_text("city,mascot\nOslo,narwhal\nLima,capybara\n")
    shutil.copy(folder / "a.csv", folder / "b.txt")
    shutil.copy(folder / "a.csv", folder / "data.txt")
    ws.ingest([folder])
    kinds = {d["name"]: d["kind"] for d in ws.documents()}
    assert kinds == {"a.csv": "table", "b.txt": "text", "data.txt": "text"}
    assert ws.search("capybara", k=1)[0].path in (str(folder / "b.txt"), str(folder / "data.txt"))
    (folder / "data.txt").rename(folder / "data.csv")  # renamed to a table: read as one, not moved as text
    report = ws.ingest([folder])
    assert report.moved == 0 and report.removed == 1
    assert {d["name"]: d["kind"] for d in ws.documents()}["data.csv"] == "table"


def test_a_workspace_inside_an_ingested_folder_is_not_read(embedder, docs: Path) -> None:  # type: ignore[no-untyped-def]
    with Workspace(docs / "grace-workspace", embedder) as ws:
        first = ws.ingest([docs])
        assert not any("grace-workspace" in d["path"] for d in ws.documents())
        again = ws.ingest([docs])  # its own files change with every ingest: still nothing new
        assert (again.ingested, again.unchanged) == (0, first.ingested)
        assert ws.ingest([docs / "grace-workspace" / "grace.sqlite"]).failed == []
        (docs / "grace-workspace" / "sample").mkdir()  # what the app's sample offer copies there is read
        (docs / "grace-workspace" / "sample" / "welcome.md").write_text("# Welcome\n\nThe sample says hello.\n")
        assert ws.ingest([docs]).ingested == 1


def test_a_file_deleted_from_a_folder_whose_name_ends_in_a_backslash_is_forgotten(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "notes\\"  # a legal name on Linux and macOS
    folder.mkdir()
    (folder / "one.txt").write_text("The first note is about walruses.\n")
    (folder / "two.txt").write_text("The second note is about narwhals.\n")
    ws.ingest([folder])
    (folder / "two.txt").unlink()
    assert ws.ingest([folder]).removed == 1
    assert [d["path"] for d in ws.documents()] == [str(folder / "one.txt")]


def test_a_failed_file_read_again_unchanged_is_audited_once(ws: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a PDF")
    for _ in range(3):  # as a watched folder's rescans read it
        assert [f["path"] for f in ws.ingest([tmp_path]).failed] == [str(bad)]
    fails = [e for e in ws.audit_entries(100) if e["action"] == "fail"]
    assert len(fails) == 1 and ws.status()["failed"] == 1
    bad.write_bytes(b"%PDF-1.4 still not a PDF, but changed")
    ws.ingest([tmp_path])
    assert len([e for e in ws.audit_entries(100) if e["action"] == "fail"]) == 2  # a new failure is recorded


# --- hostile input: bounded memory, encoded data, limits said ------------------------------------


@pytest.mark.parametrize("name, text", [("tiny.md", "# Tally\n\n" + "a\n\n" * 30_000),
                                        ("tiny.html", "<h1>Tally</h1>" + "<p>a</p>\n" * 30_000)])
def test_a_file_of_tiny_paragraphs_is_chunked_as_it_is_read(ws: Workspace, tmp_path: Path, monkeypatch,
                                                             name: str, text: str) -> None:
    import weakref

    import engine.extract.html as html_mod
    import engine.extract.text as text_mod

    live = {"now": 0, "most": 0}

    def gone() -> None:
        live["now"] -= 1

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]  # the extractor's Block, counted while alive
        block = Block(*args, **kwargs)
        live["now"] += 1
        live["most"] = max(live["most"], live["now"])
        weakref.finalize(block, gone)
        return block

    monkeypatch.setattr(text_mod, "Block", counted)
    monkeypatch.setattr(html_mod, "Block", counted)
    monkeypatch.setattr(html_mod, "_PIECE", 4096)  # the HTML parser's pieces: 450 paragraphs, not 7,000
    tiny = tmp_path / name
    tiny.write_text(text)
    report = ws.ingest([tiny])
    assert report.ingested == 1 and report.chunks > 100
    assert live["most"] <= 3_000  # never the 30,000 paragraphs at once (a batch of them is counted together)


def test_a_file_of_many_passages_is_embedded_a_slice_at_a_time_each_text_once(ws: Workspace, ws_dir: Path,
                                                                             tmp_path: Path, monkeypatch) -> None:
    import numpy as np

    from engine.ingest import FLUSH_CHUNKS

    calls: list[list[str]] = []

    def embed(texts: list[str], **kwargs) -> np.ndarray:  # type: ignore[no-untyped-def]
        calls.append(list(texts))
        rng = np.random.default_rng(len(calls))
        vectors = rng.standard_normal((len(texts), 384)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    monkeypatch.setattr(ws.embedder, "embed", embed)
    ws.set_setting("chunk_tokens", 32)
    notes = [f"Crane {i} at berth {i % 40} was serviced on day {i % 365} by team {i % 7}." for i in range(1_400)]
    same = ["The harbour office opens at six and closes at noon on Sundays."] * 400
    big = tmp_path / "log.md"
    big.write_text("# Service log\n\n" + "\n\n".join(notes) + "\n\n# Notices\n\n" + "\n\n".join(same) + "\n")
    report = ws.ingest([big])
    con = sqlite3.connect(ws_dir / "grace.sqlite")
    chunks, distinct = con.execute("SELECT count(*), count(DISTINCT text_hash) FROM chunks").fetchone()
    con.close()
    assert report.chunks == chunks > FLUSH_CHUNKS and distinct < chunks - 100
    assert max(map(len, calls)) <= FLUSH_CHUNKS  # never all of a big file's passages tokenized at once
    assert sum(map(len, calls)) == distinct  # a passage the file repeats is embedded once
    assert ws.status()["vectors"] == chunks


def test_a_file_read_in_part_is_ingested_and_says_why(ws: Workspace, tmp_path: Path) -> None:
    from tests.fixtures.make_pdf import make_pdf

    ws.set_setting("max_pages", 2)
    ws.set_setting("max_chars", 1000)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "survey.pdf").write_bytes(make_pdf([f"Page {i} of the tide survey." for i in range(1, 6)]))
    (folder / "notes.txt").write_text("Tide notes for the northern harbour.\n\n" * 50)  # 1,900 characters
    (folder / "short.txt").write_text("All of this is read.\n")
    pages = "read the first 2 of 5 pages (the max_pages setting)"
    chars = "read the first 1,000 of 1,900 characters (the max_chars setting)"
    report = ws.ingest([folder])
    assert report.ingested == 3 and not report.failed
    assert report.partial == [{"path": str(folder / "notes.txt"), "reason": chars},
                              {"path": str(folder / "survey.pdf"), "reason": pages}]
    assert ws.partly_read() == report.partial and ws.status()["failed"] == 0
    assert {d["name"]: d["partial"] for d in ws.documents()} == {"notes.txt": chars, "short.txt": None,
                                                                "survey.pdf": pages}
    assert ws.search("page 2 of the tide survey", k=3)[0].path == str(folder / "survey.pdf")  # still searchable
    details = {e["subject"]: e["details"] for e in ws.audit_entries() if e["action"] == "ingest"}
    assert details[str(folder / "survey.pdf")]["partial"] == pages
    assert "partial" not in details[str(folder / "short.txt")]
    shutil.copy(folder / "survey.pdf", folder / "copy.pdf")  # the same content at a second path: said too
    again = ws.ingest([folder])
    assert again.partial == [{"path": str(folder / "copy.pdf"), "reason": pages}] and again.unchanged == 3
    assert len(ws.partly_read()) == 3


def test_a_file_read_in_part_is_read_again_once_a_limit_changes(ws: Workspace, tmp_path: Path) -> None:
    ws.set_setting("max_chars", 1000)
    folder = tmp_path / "in"
    folder.mkdir()
    text = "Tide notes for the northern harbour.\n\n" * 50 + "The lighthouse keeper logs fog at dawn.\n"
    (folder / "notes.txt").write_text(text)
    (folder / "copy.txt").write_text(text)
    (folder / "short.txt").write_text("All of this is read.\n")
    first = ws.ingest([folder])
    assert first.ingested == 3 and len(first.partial) == 2
    assert ws.ingest([folder]).unchanged == 3  # the same limits: nothing is read again
    ws.set_setting("max_chars", 8_000_000)
    again = ws.ingest([folder])
    assert (again.ingested, again.unchanged, again.partial) == (2, 1, [])
    assert ws.partly_read() == [] and ws.search("lighthouse keeper fog", k=1)[0].text.endswith("fog at dawn.")
    status = ws.status()
    assert status["vectors"] == status["chunks"] and ws.ingest([folder]).unchanged == 3
    ws.set_setting("max_chars", 1000)  # lowered: a file read whole keeps what it gave
    assert ws.ingest([folder]).unchanged == 3


def test_encoded_data_is_left_out_of_passages_and_quotes_still_find_their_lines(ws: Workspace,
                                                                                 tmp_path: Path) -> None:
    import base64
    import random

    from engine.chat.locate import exact_lines

    blob = base64.b64encode(random.Random(5).randbytes(300_000)).decode()  # 400,000 characters
    page = tmp_path / "ocelots.md"
    page.write_text(f"# Ocelots\n\nThe ocelot hunts at night.\n\n![An ocelot](data:image/png;base64,{blob})\n\n"
                    "Ocelots rest in dense cover during the day.\nThey den in hollow trees.\n")
    report = ws.ingest([page])
    assert report.chunks <= 3  # not thousands of passages of base64
    assert report.partial == [{"path": str(page), "reason": "left out a run of base64-encoded data "
                                                              "(400,000 characters), which is not prose"}]
    hit = ws.search("where do ocelots den", k=1)[0]
    assert blob[:50] not in hit.text and "They den in hollow trees." in hit.text
    assert exact_lines(str(page), "They den in hollow trees.", hit.line_start, hit.line_end, hit.page)[:2] == (8, 8)


def test_a_schema_9_workspace_gains_the_partial_column(tmp_path: Path, embedder, docs: Path) -> None:  # type: ignore[no-untyped-def]
    from engine import db

    folder = tmp_path / "old"
    folder.mkdir()
    engine = db.open_engine(folder / "grace.sqlite", write=True)
    db.migrate(engine, target=9)  # the schema before contents said what was left unread
    engine.dispose()
    for _ in range(2):  # and once more with the column there already (a build that lowered user_version)
        with Workspace(folder, embedder) as ws:
            assert ws.status()["schema"] == db.SCHEMA_VERSION >= 10
            ws.ingest([docs])
            assert ws.partly_read() == [] and ws.verify_audit().ok
        con = sqlite3.connect(folder / "grace.sqlite")
        assert "partial" in {row[1] for row in con.execute("PRAGMA table_info(contents)")}
        con.execute("PRAGMA user_version=9")
        con.close()


def test_a_table_file_that_cannot_be_imported_fails_and_stays_failed(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "good.csv").write_text("name,age\nAda,36\n")
    (folder / "broken.json").write_text("{not json")
    (folder / "copy.json").write_text("{not json")  # the same bytes at a second path
    report = ws.ingest([folder])
    broken = {str(folder / "broken.json"), str(folder / "copy.json")}
    assert report.ingested == 1 and {f["path"] for f in report.failed} == broken
    assert all("could not be imported" in f["reason"] for f in report.failed)
    assert {d["path"] for d in ws.failures()} == broken and ws.status()["failed"] == 2
    again = ws.ingest([folder])  # tried again, and said again: not "unchanged" and forgotten
    assert again.unchanged == 1 and again.ingested == 0 and {f["path"] for f in again.failed} == broken
    assert ws.verify_audit().ok


def test_the_same_bytes_under_another_format_are_read_in_their_own_format(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "same-bytes"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "a.md").write_text("hello world\n")
    (folder / "b.pdf").write_text("hello world\n")  # not a PDF, whatever the Markdown file made of it
    first = ws.ingest([folder])
    failed = {f["path"]: f["reason"] for f in first.failed}
    assert set(failed) == {str(folder / "empty.pdf"), str(folder / "b.pdf")} and "not a PDF" in failed[
        str(folder / "b.pdf")]
    again = ws.ingest([folder])  # nothing changed: the same outcome, not a link to the .txt's content
    assert again.ingested == 0 and {f["path"] for f in again.failed} == set(failed)
    assert ws.status()["failed"] == 2


def test_a_folder_deleted_after_it_was_read_is_forgotten_when_given_again(ws: Workspace, docs: Path,
                                                                          tmp_path: Path) -> None:
    import shutil

    assert ws.ingest([docs]).ingested == 5
    shutil.rmtree(docs)
    report = ws.ingest([docs])
    assert report.removed == 5 and report.failed == [] and ws.status()["documents"] == 0
    assert ws.search("tomatoes watering", k=5) == []
    never = ws.ingest([tmp_path / "never-there"])  # a path never read: it fails, saying why
    assert [f["path"] for f in never.failed] == [str(tmp_path / "never-there")] and never.removed == 0


def test_a_watched_rescan_keeps_the_documents_of_a_folder_that_is_missing_or_goes_meanwhile(
        ws: Workspace, docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from engine import ingest as ingest_module

    assert ws.ingest([docs]).ingested == 5
    scan = ingest_module.scan

    def scan_then_unplug(*args: object, **kwargs: object) -> object:
        found = scan(*args, **kwargs)  # type: ignore[arg-type]
        shutil.move(docs, docs.with_name("unplugged"))  # the disk goes while its files are read
        return found

    monkeypatch.setattr(ingest_module, "scan", scan_then_unplug)
    report = ws.ingest([docs], keep_missing_roots=True)
    assert report.removed == 0 and ws.status()["documents"] == 5
    monkeypatch.setattr(ingest_module, "scan", scan)
    missing = ws.ingest([docs], keep_missing_roots=True)  # rescanned while it is missing
    assert missing.removed == 0 and ws.status()["documents"] == 5 and missing.failed[0]["path"] == str(docs)
    assert ws.ingest([docs]).removed == 5  # given by the person: a deleted folder is forgotten


def test_a_watched_rescan_forgets_a_file_deleted_before_it_ran(ws: Workspace, docs: Path) -> None:
    assert ws.ingest([docs]).ingested == 5
    (docs / "notes.txt").unlink()  # the watcher queued the file (it changed), then it was deleted
    report = ws.ingest([docs / "notes.txt", docs], keep_missing_roots=True)
    assert report.removed == 1 and str(docs / "notes.txt") not in {d["path"] for d in ws.documents()}

