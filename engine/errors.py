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


class SettingError(GraceError):
    """A setting's name or value is not acceptable."""
