"""The shell's layering rules: panes never touch storage or the model directly, and Qt is
imported through ``grace_desktop.qt`` only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORAGE = {"sqlalchemy", "sqlite3", "duckdb", "usearch", "onnxruntime", "tokenizers"}
QT = {"PySide6", "shiboken6"}
# ui/tables.py keeps a fallback import for a name grace_desktop.qt did not export before.
QT_FALLBACKS = {"tables.py"}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return [n.split(".")[0] for n in names]


def test_panes_never_import_storage_or_the_model() -> None:
    offenders = [f"{p.name}: {n}" for p in (ROOT / "ui").glob("*.py") for n in _imports(p) if n in STORAGE]
    assert offenders == []


def test_qt_is_imported_through_one_module() -> None:
    files = [p for p in (ROOT / "ui").glob("*.py") if p.name not in QT_FALLBACKS]
    files += [ROOT / "grace_desktop" / name for name in ("app.py", "runner.py", "appsettings.py")]
    offenders = [f"{p.name}: {n}" for p in files for n in _imports(p) if n in QT]
    assert offenders == []
