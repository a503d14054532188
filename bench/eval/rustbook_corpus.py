"""Build the sixth retrieval-evaluation corpus: "The Rust Programming Language" as rendered HTML.

The corpus is *not* in the repository. It is copied from the book that rustup installs with
a Rust toolchain (``<sysroot>/share/doc/rust/html/book``; the figures in
docs/PERFORMANCE.md are from the 1.95.0 stable toolchain) into a target folder (by default
``bench/_data/rust-corpus/``, which git ignores): every chapter and appendix page
(``ch*.html``, ``appendix*.html``), 132 files, including the small pages that redirect old
chapter numbers to new ones, as a person's copy of the book would have them.

This set was written after the engine's ranking was fitted on the other five, as a check
that its figures hold on documentation it had not seen.

Usage:
    python bench/eval/rustbook_corpus.py [TARGET_DIR]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pydocs_corpus import copy_corpus, print_summary  # noqa: E402

DEFAULT_TARGET = Path(__file__).resolve().parents[1] / "_data" / "rust-corpus"


def book_root() -> Path:
    """The book inside the active Rust toolchain (``rustc --print sysroot``)."""
    try:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True,
                                 check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"a Rust toolchain with its docs is needed (rustup component add rust-docs): {exc}") from exc
    root = Path(sysroot) / "share" / "doc" / "rust" / "html" / "book"
    if not root.is_dir():
        raise SystemExit(f"no book in {root}: rustup component add rust-docs")
    return root


def build_corpus(target: Path | str = DEFAULT_TARGET, *, quiet: bool = False) -> Path:
    root = book_root()
    names = sorted(p.name for p in root.iterdir() if p.name.startswith(("ch", "appendix")) and p.suffix == ".html")
    version = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    target = Path(target).resolve()
    copy_corpus(root, [(n, n) for n in names], target, "rust-docs", version)
    if not quiet:
        print(f"corpus: {len(names)} files in {target}", file=sys.stderr)
    return target


if __name__ == "__main__":
    print_summary(build_corpus(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_TARGET))
