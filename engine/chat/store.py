"""Connections for the chat modules: reads on the workspace's pool, writes through its one writer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection

if TYPE_CHECKING:
    from ..workspace import Workspace


@contextmanager
def writing(ws: Workspace) -> Iterator[Connection]:
    """One write transaction under the workspace's write lock (audit entries go in it too)."""
    with ws._write_lock, ws._write_engine.begin() as conn:  # noqa: SLF001 - same package layer
        yield conn


@contextmanager
def reading(ws: Workspace) -> Iterator[Connection]:
    """A read connection from the pool (never waits for a writer, thanks to WAL)."""
    with ws._read_engine.connect() as conn:  # noqa: SLF001
        yield conn
