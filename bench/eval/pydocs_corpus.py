"""Build the retrieval-evaluation corpus: a fixed subset of the Python 3.11 documentation.

The corpus is *not* in the repository. It comes from Debian's ``python3.11-doc`` package
(installed with apt-get when missing) and is copied, deterministically, into a target
folder (by default ``bench/_data/corpus/``, which git ignores):

    library/*.html   - 110 standard-library reference pages, rendered HTML
    tutorial/*.html  - the 16 tutorial chapters, rendered HTML
    howto/*.rst      - 14 HOWTO guides, as their reStructuredText sources
    faq/*.rst        - 8 FAQ pages, as their reStructuredText sources

148 files, about 3.1 MB of visible text, two formats (HTML and reStructuredText).

Usage:
    python bench/eval/pydocs_corpus.py [TARGET_DIR]      # or: bash bench/eval/corpus.sh
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

DEB_PACKAGE = "python3.11-doc"
DOC_ROOT = Path("/usr/share/doc/python3.11/html")
DEFAULT_TARGET = Path(__file__).resolve().parents[1] / "_data" / "corpus"

LIBRARY = """
__future__ __main__ abc argparse array asyncio asyncio-exceptions asyncio-future
asyncio-queue asyncio-runner asyncio-stream asyncio-subprocess asyncio-sync asyncio-task
atexit base64 binascii bisect bz2 calendar cmath cmd collections collections.abc
concurrent.futures constants contextlib contextvars copy csv dataclasses datetime
difflib email ensurepip enum filecmp fileinput fnmatch fractions functions functools gc
getpass glob graphlib gzip hashlib heapq hmac html html.parser http http.cookies
http.server importlib.metadata importlib.resources itertools json linecache logging lzma
math mimetypes numbers operator os os.path pathlib pkgutil platform pprint pydoc queue
random re reprlib runpy sched secrets shelve shlex shutil site stat statistics stdtypes
string struct subprocess tarfile tempfile textwrap threading time timeit tomllib
traceback types urllib.error urllib.parse urllib.robotparser uuid venv warnings weakref
xml.dom.minidom zipfile zlib zoneinfo
""".split()

TUTORIAL = """
appendix appetite classes controlflow datastructures errors floatingpoint inputoutput
interactive interpreter introduction modules stdlib stdlib2 venv whatnow
""".split()

HOWTO = """
annotations argparse curses descriptor enum functional ipaddress logging pyporting regex
sockets sorting unicode urllib2
""".split()

FAQ = "design extending general gui installed library programming windows".split()


def file_list() -> list[tuple[str, str]]:
    """(source path relative to DOC_ROOT, destination path relative to the corpus root)."""
    pairs: list[tuple[str, str]] = []
    pairs += [(f"library/{n}.html", f"library/{n}.html") for n in LIBRARY]
    pairs += [(f"tutorial/{n}.html", f"tutorial/{n}.html") for n in TUTORIAL]
    pairs += [(f"_sources/howto/{n}.rst.txt", f"howto/{n}.rst") for n in HOWTO]
    pairs += [(f"_sources/faq/{n}.rst.txt", f"faq/{n}.rst") for n in FAQ]
    return sorted(pairs, key=lambda p: p[1])


def ensure_package(package: str = DEB_PACKAGE, root: Path = DOC_ROOT,
                   probe: str = "library/functions.html") -> None:
    """Install ``package`` (python3.11-doc) with apt-get when ``root / probe`` is missing."""
    if (root / probe).is_file():
        return
    if not shutil.which("apt-get"):
        raise SystemExit(f"{root} is missing and apt-get is not available: "
                         f"install the Debian package {package} by hand.")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"installing {package} with apt-get ...", file=sys.stderr)
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", package], check=True, env=env)
    if not (root / probe).is_file():
        raise SystemExit(f"{package} installed but {root} is still missing")


def package_version(package: str = DEB_PACKAGE) -> str:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                             capture_output=True, text=True, check=False)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def build_corpus(target: Path | str = DEFAULT_TARGET, *, quiet: bool = False) -> Path:
    """Copy the fixed file list into ``target`` (idempotent). Returns the corpus root."""
    return build_listed(DEB_PACKAGE, DOC_ROOT, "library/functions.html", file_list(), target, quiet)


def build_listed(package: str, root: Path, probe: str, wanted: list[tuple[str, str]], target: Path | str,
                 quiet: bool = False) -> Path:
    """Install ``package`` when ``root / probe`` is missing, then copy ``wanted`` into ``target``.

    Shared by every corpus builder. Files already present with identical bytes are left
    untouched (so their mtimes do not change and an incremental ingest sees nothing new);
    files not in the list are removed; ``<target>.manifest.json`` (sha256 of every file,
    package version) is written beside it. Returns the corpus root.
    """
    target = Path(target).resolve()
    ensure_package(package, root, probe)
    copy_corpus(root, wanted, target, package)
    if not quiet:
        print(f"corpus: {len(wanted)} files in {target}", file=sys.stderr)
    return target


def print_summary(root: Path) -> None:
    """What a corpus builder prints when run as a script."""
    files = [p for p in root.rglob("*") if p.is_file()]
    chars = sum(len(visible_text(p)) for p in files)
    print(f"{len(files)} files, {chars / 1e6:.2f} MB of visible text")


def copy_corpus(root: Path, wanted: list[tuple[str, str]], target: Path, package: str,
                version: str | None = None) -> None:
    """Copy each (source under ``root``, destination under ``target``) pair, idempotently.

    Shared with the other corpus builders: identical files are not rewritten, files not in
    ``wanted`` are removed, and ``<target>.manifest.json`` is written beside ``target``.
    """
    missing = [src for src, _ in wanted if not (root / src).is_file()]
    if missing:
        raise SystemExit(f"missing from {package}: {missing}")
    target.mkdir(parents=True, exist_ok=True)
    keep = set()
    manifest = []
    for src, dst in wanted:
        data = (root / src).read_bytes()
        out = target / dst
        keep.add(out)
        if not (out.is_file() and out.read_bytes() == data):
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        manifest.append({"path": dst, "bytes": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()})
    for p in sorted(target.rglob("*"), reverse=True):
        if p.is_file() and p not in keep:
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    # The manifest lives beside the corpus, not inside it, so it is never ingested.
    (target.parent / f"{target.name}.manifest.json").write_text(json.dumps(
        {"package": package, "version": version or package_version(package), "files": manifest},
        indent=1))


# ---- visible text, used to check answer substrings ------------------------------------

class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def visible_texts(path: Path | str) -> tuple[str, str]:
    """Two whitespace-normalised renderings of a corpus file's visible text.

    For HTML the tags are stripped and entities unescaped; the text nodes are joined once
    with nothing and once with a space between them (extractors differ on inline tags such
    as ``<code>x</code>s``). An answer substring should occur in both. For a PDF both are
    the text of every page (pypdfium2), NFKC-normalised so that ligatures (U+FB01 ...) read
    "fi", pages joined with a space. For other formats the two are the same: the file's text.
    """
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        import unicodedata  # noqa: PLC0415

        import pypdfium2 as pdfium  # noqa: PLC0415

        doc = pdfium.PdfDocument(path)
        try:
            pages = [page.get_textpage().get_text_range() for page in doc]
        finally:
            doc.close()
        text = normalise(unicodedata.normalize("NFKC", " ".join(pages)))
        return text, text
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm"):
        p = _TextParser()
        p.feed(raw)
        p.close()
        return normalise("".join(p.parts)), normalise(" ".join(p.parts))
    return normalise(raw), normalise(raw)


def visible_text(path: Path | str) -> str:
    """The whitespace-normalised visible text of a corpus file (tags stripped for HTML)."""
    return visible_texts(path)[1]


if __name__ == "__main__":
    print_summary(build_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TARGET))
