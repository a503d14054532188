"""``Store.remembered``: what a question reads of the tables is kept until the next write."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.tables.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "tables.duckdb")
    with s.write() as cur:
        cur.execute("CREATE TABLE t (x INTEGER)")
    yield s
    s.close()


def _count(store: Store) -> int:
    return int(store.cursor().execute("SELECT count(*) FROM t").fetchone()[0])


def test_a_value_is_computed_once_until_a_write(store: Store) -> None:
    calls = []

    def counted() -> int:
        calls.append(1)
        return _count(store)

    assert store.remembered("n", counted) == 0 and store.remembered("n", counted) == 0 and len(calls) == 1
    with store.write() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
    assert store.remembered("n", counted) == 1 and len(calls) == 2


def test_a_write_that_fails_forgets_too(store: Store) -> None:
    assert store.remembered("n", lambda: _count(store)) == 0
    with pytest.raises(RuntimeError), store.write() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        assert store.remembered("n", lambda: _count(store)) == 1  # the transaction's own view
        raise RuntimeError("undone")
    assert store.remembered("n", lambda: _count(store)) == 0  # not the rolled-back row


def test_a_value_read_while_a_write_ends_is_not_kept(store: Store) -> None:
    def racing() -> int:
        n = _count(store)
        with store.write() as cur:  # another writer commits while this is computed
            cur.execute("INSERT INTO t VALUES (1)")
        return n

    assert store.remembered("n", racing) == 0
    assert store.remembered("n", lambda: _count(store)) == 1
