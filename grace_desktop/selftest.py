"""``grace selftest``: prove that an installed (or frozen) Grace works end to end.

It ingests the bundled sample into a temporary workspace (never the person's),
searches it for a word known to belong to one sample document, checks that this
document is the top hit, and verifies the audit chain. Each step is a ``Check``;
the first failing step stops the run and its sentence says what went wrong.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine import Workspace
from engine.paths import resources_dir

TEXT_SUFFIXES = (".md", ".txt", ".rst")
WORD = re.compile(r"[A-Za-z]{6,}")
# Questions about the bundled sample that share no word with it: only the model can answer them.
MEANING_PROBES = [("amateur astronomy as a hobby", "stargazing-notes.txt"),
                  ("a homemade recipe from a bakery", "sourdough-basics.md")]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0


@dataclass
class SelfTestReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


class SelfTestFailed(Exception):
    """A step failed; the message is the sentence a person reads."""


def sample_dir() -> Path:
    """The bundled sample folder."""
    return resources_dir() / "sample"


def pick_probe(folder: Path) -> tuple[Path, str]:
    """A text document of ``folder`` and a word that occurs in it and in no other sample file.

    The first text document (by name) that has such a word is used; among its words
    the most frequent one wins, so the keyword and vector searches both favour it.
    """
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    words = {p: Counter(w.lower() for w in WORD.findall(p.read_text("utf-8", errors="replace"))) for p in files}
    for doc in [p for p in files if p.suffix.lower() in TEXT_SUFFIXES]:
        others = set().union(*(set(c) for p, c in words.items() if p != doc))
        unique = [(n, w) for w, n in words[doc].items() if w not in others]
        if unique:
            return doc, max(unique, key=lambda nw: (nw[0], len(nw[1]), nw[1]))[1]
    raise SelfTestFailed(f"The sample in {folder} has no text document with a word of its own to search for.")


def run_selftest(sample: Path | None = None, workspace: Path | None = None) -> SelfTestReport:
    """Run every check (stopping at the first failure) and return the report.

    ``sample`` defaults to the bundled sample; ``workspace`` to a temporary folder
    that is deleted afterwards.
    """
    report = SelfTestReport()
    folder = Path(os.path.abspath(sample or sample_dir()))  # the catalog stores absolute paths
    with tempfile.TemporaryDirectory(prefix="grace-selftest-") as tmp:
        try:
            _run_steps(report, folder, workspace or Path(tmp) / "workspace")
        except SelfTestFailed:
            pass
    return report


def _step(report: SelfTestReport, name: str, action: Callable[[], str]) -> None:
    """Run one check; record it; raise ``SelfTestFailed`` if it failed."""
    started = time.perf_counter()
    try:
        detail, ok = action(), True
    except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence in the report
        detail, ok = str(exc) or repr(exc), False
    report.checks.append(Check(name, ok, detail, round(time.perf_counter() - started, 3)))
    if not ok:
        raise SelfTestFailed(detail)


def _run_steps(report: SelfTestReport, folder: Path, ws_dir: Path) -> None:
    probe: dict[str, Any] = {}

    def sample() -> str:
        if not folder.is_dir():
            raise SelfTestFailed(f"The bundled sample folder {folder} is missing.")
        probe["doc"], probe["word"] = pick_probe(folder)
        return f"{sum(1 for p in folder.rglob('*') if p.is_file())} files in {folder}"

    _step(report, "sample", sample)
    with Workspace(ws_dir) as ws:
        _step(report, "model", lambda: _load_model(ws))
        _step(report, "ingest", lambda: _ingest(ws, folder))
        _step(report, "search", lambda: _search(ws, probe["word"], probe["doc"]))
        _step(report, "meaning", lambda: _meaning(ws, folder))
        _step(report, "audit", lambda: _audit(ws))
    _step(report, "qt", _qt)


def _load_model(ws: Workspace) -> str:
    ws.embedder.load()
    return f"{ws.embedder.model_id} loaded"


def _ingest(ws: Workspace, folder: Path) -> str:
    result = ws.ingest([str(folder)])
    if result.failed:
        first = result.failed[0]
        raise SelfTestFailed(f"{len(result.failed)} sample file(s) could not be read, e.g. {first['path']}: "
                             f"{first['reason']}.")
    if result.ingested == 0:
        raise SelfTestFailed(f"Nothing was ingested from {folder}.")
    return f"{result.ingested} documents, {result.chunks} passages in {result.seconds:.2f} s"


def _search(ws: Workspace, word: str, doc: Path) -> str:
    hits = ws.search(word, k=3)
    if not hits or hits[0].path != str(doc):
        top = hits[0].path if hits else "nothing"
        raise SelfTestFailed(f"Searching for {word!r} should find {doc.name} first, but found {top}.")
    return f"{word!r} finds {doc.name} first"


def _meaning(ws: Workspace, folder: Path) -> str:
    """Questions sharing no word with the sample find the right file: the vectors work."""
    text = " ".join(p.read_text("utf-8", errors="replace").lower() for p in folder.rglob("*") if p.is_file())
    asked = []
    for question, name in MEANING_PROBES:
        if not (folder / name).is_file() or any(w in text for w in re.findall(r"[a-z]{5,}", question)):
            continue
        hits = ws.search(question, k=3)
        if not hits or Path(hits[0].path).name != name:
            top = Path(hits[0].path).name if hits else "nothing"
            raise SelfTestFailed(f"Asking {question!r} should find {name} first, but found {top}: "
                                 "the embedding model does not seem to work.")
        asked.append(name)
    return f"{len(asked)} questions found {', '.join(asked)}" if asked else "skipped: no question known for this sample"


def _audit(ws: Workspace) -> str:
    audit = ws.verify_audit()
    if not audit.ok:
        raise SelfTestFailed(f"The audit log does not verify: {audit.reason}.")
    return f"{audit.entries} entries, chain intact"


def _qt() -> str:
    """The Qt modules the app imports at startup load (in a frozen app: they were bundled)."""
    from PySide6 import __version__

    from . import qt  # noqa: F401 - the one module every Qt import goes through

    return f"PySide6 {__version__}"


def format_report(report: SelfTestReport) -> str:
    """The report as a few lines of text for a terminal."""
    lines = [f"{'ok' if c.ok else 'FAILED':>6}  {c.name:<7} {c.detail} ({c.seconds:.2f} s)" for c in report.checks]
    verdict = "Grace self-test passed." if report.ok else f"Grace self-test FAILED: {report.checks[-1].detail}"
    return "\n".join([*lines, verdict])
