"""Errors a person should read: each carries one plain sentence."""

from __future__ import annotations


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
