"""The desktop shell over a real workspace: drop files, see them in the Library, find them
in Search, retry a failure, cancel an ingest, load the sample, and plug in a pane."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ui
from engine import GraceError
from grace_desktop import appsettings
from grace_desktop.qt import (
    QApplication,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QLabel,
    QMimeData,
    QPoint,
    QPointF,
    Qt,
    QUrl,
)
from grace_desktop.runner import RESUME_LABEL
from tests.fixtures.make_pdf import make_pdf
from ui.library import COLUMNS

WAIT_MS = 300_000  # generous: the real model (and tables) on a busy 2-core machine


def _mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop(window, paths: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """Drag ``paths`` over the window and drop them, as a file manager would."""
    mime = _mime(paths)
    pos = window.rect().center()  # Qt takes a QPoint for a drag's entry, a QPointF for its drop
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(window, QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods))
    QApplication.sendEvent(window, QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, buttons, mods))


def statuses(shell) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {row["name"]: row["status"] for row in shell.library.model.rows}


def test_dropped_files_are_listed_in_the_library_and_found_by_search(shell, qtbot, docs: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    drop(shell.window, [docs])
    labels = [shell.activity.jobs.topLevelItem(i).text(0) for i in range(shell.activity.jobs.topLevelItemCount())]
    assert any(label.startswith("Adding “docs”") for label in labels)  # the Activity shows it at once
    qtbot.waitUntil(lambda: statuses(shell).get("guide.md") == "ok" and "page.html" in statuses(shell),
                    timeout=WAIT_MS)
    assert shell.library.count_label.text().startswith("5 documents")

    shell.window.show_pane("search")
    shell.search.query.setText("how often to water tomatoes")
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS):
        qtbot.keyClick(shell.search.query, Qt.Key.Key_Return)
    assert shell.search.hits[0].path == str(docs / "guide.md")
    bold = re.findall(r'font-weight:700;">([^<]+)<', shell.search.results.toHtml())
    assert any(word.lower().startswith("tomato") for word in bold)  # the query's words are in bold

    opened: list[QUrl] = []
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url) or True)
    assert shell.search.open_hit(0)
    assert opened[0].toLocalFile() == str(docs / "guide.md")


def test_drag_over_the_window_shows_the_drop_overlay(shell) -> None:
    mime = _mime([Path(__file__)])
    pos = shell.window.rect().center()
    event = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(shell.window, event)
    assert event.isAccepted() and shell.window.overlay.isVisible()
    QApplication.sendEvent(shell.window, QDragLeaveEvent())
    assert not shell.window.overlay.isVisible()


def test_a_text_drag_is_refused(shell) -> None:
    mime = QMimeData()
    mime.setText("just words")
    event = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(shell.window, event)
    assert not event.isAccepted() and not shell.window.overlay.isVisible()


def test_a_failed_file_shows_its_reason_and_retry_reads_it_once_fixed(shell, qtbot, tmp_path: Path) -> None:
    bad = tmp_path / "report.pdf"
    bad.write_text("this is not a pdf")
    drop(shell.window, [bad])
    qtbot.waitUntil(lambda: statuses(shell).get("report.pdf") == "failed", timeout=WAIT_MS)

    assert "report.pdf" in shell.presenter.log[-1].sentence  # the error presenter said why
    assert shell.window.notifications.isVisible()
    assert "report.pdf" in shell.window.error_label.toolTip()
    model = shell.library.model
    row = next(i for i, r in enumerate(model.rows) if r["name"] == "report.pdf")
    tooltip = model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert "not a PDF" in tooltip
    assert shell.library.select_path(str(bad))
    assert "not a PDF" in shell.library.details.text()
    assert shell.library.retry_button.isEnabled()

    bad.write_bytes(make_pdf(["Lighthouse keepers log the fog signal hours."]))
    qtbot.mouseClick(shell.library.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(shell).get("report.pdf") == "ok", timeout=WAIT_MS)
    assert shell.runner.jobs[-1].label.startswith("Retrying report.pdf")


def test_cancelling_a_running_ingest_keeps_the_rest_queued(shell, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(400):
        (folder / f"note-{i:03}.txt").write_text(f"Note {i}: the ferry to island {i} leaves at {i % 24} o'clock "
                                                 f"and carries {i * 3} bicycles on busy summer days.\n")
    shell.window.show_pane("activity")
    drop(shell.window, [folder])
    job = shell.runner.jobs[-1]
    qtbot.waitUntil(lambda: job.state == "running" and job.message.startswith("Reading"), timeout=WAIT_MS)
    assert shell.activity.cancel_button.isEnabled() and "%" in shell.activity.summary.text()
    assert shell.activity.overall.isVisible() and shell.window.queue_label.text().startswith("Queue: 1 job")
    qtbot.mouseClick(shell.activity.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: job.state == "cancelled", timeout=WAIT_MS)

    assert shell.activity.jobs.topLevelItem(0).text(1) == "Cancelled"
    left = shell.runner.ws.queued()
    assert 0 < len(left) <= 400
    kept = shell.runner.ws.status()["documents"]  # the job says how many files the cancel kept
    assert shell.activity.jobs.topLevelItem(0).text(3).startswith(f"Cancelled: {kept} file")
    qtbot.waitUntil(lambda: shell.activity.waiting.isVisible(), timeout=WAIT_MS)
    assert f"{len(left)} files" in shell.activity.waiting_label.text()

    qtbot.mouseClick(shell.activity.resume_button, Qt.MouseButton.LeftButton)
    resumed = shell.runner.jobs[-1]
    assert resumed.label == RESUME_LABEL and not shell.activity.waiting.isVisible()
    qtbot.waitUntil(lambda: resumed.state == "running", timeout=WAIT_MS)  # its reading can be over in 0.1 s
    shell.runner.cancel()  # the resumed job reads the same queue; stopping it again keeps the rest again
    qtbot.waitUntil(lambda: resumed.state == "cancelled", timeout=WAIT_MS)
    assert shell.runner.ws.queued()


def test_ingest_jobs_run_one_at_a_time(shell, qtbot, docs: Path) -> None:
    first = shell.runner.ingest([str(docs / "guide.md")])
    second = shell.runner.ingest([str(docs / "notes.txt")])
    assert first.state == "running" and second.state == "queued"
    assert shell.runner.queue_length == 2
    qtbot.waitUntil(lambda: second.state == "done", timeout=WAIT_MS)
    assert first.state == "done" and first.finished <= second.started  # type: ignore[operator]


def test_the_first_start_offer_loads_the_sample(shell, qtbot) -> None:
    banner = shell.library.banner
    assert banner.isVisible()
    qtbot.mouseClick(banner.load_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible() and appsettings.load_bool("library/sample_dismissed")
    qtbot.waitUntil(lambda: len(shell.library.model.rows) == 4, timeout=WAIT_MS)
    assert set(statuses(shell).values()) == {"ok"}
    assert {"household-budget.csv", "sourdough-basics.md"} <= set(statuses(shell))


def test_remove_from_workspace_asks_first(shell, qtbot, docs: Path) -> None:
    shell.runner.ingest([str(docs / "guide.md"), str(docs / "notes.txt")])
    qtbot.waitUntil(lambda: len(shell.library.model.rows) == 2, timeout=WAIT_MS)
    shell.library.select_path(str(docs / "notes.txt"))
    shell.library.confirm = lambda _question: False
    shell.library.remove_selected()
    shell.library.confirm = lambda _question: True
    shell.library.remove_selected()
    qtbot.waitUntil(lambda: set(statuses(shell)) == {"guide.md"}, timeout=WAIT_MS)
    assert (docs / "notes.txt").exists()


def test_watched_folders_are_added_and_removed(shell, qtbot, docs: Path) -> None:
    watched = shell.library.watched
    watched.add(str(docs))
    qtbot.waitUntil(lambda: watched.folders == [str(docs)], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "guide.md" in statuses(shell), timeout=WAIT_MS)
    watched.list.item(0).setSelected(True)
    watched.confirm_remove = lambda _question: "keep"  # Remove now asks whether to keep what was read
    qtbot.mouseClick(watched.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: watched.folders == [], timeout=WAIT_MS)
    assert shell.runner.ws.watched_folders() == []


def test_a_folder_added_while_an_ingest_runs_is_listed_at_once(shell, qtbot, docs: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    ws, watched = shell.runner.ws, shell.library.watched
    shown: list[list[str]] = []
    show = watched._show
    monkeypatch.setattr(watched, "_show", lambda folders: (shown.append(folders), show(folders)))
    with ws._write_lock:  # as a running ingest holds it: storing the watch waits until it ends
        watched.add(str(docs))
        assert watched.folders == [str(docs)] and watched.list.item(0).text() == str(docs)
        shown.clear()
        watched.refresh()  # a read from before the folder was stored …
        qtbot.waitUntil(lambda: [] in shown, timeout=WAIT_MS)
        assert watched.folders == [str(docs)]  # … does not take it off the list
    qtbot.waitUntil(lambda: ws.watched_folders() == [str(docs)] and "guide.md" in statuses(shell), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: [str(docs)] in shown, timeout=WAIT_MS)  # the workspace's list, read again
    assert watched.folders == [str(docs)]


def test_a_folder_that_cannot_be_watched_leaves_the_list_and_says_why(shell, qtbot, docs: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_folder: str) -> None:
        raise GraceError("The workspace is read-only, so nothing was saved.")

    monkeypatch.setattr(shell.runner.ws, "add_watch", refuse)
    watched = shell.library.watched
    with qtbot.waitSignal(shell.runner.error, timeout=WAIT_MS):
        watched.add(str(docs))
        assert watched.folders == [str(docs)]
    assert "read-only" in shell.presenter.log[-1].sentence
    qtbot.waitUntil(lambda: watched.folders == [], timeout=WAIT_MS)  # the workspace's list, read again


def test_errors_reach_the_status_bar_and_the_notification_bar(shell) -> None:
    shell.runner.report_error(GraceError("The disk is full, so nothing was saved."), user=False)
    assert shell.window.notifications.isVisible()
    assert "disk is full" in shell.window.notifications.label.text()
    assert shell.window.error_label.toolTip() == "The disk is full, so nothing was saved."
    shell.runner.report_error(ValueError("boom"), user=False)
    assert shell.presenter.log[-1].sentence.startswith("Something went wrong")


def test_other_panes_plug_in_with_register_pane(shell, qtbot) -> None:
    pane = QLabel("reports go here")
    before = shell.window.sidebar.count()  # Library, Activity, Search, Tables, Approvals, Chat
    key = shell.window.register_pane("Reports", pane)
    assert key == "reports" and shell.window.sidebar.count() == before + 1
    assert shell.window.panes["reports"].action.shortcut().toString() == f"Ctrl+{before + 1}"
    assert shell.window.show_pane("Reports") and shell.window.stack.currentWidget() is pane
    with pytest.raises(ValueError):
        shell.window.register_pane("Reports", QLabel())
    shell.window.focus_search()
    assert shell.window.current_pane() == "search"


def test_a_late_pane_is_built_once_the_app_is_ready(shell, qtbot) -> None:
    made: list[object] = []

    class Pane(QLabel):
        def __init__(self, ws, runner) -> None:  # type: ignore[no-untyped-def]
            super().__init__(f"{ws.folder.name}")
            self.seen: list[object] = []
            made.append((ws, runner))

        def on_changes(self, changes) -> None:  # type: ignore[no-untyped-def]
            self.seen.append(changes)

    key = shell.add_pane("Reports", Pane)
    pane = shell.window.panes[key].widget
    assert isinstance(pane, Pane) and made == [(shell.runner.ws, shell.runner)]
    shell.runner.run_op(lambda ws: ws.add_watch(str(ws.folder)), "watching")
    qtbot.waitUntil(lambda: bool(pane.seen), timeout=WAIT_MS)
    assert pane.seen[0].watches


def test_a_workspace_from_another_model_is_re_embedded_in_the_background(qtbot, ws, docs: Path) -> None:
    from grace_desktop.app import Shell
    from tests.fixtures.old_model import age_vectors

    ws.ingest([docs])
    n = len(age_vectors(ws))
    s = Shell(workspace=ws, allow_modal=False)
    qtbot.addWidget(s.window)
    s.start()
    qtbot.waitUntil(lambda: s.is_ready, timeout=WAIT_MS)
    s.after_ready()
    qtbot.waitUntil(lambda: any(j.kind == "reembed" for j in s.runner.jobs), timeout=WAIT_MS)
    job = next(j for j in s.runner.jobs if j.kind == "reembed")
    assert job.label == f"Re-embedding {n:,} passages"
    qtbot.waitUntil(lambda: job.state == "done", timeout=WAIT_MS)
    assert ws.stale_vectors() == 0 and job.report.reembedded == n
    assert job.message.startswith(f"{n} passages re-embedded")
    labels = [s.activity.jobs.topLevelItem(i).text(0) for i in range(s.activity.jobs.topLevelItemCount())]
    assert job.label in labels  # the Activity shows it like any other job
    s.runner.shutdown(timeout_ms=600_000)
    if s.watcher is not None:
        s.watcher.stop()


def test_a_re_embedding_steps_aside_for_files_the_person_adds(shell, qtbot, ws, docs: Path, embedder,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import engine.reembed
    from tests.fixtures.old_model import age_vectors

    ws.ingest([docs / "guide.md", docs / "notes.txt"])
    n = len(age_vectors(ws))
    monkeypatch.setattr(engine.reembed, "BATCH", 1)
    real_embed = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts, **kw: (time.sleep(0.3), real_embed(texts, **kw))[1])
    first = shell.runner.reembed(n)
    qtbot.waitUntil(lambda: first.state == "running" and first.fraction > 0, timeout=WAIT_MS)
    shell.runner.ingest([str(docs / "notes.txt")], label="Keeping watched folders in step", user=False)
    assert not first.paused  # a watched folder's catch-up waits its turn
    added = shell.runner.ingest([str(docs / "code.py")])
    qtbot.waitUntil(lambda: first.state == "cancelled" and added.state == "done", timeout=WAIT_MS)
    assert first.paused and first.message.startswith("Paused for other work")
    qtbot.waitUntil(lambda: any(j.kind == "reembed" and j is not first and j.state == "done"
                                for j in shell.runner.jobs), timeout=WAIT_MS)
    second = next(j for j in shell.runner.jobs if j.kind == "reembed" and j is not first)
    assert added.finished <= second.started and ws.stale_vectors() == 0  # type: ignore[operator]


def test_cancelling_a_paused_re_embedding_does_not_queue_it_again(shell, qtbot, ws, docs: Path, embedder,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import engine.reembed
    from tests.fixtures.old_model import age_vectors

    ws.ingest([docs / "guide.md"])
    n = len(age_vectors(ws))
    monkeypatch.setattr(engine.reembed, "BATCH", 1)
    real_embed = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts, **kw: (time.sleep(0.3), real_embed(texts, **kw))[1])
    job = shell.runner.reembed(n)
    qtbot.waitUntil(lambda: job.state == "running", timeout=WAIT_MS)
    added = shell.runner.ingest([str(docs / "code.py")])
    shell.runner.cancel(job)  # the person cancels while it is pausing
    qtbot.waitUntil(lambda: job.state == "cancelled" and added.state == "done", timeout=WAIT_MS)
    qtbot.wait(500)
    assert not job.paused and [j for j in shell.runner.jobs if j.kind == "reembed"] == [job]


def test_a_missing_watched_folder_is_shown_with_its_documents_kept(shell, qtbot, docs: Path) -> None:
    watched = shell.library.watched
    shell.start_watcher()  # as after_ready does in the app: the watcher tells which folders are missing
    watched.add(str(docs))
    # read, and nothing reading it any more: the watcher's first rescan of it may still run after the Library
    # shows the five (a folder that goes away in the middle of a scan is another case than this one)
    qtbot.waitUntil(lambda: len(statuses(shell)) == 5 and shell.runner.queue_length == 0, timeout=WAIT_MS)
    away = docs.with_name("docs-on-a-usb-disk")
    docs.rename(away)  # as an unplugged disk looks: the folder is simply not there
    qtbot.waitUntil(lambda: watched.missing == {str(docs)}, timeout=WAIT_MS)
    assert watched.list.item(0).text() == (f"{docs}\nmissing — its 5 documents are kept until it comes back "
                                           "or you remove it")
    assert len(statuses(shell)) == 5 and shell.runner.ws.watched_folders() == [str(docs)]
    away.rename(docs)
    qtbot.waitUntil(lambda: not watched.missing, timeout=WAIT_MS)
    assert watched.list.item(0).text() == str(docs)


def test_removing_a_watched_folder_asks_whether_to_keep_or_forget_its_documents(
        shell, qtbot, docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nNot in the watched folder: the otters stay.\n")
    shell.runner.ingest([str(other)])
    watched = shell.library.watched
    watched.add(str(docs))
    qtbot.waitUntil(lambda: len(statuses(shell)) == 6, timeout=WAIT_MS)
    asked: list[str] = []
    answers = iter(["cancel", "forget"])
    watched.confirm_remove = lambda question: asked.append(question) or next(answers)
    ops: list[str] = []
    run_op = shell.runner.run_op
    monkeypatch.setattr(shell.runner, "run_op",
                        lambda fn, doing, *a, **kw: (ops.append(doing), run_op(fn, doing, *a, **kw)))
    watched.list.item(0).setSelected(True)
    watched.remove_selected()  # Cancel: nothing is done
    assert ops == []
    assert asked[0].startswith(f"Stop watching {docs}?") and "its 5 documents stay searchable" in asked[0]
    watched.remove_selected()  # Forget: the folder's documents go, the other one stays, the files too
    qtbot.waitUntil(lambda: watched.folders == [] and set(statuses(shell)) == {"other.md"}, timeout=WAIT_MS)
    assert (docs / "guide.md").exists() and ops == [f"no longer watching {docs}"]


def test_removing_a_document_of_a_watched_folder_says_it_comes_back(shell, qtbot, docs: Path,
                                                                   tmp_path: Path) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nNot in the watched folder.\n")
    shell.runner.ingest([str(other)])
    shell.library.watched.add(str(docs))
    qtbot.waitUntil(lambda: len(statuses(shell)) == 6 and shell.library.watched.folders == [str(docs)],
                    timeout=WAIT_MS)
    asked: list[str] = []
    shell.library.confirm = lambda question: asked.append(question) or False
    shell.library.select_path(str(docs / "guide.md"))
    shell.library.remove_selected()
    shell.library.select_path(str(other))
    shell.library.remove_selected()
    assert asked[0] == (f"Remove guide.md from Grace? The files themselves are left alone. It is in the watched "
                        f"folder {docs}, so it comes back when the folder is next scanned; remove it from disk or "
                        "stop watching the folder to keep it out.")
    assert asked[1] == "Remove other.md from Grace? The files themselves are left alone."


def test_keys_remove_documents_and_watched_folders_cancel_jobs_and_watch_a_folder(shell, qtbot, docs: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch
                                                                                 ) -> None:
    library, watched = shell.library, shell.library.watched
    watched.add(str(docs))
    qtbot.waitUntil(lambda: len(statuses(shell)) == 5 and watched.folders == [str(docs)], timeout=WAIT_MS)
    asked: list[str] = []
    library.confirm = lambda question: asked.append(question) or False
    watched.confirm_remove = lambda question: asked.append(question) or "cancel"
    cancels: list[object] = []
    monkeypatch.setattr(shell.runner, "cancel", lambda job=None: cancels.append(job))
    shell.window.activateWindow()
    qtbot.waitUntil(lambda: shell.window.isActiveWindow(), timeout=WAIT_MS)
    library.select_path(str(docs / "notes.txt"))
    library.table.setFocus()
    for key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Escape):
        qtbot.keyClick(library.table, key)
    assert [q.split("?")[0] for q in asked] == ["Remove notes.txt from Grace"] * 2 and cancels == []
    watched.list.item(0).setSelected(True)
    watched.list.setFocus()
    qtbot.keyClick(watched.list, Qt.Key.Key_Delete)
    assert asked[-1].startswith(f"Stop watching {docs}?")
    shell.window.show_pane("activity")
    shell.activity.jobs.setFocus()
    qtbot.keyClick(shell.activity.jobs, Qt.Key.Key_Escape)
    assert cancels == [None]
    file_menu = shell.window.menuBar().actions()[0].menu()
    watch = next(a for a in file_menu.actions() if a.text() == "&Watch folder…")
    assert watch.shortcut().toString() == "Ctrl+Shift+W"
    from grace_desktop.qt import QAction

    others = [a for a in shell.window.findChildren(QAction) if a is not watch]
    assert all(a.shortcut() != watch.shortcut() for a in others)


def test_ctrl_and_a_number_puts_the_keyboard_in_the_pane_and_enter_opens_a_document(
        shell, qtbot, docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]

    opened: list[str] = []
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    drop(shell.window, [docs / "notes.txt"])
    qtbot.waitUntil(lambda: statuses(shell).get("notes.txt") == "ok", timeout=WAIT_MS)
    shell.build_late_panes()
    window = shell.window
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=WAIT_MS)
    into = {"library": shell.library.table, "search": shell.search.query,
            "chat": window.panes["chat"].widget.input, "approvals": window.panes["approvals"].widget.list}
    for number, key in enumerate(window.panes, 1):
        window.sidebar.setFocus()
        qtbot.keyClick(window.sidebar, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        focused = QApplication.focusWidget()
        assert window.current_pane() == key and window.panes[key].widget.isAncestorOf(focused), key
        if key in into:
            assert focused is into[key], key
    assert shell.activity.log.tabChangesFocus()  # Tab leaves the log instead of walking its links
    qtbot.keyClick(window.sidebar, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert shell.library.select_path(str(docs / "notes.txt"))
    qtbot.keyClick(shell.library.table, Qt.Key.Key_Return)
    assert opened == [str(docs / "notes.txt")]
    library = shell.library  # Tab from the list reaches every control of the pane, those above it too
    qtbot.keyClick(window.sidebar, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert library.select_path(str(docs / "notes.txt"))  # Remove… takes the keyboard with a document chosen
    qtbot.waitUntil(library.remove_button.isEnabled)
    reached = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert {library.filter_edit, library.status_combo, library.remove_button} <= set(reached)


def test_the_activity_log_takes_the_dark_colours_when_the_system_switches(shell, qtbot, docs: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import theme

    drop(shell.window, [docs / "notes.txt"])
    qtbot.waitUntil(lambda: "notes.txt" in shell.activity.log.toPlainText(), timeout=WAIT_MS)
    light, dark = theme.colors()["muted"], theme._SEMANTIC[True]["muted"]  # noqa: SLF001
    assert light in shell.activity.log.toHtml() and dark not in shell.activity.log.toHtml()
    app = QApplication.instance()
    monkeypatch.setattr(theme, "is_dark", lambda: True)  # what the system's switch does (theme.apply_theme)
    app.setPalette(theme.palette(True))  # type: ignore[union-attr]
    try:
        QApplication.processEvents()
        assert dark in shell.activity.log.toHtml() and light not in shell.activity.log.toHtml()
    finally:
        monkeypatch.undo()
        app.setPalette(theme.palette(False))  # type: ignore[union-attr]
        QApplication.processEvents()


def test_a_file_read_only_in_part_says_so_in_the_library(shell, qtbot, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Lighthouse keepers log the fog signal hours.\n" * 40)
    shell.runner.ws.set_setting("max_chars", 1000)
    drop(shell.window, [big])
    qtbot.waitUntil(lambda: statuses(shell).get("big.txt") == "ok", timeout=WAIT_MS)
    model = shell.library.model
    row = next(i for i, r in enumerate(model.rows) if r["name"] == "big.txt")
    status = [key for _label, key in COLUMNS].index("status")
    assert model.data(model.index(row, status)) == "ok (part)"
    assert "max_chars" in model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert shell.library.select_path(str(big))
    assert "Partly read:" in shell.library.details.text() and "max_chars" in shell.library.details.text()


def test_the_library_sorts_by_any_column_keeping_the_selection(shell, qtbot, docs: Path) -> None:
    library = shell.library
    shell.runner.ingest([str(docs)])
    qtbot.waitUntil(lambda: len(statuses(shell)) == 5, timeout=WAIT_MS)

    def shown(key: str) -> list:  # type: ignore[type-arg]
        rows = [library.model.rows[library.proxy.mapToSource(library.proxy.index(r, 0)).row()]
                for r in range(library.proxy.rowCount())]
        return [row[key] for row in rows]

    assert shown("name") == sorted(shown("name"), key=str.lower)  # by name at first
    assert library.select_path(str(docs / "notes.txt"))
    library.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert shown("size") == sorted(shown("size"), reverse=True)
    assert library.selected_paths() == [str(docs / "notes.txt")]  # the same document stays selected

    (docs / "huge.md").write_text("# Huge\n\n" + "A long paragraph about sorting documents. " * 400)
    shell.runner.ingest([str(docs / "huge.md")])
    qtbot.waitUntil(lambda: len(statuses(shell)) == 6, timeout=WAIT_MS)
    assert shown("name")[0] == "huge.md"  # a new document lands in its place in the order
    assert shown("size") == sorted(shown("size"), reverse=True)
    assert library.selected_paths() == [str(docs / "notes.txt")]


def test_names_sort_with_their_numbers_in_order_and_details_count_in_words() -> None:
    from ui.library import _details_html, _sort_value

    rows = [{"name": n, "path": f"/notes/{n}"} for n in ("journal-10.md", "Journal-2.md", "journal-1.md")]
    assert [r["name"] for r in sorted(rows, key=lambda r: _sort_value(r, "name"))] == [
        "journal-1.md", "Journal-2.md", "journal-10.md"]
    one = {"name": "a.md", "path": "/a.md", "status": "ok", "kind": "markdown", "chunks": 1, "size": 10}
    assert "1 passage;" in _details_html([one]) and "2 passages;" in _details_html([one | {"chunks": 2}])


def test_a_workbook_with_one_sheet_in_a_table_and_one_rejected_says_both(shell) -> None:
    from ui.library import _details_html, _display

    book = {"name": "garden.xlsx", "path": "/garden.xlsx", "status": "ok", "kind": "table", "size": 10,
            "in_table": "garden_harvest", "rejected": "garden_plants", "rejected_why": "Prices are wrong"}
    html = _details_html([book])
    assert _display(book, "status") == "part rejected"
    assert "Its rows are in the table <b>garden_harvest</b>" in html
    assert ("<b>The table garden_plants was rejected</b> (“Prices are wrong”): those rows are not in any table"
            in html) and "Its table" not in html
    alone = {k: v for k, v in book.items() if k != "in_table"}
    library = shell.library
    status = [key for _label, key in COLUMNS].index("status")
    library.model.set_rows([{**book, "waiting": "garden_plants", "updated_at": 0}])  # "waiting for approval"
    QApplication.processEvents()
    assert library.table.columnWidth(status) > library.table.fontMetrics().horizontalAdvance("waiting for approval")
    assert _display(alone, "status") == "table rejected"
    assert "<b>Its table garden_plants was rejected</b> (“Prices are wrong”): its rows are" in _details_html([alone])


def test_removing_a_table_file_says_its_table_stays_and_a_waiting_one_is_withdrawn() -> None:
    from ui.library import _tables_note

    rows = [{"path": "/a.csv", "in_table": "club_members"}, {"path": "/b.csv", "waiting": "savings"},
            {"path": "/c.md"}]
    assert _tables_note(rows) == (" The table club_members and any edits made to it stay in Tables; delete it there "
                                  "if you no longer want it. The proposed table savings, waiting in Approvals, is "
                                  "withdrawn.")
    assert _tables_note(rows[2:]) == ""


def test_tab_leaves_every_grid_of_the_window(shell, ws) -> None:
    from grace_desktop.qt import QTableView
    from ui.approvals import ApprovalsPane
    from ui.tables import TablesPane

    panes = [shell.window, TablesPane(ws), ApprovalsPane(ws)]  # the last two as built on first show
    grids = [g for pane in panes for g in pane.findChildren(QTableView)]
    assert len(grids) >= 4  # the library, the table editor and its query results, the proposal sample
    assert [g for g in grids if g.tabKeyNavigation()] == []  # arrows move within a grid; Tab moves on
    for pane in panes[1:]:
        pane.deleteLater()


def test_every_question_before_a_removal_defaults_to_no(shell, ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from grace_desktop.qt import QMessageBox
    from ui.tables import TablesPane

    asked: list[tuple[str, object]] = []

    def question(_parent, _title, text, _buttons, default):  # type: ignore[no-untyped-def]
        asked.append((text, default))
        return default  # the person pressed Enter

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    assert not shell.library._ask("Remove notes.md from Grace?")
    assert not TablesPane(ws).confirm("Delete 2 rows from “books”?")
    assert len(asked) == 2 and all(default == QMessageBox.StandardButton.No for _text, default in asked)


def test_a_table_file_waiting_for_approval_says_so_in_the_library(shell, qtbot, tmp_path: Path) -> None:
    import shutil

    from engine.paths import resources_dir

    budget = tmp_path / "budget.csv"
    shutil.copy(resources_dir() / "sample" / "household-budget.csv", budget)
    drop(shell.window, [budget])
    model = shell.library.model
    status = [key for _label, key in COLUMNS].index("status")

    def shown() -> str:
        row = next((i for i, r in enumerate(model.rows) if r["name"] == "budget.csv"), None)
        return "" if row is None else model.data(model.index(row, status))

    qtbot.waitUntil(lambda: shown() == "waiting for approval", timeout=WAIT_MS)  # was "ok", yet nothing found
    assert shell.library.select_path(str(budget))
    assert "Waiting for your approval" in shell.library.details.text() and "Approvals" in shell.library.details.text()
    log = shell.activity.log
    qtbot.waitUntil(lambda: "Table budget from budget.csv (12 rows) waits for your approval in Approvals."
                    in log.toPlainText(), timeout=WAIT_MS)
    ws = shell.runner.ws
    ws.tables.approve(next(p.id for p in ws.tables.proposals("pending") if p.source == str(budget)))
    shell.library.refresh()
    shell.activity.refresh()
    qtbot.waitUntil(lambda: shown() == "ok", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Its rows are in the table <b>budget</b> (see Tables)." in shell.library.details.text(),
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Table budget was made from budget.csv (12 rows), approved by you." in log.toPlainText(),
                    timeout=WAIT_MS)
    assert "waits for your approval" not in log.toPlainText()
