"""What a first hour in the GUI ran into (walkthrough sessions 31 and 32): the status bar kept
"Adding …" beside the result of a job long done; the empty chat's examples named tables as the
database spells them; a new table went to the end of the Tables list; the chat's link to the
waiting approvals took two Tab stops; every answer's chips and ratings lengthened the Tab chain."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace


def test_the_status_bar_says_how_an_added_folder_went_once_it_is_read(shell, qtbot, docs: Path) -> None:
    shell.add_paths([str(docs)])
    news = shell.window.news_label
    assert news.text() == "Adding “docs”…"
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0, timeout=120_000)
    # Not "Adding “docs”…" for seconds more beside the workspace's new figures.
    assert news.text().startswith("Done: 5 read, 0 unchanged;"), news.text()
