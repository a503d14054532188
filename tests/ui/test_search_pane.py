"""The Search pane's pieces: highlighting, snippets, the debounce and the latest query winning."""

from __future__ import annotations

import os
from pathlib import Path

import ui
from engine.search import SearchHit
from grace_desktop.qt import QApplication, QPalette, Qt
from ui import theme
from ui.search import SearchPane, highlight, query_words, snippet

WAIT_MS = 300_000  # generous: the real model (and tables) on a busy 2-core machine


def test_query_words_are_bolded_and_the_rest_is_escaped() -> None:
    words = query_words("How to water the tomatoes?")
    assert words == ["water", "tomatoes"]
    html = highlight("Tomatoes need <deep> watering & sun.", ["water", "tomatoes"])
    assert html == "<b>Tomatoes</b> need &lt;deep&gt; <b>watering</b> &amp; sun."


def test_bold_and_snippets_match_words_as_the_index_splits_and_stems_them() -> None:
    assert highlight("Use the node:worker_threads module.", query_words("threads")) == \
        "Use the node:worker_<b>threads</b> module."  # the index splits on "_"
    assert highlight("ストリーム処理の例", query_words("処理")) == "ストリーム<b>処理</b>の例"  # inside a CJK run
    assert highlight("It compresses; compression", query_words("compressed")) == \
        "It <b>compresses</b>; <b>compression</b>"  # porter: the stem "compress"
    assert highlight("We support it", query_words("port")) == "We support it"  # not inside a word
    text = "We support many platforms. " + "filler text here. " * 30 + "Open the port 8080 to connect."
    assert "port 8080" in snippet(text, query_words("port"))  # centred on the word, not on "support"


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


def test_a_query_nothing_matches_says_so_and_shows_the_nearest_when_asked_by_keyboard(shell, qtbot,
                                                                                      docs: Path) -> None:
    shell.runner.ingest([str(docs)])
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0 and len(shell.library.model.rows) == 5, timeout=WAIT_MS)
    shell.search.query.setText("qwzx florbig")
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS):
        shell.search.search_now()
    shown = shell.search.results.toPlainText()
    assert "Nothing in your files matches “qwzx florbig”" in shown and "guide.md" not in shown
    assert shell.search.hits  # kept, behind the link
    shell.search.results.setFocus()
    qtbot.keyClick(shell.search.results, Qt.Key.Key_Tab)  # to the link "Show the … nearest passages anyway"
    qtbot.keyClick(shell.search.results, Qt.Key.Key_Return)
    shown = shell.search.results.toPlainText()
    assert "Nothing in your files matches “qwzx florbig” — the nearest passages are shown below." in shown
    assert all(os.path.basename(hit.path) in shown for hit in shell.search.hits)


def test_results_that_are_only_near_the_query_are_greyed_where_they_rank(shell, qtbot, docs: Path) -> None:
    shell.runner.ingest([str(docs)])
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0 and len(shell.library.model.rows) == 5, timeout=WAIT_MS)
    shell.search.query.setText("tomatoes watering")
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS):
        shell.search.search_now()
    hits, rel = shell.search.hits, shell.search.relevance
    assert "Tomatoes need full sun" in hits[0].text and rel is not None and rel.matches[0]
    assert not rel.matches[[Path(h.path).name for h in hits].index("notes.txt")]  # the budget meeting
    near = len(hits) - rel.count
    assert near > 0 and shell.search.status.text() == (f"{rel.count} close match{'es' * (rel.count > 1)} for "
                                                       f"“tomatoes watering”; the {near} greyed passages are "
                                                       "only near it")
    shown = shell.search.results.toPlainText()
    assert shown.count("not a close match") == near and "No close matches" not in shown


def test_the_status_line_says_when_a_search_stopped_at_its_limit_and_shows_the_query_as_typed(
        shell, qtbot, docs: Path) -> None:  # type: ignore[no-untyped-def]
    shell.runner.ingest([str(docs)])
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0 and len(shell.library.model.rows) == 5, timeout=WAIT_MS)
    shell.runner.ws.set_setting("search_k", 2)
    shell.search.query.setText("tomatoes <b>watering</b>")
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS):
        shell.search.search_now()
    assert len(shell.search.hits) == 2
    status = shell.search.status
    assert status.textFormat() == Qt.TextFormat.PlainText and "“tomatoes <b>watering</b>”" in status.text()
    assert status.text().endswith("(the best 2; Settings ▸ Search results shows more)"), status.text()
    pasted = "tomatoes watering\n" + "how often should the beds be watered in a dry summer " * 40
    shell.search.query.setText(pasted)  # a pasted paragraph is not echoed whole
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS):
        shell.search.search_now()
    assert "“tomatoes watering how often should the beds be watered in a dry summer how…”" in status.text()
    assert len(status.text()) < 200


