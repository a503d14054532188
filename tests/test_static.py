"""The conventions' "ruff and mypy clean" is checked here, so it holds for every change,
not only for the files someone remembered to check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing_to_fix() -> None:
    done = _run("ruff", "check", "--no-cache", "engine", "grace_desktop", "ui", "bench", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_no_type_errors(tmp_path: Path) -> None:
    done = _run("mypy", "--cache-dir", str(tmp_path), "engine", "grace_desktop", "ui")
    assert done.returncode == 0, done.stdout + done.stderr
