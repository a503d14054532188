"""The licence notices the packaged app carries (packaging/notices.py), checked without a build:
which distributions the collected files belong to, what is copied for them, and the index."""

from __future__ import annotations

import importlib.util
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_notices() -> ModuleType:
    """packaging/notices.py by its path: ``packaging`` is also pip's distribution of that name."""
    spec = importlib.util.spec_from_file_location("grace_notices", ROOT / "packaging" / "notices.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


notices = _load_notices()


def _one_file_of(dist: str, suffixes: tuple[str, ...]) -> str:
    return next(str(f) for f in metadata.distribution(dist).files or [] if str(f).endswith(suffixes))


def test_the_repository_has_the_apache_licence_that_pyproject_declares() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    assert 'license = "Apache-2.0"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_bundled_distributions_are_found_from_the_collected_modules_and_files() -> None:
    binary = _one_file_of("tokenizers", (".so", ".pyd"))
    found = notices.bundled_distributions(["onnxruntime.capi", "onnxruntime", "PySide6", "shiboken6", "os", "json"],
                                          [binary, "libz.so.1", "resources/model/tokenizer.json"])
    names = {notices.canonical(d.metadata["Name"]) for d in found}
    assert names == {"onnxruntime", "pyside6-essentials", "shiboken6", "tokenizers"}  # stdlib, system libs: none


def test_collect_copies_the_notices_of_what_is_bundled_and_writes_the_index(tmp_path: Path) -> None:
    datas, found = notices.collect(["onnxruntime", "PySide6", "shiboken6", "tokenizers", "usearch"], [],
                                   tmp_path / "out", grace_version="9.9.9")
    dests = {dest for dest, _ in datas}
    assert all(Path(src).is_file() for _, src in datas)
    assert {"licenses/README.txt", "licenses/grace-desktop/LICENSE", "licenses/grace-desktop/resources/model/NOTICE.md",
            "licenses/onnxruntime/onnxruntime/LICENSE", "licenses/onnxruntime/onnxruntime/ThirdPartyNotices.txt",
            "licenses/usearch/LICENSE", "licenses/pyinstaller/COPYING.txt"} <= dests
    assert not any(d.startswith(("licenses/torch/", "licenses/scipy/")) for d in dests)  # dev venv only

    index = (tmp_path / "out" / "README.txt").read_text(encoding="utf-8")
    assert index.startswith("Licences of the software in Grace Desktop 9.9.9")
    for name in ("onnxruntime", "usearch", "tokenizers", "pyinstaller"):
        assert f"{name} {metadata.version(name)}\n" in index
    assert f"pyside6-essentials {metadata.version('PySide6-Essentials')}\n    licence: LGPL-3.0-only" in index
    # PySide6's wheel (6.12 at least) ships no licence file: the index says so, and the LGPL text is added.
    pyside = next(n for n in found if n.name == "pyside6-essentials")
    assert any("GNU LESSER GENERAL PUBLIC LICENSE" in src.read_text(errors="replace") for _, src in pyside.files)
    if not notices.licence_files(metadata.distribution("PySide6-Essentials")):
        assert pyside.added == ["LGPL-3.0"] and "NO LICENCE FILE in the installed distribution" in pyside.line()
        assert {"licenses/pyside6-essentials/LGPL-3.0.txt", "licenses/pyside6-essentials/GPL-3.0.txt"} <= dests


def _fake_distribution(site: Path, name: str, files: dict[str, str], licence: str) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0\n"
                                   f"License-Expression: {licence}\n", encoding="utf-8")
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    record = [*files, f"{info.name}/METADATA", f"{info.name}/RECORD"]
    (info / "RECORD").write_text("".join(f"{r},,\n" for r in record), encoding="utf-8")


def test_a_distribution_without_a_licence_file_is_listed_not_skipped(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _fake_distribution(site, "bare", {"bare/__init__.py": ""}, "LicenseRef-Bare")
    _fake_distribution(site, "noted", {"noted/__init__.py": "", "noted/vendored/NOTICE": "vendored (c) X\n",
                                       "noted-1.0.dist-info/licenses/LICENSE": "MIT, noted\n",
                                       "noted/licenses.py": "code, not a licence\n"}, "MIT")
    _fake_distribution(site, "unused", {"unused/__init__.py": "", "unused-1.0.dist-info/licenses/LICENSE": "x\n"},
                       "MIT")
    datas, found = notices.collect(["bare", "noted.vendored", "noted"], [], tmp_path / "out", always=(),
                                   distributions=list(metadata.distributions(path=[str(site)])))
    by_name = {n.name: n for n in found}
    assert set(by_name) == {"grace-desktop", "python", "bare", "noted"}
    assert by_name["bare"].files == [] and not by_name["bare"].has_licence()
    assert [d for d, _ in by_name["noted"].files] == ["LICENSE", "noted/vendored/NOTICE"]
    assert "licenses/noted/noted/vendored/NOTICE" in {d for d, _ in datas}

    index = (tmp_path / "out" / "README.txt").read_text(encoding="utf-8")
    assert "bare 1.0\n    licence: LicenseRef-Bare\n    files:   NO LICENCE FILE FOUND" in index
    assert "Distributions whose wheel ships no licence file: bare." in index


@pytest.mark.parametrize(("stated", "key"), [("Apache Software License", "Apache-2.0"), ("Apache-2.0", "Apache-2.0"),
                                             ("LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only", "LGPL-3.0"),
                                             ("MIT", None), ("GPL-3.0-only", None)])
def test_standard_texts_are_added_only_for_licences_grace_carries(stated: str, key: str | None) -> None:
    assert notices._standard_key(stated) == key  # noqa: SLF001


def test_libraries_from_the_operating_system_are_named_in_the_index(tmp_path: Path) -> None:
    binary = _one_file_of("tokenizers", (".so", ".pyd"))
    source = str(metadata.distribution("tokenizers").locate_file(binary))
    libpython = str(Path(sys.base_prefix) / "lib" / "libpython3.so")
    binaries = [(binary, source), ("libX11.so.6", "/usr/lib/x86_64-linux-gnu/libX11.so.6"),
                ("libpython3.so", libpython)]
    assert notices.system_libraries(binaries) == ["libX11.so.6"]
    notices.collect(["tokenizers"], [binary], tmp_path, binaries=binaries)
    index = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "Not covered here: shared libraries" in index and "libX11.so.6." in index
