"""The workspace folder the ``grace`` command is given: always absolute, never silently the default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import grace


def test_a_relative_grace_home_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRACE_HOME", "home-ws")
    out = grace("status", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["workspace"] == str(tmp_path / "home-ws")


def test_an_empty_workspace_option_is_an_error_not_the_default_folder(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRACE_HOME", str(tmp_path / "default-ws"))
    out = grace("--workspace", "", "status", "--json")
    assert out.returncode == 2 and "the workspace folder is empty" in out.stderr
    assert not (tmp_path / "default-ws").exists()


def test_a_command_that_finds_no_workspace_says_it_made_an_empty_one(tmp_path: Path) -> None:
    typo = tmp_path / "my-wrokspace"
    first = grace("--workspace", str(typo), "search", "anything", "--json")
    assert first.returncode == 0 and f"there was no workspace in {typo}" in first.stderr
    again = grace("--workspace", str(typo), "status", "--json")
    assert again.returncode == 0 and "no workspace" not in again.stderr
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("hello\n", encoding="utf-8")
    made = grace("--workspace", str(tmp_path / "new-ws"), "ingest", str(docs), "--json")
    assert made.returncode == 0 and "no workspace" not in made.stderr  # ingest is how one is made
