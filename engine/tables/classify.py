"""Zero-shot classification of prose documents into catalog tables, and field extraction.

A document's vector is the mean of its stored chunk embeddings (no model run);
each table's vector is the embedding of its description. Cosine similarity is
nudged by cues: the table's keywords in the path, headings and opening text, and
code files leaning to ``codebases``. Confidence grows with the margin between the
best table and the runner-up; when nothing fits, the ``notes`` table takes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from ..paths import cache_dir
from . import dateorder
from .domain import FALLBACK, DomainTable
from .values import _DATE_FORMATS, _NUMERIC_DATE

_CUE = 0.03  # per keyword found (at most five)
_PATH_CUE = 0.05
_CODE_CUE = 0.3  # a source file is a codebase row almost by definition
# A document whose text is not close to any table's description (below the policy's similarity)
# is filed by its words alone ("log" in "Bike maintenance log": a job log?): never confident enough
# to be approved by policy; the person decides.
WORDS_ONLY = 0.6
# A wide margin over the next table says little when the best one fits loosely too: rowing safety
# rules (similarity 0.31 to "ai_safety", far from everything else) were filed there at 0.99. Below
# this similarity, with fewer than three of the table's keywords, the person decides.
CLEAR_FIT = 0.40
CLEAR_MARGIN = 0.05  # a lead over the next table that a reason calls "well ahead"
LOOSE_FIT = 0.85  # the confidence of such a filing at most: below the policy's approval threshold


@dataclass
class Classification:
    table: str
    confidence: float
    reasons: list[str] = field(default_factory=list)
    scores: list[tuple[str, float]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


@dataclass
class DocText:
    """What is known of one ingested prose document."""

    path: str
    title: str
    text: str
    headings: list[str]
    vector: np.ndarray | None
    fmt: str | None = None


def load_doc(conn: Connection, path: str, content_hash: str, title: str | None, fmt: str | None) -> DocText:
    """The document's chunks (text, headings) and the mean of their stored embeddings."""
    rows = conn.execute(text("SELECT text, heading, embedding FROM chunks WHERE content_hash = :h ORDER BY ordinal"),
                        {"h": content_hash}).fetchall()
    vecs = [np.frombuffer(r[2], dtype=np.float16).astype(np.float32) for r in rows if r[2]]
    vector = None
    if vecs:
        mean = np.mean(np.vstack(vecs), axis=0)
        norm = float(np.linalg.norm(mean))
        vector = mean / norm if norm else None
    headings = list(dict.fromkeys(h for r in rows for h in r[1].split(" > ") if h))
    body = "\n".join(r[0] for r in rows)
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if not title and fmt != "code" and 0 < len(first) <= 120:
        title = first  # plain text: its first line is its title
    return DocText(path, title or (headings[0] if headings else name.rsplit(".", 1)[0]), body, headings, vector, fmt)


_VECTORS: dict[str, np.ndarray] = {}  # description embeddings, by model and text, for this process


def description_vectors(texts: list[str], embed: Callable[[list[str]], np.ndarray], model_id: str) -> np.ndarray:
    """Embeddings of the tables' descriptions, from memory, the cache folder, or the model (once)."""
    key = hashlib.sha256("\0".join([model_id, *texts]).encode("utf-8")).hexdigest()[:32]
    if key in _VECTORS:
        return _VECTORS[key]
    path = cache_dir() / "catalog" / f"descriptions-{key}.npy"
    vectors = None
    with contextlib.suppress(OSError, ValueError):
        vectors = np.load(path)
    if vectors is None or vectors.shape != (len(texts), 384):
        vectors = np.asarray(embed(texts), dtype=np.float32)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
    _VECTORS[key] = vectors
    return vectors


