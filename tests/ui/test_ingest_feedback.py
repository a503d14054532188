"""What a person sees of an ingest while it runs and after: the panes fill as files are
committed, a failure notice follows the fixes, a Retry that fails again says so, and the
figures agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import grace_desktop.runner as runner_mod
from engine import IngestReport
from grace_desktop.qt import Qt
from grace_desktop.runner import Job, _summary
from tests.fixtures.make_pdf import make_pdf

WAIT_MS = 300_000  # generous: the real model on a busy 2-core machine


def _statuses(shell) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {row["name"]: row["status"] for row in shell.library.model.rows}


def _documents_in_status_bar(shell) -> int:  # type: ignore[no-untyped-def]
    found = re.search(r"(\d+) documents?", shell.window.workspace_label.text())
    return int(found.group(1)) if found else 0


def test_library_status_bar_and_events_fill_while_a_long_ingest_runs(shell, qtbot, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "FLUSH_CHUNKS", 4)  # commits every few files, as a big ingest does
    monkeypatch.setattr(ingest_mod, "EMBED_CHUNKS", 2)
    monkeypatch.setattr(runner_mod, "LIVE_SECONDS", 0.0, raising=False)  # every update may refresh
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(60):
        (folder / f"note-{i:02}.txt").write_text(f"Note {i}: the ferry to island {i} carries {i * 3} bicycles.\n")
    shell.window.show_pane("activity")
    seen: list[tuple[int, int, str]] = []  # library rows, status-bar documents, events, while the job runs

    def look(job) -> None:  # type: ignore[no-untyped-def]
        if job.state == "running":
            seen.append((len(shell.library.model.rows), _documents_in_status_bar(shell),
                         shell.activity.log.toPlainText()))

    shell.runner.job_progress.connect(look)
    job = shell.runner.ingest([str(folder)])
    qtbot.waitUntil(lambda: job.state == "done", timeout=WAIT_MS)

    assert any(0 < rows < 60 for rows, _, _ in seen)  # the Library listed files before the job ended
    assert any(0 < docs < 60 for _, docs, _ in seen)  # so did the status bar
    assert any("Read note-" in events for _, _, events in seen)  # and the recent events
    assert len(shell.library.model.rows) == 60 and _documents_in_status_bar(shell) == 60


def test_the_failure_notice_follows_a_retry_that_fixes_a_file_and_a_removal(shell, qtbot, tmp_path: Path) -> None:
    pdf, docx = tmp_path / "report.pdf", tmp_path / "minutes.docx"
    pdf.write_text("this is not a pdf")
    docx.write_text("this is not a docx")
    shell.add_paths([str(pdf), str(docx)])
    qtbot.waitUntil(lambda: _statuses(shell) == {"report.pdf": "failed", "minutes.docx": "failed"}, timeout=WAIT_MS)
    bar, window = shell.window.notifications, shell.window
    qtbot.waitUntil(lambda: bar.isVisible(), timeout=WAIT_MS)
    assert bar.sentence.startswith("2 files could not be read.")

    pdf.write_bytes(make_pdf(["Lighthouse keepers log the fog signal hours."]))
    assert shell.library.select_path(str(pdf))
    qtbot.mouseClick(shell.library.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bar.sentence.startswith("2 files"), timeout=WAIT_MS)
    assert bar.isVisible() and bar.sentence.startswith("Grace could not read minutes.docx:")
    assert window.error_label.toolTip() == bar.sentence  # the status bar says the same

    shell.library.confirm = lambda _question: True
    assert shell.library.select_path(str(docx))
    shell.library.remove_selected()
    qtbot.waitUntil(lambda: bar.isHidden(), timeout=WAIT_MS)  # nothing fails any more: the notice goes
    assert window.error_label.text() == "" and window.error_label.toolTip() == ""


def test_a_retry_whose_every_file_fails_again_is_shown_as_failed(shell, qtbot, tmp_path: Path) -> None:
    bad, good = tmp_path / "report.pdf", tmp_path / "good.txt"
    bad.write_text("this is not a pdf")
    good.write_text("Lighthouse keepers log the fog signal hours.")
    first = shell.runner.ingest([str(bad), str(good)])
    qtbot.waitUntil(lambda: not first.active, timeout=WAIT_MS)
    assert first.state == "done"  # one file read: the job did its work, the failure is a notice

    qtbot.waitUntil(lambda: _statuses(shell).get("report.pdf") == "failed", timeout=WAIT_MS)
    assert shell.library.select_path(str(bad))
    qtbot.mouseClick(shell.library.retry_button, Qt.MouseButton.LeftButton)
    retry = shell.runner.jobs[-1]
    qtbot.waitUntil(lambda: not retry.active, timeout=WAIT_MS)
    assert retry.state == "failed" and retry.error.startswith("Grace could not read report.pdf:")
    row = shell.activity.jobs.topLevelItem(0)
    assert row.text(0).startswith("Retrying report.pdf") and row.text(1) == "Failed"
    assert row.text(3) == retry.error


def test_the_activity_and_the_status_bar_give_a_job_the_same_percent(shell) -> None:
    job = Job(99, "Adding notes", [], state="running", fraction=0.306)
    shell.runner._running = job  # as if it ran: only the figures are looked at
    try:
        shell._show_queue()
        shell.activity.show_jobs()
        assert "30%" in shell.window.queue_label.text() and "30%" in shell.activity.summary.text()
        job.fraction = 0.996
        shell._show_queue()
        shell.activity.show_progress(job)
        assert "99%" in shell.window.queue_label.text() and "99%" in shell.activity.summary.text()
    finally:
        shell.runner._running = None


def test_one_new_passage_is_said_in_the_singular() -> None:
    assert _summary(IngestReport(ingested=1, chunks=1)).endswith("; 1 new passage in 0.0 s.")
    assert _summary(IngestReport(ingested=2, chunks=3)).endswith("; 3 new passages in 0.0 s.")


def test_the_status_bar_counts_one_document_and_one_passage_in_the_singular() -> None:
    from grace_desktop.app import workspace_status

    one = {"workspace": "/data/ws", "documents": 1, "chunks": 1, "failed": 0}
    assert workspace_status(one) == "Workspace: /data/ws — 1 document, 1 passage"  # was "1 documents, 1 passages"
    assert workspace_status(one | {"documents": 2, "chunks": 0, "failed": 1}) == \
        "Workspace: /data/ws — 2 documents, 0 passages, 1 failed"


def test_resume_reads_right_after_a_cancel_as_after_a_crash(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = runner_mod.Runner()
    job = runner.resume()
    assert "interrupted" not in job.label and "waiting" in job.label
