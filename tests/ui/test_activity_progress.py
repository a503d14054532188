"""The Activity pane while the model embeds a large ingest: its bar moves with every sub-batch
of passages embedded, and its summary gives the time left from that pace."""

from __future__ import annotations

from pathlib import Path

import pytest

WAIT_MS = 300_000  # generous: the real model on a busy 2-core machine


def _prose(folder: Path, n: int) -> list[str]:
    folder.mkdir()
    for i in range(n):
        (folder / f"p{i:02}.txt").write_text(" ".join(
            f"Ferry {i}-{k} leaves pier {k % 7} for island {i * k % 13} carrying {k + i} bicycles." for k in range(40)))
    return [str(folder)]


def test_the_activity_bar_moves_while_passages_are_embedded(shell, qtbot, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.ingest as ingest_mod
    import engine.workspace as workspace_mod
    from engine.progress import Reporter

    monkeypatch.setattr(ingest_mod, "EMBED_CHUNKS", 4, raising=False)
    monkeypatch.setattr(workspace_mod, "Reporter", lambda progress=None, is_cancelled=None: Reporter(
        progress, is_cancelled, interval=0.0))  # every update reaches the pane (none held back by pacing)
    pane = shell.activity
    shell.window.show_pane("activity")
    seen: list[tuple[int, str]] = []  # the job's bar and the summary, at each update while the model embeds

    def look(job) -> None:  # type: ignore[no-untyped-def]
        row = pane.jobs.topLevelItem(0)
        if row is not None and row.text(3).startswith("Embedding"):
            seen.append((pane.jobs.itemWidget(row, 2).value(), pane.summary.text()))

    shell.runner.job_progress.connect(look)  # after the pane's own slot: what it shows
    job = shell.runner.ingest(_prose(tmp_path / "prose", 12))
    qtbot.waitUntil(lambda: job.state == "done", timeout=WAIT_MS)

    assert job.report.chunks >= 30 and len(seen) >= job.report.chunks // 4  # one update per sub-batch of 4
    bars = [bar for bar, _ in seen]
    assert all(b > a for a, b in zip(bars, bars[1:], strict=False))  # each one further on
    assert "left" in seen[-1][1] and seen[-1][1].startswith(job.label)  # the time left, from that pace


def test_a_proposal_withdrawn_with_its_file_is_not_said_to_be_rejected_by_the_person() -> None:
    from engine.catalog import WITHDRAWN
    from ui.activity import _proposed

    rows = {"table": "savings", "rows": 2, "kind": "append"}
    assert _proposed(rows, {"status": "rejected", "reason": WITHDRAWN}, "savings.csv") == (
        "The 2 rows from savings.csv for table <b>savings</b> were dropped: the file was removed before they were "
        "approved; the table keeps its rows.")  # was "Table savings … was rejected", while it kept its rows
    new = {"table": "savings", "rows": 1, "kind": "new"}
    assert _proposed(new, {"status": "rejected", "reason": WITHDRAWN}, "savings.csv") == (
        "Table <b>savings</b> from savings.csv was not made: the file was removed before it was approved.")
    assert _proposed(rows, {"status": "rejected", "reason": "wrong file"}, "savings.csv") == (
        "The 2 rows from savings.csv for table <b>savings</b> were rejected: wrong file")