class Classifier:
    """Scores documents against the catalog's table descriptions."""

    def __init__(self, catalog: dict[str, DomainTable], embed: Callable[[list[str]], np.ndarray],
                 model_id: Callable[[], str]) -> None:
        self.catalog = catalog
        self._embed, self._model_id = embed, model_id
        self._names: list[str] = []
        self._matrix: np.ndarray | None = None

    def _tables(self) -> tuple[list[str], np.ndarray]:
        if self._matrix is None:
            self._names = list(self.catalog)
            texts = [self.catalog[n].embed_text() for n in self._names]
            self._matrix = description_vectors(texts, self._embed, self._model_id())
        return self._names, self._matrix

    def classify(self, doc: DocText, min_similarity: float) -> Classification:
        """The best table for ``doc`` with a confidence that reflects the margin over the next."""
        names, matrix = self._tables()
        if doc.vector is None:
            return Classification(FALLBACK, 0.3, ["the document has no text to compare, so it is filed as a note"])
        sims = matrix @ doc.vector
        cues = self._cues(doc)
        scored = sorted(((n, float(sims[i]) + cues.get(n, (0.0, []))[0]) for i, n in enumerate(names)),
                        key=lambda x: -x[1])
        (best, s1), (second, s2) = scored[0], scored[1]
        raw_best = float(sims[names.index(best)])
        found = cues.get(best, (0.0, []))[1]
        if raw_best < min_similarity and not found:
            why = f"No catalog table fits it well (the closest is {self._title(best)}): it is filed as a note."
            return Classification(FALLBACK, 0.5, [why], scored[:3], found)
        margin = s1 - s2
        confidence = float(np.clip(0.55 + 3.0 * margin + 0.6 * max(0.0, raw_best - 0.25), 0.05, 0.99))
        reasons = [self._closest(best, second, raw_best, margin)]
        if found:
            reasons.append(f"Words in it that point there: {', '.join(found[:6])}.")
        if _path_names(_lower_path(doc.path), best):
            reasons.append(f"Its folder or file name says {best.replace('_', ' ')}.")
        if min_similarity <= raw_best < CLEAR_FIT and len(found) < 3 and confidence > LOOSE_FIT:
            confidence = LOOSE_FIT
            reasons.append(f"Its text is only loosely like what {self._title(best)} holds, so it waits for you.")
        if raw_best < min_similarity:
            confidence = min(confidence, WORDS_ONLY)
            reasons.append(f"Its text is not like what {self._title(best)} holds: only its words suggest it.")
        return Classification(best, round(confidence, 3), reasons, scored[:3], found)

    def _title(self, name: str) -> str:
        """A table as the person reads its name: its title ("Business intelligence")."""
        return f"“{self.catalog[name].title}”"

    def _closest(self, best: str, second: str, similarity: float, margin: float) -> str:
        """Why ``best``, in words: how close the document is to what it holds, and how far ahead of
        the next table (the figures stay in the proposal's scores)."""
        how = "closely" if similarity >= CLEAR_FIT else "somewhat" if similarity >= 0.25 else "faintly"
        ahead = "well ahead of" if margin >= CLEAR_MARGIN else "just ahead of"
        return (f"It reads {how} like what {self._title(best)} holds, {ahead} {self._title(second)}, "
                "the next closest table.")

    def _cues(self, doc: DocText) -> dict[str, tuple[float, list[str]]]:
        head = " ".join([doc.title, *doc.headings, doc.text[:3000]]).lower()
        path = _lower_path(doc.path)
        out: dict[str, tuple[float, list[str]]] = {}
        for name, table in self.catalog.items():
            found = [k for k in table.keywords if re.search(rf"\b{re.escape(k)}\b", head)]
            bonus = _CUE * min(len(found), 5)
            if _path_names(path, name):
                bonus += _PATH_CUE
            if name == "codebases" and doc.fmt == "code":
                bonus += _CODE_CUE
            if bonus:
                out[name] = (bonus, found)
        return out


def _lower_path(path: str) -> str:
    return path.lower().replace("\\", "/")


def _path_names(path: str, table: str) -> bool:
    """True when the (lower-case) ``path`` holds a table's whole name ("runbooks/", "sops-2024"),
    not one word of it ("safety/" is no ai_safety)."""
    return any(w in path for w in {table, table.rstrip("s"), table.replace("_", "-"), table.replace("_", " ")})


# -- field extraction ----------------------------------------------------------------------


