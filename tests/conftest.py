"""Shared fixtures: one real embedding model per session, fresh workspaces per test,
and no test ever touches the real user profile."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from engine import Workspace
from engine.embed import Embedder

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_profile(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GRACE_HOME", str(home / "workspace"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("GRACE_CACHE", os.environ.get("GRACE_TEST_CACHE", str(_session_cache(tmp_path_factory))))


def _session_cache(factory: pytest.TempPathFactory) -> Path:
    """One cache (the prepared model variant) per run, inside pytest's own temporary
    folder, which pytest prunes to the last three runs (a ``mkdtemp`` here left 22 MB in
    the system's temporary folder after every run)."""
    cache = factory.getbasetemp() / "cache"
    cache.mkdir(exist_ok=True)
    return cache


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The real model, loaded once for the whole run."""
    e = Embedder(cache_dir=_session_cache(tmp_path_factory) / "models")
    e.load()
    return e


@pytest.fixture(scope="session")
def _empty_workspace(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    folder = tmp_path_factory.mktemp("empty-workspace")
    Workspace(folder, embedder).close()
    return folder


@pytest.fixture
def ws_dir(tmp_path: Path, _empty_workspace: Path) -> Path:
    """A fresh workspace folder, copied from one built once per session."""
    folder = tmp_path / "ws"
    shutil.copytree(_empty_workspace, folder)
    return folder


@pytest.fixture
def ws(ws_dir: Path, embedder: Embedder):  # type: ignore[no-untyped-def]
    workspace = Workspace(ws_dir, embedder)
    yield workspace
    workspace.close()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A small folder of real documents in several formats."""
    root = tmp_path / "docs"
    root.mkdir()
    (root / "guide.md").write_text(
        "# Gardening guide\n\nThis guide covers vegetables and herbs.\n\n"
        "## Tomatoes\n\nTomatoes need full sun and deep watering twice a week.\n"
        "Stake the plants when they reach knee height.\n\n"
        "## Basil\n\nBasil grows best in warm soil; pinch the flowers to keep leaves coming.\n",
        encoding="utf-8",
    )
    (root / "notes.txt").write_text(
        "Meeting notes\n\nThe quarterly budget review moved to Thursday at 3 pm.\n\n"
        "Alice will send the revised invoice to the supplier in Lyon.\n", encoding="utf-8")
    (root / "code.py").write_text(
        "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n"
        "    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n", encoding="utf-8")
    sub = root / "sub"
    sub.mkdir()
    (sub / "page.html").write_text(
        "<html><head><title>Bicycle care</title></head><body><h1>Bicycle care</h1>"
        "<p>Oil the chain every 300 kilometres and after riding in rain.</p>"
        "<h2>Tyres</h2><p>Check tyre pressure weekly; road tyres want 6 to 8 bar.</p></body></html>",
        encoding="utf-8")
    (root / "sales.csv").write_text("region,amount\nnorth,10\nsouth,20\n", encoding="utf-8")
    return root
