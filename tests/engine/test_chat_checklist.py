"""What is left on a to-do list: its open items (or its ticked ones), each quoted and cited."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace
from engine.chat.checklist import asked

HOUSE_LIST = """# House to-do

## This month
- [x] Pay the nursery deposit (£50) - done 10/03
- [ ] Book the boiler service with Kieran (last service 12 Oct 2024)
- [ ] Send the meter readings before 1 April
- [X] Renew the home insurance

## Sometime
- [ ] Sort the loft (the Christmas decorations box is broken)
- [ ] Get a quote for the fence panel blown down in the February storm
"""


def test_whats_left_quotes_every_open_item_and_only_those(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "TODO house.md").write_text(HOUSE_LIST, encoding="utf-8")
    old = tmp_path / "Old"
    old.mkdir()
    (old / "todo 2023.md").write_text("# To do\n\n- [ ] Paint the shed\n- [ ] Clear the gutters\n", encoding="utf-8")
    (tmp_path / "boiler.txt").write_text("The boiler is a Vaillant ecoTEC, serviced every October.\n")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("what's still left on my to do list")
    assert not answer.abstained
    quotes = [c.quote for c in answer.citations]
    assert quotes == ["[ ] Book the boiler service with Kieran (last service 12 Oct 2024)",
                      "[ ] Send the meter readings before 1 April",
                      "[ ] Sort the loft (the Christmas decorations box is broken)",
                      "[ ] Get a quote for the fence panel blown down in the February storm"]
    assert "Paint the shed" not in answer.text  # a list in a folder of old files gives way to the current one
    assert "*This month*" in answer.text and "*Sometime*" in answer.text and "(4 of 6)" in answer.text
    for c in answer.citations:  # the file's own words, on their line
        assert c.quote in Path(c.path).read_text().splitlines()[c.line_start - 1]
    done = ws.chat.ask("what have I ticked off the house todo?")
    assert [c.quote for c in done.citations] == ["[x] Pay the nursery deposit (£50) - done 10/03",
                                                 "[X] Renew the home insurance"]
    old_list = ws.chat.ask("what's left on the 2023 to-do list")  # named: the old one
    assert [c.quote for c in old_list.citations] == ["[ ] Paint the shed", "[ ] Clear the gutters"]
    one = ws.chat.ask("is the boiler service still on my to do list?")  # of one task: a question, not the list
    assert "Sort the loft" not in one.text


def test_a_question_about_one_task_is_answered_as_a_question() -> None:
    assert asked("What did I forget to do?") is None  # no list named
    assert asked("which tasks are not done yet").ticked is False  # type: ignore[union-attr]
    assert asked("which tasks did I finish").ticked is True  # type: ignore[union-attr]
