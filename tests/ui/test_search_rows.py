"""The Search pane finds rows of the person's tables too, and opens the Tables pane on one."""

from __future__ import annotations

from pathlib import Path

from engine.search import SearchHit
from grace_desktop.qt import Qt
from ui.search import SearchPane

WAIT_MS = 300_000  # generous: the real model (and tables) on a busy 2-core machine
SUBSCRIPTIONS = ("service,plan,price\nSpotify Family,monthly,16.99\nNetflix,Standard,15.49\n"
                 "Garden club,yearly,30.0\n")
ROW = {"table": "subscriptions", "key": 1, "columns": ["service", "plan", "price"],
       "values": ["Spotify Family", "monthly", 16.99], "matched": ["service"]}


def _import(ws, folder: Path, name: str = "subscriptions.csv") -> None:  # type: ignore[no-untyped-def]
    path = folder / name
    path.write_text(SUBSCRIPTIONS, encoding="utf-8")
    assert ws.tables.import_file(path).status == "applied"


def _bold(pane: SearchPane, word: str) -> bool:
    found = pane.results.document().find(word)
    return not found.isNull() and found.charFormat().fontWeight() >= 600


def _search(shell, qtbot, query: str) -> None:  # type: ignore[no-untyped-def]
    shell.search.query.setText(query)
    with qtbot.waitSignals([shell.search.results_shown, shell.search.rows_shown], timeout=WAIT_MS):
        shell.search.search_now()


def test_a_word_only_in_a_table_shows_its_row_and_enter_on_it_opens_the_table(shell, qtbot, tmp_path: Path) -> None:
    _import(shell.runner.ws, tmp_path)
    _search(shell, qtbot, "spotify")
    shown = shell.search.results.toPlainText()
    assert "Rows in your tables" in shown and "subscriptions · service: Spotify Family · plan: monthly" in shown
    assert "Netflix" not in shown
    assert _bold(shell.search, "Spotify") and not _bold(shell.search, "Family")  # the word found, highlighted
    assert shell.search.status.text() == "1 row in your tables matches “spotify”"
    assert "Nothing in your files matches" not in shown  # the row is in a file
    shell.search.results.setFocus()
    qtbot.keyClick(shell.search.results, Qt.Key.Key_Tab)  # to the row's link, the first on screen
    qtbot.keyClick(shell.search.results, Qt.Key.Key_Return)
    assert shell.window.current_pane() == "tables"
    pane = shell.window.panes["tables"].widget
    assert pane.model.table == "subscriptions"
    assert pane.table_list.currentItem().text(0) == "subscriptions"
    assert pane.current_filter().columns == {"service": "Spotify Family"}
    assert pane.model.row_key(pane.view.currentIndex().row()) == 1
    assert pane.model.column_name(pane.view.currentIndex().column()) == "service"


def test_rows_come_after_passages_that_match_closely(shell, qtbot, docs: Path, tmp_path: Path) -> None:
    shell.runner.ingest([str(docs)])
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0 and len(shell.library.model.rows) == 5, timeout=WAIT_MS)
    (tmp_path / "plants.csv").write_text("plant,sown,trays\nTomatoes,March,4\nBasil,April,2\nLeeks,May,3\n",
                                         encoding="utf-8")
    assert shell.runner.ws.tables.import_file(tmp_path / "plants.csv").status == "applied"
    _search(shell, qtbot, "tomatoes")
    shown = shell.search.results.toPlainText()
    assert shell.search.relevance is not None and shell.search.relevance.count
    assert shown.index("guide.md") < shown.index("Rows in your tables") < shown.index("plants · plant: Tomatoes")
    assert shell.search.status.text().endswith("; 1 row in your tables")


def test_a_search_with_no_rows_is_as_it_was(shell, qtbot, tmp_path: Path) -> None:
    _import(shell.runner.ws, tmp_path)
    _search(shell, qtbot, "zebra")
    assert not shell.search.rows
    shown = shell.search.results.toPlainText()
    assert "No passages match “zebra”" in shown and "Rows in your tables" not in shown


def test_rows_lead_when_no_passage_matches_closely_and_the_pane_says_so(qtbot) -> None:
    from grace_desktop.runner import Runner

    pane = SearchPane(Runner())
    qtbot.addWidget(pane)
    pane.rows_query = "spotify family"  # what search_now notes when it asks for the rows
    pane.show_rows("spotify family", [ROW])  # the rows come first, while the passages are sought
    assert pane.results.toPlainText().startswith("Rows in your tables")
    assert "Searching the passages…" in pane.results.toPlainText()
    near = SearchHit("/notes/recipes.md", 1, 0.4, None, 1, 2, "Food", "Family recipes for the holidays.")
    pane.show_results("spotify family", [near])  # holds "family" only: not a close match
    shown = pane.results.toPlainText()
    assert shown.index("Rows in your tables") < shown.index("No close passages — the nearest") < \
        shown.index("recipes.md")
    assert pane.status.text() == "No close passages for “spotify family”, but 1 row in your tables matches"
    far = SearchHit("/notes/music.md", 1, 0.1, None, 1, 2, "Music", "Jazz records from the fifties.")
    pane.show_results("spotify family", [far])  # holds no word of the query
    shown = pane.results.toPlainText()
    assert shown.index("Rows in your tables") < shown.index("No passage of your documents matches “spotify "
                                                            "family”: none has its words")
    assert "Nothing in your files" not in shown and "music.md" not in shown
    assert pane.status.text() == "1 row in your tables matches “spotify family”"


def test_activating_a_row_asks_for_its_table_once_per_row_shown(qtbot) -> None:
    from grace_desktop.runner import Runner

    pane = SearchPane(Runner())
    qtbot.addWidget(pane)
    pane.rows_query = "spotify"
    pane.show_rows("spotify", [ROW])
    requested: list[dict] = []
    pane.row_requested.connect(requested.append)
    assert pane.open_row(0) and requested == [ROW]
    assert not pane.open_row(1) and requested == [ROW]
