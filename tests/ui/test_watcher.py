"""Watched folders: real files, the real watchdog observers, a real workspace behind them."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from engine import Workspace  # noqa: E402
from grace_desktop import watcher as watcher_module  # noqa: E402
from grace_desktop.watcher import FolderWatcher  # noqa: E402

WAIT_MS = 20_000  # generous: CI machines are slow and polling ticks once a second


class Recorder:
    """Collects what a watcher emits."""

    def __init__(self, watcher: FolderWatcher) -> None:
        self.changed: list[list[str]] = []
        self.status: list[str] = []
        self.missing: list[list[str]] = []
        watcher.changed.connect(self.changed.append)
        watcher.status.connect(self.status.append)
        watcher.missing.connect(self.missing.append)

    def paths(self) -> list[str]:
        return [p for batch in self.changed for p in batch]


@pytest.fixture
def make_watcher(qtbot) -> Iterator[Callable[..., tuple[FolderWatcher, Recorder]]]:  # type: ignore[no-untyped-def]
    """Makes watchers and stops them all at teardown (before any workspace requested earlier closes)."""
    made: list[FolderWatcher] = []

    def make(**kwargs: float) -> tuple[FolderWatcher, Recorder]:
        w = FolderWatcher(**kwargs)  # type: ignore[arg-type]
        made.append(w)
        return w, Recorder(w)

    yield make
    for w in made:
        w.stop()


@pytest.fixture
def watched(tmp_path: Path) -> Path:
    folder = tmp_path / "watched"
    (folder / "sub").mkdir(parents=True)
    return folder


def top_path(ws: Workspace, query: str) -> str | None:
    hits = ws.search(query, k=3)
    return hits[0].path if hits else None


def searchable(ws: Workspace, query: str, path: Path) -> bool:
    return any(h.path == str(path) for h in ws.search(query, k=5))


def test_reconciliation_emits_the_watched_folders_at_start(qtbot, make_watcher, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    watcher, rec = make_watcher()
    watcher.start([str(a), str(b)])
    qtbot.waitUntil(lambda: bool(rec.changed), timeout=WAIT_MS)
    assert rec.changed[0] == [str(a), str(b)]
    qtbot.waitUntil(lambda: any(s.startswith("Watching 2 folders") for s in rec.status), timeout=WAIT_MS)


def test_no_folder_watched_says_nothing_until_the_last_one_goes(qtbot, make_watcher, tmp_path: Path) -> None:
    watcher, rec = make_watcher()
    watcher.start([])  # every start with no watched folder: the status bar keeps the workspace's figures
    watcher.set_folders([str(tmp_path)])
    qtbot.waitUntil(lambda: any(s.startswith("Watching 1 folder") for s in rec.status), timeout=WAIT_MS)
    assert not any(s.startswith("Watching 0") for s in rec.status)
    watcher.set_folders([])
    qtbot.waitUntil(lambda: rec.status[-1] == "Watching 0 folders", timeout=WAIT_MS)  # the change is news


def test_new_changed_renamed_over_and_deleted_files_reach_search(qtbot, ws: Workspace, make_watcher,
                                                                 watched: Path) -> None:
    watcher, rec = make_watcher(debounce_ms=200)
    watcher.changed.connect(lambda paths: ws.ingest(paths))
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: bool(rec.changed), timeout=WAIT_MS)

    note = watched / "sub" / "note.md"
    note.write_text("# Harbour\n\nThe lighthouse keeper counts albatrosses every morning.\n")
    qtbot.waitUntil(lambda: top_path(ws, "albatrosses lighthouse") == str(note), timeout=WAIT_MS)
    assert str(note) in rec.paths()

    note.write_text("# Harbour\n\nThe lighthouse keeper now counts cormorants every evening.\n")
    qtbot.waitUntil(lambda: searchable(ws, "cormorants evening", note), timeout=WAIT_MS)

    temp = watched / "sub" / ".note.md.swp-save"  # an editor's save: write a temp file, rename it over
    temp.write_text("# Harbour\n\nThe lighthouse keeper retired and now breeds pelicans.\n")
    os.replace(temp, note)
    qtbot.waitUntil(lambda: searchable(ws, "pelicans breeds retired", note), timeout=WAIT_MS)
    assert not any("cormorants" in h.text for h in ws.search("cormorants", k=10))

    before = len(rec.changed)
    note.unlink()
    qtbot.waitUntil(lambda: not any(h.path == str(note) for h in ws.search("pelicans", k=10)), timeout=WAIT_MS)
    assert str(watched / "sub") in [p for batch in rec.changed[before:] for p in batch]
    assert str(note) not in [d["path"] for d in ws.documents()]
    assert not any(str(temp) in p for p in rec.paths())


def test_a_deleted_folder_is_reported_as_its_parent(qtbot, ws: Workspace, make_watcher, watched: Path) -> None:
    doc = watched / "sub" / "deep.txt"
    doc.write_text("Quartz crystals hum in the old mine.\n")
    ws.ingest([str(watched)])
    watcher, rec = make_watcher(debounce_ms=100)
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: bool(rec.changed), timeout=WAIT_MS)
    doc.unlink()
    (watched / "sub").rmdir()
    qtbot.waitUntil(lambda: str(watched) in rec.paths()[1:], timeout=WAIT_MS)
    ws.ingest(rec.changed[-1])
    assert ws.documents() == []


def test_a_burst_of_writes_is_one_emission_per_path(qtbot, make_watcher, watched: Path) -> None:
    watcher, rec = make_watcher(debounce_ms=1000)
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: bool(rec.changed), timeout=WAIT_MS)
    rec.changed.clear()
    doc, other = watched / "burst.txt", watched / "sub" / "other.md"
    for n in range(10):
        doc.write_text(f"version {n}\n" * (n + 1))
        other.write_text(f"other {n}\n")
        qtbot.wait(10)
    qtbot.waitUntil(lambda: str(doc) in rec.paths() and str(other) in rec.paths(), timeout=WAIT_MS)
    qtbot.wait(2000)  # anything late would show up now
    assert rec.paths().count(str(doc)) == 1
    assert rec.paths().count(str(other)) == 1


def test_hidden_temp_and_unknown_files_are_ignored(qtbot, make_watcher, watched: Path) -> None:
    watcher, rec = make_watcher(debounce_ms=100)
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: bool(rec.changed), timeout=WAIT_MS)
    ignored = [".hidden.md", ".~lock.report.odt#", "~$report.docx", "notes.txt.swp", "4913", "draft.tmp",
               "notes.txt~", "photo.bin"]
    for name in ignored:
        (watched / name).write_text("x")
    (watched / ".git").mkdir()
    (watched / ".git" / "config.txt").write_text("x")
    real = watched / "real.txt"
    real.write_text("A real note.\n")
    qtbot.waitUntil(lambda: str(real) in rec.paths(), timeout=WAIT_MS)
    qtbot.wait(500)
    assert not [p for p in rec.paths()[1:] if p != str(real)]


def test_polling_takes_over_when_the_system_refuses_watches(qtbot, make_watcher, watched: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watcher_module.NativeObserver, "schedule", refuse)
    watcher, rec = make_watcher(debounce_ms=100)
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: bool(rec.changed), timeout=WAIT_MS)
    assert f"Polling {watched}: the system refused more watches" in rec.status
    assert any(s.startswith("Watching 1 folder;") and "polling" in s for s in rec.status)
    doc = watched / "sub" / "polled.md"
    doc.write_text("Seen by polling.\n")
    qtbot.waitUntil(lambda: str(doc) in rec.paths(), timeout=WAIT_MS)


def test_set_folders_rescans_new_folders_and_forgets_dropped_ones(qtbot, make_watcher, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    watcher, rec = make_watcher(debounce_ms=100)
    watcher.start([str(a)])
    qtbot.waitUntil(lambda: bool(rec.changed), timeout=WAIT_MS)
    watcher.set_folders([str(b)])
    qtbot.waitUntil(lambda: [str(b)] in rec.changed, timeout=WAIT_MS)
    (a / "dropped.txt").write_text("not watched any more\n")
    (b / "kept.txt").write_text("watched\n")
    qtbot.waitUntil(lambda: str(b / "kept.txt") in rec.paths(), timeout=WAIT_MS)
    qtbot.wait(500)
    assert str(a / "dropped.txt") not in rec.paths()


def test_periodic_reconciliation_emits_the_folders_again(qtbot, make_watcher, watched: Path) -> None:
    watcher, rec = make_watcher(reconcile_seconds=0.3)
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: rec.changed.count([str(watched)]) >= 3, timeout=WAIT_MS)


def test_a_lost_event_queue_triggers_a_rescan(qtbot, make_watcher, watched: Path) -> None:
    watcher, rec = make_watcher()
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: bool(rec.changed), timeout=WAIT_MS)
    rec.changed.clear()
    # what watchdog's inotify reader logs when the kernel dropped events
    logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
    qtbot.waitUntil(lambda: [str(watched)] in rec.changed, timeout=WAIT_MS)


def test_a_renamed_watched_folder_is_reported_missing_and_its_documents_kept(qtbot, ws: Workspace, make_watcher,
                                                                            watched: Path) -> None:
    (watched / "sub" / "kept.md").write_text("# Kept\n\nThe archivist files the herons under H.\n")
    watcher, rec = make_watcher(debounce_ms=100)
    watcher.changed.connect(lambda paths: ws.ingest(paths))
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: len(ws.documents()) == 1, timeout=WAIT_MS)
    watched.rename(watched.with_name("elsewhere"))  # a rename of the folder itself sends no event at all
    qtbot.waitUntil(lambda: any(s.startswith(f"The watched folder {watched} is missing") for s in rec.status),
                    timeout=WAIT_MS)
    assert [d["path"] for d in ws.documents()] == [str(watched / "sub" / "kept.md")]  # not forgotten
    assert watcher._core.problems == {str(watched): watcher_module.MISSING}
    qtbot.waitUntil(lambda: rec.missing == [[str(watched)]], timeout=WAIT_MS)  # said once, for the Library
    watched.with_name("elsewhere").rename(watched)
    qtbot.waitUntil(lambda: rec.missing == [[str(watched)], []], timeout=WAIT_MS)


def test_watching_resumes_when_a_deleted_watched_folder_is_made_again(qtbot, ws: Workspace, make_watcher,
                                                                      watched: Path) -> None:
    import shutil

    (watched / "old.md").write_text("# Old\n\nThe ferryman rows across at dawn.\n")
    watcher, rec = make_watcher(debounce_ms=100)  # the periodic rescan is ten minutes away
    watcher.changed.connect(lambda paths: ws.ingest(paths))
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: len(ws.documents()) == 1, timeout=WAIT_MS)
    shutil.rmtree(watched)
    qtbot.waitUntil(lambda: any(str(watched) in s for s in rec.status), timeout=WAIT_MS)
    assert len(ws.documents()) == 1  # kept while the folder is away
    watched.mkdir()
    (watched / "back.md").write_text("# Back\n\nThe ferryman now rows at dusk.\n")
    qtbot.waitUntil(lambda: [d["path"] for d in ws.documents()] == [str(watched / "back.md")], timeout=WAIT_MS)
    later = watched / "later.md"  # written after the rescan: only a live watch reports it
    qtbot.waitUntil(lambda: f"The watched folder {watched} is back; reading it again" in rec.status, timeout=WAIT_MS)
    later.write_text("# Later\n\nThe ferryman retires to the lighthouse.\n")
    qtbot.waitUntil(lambda: str(later) in rec.paths(), timeout=WAIT_MS)


def test_a_permission_change_alone_is_noticed(qtbot, ws: Workspace, make_watcher, watched: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.ingest
    from engine.errors import IngestError
    from engine.extract import os_error_reason

    real_read = engine.ingest.read_file

    def read_file(path: Path, limits: object) -> bytes:  # what a user without it meets (tests may run as root)
        if not os.stat(path).st_mode & 0o444:
            raise IngestError(os_error_reason(path, PermissionError(errno.EACCES, "Permission denied")))
        return real_read(path, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(engine.ingest, "read_file", read_file)
    locked, fine = watched / "locked.md", watched / "fine.md"
    locked.write_text("# Locked\n\nThe vault holds the silver spoons.\n")
    fine.write_text("# Fine\n\nThe pantry holds the copper pans.\n")
    locked.chmod(0)
    ws.ingest([str(watched)])
    assert {d["name"]: d["status"] for d in ws.documents()} == {"locked.md": "failed", "fine.md": "ok"}
    watcher, rec = make_watcher(debounce_ms=100)
    reports = []
    watcher.changed.connect(lambda paths: reports.append((paths, ws.ingest(paths))))
    watcher.start([str(watched)])
    qtbot.waitUntil(lambda: bool(reports), timeout=WAIT_MS)
    locked.chmod(0o644)  # size and mtime unchanged: only the permission changed
    qtbot.waitUntil(lambda: {d["name"]: d["status"] for d in ws.documents()}["locked.md"] == "ok", timeout=WAIT_MS)
    fine.chmod(0o600)  # an ok file: the ingest only looks at its size and mtime, and skips it
    qtbot.waitUntil(lambda: any(paths == [str(fine)] for paths, _ in reports), timeout=WAIT_MS)
    report = next(r for paths, r in reports if paths == [str(fine)])
    assert report.unchanged == 1 and report.ingested == 0
