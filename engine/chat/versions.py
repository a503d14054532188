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
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

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


def superseded(ranked: Sequence[Any]) -> tuple[list[Any], list[tuple[str, str, float]]]:
    """``ranked`` (candidates with ``passage.hit.path``, ``score``, ``evidence`` and a unit ``vector``)
    without the sentences of an older version that a sentence of a newer version among them says too,
    best first, and for each (older, newer) pair of files that lost sentences so, the best score lost.
    The newer sentence that says the same point takes the older one's score and evidence where they
    are higher (the older file's passage may have ranked first), so the answer stays the point."""
    paths = list(dict.fromkeys(c.passage.hit.path for c in ranked))
    pairs = [(old, new) for old in paths for new in paths if newer(new, old)]
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
            if point or any(float(c.passage.vector @ v) >= SAME_PASSAGE for v in passages):
                dropped.add(i)
                lost[old, new] = max(lost.get((old, new), c.score), c.score)
            if point:
                same.score, same.evidence = max(same.score, c.score), max(same.evidence, c.evidence)
    kept = [c for i, c in enumerate(ranked) if i not in dropped]
    return sorted(kept, key=lambda c: -c.score), [(o, n, s) for (o, n), s in lost.items()]


def left_out(lost: list[tuple[str, str, float]], least: float) -> str:
    """The note an answer ends with: the older versions it did not quote though one of their
    sentences scored at least ``least`` (enough to be quoted), and why; "" when there are none."""
    said = "; ".join(dict.fromkeys(f"{PurePath(old).name} (an older version of {PurePath(new).name})"
                                   for old, new, score in lost if score >= least))
    return f"Not quoted where a newer version says the same: {said}." if said else ""
