"""Where things live on disk, resolved without Qt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs


def default_workspace_dir() -> Path:
    """``GRACE_HOME`` if set, else the platform's user data folder for "Grace"."""
    env = os.environ.get("GRACE_HOME")
    if env:
        return Path(env).expanduser().absolute()
    return Path(platformdirs.user_data_dir("Grace", appauthor=False))


def inside(path: str, folder: str) -> bool:
    """True when ``path`` lies strictly inside ``folder`` (both absolute, as the catalog keeps them)."""
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def resources_dir() -> Path:
    """The shipped ``resources/`` folder (inside a frozen app, next to its code)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def cache_dir() -> Path:
    """A per-user cache folder for derived files (e.g. an optimised model)."""
    env = os.environ.get("GRACE_CACHE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("Grace", appauthor=False))


def replace_durably(tmp: Path, final: Path) -> None:
    """Move ``tmp`` over ``final`` atomically, its data and the rename on disk first (fsync)."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, final)
    try:
        dfd = os.open(final.parent, os.O_RDONLY)
    except OSError:  # Windows cannot open folders; the rename is still atomic there
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
