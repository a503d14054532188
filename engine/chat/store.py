"""Connections for the chat modules: reads on the workspace's pool, writes through its one writer.

A chat write is one short transaction on the workspace's single write connection (SQLite's
BEGIN IMMEDIATE: one writer at a time, each check and change inside one transaction). It
does not take the workspace's write lock, which an ingest holds for its whole run: a
question asked during an ingest is answered and kept at once, between the ingest's commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection

if TYPE_CHECKING:
    from ..workspace import Workspace


@contextmanager
def writing(ws: Workspace) -> Iterator[Connection]:
    """One write transaction (audit entries go in it too)."""
    with ws._write_engine.begin() as conn:  # noqa: SLF001 - same package layer
        yield conn


@contextmanager
def reading(ws: Workspace) -> Iterator[Connection]:
    """A read connection from the pool (never waits for a writer, thanks to WAL)."""
    with ws._read_engine.connect() as conn:  # noqa: SLF001
        yield conn