def test_down_from_the_box_lands_on_the_first_result_and_enter_opens_it(shell, qtbot, docs: Path,
                                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ui

    opened: list[str] = []
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    shell.runner.ingest([str(docs)])
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0 and len(shell.library.model.rows) == 5, timeout=WAIT_MS)
    shell.window.activateWindow()
    qtbot.waitUntil(lambda: shell.window.isActiveWindow(), timeout=WAIT_MS)
    shell.window.go_to_pane("search")
    qtbot.keyClicks(shell.search.query, "tomatoes watering")
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS):
        shell.search.search_now()
    qtbot.keyClick(shell.search.query, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is shell.search.results
    assert shell.search.results.textCursor().hasSelection()  # the first result's link, not an empty landing
    qtbot.keyClick(shell.search.results, Qt.Key.Key_Return)
    assert opened and opened[0] == shell.search.hits[0].path
    shell.search.query.setFocus()
    shell.search.results.setTextCursor(shell.search.results.cursorForPosition(shell.search.results.rect().topLeft()))
    qtbot.keyClick(shell.search.query, Qt.Key.Key_Tab)  # Tab too lands on the first result, in one press
    assert QApplication.focusWidget() is shell.search.results and shell.search.results.textCursor().hasSelection()


def test_a_failed_search_says_why_instead_of_searching_forever(shell, qtbot, monkeypatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(shell.runner.ws, "search", broken)
    shell.search.query.setText("streams")
    with qtbot.waitSignal(shell.runner.error, timeout=WAIT_MS):
        shell.search.search_now()
    assert "Searching" not in shell.search.status.text()
    assert "The search for “streams” failed: disk I/O error." in shell.search.results.toPlainText()


def test_a_search_after_the_model_failed_to_load_says_so(qtbot, ws, monkeypatch) -> None:
    from grace_desktop.app import Shell

    def corrupt(*_args: object) -> None:
        raise OSError("model file is corrupt")

    monkeypatch.setattr(ws.embedder, "load", corrupt)
    monkeypatch.setattr(ws.embedder, "embed_query", corrupt)
    shell = Shell(workspace=ws, allow_modal=False)
    qtbot.addWidget(shell.window)
    shell.start()
    qtbot.waitUntil(lambda: shell.is_ready, timeout=WAIT_MS)
    try:
        shell.search.query.setText("worker threads")
        with qtbot.waitSignal(shell.runner.error, timeout=WAIT_MS,
                              check_params_cb=lambda sentence, _user: "searching" in sentence):
            shell.search.search_now()  # the model loads first, and fails
        assert shell.runner.model == "failed" and not shell.search.status.text()
        assert ("the search model could not load (model file is corrupt)"
                in shell.search.results.toPlainText())
    finally:
        shell.runner.shutdown(timeout_ms=600_000)


def test_a_result_whose_file_is_gone_says_so_when_clicked(shell, qtbot, docs: Path, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url.toString()) or True)
    shell.runner.ingest([str(docs)])
    qtbot.waitUntil(lambda: shell.runner.queue_length == 0 and len(shell.library.model.rows) == 5, timeout=WAIT_MS)
    shell.search.query.setText("tomatoes watering")
    with qtbot.waitSignal(shell.search.results_shown, timeout=WAIT_MS):
        shell.search.search_now()
    n = next(i for i, hit in enumerate(shell.search.hits) if hit.path.endswith("guide.md"))
    (docs / "guide.md").unlink()
    assert not shell.search.open_hit(n) and not opened
    assert shell.search.status.text().replace("\u200b", "") == ("“guide.md” no longer exists (it was moved or "
                                                               "deleted since Grace read it).")


def test_results_and_status_take_the_dark_colours_when_the_system_switches(qtbot, monkeypatch) -> None:
    from grace_desktop.runner import Runner

    pane = SearchPane(Runner())
    qtbot.addWidget(pane)
    pane.show()
    hit = SearchHit("/notes/garden.md", 1, 0.9, None, 3, 4, "Tomatoes", "Tomatoes need deep watering.")
    pane.show_results("tomatoes", [hit])
    assert theme.colors()["muted"] in pane.results.toHtml()
    app = QApplication.instance()
    monkeypatch.setattr(theme, "is_dark", lambda: True)
    try:
        app.setPalette(theme.palette(True))  # what the handler of the system's scheme change does
        dark = theme.colors()["muted"]
        qtbot.waitUntil(lambda: dark in pane.results.toHtml(), timeout=10_000)
        assert pane.status.palette().color(QPalette.ColorRole.WindowText).name() == dark
    finally:
        monkeypatch.undo()
        app.setPalette(theme.palette(False))


def test_a_markdown_passage_is_shown_without_its_markers(qtbot) -> None:
    from grace_desktop.runner import Runner

    pane = SearchPane(Runner())
    qtbot.addWidget(pane)
    text = "Choose **File ▸ Add files…** or see [the guide](guide.md); *watched folders* keep my_var_name."
    hits = [SearchHit(path, n, 0.9, None, 1, 1, "Adding", text) for n, path in enumerate(("/d/a.md", "/d/b.py"))]
    pane.show_results("add files", hits)
    shown = pane.results.toPlainText()
    assert "Choose File ▸ Add files… or see the guide; watched folders keep my_var_name." in shown
    assert text in shown  # a file that is not Markdown is shown as written
