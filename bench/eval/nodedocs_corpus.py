"""Build the fifth retrieval-evaluation corpus: the Node.js 18 API documentation, as Markdown.

The corpus is *not* in the repository. It comes from Debian's ``nodejs-doc`` package,
which is downloaded (``apt-get download``) and unpacked with ``dpkg-deb -x`` rather than
installed: a machine's ``nodejs`` from another source may own the same paths. The
Markdown sources (gzipped in the package) are unpacked and copied, deterministically,
into a target folder (by default ``bench/_data/node-corpus/``, which git ignores):

    api/<module>.md   - 62 API reference pages (fs, http, stream, crypto, process, ...)

62 files, all Markdown, 3.5 MB. The pages are long (fs.md is 262 KB) and built the same
way: a module's introduction, then one ``###``/``####`` section per class, method, event
and property, each headed by its signature (``### `fs.readFile(path[, options], callback)` ``),
opened by an HTML comment holding YAML history (``<!-- YAML added: v0.1.29 changes: ... -->``),
followed by a parameter list, prose and fenced examples (often in two flavours, ``mjs``
and ``cjs``). Left out: ``index.md`` (a list of links) and ``policy.md`` (a stub).

Usage:
    python bench/eval/nodedocs_corpus.py [TARGET_DIR]
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pydocs_corpus import copy_corpus, print_summary  # noqa: E402

DEB_PACKAGE = "nodejs-doc"
DATA = Path(__file__).resolve().parents[1] / "_data"
DEFAULT_TARGET = DATA / "node-corpus"
UNPACKED = DATA / "nodejs-doc-deb"  # the .deb and its unpacked tree (git-ignored, reused)
API = "usr/share/doc/nodejs/api"
LEFT_OUT = {"index.md", "policy.md"}
EXPECTED_FILES = 62  # nodejs-doc 18.20.4 (Debian 12); the questions were written on these pages


def unpack_package(where: Path = UNPACKED) -> tuple[Path, str]:
    """Download and unpack ``nodejs-doc`` into ``where`` once; the Markdown, un-gzipped,
    goes to ``where/md`` (renamed into place only when complete). Returns that folder and
    the package's version."""
    md = where / "md"
    deb = _download(where)
    version = deb.name.split("_")[1]
    if md.is_dir() and (md / ".version").is_file() and (md / ".version").read_text() == version:
        return md, version
    staging, tree = where / "md.partial", where / "tree"
    for old in (staging, tree, md):
        shutil.rmtree(old, ignore_errors=True)
    unpacked = subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], capture_output=True, text=True)
    if unpacked.returncode != 0:
        deb.unlink()
        shutil.rmtree(tree, ignore_errors=True)
        raise SystemExit(f"{deb.name} could not be unpacked ({unpacked.stderr.strip()}); it was deleted, "
                         "so the next run downloads it again")
    staging.mkdir(parents=True)
    for src in sorted((tree / API).glob("*.md*")):
        name = src.name.removesuffix(".gz")
        data = gzip.decompress(src.read_bytes()) if src.suffix == ".gz" else src.read_bytes()
        (staging / name).write_bytes(data)
    (staging / ".version").write_text(version)
    staging.rename(md)
    shutil.rmtree(tree, ignore_errors=True)
    return md, version


def _download(where: Path) -> Path:
    """The package's .deb in ``where``, fetched with ``apt-get download`` when there is none."""
    debs = sorted(where.glob(f"{DEB_PACKAGE}_*.deb"), key=lambda p: p.stat().st_mtime)
    if debs:
        return debs[-1]
    if not shutil.which("apt-get"):
        raise SystemExit(f"apt-get is not available: download the Debian package {DEB_PACKAGE} into {where}")
    where.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"downloading {DEB_PACKAGE} with apt-get ...", file=sys.stderr)
    fetch = ["apt-get", "download", DEB_PACKAGE]
    if subprocess.run(fetch, cwd=where, env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)  # no package lists yet?
        if subprocess.run(fetch, cwd=where, env=env).returncode != 0:
            raise SystemExit(f"apt-get could not download {DEB_PACKAGE} (its message is above)")
    debs = sorted(where.glob(f"{DEB_PACKAGE}_*.deb"))
    if not debs:
        raise SystemExit(f"apt-get download {DEB_PACKAGE} left no .deb in {where}")
    return debs[-1]


def file_list(md: Path) -> list[tuple[str, str]]:
    """(source name under ``md``, destination path relative to the corpus root)."""
    pairs = [(p.name, f"api/{p.name}") for p in sorted(md.glob("*.md")) if p.name not in LEFT_OUT]
    if len(pairs) != EXPECTED_FILES:
        raise SystemExit(f"{md} holds {len(pairs)} API pages, not {EXPECTED_FILES}: another version of "
                         f"{DEB_PACKAGE}? Delete {md.parent} to fetch it again.")
    return pairs


def build_corpus(target: Path | str = DEFAULT_TARGET, *, quiet: bool = False) -> Path:
    """Copy the API pages into ``target`` (idempotent; see ``pydocs_corpus.copy_corpus``)."""
    target = Path(target).resolve()
    md, version = unpack_package()
    wanted = file_list(md)
    copy_corpus(md, wanted, target, DEB_PACKAGE, version)
    if not quiet:
        print(f"corpus: {len(wanted)} files in {target}", file=sys.stderr)
    return target


if __name__ == "__main__":
    print_summary(build_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TARGET))
