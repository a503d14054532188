"""What a chat answer is made of: citations, proposed actions and the answer itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import GraceError
from ..extract import format_for

ABSTAIN_TEXT = "I could not find this in your files."


class EmptyQuestion(GraceError, ValueError):
    """A question with no words in it: nothing is asked, nothing is stored."""


@dataclass
class Citation:
    """One numbered source of an answer: a sentence quoted verbatim from a file."""

    n: int
    path: str
    page: int | None
    line_start: int | None
    line_end: int | None
    quote: str
    chunk_id: int
    trust: float = 1.0
    score: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def where(self) -> str:
        """'page 2, line 5' / 'lines 5-7' / 'paragraph 2' (a DOCX file): where the quote sits, for people."""
        return where(self.path, self.page, self.line_start, self.line_end)


def where(path: str, page: int | None, line_start: int | None, line_end: int | None) -> str:
    """Where a quote of ``path`` sits, for people: 'page 2, line 5', 'lines 5-7', 'paragraph 2'."""
    parts = []
    if page:
        parts.append(f"page {page}")
    if line_start is not None:
        same = line_end in (None, line_start)
        unit = line_unit(path, many=not same)
        parts.append(f"{unit} {line_start}" if same else f"{unit} {line_start}-{line_end}")
    return ", ".join(parts)


def line_unit(path: str, many: bool = False) -> str:
    """What the line numbers of a passage of ``path`` count: "line" ("lines" with ``many``), or
    "paragraph" in a DOCX file, whose extractor numbers its paragraphs: Word shows no lines to find."""
    unit = "paragraph" if format_for(Path(path)) == "docx" else "line"
    return unit + "s" if many else unit


@dataclass
class Action:
    """A proposed or executed action, as stored."""

    id: int
    type: str
    params: dict[str, Any]
    tier: int
    status: str  # pending, approved, rejected, executed, failed
    summary: str
    proposed_by: str
    session_id: int | None = None
    message_id: int | None = None
    reason: str | None = None
    result: Any = None
    error: str | None = None
    created_at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def brief(self) -> dict[str, Any]:
        """The fields the CLI prints: id, type, tier, status, summary."""
        return {"id": self.id, "type": self.type, "tier": self.tier, "status": self.status,
                "summary": self.summary}


@dataclass
class Draft:
    """What a reasoner returns before it is stored: text, citations, confidence, proposals."""

    text: str
    citations: list[Citation]
    confidence: float
    abstained: bool
    reasoner: str
    closest: list[Citation] = field(default_factory=list)
    proposals: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (type, params)
    fallback: str | None = None
    evidence: float = 0.0


@dataclass
class Answer:
    """A stored answer: the draft plus its session, message, trace and actions."""

    text: str
    confidence: float
    abstained: bool
    citations: list[Citation]
    actions: list[Action]
    session: int
    message_id: int
    trace_id: str
    reasoner: str
    fallback: str | None = None
    closest: list[Citation] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON shape (absolute paths)."""
        return {
            "answer": self.text,
            "confidence": round(self.confidence, 3),
            "abstained": self.abstained,
            "citations": [{"n": c.n, "path": c.path, "page": c.page, "line_start": c.line_start,
                           "line_end": c.line_end, "quote": c.quote} for c in self.citations],
            "actions": [a.brief() for a in self.actions],
            "session": self.session,
        }
