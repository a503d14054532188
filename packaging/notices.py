"""The licence notices that go into the frozen app's ``licenses/`` folder (used by grace.spec).

Which distributions are bundled is read from PyInstaller's analysis, not from a hand-kept list:
every module, binary and data file it collected is looked up in the ``RECORD`` of the installed
distributions (``importlib.metadata``), so a new dependency brings its notices by itself.
For each bundled distribution this takes the licence files it installed:

- everything under ``*.dist-info/licenses/`` (PEP 639), the ``License-File`` entries and
  licence-like files at the top of ``*.dist-info/``, and ``*.dist-info/sboms/`` (PEP 770);
- licence-like files inside the package itself (onnxruntime's ``LICENSE`` and
  ``ThirdPartyNotices.txt``, numpy's vendored libraries, ...).

A distribution whose wheel ships no licence file is listed in ``README.txt`` as such. Where its
metadata names a licence whose standard text Grace carries (Apache-2.0: the repository's
LICENSE; LGPL-3.0: ``packaging/licenses/``, e.g. for PySide6 and shiboken6, whose wheels ship
none), that text is added and the index says it was added by Grace's build.
"""

from __future__ import annotations

import re
import sys
import sysconfig
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Files that are licences, notices or the author lists BSD-style licences refer to.
_NOTICE_NAME = re.compile(r"^(licen[cs]es?|copying|copyright|notices?|authors|patents|thirdpartynotices"
                          r"|third[-_]party[-_]notices)\b", re.IGNORECASE)
_NOTICE_ANYWHERE = re.compile(r"licen[cs]e|copying|notice", re.IGNORECASE)
_TEXT_SUFFIXES = {"", ".txt", ".md", ".rst", ".html", ".htm"}
_CODE_SUFFIXES = {".py", ".pyi", ".pyc", ".so", ".pyd", ".dll", ".dylib", ".h", ".c", ".cpp", ".json", ".js"}

# Standard texts for distributions that ship none; keyed by what their metadata says.
_STANDARD_TEXTS: dict[str, list[Path]] = {
    "Apache-2.0": [ROOT / "LICENSE"],
    "LGPL-3.0": [HERE / "licenses" / "LGPL-3.0.txt", HERE / "licenses" / "GPL-3.0.txt"],  # LGPL-3 is GPL-3 + terms
}


@dataclass
class Notice:
    """One distribution (or Python, or Grace itself) and the files copied for it."""

    name: str  # folder under licenses/
    version: str
    licence: str
    files: list[tuple[str, Path]] = field(default_factory=list)  # (path under licenses/<name>/, source)
    added: list[str] = field(default_factory=list)  # standard texts added because the wheel has none

    def has_licence(self) -> bool:
        """Whether a licence text was found (an SBOM alone lists licences but is not one)."""
        return any(not dest.startswith("sboms/") for dest, _ in self.files)

    def line(self) -> str:
        count = f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}"
        if self.added:
            where = (f"NO LICENCE FILE in the installed distribution; {self.name}/ ({count}) holds the "
                     f"standard {' and '.join(self.added)} text, added by Grace's build")
        elif not self.has_licence():
            where = "NO LICENCE FILE FOUND in the installed distribution" + (f" ({count} in {self.name}/)"
                                                                             if self.files else "")
        else:
            where = f"{self.name}/ ({count})"
        return f"{self.name} {self.version}\n    licence: {self.licence}\n    files:   {where}"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _field(meta: metadata.PackageMetadata, key: str) -> str:
    """One metadata field, "" if absent (``meta[key]`` warns, and will raise, when it is missing)."""
    values = meta.get_all(key) or []
    return str(values[0]).strip() if values else ""


def licence_name(dist: metadata.Distribution) -> str:
    """The licence as the metadata states it: License-Expression, else License, else classifiers."""
    meta = dist.metadata
    expression = _field(meta, "License-Expression")
    if expression:
        return expression
    text = _field(meta, "License")
    if text and "\n" not in text and len(text) <= 200:
        return text
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    if classifiers:
        return " / ".join(classifiers)
    return f"{text.splitlines()[0][:80]}..." if text else "not stated in the metadata"


def _standard_key(licence: str) -> str | None:
    if re.search(r"LGPL-3\.0|LGPLv3|Lesser General Public License v3", licence):
        return "LGPL-3.0"
    if re.search(r"Apache-2\.0|Apache Software License|Apache 2\.0|Apache License 2\.0", licence):
        return "Apache-2.0"
    return None


