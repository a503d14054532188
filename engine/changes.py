"""What an operation changed, so the shell refreshes only the panes that care."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Changes:
    documents: bool = False
    chunks: bool = False
    queue: bool = False
    settings: bool = False
    watches: bool = False
    audit: bool = False
    tables: bool = False
    proposals: bool = False
    conversations: bool = False
    actions: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def any(self) -> bool:
        """True when anything changed."""
        return any(getattr(self, f.name) for f in fields(self))

    def names(self) -> list[str]:
        """The kinds of thing that changed."""
        return [f.name for f in fields(self) if getattr(self, f.name)]
