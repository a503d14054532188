"""What the paths a person gives come to: each file once, however the paths overlap or links
lead to it; an empty path is an error, never the working folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import Workspace
from engine.scan import scan


def test_overlapping_paths_are_counted_once(ws: Workspace, docs: Path) -> None:
    files = len(scan([docs]).files)
    given = [docs, docs / "notes.txt", str(docs) + os.sep, docs]
    assert len(scan(given).files) == files and scan(given).roots == [str(docs)]
    first = ws.ingest(given)
    assert first.ingested + len(first.failed) == files
    again = ws.ingest(given)
    assert again.unchanged + len(again.failed) == files and again.ingested == 0


def test_an_empty_path_fails_with_a_reason_and_reads_nothing(ws: Workspace, docs: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(docs)  # what abspath("") would have read
    report = ws.ingest([""])
    assert report.ingested == 0 and ws.status()["documents"] == 0
    assert [(f["path"], f["reason"]) for f in report.failed] == [("", "the path is empty: name a file or a folder")]
    assert ws.ingest([docs]).ingested == 5
    (docs / "notes.txt").unlink()  # a document whose file is gone: an empty path must not touch it
    for keep in (False, True):
        again = ws.ingest([""], keep_missing_roots=keep)
        assert again.removed == again.unchanged == 0 and len(again.failed) == 1 and ws.status()["documents"] == 5


def _names(ws: Workspace, under: Path) -> list[str]:
    return sorted(str(Path(d["path"]).relative_to(under)) for d in ws.documents())


def test_a_file_reached_through_a_link_is_read_once_under_its_own_name(ws: Workspace, docs: Path,
                                                                       tmp_path: Path) -> None:
    (docs / "a-link-to-notes.txt").symlink_to(docs / "notes.txt")  # sorts before its target
    (docs / "sub" / "deep.txt").write_text("Deep notes about cormorants nesting on the pier.")
    (docs / "zz-linked-folder").symlink_to(docs / "sub")  # walked first, before this change
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("A note kept outside the folder, about lighthouse keepers.")
    (docs / "outside.txt").symlink_to(outside)
    (docs / "outside-again.txt").symlink_to(outside)
    report = ws.ingest([docs])
    names = _names(ws, docs)
    assert "a-link-to-notes.txt" not in names and "notes.txt" in names
    assert "sub/deep.txt" in names and not any(n.startswith("zz-linked-folder") for n in names)
    assert [n for n in names if n.startswith("outside")] == ["outside-again.txt"]  # one of two links, once
    assert report.skipped >= 2 and not report.failed
    assert ws.ingest([docs]).ingested == 0  # and so it stays


def test_a_link_back_up_the_tree_adds_no_second_name_for_files_already_read(ws: Workspace, tmp_path: Path) -> None:
    top = tmp_path / "a"
    (top / "sub").mkdir(parents=True)
    (top / "yaks.txt").write_text("Notes about yaks grazing on the high plateau.")
    (top / "sub" / "up").symlink_to("..")
    (tmp_path / "b.txt").write_text("Notes about bison.")
    (top / "sub" / "b-link.txt").symlink_to(tmp_path / "b.txt")
    ws.ingest([top])
    before = _names(ws, tmp_path)
    assert before == ["a/sub/b-link.txt", "a/yaks.txt"]  # the link's target is outside: read once, as the link
    sub = ws.ingest([top / "sub"])  # up/ leads to a/ again: its files are documents under their own names
    assert sub.ingested == 0 and sub.skipped >= 1 and _names(ws, tmp_path) == before
    ws.ingest([tmp_path / "b.txt"])
    alone = ws.ingest([top / "sub" / "up" / "yaks.txt"])  # a file named through a link
    assert alone.ingested == 0 and alone.skipped == 1
    assert _names(ws, tmp_path) == ["a/sub/b-link.txt", "a/yaks.txt", "b.txt"]


def test_a_file_of_a_type_grace_does_not_read_named_on_its_own_fails_saying_so_once(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    from grace_desktop.runner import failures_sentence

    (tmp_path / "image.xyz").write_bytes(b"\x00\x01")
    (tmp_path / "README").write_text("no extension")
    report = ws.ingest([tmp_path / "image.xyz", tmp_path / "README"])
    reasons = {Path(f["path"]).name: f["reason"] for f in report.failed}
    assert reasons == {"image.xyz": ".xyz is not a type of file Grace reads",
                       "README": "a file with no extension is not a type of file Grace reads"}
    xyz = [f for f in report.failed if f["path"].endswith("image.xyz")]
    assert failures_sentence(xyz) == "Grace could not read image.xyz: .xyz is not a type of file Grace reads."


def test_office_lock_and_temporary_files_in_a_folder_are_passed_over_as_the_watcher_does(ws: Workspace,
                                                                                        tmp_path: Path) -> None:
    from grace_desktop.watcher import is_ignored

    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "report.md").write_text("# Report\n\nThe boiler is serviced every March.\n")
    locks = ["~$report.docx", ".~lock.report.docx#", "report.md.tmp", "draft.md~", "notes.md.bak"]
    for name in locks:
        (folder / name).write_bytes(b"\x00\x01 Word keeps the owner's name here")
    assert [Path(f.path).name for f in scan([folder]).files] == ["report.md"]
    report = ws.ingest([folder])
    assert (report.ingested, report.failed) == (1, [])  # was "~$report.docx … not a valid DOCX file" at every scan
    assert all(is_ignored(str(folder / name), str(folder)) for name in locks)  # one rule for both


def test_a_lock_file_that_failed_before_the_rule_is_forgotten_at_the_next_scan(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    lock = folder / "~$report.docx"
    lock.write_bytes(b"\x00\x01")
    assert ws.ingest([lock]).failed  # named on its own, it is read (and fails): the person asked for it
    ws.ingest([folder])
    assert [d["name"] for d in ws.documents()] == []


def test_the_app_summary_of_an_ingest_names_the_types_it_passed_over(ws: Workspace, tmp_path: Path) -> None:
    from grace_desktop.runner import _summary

    (tmp_path / "letter.md").write_text("Dear Sam, the hall is booked for the 4th.\n")
    (tmp_path / "song.mp3").write_bytes(b"ID3")
    report = ws.ingest([tmp_path])
    assert report.unsupported == [str(tmp_path / "song.mp3")]
    assert "1 not read (types Grace does not read: .mp3 1)" in _summary(report)
