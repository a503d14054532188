"""Files that are versions of one another: "safety_rules_v1_2022.pdf" and "safety_rules_v2_2024.pdf",
"minutes_2024-05-14_DRAFT.md" and "minutes_2024-05-14.md".

Two files are versions of one document when their names are the same once versions, dates and
words such as "draft" or "final" are left out, and they differ in version ("v1", "v2") or, with
one date or none, one is a draft. Files that differ only in their dates are a series (each
meeting's minutes), not versions. An answer does not quote an older version where
the newer one says the same point (its sentence close in meaning) or has the same section (its
passage close in meaning): "Safety officer: Peadar Hughes" of 2022 gives way to "Safety officer:
Brian Geraghty" of 2024, and the answer says it left the older one out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import PurePath
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import text as sql_text

from .words import content_words

SAME_POINT = 0.75  # sentences at least this close in meaning say the same point (or contradict on it)
SAME_PASSAGE = 0.85  # passages this close are one section in two versions: the older one's sentences go
_SEP = r"[\s_.\-]"
_VERSION = re.compile(rf"(?:^|(?<={_SEP}))(?:v|ver|version|rev)[\s_.\-]?(\d+(?:[._]\d+)*)(?={_SEP}|$)", re.I)
_DATE = re.compile(rf"(?:^|(?<={_SEP}))((?:19|20)\d\d)(?:[\-_.]?(\d\d))?(?:[\-_.]?(\d\d))?(?={_SEP}|$)")
_DRAFT = re.compile(rf"(?:^|(?<={_SEP}))(draft|wip|old)(?={_SEP}|$)", re.I)
_STATE = re.compile(rf"(?:^|(?<={_SEP}))(?:final|new|latest|current|copy|signed|approved)(?={_SEP}|$)", re.I)


def family(path: str) -> str:
    """The name a file shares with its other versions ("safety rules"); "" when little is left."""
    stem = PurePath(path).stem
    for pattern in (_VERSION, _DATE, _DRAFT, _STATE):
        stem = pattern.sub(" ", stem)
    name = " ".join(re.split(rf"{_SEP}+", stem.lower())).strip()
    return name if sum(ch.isalpha() for ch in name) >= 3 else ""


def _marks(path: str) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None, bool]:
    name = PurePath(path).name
    version = _VERSION.search(name)
    date = _DATE.search(name)
    return (tuple(int(n) for n in re.split(r"[._]", version.group(1))) if version else None,
            tuple(int(n or 0) for n in date.groups()) if date else None,
            bool(_DRAFT.search(name)))


def newer(a: str, b: str) -> bool:
    """``a`` is a newer version of ``b``: the same family and a higher version ("v2"), or the same
    date (or none) and ``b`` is the draft."""
    if a == b or not family(a) or family(a) != family(b):
        return False
    (va, da, drafta), (vb, db, draftb) = _marks(a), _marks(b)
    if va is not None and vb is not None and va != vb:
        return va > vb
    if da != db:
        return False  # dated files of one name are a series (each meeting's minutes), not versions
    return draftb and not drafta


# "This document replaces the 2023 policy in full.", "Replaces the 2022 policy.": a file that says it
# replaces an older one of a year (not "it replaces…", which minutes say of another file)
_REPLACES = re.compile(r"(?:^|[.!?*_(]\s*|\bthis\s+[a-z]+\s+)(?:replaces|supersedes)\s+(?:and\s+\w+\s+)?"
                       r"(?:the|our|all)?\s*(?:previous|earlier|old|former)?\s*((?:19|20)\d\d)\s+([a-z]+)", re.I)

# "This renewal schedule replaces any schedule issued to you before.": no year, so the older files
# are those of the noun whose latest year is earlier than the newer file's
_REPLACES_ANY = re.compile(r"\b(?:replaces|supersedes)\s+(?:any|all|every)\s+"
                           r"(?:(?:previous|earlier|older|other|prior)\s+)?([a-z]+)\b[^.]{0,40}?"
                           r"\b(?:before|previously|earlier|prior to (?:it|this))\b", re.I)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

ASKS_OLD = re.compile(r"\b(?:old|older|previous|former|earlier|original|superseded|replaced|used to)\b", re.I)


def replacements(conn: Connection, paths: Sequence[str]) -> set[tuple[str, str]]:
    """(older, newer) pairs of ``paths`` where the newer file says it replaces the older one ("This
    policy replaces the 2023 policy"): the older shares a word of its name with the newer, and its
    name or text has the year and the word after it ("policy"); or, said without a year ("replaces
    any schedule issued to you before"), has the word and mentions no year as late as the newer
    file's latest. Files need not be named v1 and v2."""
    paths = list(dict.fromkeys(paths))
    if len(paths) < 2:
        return set()
    marks = ",".join(f":p{i}" for i in range(len(paths)))
    saying = conn.execute(sql_text(
        f"SELECT d.path, c.text FROM chunks c JOIN documents d ON d.content_hash = c.content_hash "
        f"WHERE d.path IN ({marks}) AND d.status = 'ok' AND (c.text LIKE '%replaces%' OR c.text LIKE '%supersedes%')"),
        {f"p{i}": p for i, p in enumerate(paths)}).all()
    said = {(new, m[1], m[2].lower()) for new, text in saying for m in _REPLACES.finditer(text)}
    pairs = {(old, new) for new, year, noun in said for old in paths
             if old != new and _name_words(old) & _name_words(new) and _holds(conn, old, year, noun)}
    before = {(new, re.sub(r"(?:ies|s)$", "", m[1].lower())) for new, text in saying  # "policies": "polic"
              for m in _REPLACES_ANY.finditer(text)}
    return pairs | {(old, new) for new, noun in before for old in paths
                    if old != new and _name_words(old) & _name_words(new) and _holds(conn, old, noun)
                    and _latest_year(conn, old) < _latest_year(conn, new)}


def _latest_year(conn: Connection, path: str) -> int:
    """The latest year the file's text mentions (0 when none)."""
    texts = conn.execute(sql_text("SELECT c.text FROM chunks c JOIN documents d ON d.content_hash = c.content_hash "
                                  "WHERE d.path = :p AND d.status = 'ok'"), {"p": path}).scalars()
    return max((int(y) for t in texts for y in _YEAR.findall(t)), default=0)


def _holds(conn: Connection, path: str, *words: str) -> bool:
    """Whether the file's name or text has every one of ``words``."""
    name = PurePath(path).stem.lower()
    return all(word in name or conn.execute(sql_text(
        "SELECT 1 FROM chunks c JOIN documents d ON d.content_hash = c.content_hash "
        "WHERE d.path = :p AND d.status = 'ok' AND c.text LIKE :w LIMIT 1"), {"p": path, "w": f"%{word}%"}).first()
        is not None for word in words)


def _name_words(path: str) -> set[str]:
    return {w for w in re.split(r"[^a-z]+", PurePath(path).stem.lower()) if len(w) > 3}


def superseded(ranked: Sequence[Any], replaced: Collection[tuple[str, str]] = frozenset()
               ) -> tuple[list[Any], list[tuple[str, str, float]]]:
    """``ranked`` (candidates with ``passage.hit.path``, ``score``, ``evidence`` and a unit ``vector``)
    without the sentences of an older version that a sentence of a newer version among them says too,
    best first, and for each (older, newer) pair of files that lost sentences so, the best score lost.
    The newer sentence that says the same point takes the older one's score and evidence where they
    are higher (the older file's passage may have ranked first), so the answer stays the point; so
    does one that says it again in words with another figure ("renewed every three years" of "…,
    renewed every five years")."""
    paths = list(dict.fromkeys(c.passage.hit.path for c in ranked))
    pairs = [(old, new) for old in paths for new in paths if newer(new, old) or (old, new) in replaced]
    if not pairs:
        return list(ranked), []
    dropped: set[int] = set()
    lost: dict[tuple[str, str], float] = {}
    for old, new in pairs:
        newest = [c for c in ranked if c.passage.hit.path == new]
        passages = {c.passage.n: c.passage.vector for c in newest}.values()
        for i, c in enumerate(ranked):
            if c.passage.hit.path != old:
                continue
            closeness = [float(c.vector @ n.vector) for n in newest]
            same = newest[closeness.index(max(closeness))]
            point = max(closeness) >= SAME_POINT
            whole = (old, new) in replaced  # a file that says it replaces another replaces all of it
            if point or whole or any(float(c.passage.vector @ v) >= SAME_PASSAGE for v in passages):
                dropped.add(i)
                lost[old, new] = max(lost.get((old, new), c.score), c.score)
            if point:
                same.score, same.evidence = max(same.score, c.score), max(same.evidence, c.evidence)
            if i in dropped:  # and a newer sentence saying it again in words, with another number
                for n in newest:  # ("Checks must be renewed every three years." of "…, renewed every five years.")
                    if _restates(n, c):
                        n.score, n.evidence = max(n.score, c.score), max(n.evidence, c.evidence)
    kept = [c for i, c in enumerate(ranked) if i not in dropped]
    return sorted(kept, key=lambda c: -c.score), [(o, n, s) for (o, n), s in lost.items()]


# A figure, in digits or words: what a restated sentence changes, and what a count is said by
FIGURE = re.compile(r"\d+(?:[.,]\d+)?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve)\b", re.I)


def _restates(new: Any, old: Any) -> bool:
    """Whether candidate ``new`` says ``old``'s point again with another figure: two thirds or more
    of its words (three or more) are ``old``'s, and its numbers differ."""
    a, b = (getattr(getattr(c, "sentence", None), "text", "") for c in (new, old))
    figures = {m.lower() for m in FIGURE.findall(a)}
    words = content_words(a) - content_words(" ".join(figures))
    shared = words & content_words(b)
    return len(shared) >= 3 and 3 * len(shared) >= 2 * len(words) and bool(figures) \
        and figures != {m.lower() for m in FIGURE.findall(b)}


def left_out(lost: list[tuple[str, str, float]], least: float,
             replaced: Collection[tuple[str, str]] = frozenset()) -> str:
    """The note an answer ends with: the older versions it did not quote though one of their
    sentences scored at least ``least`` (enough to be quoted), and why; "" when there are none."""
    shown = [(old, new) for old, new, score in lost if score >= least]
    notes = []
    if said := "; ".join(dict.fromkeys(f"{PurePath(old).name} (an older version of {PurePath(new).name})"
                                       for old, new in shown if (old, new) not in replaced)):
        notes.append(f"Not quoted where a newer version says the same: {said}.")
    if said := "; ".join(dict.fromkeys(f"{PurePath(old).name} ({PurePath(new).name} says it replaces it)"
                                       for old, new in shown if (old, new) in replaced)):
        notes.append(f"Not quoted, as replaced: {said}.")
    return " ".join(notes)