def extract_fields(table: DomainTable, doc: DocText, keywords: list[str],
                   date_orders: tuple[str | None, ...] = ()) -> dict[str, Any]:
    """Values for ``table``'s extracted fields found in ``doc`` (None where nothing is found); a
    numeric date either way round (03/04/2024) is read in the order the document's other dates
    show, else the first known of ``date_orders`` (``dateorder``)."""
    day_first = dateorder.settled(dateorder.order_of([doc.text]), *date_orders)[0] == dateorder.DAY
    out: dict[str, Any] = {}
    for f in table.fields:
        if f.extract == "title":
            value: Any = doc.title[:300]
        elif f.extract == "summary":
            value = _summary(doc)
        elif f.extract == "tags":
            value = ", ".join(keywords[:8]) or None
        elif f.extract == "date":
            value = _first_date(doc.text, day_first)
        elif f.extract in ("owner", "labeled"):
            value = _labeled(doc.text, [f.name.replace("_", " "), *f.aliases])
        elif f.extract in ("amount", "currency"):
            labeled = _labeled(doc.text, [f.name.replace("_", " "), *f.aliases])
            money = _money(labeled or "") or _money(doc.text)
            value = (money[0] if f.extract == "amount" else money[1]) if money else labeled
        else:
            continue
        out[f.name] = _coerce(value, f.type, day_first)
    return out


_LABELED_LINE = re.compile(r"^\s*[\w][\w /()-]{0,30}:\s+\S")


def _summary(doc: DocText, limit: int = 400) -> str | None:
    skip = {doc.title.strip(), *doc.headings}
    for block in re.split(r"\n\s*\n", doc.text):
        lines = [line for line in block.splitlines() if line.strip()]
        if lines and sum(bool(_LABELED_LINE.match(line)) for line in lines) > len(lines) / 2:
            continue  # "Owner: …" lines are fields, not prose
        para = " ".join(block.split())
        if len(para) < 40 or para in skip or para.startswith(("#", "|", "```")):
            continue
        sentences = re.split(r"(?<=[.!?])\s+", para)
        summary = " ".join(sentences[:2])
        return summary[:limit].rstrip() + ("…" if len(summary) > limit else "")
    return None


def _labeled(body: str, labels: list[str]) -> str | None:
    alts = "|".join(re.escape(label) for label in labels if label)
    match = re.search(rf"(?im)^[\s*_>#-]*(?:{alts})\s*[:=\u2013\u2014-]\s*(.+?)\s*$", body)
    return match.group(1).strip(" *_")[:200] if match else None


_CURRENCY = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}
_CODES = "EUR|USD|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN|INR|CNY"
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9}
_MONEY = re.compile(rf"(?:\b({_CODES})|([€$£¥]))\s?(\d[\d,]*(?:\.\d+)?)(?:\s?(thousand|million|billion|bn|mn|k|m)\b)?"
                    rf"|(\d[\d,]*(?:\.\d+)?)\s?(?:({_CODES})\b|([€$£¥]))")


def _money(body: str) -> tuple[float, str] | None:
    """The first amount written with a currency (code or symbol), as (amount, ISO code)."""
    match = _MONEY.search(body)
    if not match:
        return None
    number = match.group(3) or match.group(5)
    code = match.group(1) or match.group(6) or _CURRENCY.get(match.group(2) or match.group(7) or "", "")
    try:
        return float(number.replace(",", "")) * _SCALE.get((match.group(4) or "").lower(), 1.0), code
    except ValueError:
        return None


_DATE_IN_TEXT = re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|[A-Z][a-z]{2,8} \d{1,2}, \d{4}|"
                           r"\d{1,2} [A-Z][a-z]{2,8} \d{4})\b")


def _first_date(body: str, day_first: bool = False) -> str | None:
    for match in _DATE_IN_TEXT.finditer(body):
        parsed = _parse_date(match.group(1), day_first)
        if parsed:
            return parsed.isoformat()
    return None


def _parse_date(value: str, day_first: bool = False) -> dt.date | None:
    formats = [f for _, f in _DATE_FORMATS]
    if _NUMERIC_DATE.match(value):
        formats = ["%d/%m/%Y", "%m/%d/%Y"] if day_first else ["%m/%d/%Y", "%d/%m/%Y"]
    for fmt in formats:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _coerce(value: Any, type_name: str, day_first: bool = False) -> Any:
    """``value`` as ``type_name`` wants it, or None when it does not fit."""
    if value is None or type_name == "VARCHAR":
        return value
    s = str(value)
    if type_name in ("DOUBLE", "BIGINT", "INTEGER"):
        match = re.search(r"-?\d[\d,]*(?:\.\d+)?", s)
        if not match:
            return None
        number = float(match.group(0).replace(",", ""))
        return number if type_name == "DOUBLE" else int(number)
    if type_name == "DATE":
        parsed = _parse_date(s, day_first) if not re.match(r"^\d{4}-\d{2}-\d{2}$", s) else dt.date.fromisoformat(s)
        return parsed.isoformat() if parsed else None
    return s
