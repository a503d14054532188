"""What a search result's passage reads like: Markdown as text, tables as chat reads their rows."""

from __future__ import annotations

import re

import ui
from engine.search import SearchHit
from ui.search import SearchPane

BIKE = ("# Bike maintenance log\n\nTyre pressure is <b>4.5</b> bar & < 6 at the front.\n\n"
        "| Part | Interval | Last done |\n|------|----------|-----------|\n"
        "| Brake pads | 2000 km | 2025-03-14 |\n| Chain | 3000 km | 2025-01-20 |\n"
        "| Cassette & co | 9000 km | 2024-06-02 |\n\nThe brake pads were replaced in Utrecht.\n")


def shown(qtbot, query: str, text: str, path: str = "/notes/bike-maintenance.md") -> SearchPane:  # type: ignore[no-untyped-def]
    from grace_desktop.runner import Runner

    pane = SearchPane(Runner())
    qtbot.addWidget(pane)
    pane.show_results(query, [SearchHit(path, 1, 0.9, None, 1, 9, "Bike maintenance log", text)])
    return pane


def test_a_markdown_table_reads_as_rows_with_their_column_names(qtbot) -> None:
    pane = shown(qtbot, "brake pads interval", BIKE)
    text = pane.results.toPlainText()
    assert ("Tyre pressure is 4.5 bar & < 6 at the front. Part: Brake pads, Interval: 2000 km, Last done: 2025-03-14. "
            "Part: Chain, Interval: 3000 km, Last done: 2025-01-20. Part: Cassette & co, Interval: 9000 km, "
            "Last done: 2024-06-02. The brake pads were replaced in Utrecht.") in text  # "&", "<" escaped, not lost
    assert "|" not in text and "---" not in text
    html = pane.results.toHtml()
    assert re.search(r"font-weight:\d+;\">Brake</span> <span[^>]*font-weight:\d+;\">pads", html)  # the query's words
    assert re.search(r"font-weight:\d+;\">Interval</span>: 2000 km", html)


def test_rows_chat_does_not_read_stay_as_written_and_the_header_goes_only_with_its_rule() -> None:
    text = "| a | b |\n|---|---|\n| `x=1` | y |\n| Rope | 4 m |\n\nc | d\n:--|--:\n| Tent | 2 kg |\n"
    assert ui.table_rows_read(text) == "| `x=1` | y |\na: Rope, b: 4 m.\n\nc | d\n:--|--:\nTent, 2 kg.\n"
    assert ui.table_rows_read("No table | here.") == "No table | here."


def test_other_markdown_reads_as_text() -> None:
    text = ("### Setup\n\n> Quoted _advice_ and > a sign.\n\n```bash\necho hi\n```\n\n---\n"
            "Visit <https://example.com>, see [the guide][ref]; ~~old~~ new, a \\* star, 2*3*4, snake_case.\n"
            "[ref]: https://example.com/guide \"Guide\"\n[^1]: A footnote keeps its words.\n\nTitle\n=====\n")
    assert ui.markdown_words(text, "/d/setup.md") == (
        "Setup Quoted advice and > a sign. echo hi Visit https://example.com, see the guide; old new, a * star, "
        "2*3*4, snake_case. [^1]: A footnote keeps its words. Title")
    assert ui.markdown_words(text, "/d/setup.txt") == text  # not Markdown: as written


def test_a_docx_result_is_placed_by_paragraph(qtbot) -> None:
    hit = "Every full-time employee receives 25 days of paid annual leave."
    pane = shown(qtbot, "annual leave", hit, path="/notes/handbook.docx")
    place = pane.results.toPlainText().splitlines()[0]
    assert place.endswith("· paragraphs 1–9") and "line" not in place  # was "lines 1–9"
