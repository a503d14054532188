"""Errors a person should read: each carries one plain sentence."""

from __future__ import annotations

import difflib
import re


class GraceError(Exception):
    """Base of every error the engine raises on purpose; ``str()`` is the sentence."""


class Cancelled(GraceError):
    """Long work stopped because the caller asked it to."""

    def __init__(self, message: str = "The operation was cancelled.") -> None:
        super().__init__(message)


class IngestError(GraceError):
    """A file could not be read; the message says which and why."""


class AuditError(GraceError):
    """The audit chain does not verify."""


class ModelError(GraceError):
    """The embedding model is missing, damaged or cannot run."""


class WorkspaceError(GraceError):
    """A workspace folder or its catalog cannot be opened or written."""


def reason_of(exc: BaseException) -> str:
    """The plain reason inside an operating-system or database error."""
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    if isinstance(cause, OSError) and cause.strerror:
        where = f" ({cause.filename})" if cause.filename else ""
        return f"{cause.strerror.lower()}{where}"
    text = str(cause).split("\n", 1)[0]
    if "file is not a database" in text:
        return "its grace.sqlite is not a Grace catalog or is damaged (file is not a database)"
    return text


_KIND = re.compile(r"^[A-Z][A-Za-z ]* Error: ")
_NO_COLUMN = re.compile(r'Referenced column "(.+?)" not found in FROM clause!?')
_NO_FUNCTION = re.compile(r"(?:Scalar |Aggregate |Table )?Function with name (\S+) does not exist!?")
_CANDIDATES = re.compile(r'Candidate bindings: "([^"]+)"')
_MEANT = re.compile(r'Did you mean "([^"]+)"\?')


def in_words(exc: BaseException, limit: int = 300) -> str:
    """A library's error as words for a person: its first line without the error's kind (DuckDB's
    "Binder Error: "), an unknown column or function named plainly with the close match offered
    instead, or the hint that follows ("Either add it to the GROUP BY list"); at most ``limit``
    characters."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    head, *rest = [line.strip() for line in text.splitlines() if line.strip()]
    head = _KIND.sub("", head)
    meant = next((m.group(1) for line in rest[:2] for m in [_CANDIDATES.match(line) or _MEANT.match(line)] if m), None)
    if column := _NO_COLUMN.search(head):
        head, wrong = f'there is no column "{column.group(1)}"', column.group(1)
    elif function := _NO_FUNCTION.search(head):
        head, wrong = f"there is no function {function.group(1)}()", function.group(1)
    else:
        head = head.rstrip("!")
        hint = rest[0] if rest and rest[0].startswith("Either ") else ""
        return (f"{head} {hint}" if hint else head)[:limit]
    close = meant and difflib.get_close_matches(wrong.lower(), [meant.lower()], cutoff=0.6)  # not "a" for "b"
    return (f'{head}; did you mean "{meant}"?' if close else head)[:limit]


class SettingError(GraceError):
    """A setting's name or value is not acceptable."""


class NotApproved(GraceError):
    """An action or change was asked to run without the approval its tier or policy needs.

    When the change was kept as a pending proposal, ``proposal_id`` names it and
    ``changes`` says what did change (the new proposal), so the shell can refresh
    the approvals pane.
    """

    def __init__(self, message: str, proposal_id: int | None = None, changes: object | None = None) -> None:
        super().__init__(message)
        self.proposal_id = proposal_id
        self.changes = changes


class PolicyViolation(GraceError):
    """A request goes against the workspace's policy; the message says which rule."""


class TableError(GraceError):
    """A table operation could not be done; the message says what and why."""