def _is_notice(path: PurePosixPath) -> bool:
    name = path.name
    if path.suffix.lower() in _CODE_SUFFIXES:
        return False
    if _NOTICE_NAME.match(name):
        return True
    return bool(_NOTICE_ANYWHERE.search(name)) and path.suffix.lower() in _TEXT_SUFFIXES


def _rel(path: metadata.PackagePath) -> PurePosixPath:
    return PurePosixPath(str(path).replace("\\", "/"))


def licence_files(dist: metadata.Distribution) -> list[tuple[str, Path]]:
    """(path under the distribution's folder, source) for every licence file it installed."""
    declared = set(dist.metadata.get_all("License-File") or [])
    found: dict[str, Path] = {}
    for entry in dist.files or []:
        rel = _rel(entry)
        if ".." in rel.parts or "__pycache__" in rel.parts:
            continue
        meta_dir = rel.parts[0].endswith((".dist-info", ".egg-info"))
        inner = PurePosixPath(*rel.parts[1:]) if len(rel.parts) > 1 else None
        if meta_dir and inner is not None:
            if inner.parts[0] == "licenses" and len(inner.parts) > 1:
                dest = str(PurePosixPath(*inner.parts[1:]))
            elif inner.parts[0] == "sboms" and len(inner.parts) > 1:
                dest = str(inner)
            elif str(inner) in declared or (len(inner.parts) == 1 and _is_notice(inner)):
                dest = str(inner)
            else:
                continue
        elif not meta_dir and _is_notice(rel):
            dest = str(rel)  # e.g. onnxruntime/ThirdPartyNotices.txt, kept with its package path
        else:
            continue
        source = Path(str(entry.locate()))
        if dest not in found and source.is_file():
            found[dest] = source
    return sorted(found.items())


def _module_paths(module: str) -> tuple[str, str]:
    base = module.replace(".", "/")
    return f"{base}.py", f"{base}/__init__.py"


def _owners(distributions: Iterable[metadata.Distribution]) -> dict[str, metadata.Distribution]:
    """Every installed file (path relative to site-packages, as in RECORD) -> its distribution."""
    owner: dict[str, metadata.Distribution] = {}
    seen: set[str] = set()
    for dist in distributions:
        name = canonical(dist.metadata["Name"] or "")
        if not name or name in seen:  # the first one on sys.path wins, as for imports
            continue
        seen.add(name)
        for entry in dist.files or []:
            rel = str(_rel(entry))
            if not rel.startswith("../"):
                owner.setdefault(rel, dist)
    return owner


def bundled_distributions(modules: Iterable[str], files: Iterable[str],
                          distributions: Iterable[metadata.Distribution] | None = None,
                          ) -> list[metadata.Distribution]:
    """The installed distributions that own any of ``modules`` (dotted names of collected Python
    modules) or ``files`` (paths inside the app, relative to its contents folder), by their RECORD."""
    owner = _owners(distributions if distributions is not None else metadata.distributions())
    wanted = [p for m in modules for p in _module_paths(m)] + [f.replace("\\", "/") for f in files]
    hits: dict[str, metadata.Distribution] = {}
    for key in wanted:
        found = owner.get(key)
        if found is not None:
            hits.setdefault(canonical(found.metadata["Name"] or ""), found)
    return [hits[n] for n in sorted(hits)]


def system_libraries(binaries: Iterable[tuple[str, str]],
                     distributions: Iterable[metadata.Distribution] | None = None) -> list[str]:
    """Shared libraries (dest, source) that no distribution installed and that are not Python's
    own: what PyInstaller copied from the build machine's operating system (on Linux, libX11,
    libcrypto, ...). Their licences are not in the app; the index names them so the gap shows."""
    owner = _owners(distributions if distributions is not None else metadata.distributions())
    python_homes = {Path(p).resolve() for p in (sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix)}
    found = set()
    for dest, src in binaries:
        source = Path(src).resolve()
        if dest.replace("\\", "/") in owner or any(source.is_relative_to(h) for h in python_homes):
            continue
        if source.is_relative_to(ROOT):
            continue
        found.add(Path(dest).name)
    return sorted(found)


def notice_for(dist: metadata.Distribution) -> Notice:
    licence = licence_name(dist)
    notice = Notice(canonical(dist.metadata["Name"] or ""), dist.version, licence, licence_files(dist))
    if not notice.has_licence():
        key = _standard_key(licence)
        texts = [p for p in _STANDARD_TEXTS.get(key or "", []) if p.is_file()]
        if key and texts:
            notice.files += [(p.name, p) for p in texts]
            notice.added = [key]
    return notice


