"""Whom a line of notes is about (engine.chat.entries)."""

from __future__ import annotations

import pytest

from engine.chat.entries import entry_names, named_in_entry

NOTES = ("**Lily Marsh** - broke her wrist on a trampoline.\n"
         "- Tom Achebe: can't do Friday\n"
         "Fees are payable termly in advance - see the invoice.\n"
         "4/11 Daniel Osei\n  can't pay autumn in one go\n  agreed: £227.50 on 30 November\n"
         "Note: bring the keys\n")


@pytest.mark.parametrize(("said", "names"), [
    ("broke her wrist", ["lily", "marsh"]),
    ("can't do Friday", ["tom", "achebe"]),
    ("are payable", []),  # a sentence's first word is no name set apart
    ("agreed: £227.50", ["daniel", "osei"]),  # an indented line under a short one that names them
    ("bring the keys", ["note"]),
])
def test_the_name_an_entry_opens_with_or_is_under(said: str, names: list[str]) -> None:
    assert entry_names(NOTES, NOTES.index(said))[0] == names


def test_a_block_that_begins_a_passage_is_under_its_heading() -> None:
    assert entry_names("can't pay autumn in one go", 0, "4/11 Daniel Osei") == (["daniel", "osei"], True)


def test_a_label_or_a_sections_title_names_only_the_tables_people() -> None:
    assert named_in_entry(["whats", "the", "note"], ["note"], frozenset()) == set()
    assert named_in_entry(["when", "is", "the", "winter", "recital"], ["winter", "recital"], frozenset(),
                          titled=True) == set()
    assert named_in_entry(["when", "is", "daniel", "paying"], ["daniel", "osei"], frozenset({"daniel"}),
                          titled=True) == {"daniel"}
    assert named_in_entry(["why", "did", "lily", "stop"], ["lily", "marsh"], frozenset()) == {"lily"}
