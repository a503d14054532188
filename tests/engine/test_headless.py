"""The engine imports and works with Qt and pyqtgraph unavailable (napari's headless rule)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_CHILD = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'pyqtgraph', 'shiboken6', 'ui', 'grace_desktop'}:
            raise ImportError(f'{name} is blocked in this test')
sys.meta_path.insert(0, Block())
from engine import Workspace
with Workspace(sys.argv[1]) as ws:
    ws.ingest([sys.argv[2]])
    hits = ws.search('watering tomatoes', k=1)
    assert hits and hits[0].path.endswith('guide.md'), hits
    assert not any(m.split('.')[0] in {'PySide6', 'pyqtgraph'} for m in sys.modules)
print('ok')
"""


def test_engine_works_with_qt_blocked(tmp_path: Path, docs: Path) -> None:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path / "ws"), str(docs)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_no_engine_module_imports_qt_or_the_shell() -> None:
    banned = {"PySide6", "pyqtgraph", "shiboken6", "ui", "grace_desktop"}
    offenders = []
    for path in (ROOT / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in banned]
    assert offenders == []
