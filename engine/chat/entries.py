"""Who a line of notes is about: notes kept as an entry for each person.

A file of notes often gives each person a line or a block of their own: "**Lily Marsh** - broke
her wrist …", "- Tom Achebe: can't do Friday", or a dated line with indented lines under it
("4/11 Daniel Osei" over "  agreed: £227.50 on 30 November …"). A sentence of such an entry is
about that person, as an e-mail's sentences are its sender's words, though it need not say their
name: "when is daniel going to pay" is answered by the line under "4/11 Daniel Osei"."""

from __future__ import annotations

import re

from .words import MONTHS, WEEKDAYS

_NAME = r"[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+){0,2}"
# a line that opens with a name set apart from what follows: "**Lily Marsh** - …", "- Tom Achebe: …"
_NAMED_LINE = re.compile(rf"[ \t]*(?:[-*•][ \t]+)?(\*\*|__)?({_NAME})(?(1)\1)[ \t]*(?:[-–—:(]|$)")
_CAPITALISED = re.compile(r"\b[A-Z][a-z'’-]{2,}\b")
_HEAD_LINE = 60  # the line a block of indented lines is under is this short: a heading, not prose
_NOT_NAMES = frozenset(MONTHS) | frozenset(WEEKDAYS)


def entry_names(text: str, at: int, heading: str = "") -> tuple[list[str], bool]:
    """The words (lower case) of the name that heads the entry the character ``at`` of ``text`` is
    in: the name its line opens with, set apart; or, when its line is indented, the capitalised
    words of the short line above the block ("daniel", "osei" of "4/11 Daniel Osei"); else those
    of the passage's ``heading`` (a block that begins the passage is under it). With whether they
    are of that heading (a section's title names no one for sure: "Winter Recital")."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start:end if end >= 0 else len(text)]
    if m := _NAMED_LINE.match(line):
        return _name_words(m.group(2).split()), False
    for above in reversed(text[:start].splitlines() if line[:1].isspace() else []):
        if above[:1].isspace() and above.strip():
            continue  # the block's lines before this one
        return (_name_words(_CAPITALISED.findall(above)) if len(above) <= _HEAD_LINE else []), False
    return _name_words(_CAPITALISED.findall(heading)) if len(heading) <= _HEAD_LINE else [], True


def _name_words(words: list[str]) -> list[str]:
    return [w.lower() for w in words if w.lower() not in _NOT_NAMES]


def named_in_entry(question_words: list[str], names: list[str], people: frozenset[str],
                   titled: bool = False) -> set[str]:
    """The question's words that name the person an entry is about (``names``): a word of a name
    of two words or more ("lily" of Lily Marsh), or a name the tables write as a person's ("tom"
    of "Tom: …"; the only kind a section's title, ``titled``, can give); a label of one word
    ("Note: …", "Total: …") names no one."""
    if len(names) < 2 or titled:
        names = [n for n in names if n in people]
    return {w for w in question_words if len(w) >= 3 and w in names}
