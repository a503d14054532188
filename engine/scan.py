"""Finding the files behind the paths a person gives: folders are walked, special
files and broken links are reported (never opened), unknown types are skipped."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .extract import format_for, not_regular_reason, os_error_reason
from .paths import inside

# Folders nobody means to ingest: version control, caches, virtual environments.
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".mypy_cache",
             ".pytest_cache", ".ruff_cache", ".idea", ".vscode"}
# Names editors and office suites use for temporary, lock and backup files ("~$report.docx" is
# Word's lock beside an open report.docx; LibreOffice's ".~lock.report.docx#" is hidden already).
TEMP_PATTERNS = ("~$*", "*.swp", "*.swx", "*.swo", "*~", "*.tmp", "*.temp", "*.part", "*.crdownload",
                 "#*#", "4913", "*.kate-swp", "*.bak")


def passed_over(name: str) -> bool:
    """True for a file or folder name that folder scans and the watcher both pass over: hidden,
    a folder nobody means to ingest, or an editor's or office suite's temporary, lock or backup file."""
    return name.startswith(".") or name in SKIP_DIRS or any(fnmatch.fnmatch(name, p) for p in TEMP_PATTERNS)


def passed_over_under(path: str, root: str) -> bool:
    """True when ``path``, found under the folder ``root``, is passed over (``passed_over``): its own
    name, or that of a folder between it and ``root``."""
    parts = Path(os.path.relpath(path, root)).parts
    return parts not in ((), (".",)) and any(passed_over(part) for part in parts)


@dataclass
class Found:
    path: str  # absolute, not resolved through links
    root: str | None  # the folder given by the person that contains it, if any
    size: int = 0
    mtime_ns: int = 0
    error: str | None = None
    inode: tuple[int, int] | None = None  # (device, inode) of what the path leads to
    linked: bool = False  # the path goes through a symbolic link (the file's, or a folder's on the way)


@dataclass
class ScanResult:
    files: list[Found] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    skipped: int = 0
    unread: list[str] = field(default_factory=list)  # folders that could not be listed: contents unknown
    unsupported: list[str] = field(default_factory=list)  # files found in folders, of types Grace does not read


def scan(paths: Sequence[str | Path], skip: Sequence[str | Path] = ()) -> ScanResult:
    """Walk ``paths``: each file becomes a ``Found``, with ``error`` set where it cannot be read.
    Files and folders in ``skip`` (the workspace's own) are passed over, given or found in a walk."""
    result = ScanResult()
    skipped = {os.path.abspath(str(s)) for s in skip}
    avoid = {(st.st_dev, st.st_ino) for st in map(_stat_or_none, skipped) if st is not None}
    for given in paths:
        if not str(given).strip():  # abspath("") would be the working folder
            _add(result, Found(str(given), None, error="the path is empty: name a file or a folder"))
            continue
        path = os.path.abspath(os.path.expanduser(str(given)))
        if any(path == s or inside(path, s) for s in skipped):
            continue
        if _misnamed(path) is not None:
            _add(result, Found(path, None))
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            _add(result, Found(path, None, error=_stat_error(path, exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            result.roots.append(path)
            _walk(path, result, {(st.st_dev, st.st_ino)} | avoid)
        else:
            found = _found(path, None, st, os.path.realpath(path) != path)
            if found.error is None and format_for(Path(path)) is None:
                found.error = f"{_kind_of(path)} is not a type of file Grace reads"
            _add(result, found)
    return _once_each(result)


def _once_each(result: ScanResult) -> ScanResult:
    """Each file and root once, where paths given overlap (a folder and a file in it, a folder
    twice), and each file once where links lead to it: a symbolic link to a file that is also
    found under its own name is passed over (hard links, both real names, both stay)."""
    seen: set[str] = set()
    real = {f.inode for f in result.files if f.inode is not None and not f.linked}
    files = []
    for found in result.files:
        if found.linked and found.inode in real:
            result.skipped += 1
        elif found.path not in seen:
            seen.add(found.path)
            files.append(found)
            if found.inode is not None:
                real.add(found.inode)  # a second link to one target outside the folders is passed over too
    result.files = files
    result.roots = list(dict.fromkeys(result.roots))
    return result


def _stat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _walk(root: str, result: ScanResult, visited: set[tuple[int, int]]) -> None:
    """Walk ``root``: folders under their own names first, then those reached only through a
    link, each once (``visited``), so link cycles end and a file keeps its real path."""
    folders: list[str] = [root]
    linked: list[str] = []
    through: set[str] = set()  # folders reached through a link: their files are not under their own names
    while folders or linked:
        folder = folders.pop() if folders else linked.pop()
        if folder != root:
            key = _inode(folder)
            if key in visited:
                continue
            if key is not None:
                visited.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            _add(result, Found(folder, root, error=f"the folder cannot be read ({exc.strerror})"))
            result.unread.append(folder)
            continue
        for entry in entries:
            if passed_over(entry.name):
                continue
            via = folder in through or entry.is_symlink()
            if _visit(entry, root, result, visited, linked if entry.is_symlink() else folders, via) and via:
                through.add(entry.path)


def _inode(path: str) -> tuple[int, int] | None:
    st = _stat_or_none(path)
    return (st.st_dev, st.st_ino) if st is not None else None


def _visit(entry: os.DirEntry[str], root: str, result: ScanResult, visited: set[tuple[int, int]],
           folders: list[str], via_link: bool) -> bool:
    """Record the file ``entry`` (``via_link``: its path goes through a symbolic link), or queue
    the folder; True for a folder."""
    if _misnamed(entry.path) is not None and entry.is_dir(follow_symlinks=False):
        _add(result, Found(entry.path, root))  # not walked: none of its paths could be stored
        return False
    try:
        st = os.stat(entry.path)  # follows links
    except OSError as exc:
        _add(result, Found(entry.path, root, error=_stat_error(entry.path, exc)))
        return False
    key = (st.st_dev, st.st_ino)
    if stat.S_ISDIR(st.st_mode):
        folders.append(entry.path)  # walked later, once (see _walk)
        return True
    if key in visited:  # one of the files to pass over
        return False
    if stat.S_ISREG(st.st_mode) and format_for(Path(entry.path)) is None:
        result.skipped += 1
        result.unsupported.append(entry.path)
        return False
    _add(result, _found(entry.path, root, st, via_link))
    return False


MISNAMED = "its name is not valid UTF-8 text, so Grace cannot read it under that name; rename it to read it"


def _add(result: ScanResult, found: Found) -> None:
    """Record ``found``; a path that is not UTF-8 fails, shown with its bytes as \\xNN."""
    shown = _misnamed(found.path)
    if shown is not None:
        found = Found(shown, found.root, error=MISNAMED)
    result.files.append(found)


def _misnamed(path: str) -> str | None:
    """For a name the file system gave as bytes that are not UTF-8 (Python keeps them as
    surrogates, which the catalog cannot store): the name with those bytes shown as \\xNN."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return None


def _found(path: str, root: str | None, st: os.stat_result, linked: bool = False) -> Found:
    reason = not_regular_reason(st.st_mode)
    if reason:
        return Found(path, root, error=f"{reason}, so Grace does not open it")
    return Found(path, root, st.st_size, st.st_mtime_ns, inode=(st.st_dev, st.st_ino), linked=linked)


def _stat_error(path: str, exc: OSError) -> str:
    return os_error_reason(Path(path), exc)


def _kind_of(path: str) -> str:
    suffix = Path(path).suffix
    return f"{suffix}" if suffix else "a file with no extension"


def type_of(path: str) -> str:
    """A file's type as a person names it in a summary: its extension in lower case (".eml"), or
    "no extension"."""
    return Path(path).suffix.lower() or "no extension"