def python_notice() -> Notice:
    """The Python runtime PyInstaller bundles (libpython and the standard library)."""
    version = ".".join(map(str, sys.version_info[:3]))
    candidates = [Path(sysconfig.get_path("stdlib")) / "LICENSE.txt", Path(sys.base_prefix) / "LICENSE.txt"]
    found = next((p for p in candidates if p.is_file()), None)
    return Notice("python", version, "PSF-2.0", [("LICENSE.txt", found)] if found else [])


def grace_notice(version: str) -> Notice:
    files = [("LICENSE", ROOT / "LICENSE"),
             ("resources/model/NOTICE.md", ROOT / "resources" / "model" / "NOTICE.md")]
    return Notice("grace-desktop", version, "Apache-2.0", [(d, s) for d, s in files if s.is_file()])


def collect(modules: Iterable[str], files: Iterable[str], out_dir: Path, *, grace_version: str = "0.1.0",
            always: Iterable[str] = ("pyinstaller",), binaries: Iterable[tuple[str, str]] = (),
            distributions: Iterable[metadata.Distribution] | None = None,
            ) -> tuple[list[tuple[str, str]], list[Notice]]:
    """Notices for everything bundled; writes ``out_dir/README.txt`` (the index).

    Returns ``(datas, notices)``: ``datas`` as (path inside the app, source) pairs under
    ``licenses/``, README.txt included. ``always`` names distributions that are bundled
    without a module of theirs being collected (PyInstaller's bootloader is the executable).
    ``binaries`` (dest, source) of the collected shared libraries, to name those taken from the
    operating system (:func:`system_libraries`).
    """
    dists = list(distributions) if distributions is not None else list(metadata.distributions())
    bundled = bundled_distributions(modules, files, dists)
    names = {canonical(d.metadata["Name"] or "") for d in bundled}
    extra = {canonical(n) for n in always} - names - {"grace-desktop"}
    for dist in dists:
        name = canonical(dist.metadata["Name"] or "")
        if name in extra:
            bundled.append(dist)
            extra.discard(name)
    notices = [grace_notice(grace_version), python_notice()]
    notices += sorted((notice_for(d) for d in bundled if canonical(d.metadata["Name"] or "") != "grace-desktop"),
                      key=lambda n: n.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "README.txt"
    system = system_libraries(binaries, dists)
    index.write_text(render_index(notices, grace_version, system), encoding="utf-8")
    datas = [("licenses/README.txt", str(index))]
    datas += [(f"licenses/{n.name}/{dest}", str(src)) for n in notices for dest, src in n.files]
    return datas, notices


def render_index(notices: list[Notice], grace_version: str, system: list[str] | None = None) -> str:
    missing = [n.name for n in notices if not n.has_licence() or n.added]
    head = [
        f"Licences of the software in Grace Desktop {grace_version}",
        "",
        "Grace Desktop is licensed under the Apache License 2.0 (grace-desktop/LICENSE). This app",
        "also contains the software listed below. Each folder here holds the licence and notice",
        "files that the named distribution installed (taken from its installed metadata when",
        "the app was built), under the licence its metadata states.",
        "",
    ]
    if any(n.name == "pyside6-essentials" for n in notices):
        head += [
            "PySide6 and shiboken6 (Qt for Python, with the Qt libraries they contain) are used",
            "under the GNU LGPL v3 (pyside6-essentials/LGPL-3.0.txt, with the GPL v3 it builds on).",
            "They are separate shared libraries in the app's PySide6 and shiboken6 folders (under",
            "_internal/ next to the executable; Contents/Frameworks in Grace.app), which you may",
            "replace with your own builds of the same versions. Their source code:",
            "https://code.qt.io/cgit/pyside/pyside-setup.git and https://code.qt.io/cgit/qt/.",
            "",
        ]
    if missing:
        head += textwrap.wrap("Distributions whose wheel ships no licence file: " + ", ".join(missing) + ".", 92,
                              break_on_hyphens=False)
        head += [""]
    if system:
        head += textwrap.wrap(
            "Not covered here: shared libraries that the build copied from the build machine's operating "
            "system, each under its own licence (on Debian or Ubuntu, see /usr/share/doc/<package>/copyright "
            "of the package that holds it): " + ", ".join(system) + ".", 92, break_on_hyphens=False)
        head += [""]
    head += ["A folder's sboms/ holds the distribution's software bill of materials, where it ships one.",
             "", ""]
    body = "\n\n".join(n.line() for n in notices)
    return "\n".join(head) + body + "\n"
