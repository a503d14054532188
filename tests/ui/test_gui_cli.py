"""``grace gui --exit-after-ready`` as a person (or a benchmark) runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from grace_desktop.qt import QImage

ROOT = Path(__file__).resolve().parents[2]


def test_gui_exit_after_ready_prints_ready_and_saves_a_screenshot(tmp_path: Path) -> None:
    shot = tmp_path / "out.png"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", "grace_desktop", "gui", "--workspace", str(tmp_path / "ws"),
                          "--exit-after-ready", "--screenshot", str(shot), "--pane", "library"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert re.fullmatch(r"ready \d+", out.stdout.strip()), out.stdout
    image = QImage(str(shot))
    assert not image.isNull() and image.width() > 400 and image.height() > 300
    assert (tmp_path / "ws" / "grace.sqlite").exists()  # `gui --workspace DIR` opened that folder


_PROBE = """
import sys
from grace_desktop.app import run_gui
code = run_gui(sys.argv[1], exit_after_ready=True)
print(sorted(m for m in ('pyqtgraph', 'watchdog', 'onnxruntime') if m in sys.modules))
sys.exit(code)
"""


def test_startup_leaves_heavy_modules_until_after_ready(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path / "ws")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    ready, loaded = out.stdout.strip().splitlines()
    assert ready.startswith("ready ") and loaded == "[]"


def test_gui_refuses_a_pane_it_does_not_have(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", "grace_desktop", "gui", "--workspace", str(tmp_path / "ws"),
                          "--exit-after-ready", "--pane", "bogus"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 2 and "ready" not in out.stdout
    assert "no pane called 'bogus'" in out.stderr and "chat" in out.stderr
