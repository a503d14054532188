"""The Search pane's pieces: highlighting, snippets, the debounce and the latest query winning."""

from __future__ import annotations

from pathlib import Path

from ui.search import highlight, query_words, snippet

WAIT_MS = 300_000  # generous: the real model (and tables) on a busy 2-core machine


def test_query_words_are_bolded_and_the_rest_is_escaped() -> None:
    words = query_words("How to water the tomatoes?")
    assert words == ["water", "tomatoes"]
    html = highlight("Tomatoes need <deep> watering & sun.", ["water", "tomatoes"])
    assert html == "<b>Tomatoes</b> need &lt;deep&gt; <b>watering</b> &amp; sun."


def test_a_long_passage_is_cut_around_its_first_match() -> None:
    text = "filler " * 200 + "the lighthouse keeper " + "more " * 200
    cut = snippet(text, ["lighthouse"], size=120)
    assert "lighthouse" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) <= 122


def test_typing_searches_after_a_pause_and_only_the_latest_query_answers(shell, qtbot, docs: Path) -> None:
    shell.runner.ingest([str(docs)])
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0 and len(shell.library.model.rows) == 5, timeout=WAIT_MS)
    answered: list[str] = []
    shell.runner.search_results.connect(lambda query, _hits: answered.append(query))
    for query in ("tyre", "tyre pressure", "bicycle tyre pressure"):
        shell.runner.search(query)  # each one supersedes the one before
    shell.search.query.setText("bicycle chain oil")  # typed: searched once typing pauses
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS,
                          check_params_cb=lambda query: query == "bicycle chain oil"):
        pass
    assert answered[-1] == "bicycle chain oil"
    assert not {"tyre", "tyre pressure"} & set(answered)  # superseded before they answered: never shown
    assert shell.search.hits[0].path.endswith("page.html")
    assert "page.html" in shell.search.results.toPlainText()


def test_no_results_says_so_in_a_sentence(shell, qtbot) -> None:
    shell.search.query.setText("zebra")
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS):
        shell.search.search_now()
    assert "No passages match “zebra”" in shell.search.results.toPlainText()
