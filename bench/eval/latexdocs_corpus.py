"""Build the fourth retrieval-evaluation corpus: LaTeX package manuals, as PDF.

The corpus is *not* in the repository. It comes from Debian's
``texlive-latex-recommended-doc`` package (installed with apt-get when missing) and is
copied, deterministically, into a target folder (by default ``bench/_data/latex-corpus/``,
which git ignores):

    <package>/<manual>.pdf   - 42 user manuals, typeset PDF (mostly from .dtx sources)

42 files, 1183 pages, 14 MB on disk, about 2.3 MB of visible text, one format (PDF).

The manuals are the ones a LaTeX user reads (xcolor, microtype, caption, listings,
fancyvrb, fontspec, polyglossia, ...), most under 60 pages; a few longer ones (xkeyval,
subfig, polyglossia, xcolor, fontspec, caption, listings) are kept because they are the
manuals people actually open. Many are typeset from ``.dtx`` sources, so the user guide is
followed by the commented implementation. Left out: sample and test outputs (beamer
examples, ``semsamp*.pdf``, polyglossia's ``example-*.pdf``, ``dummy*.pdf``), code listings
(``*-code.pdf``, ``listings-devel.pdf``), the ``pdfmanagement-testphase`` and
``l3experimental`` internals, the very long manuals (beamer, memoir, lwarp, breqn) and
non-English ones (ntgclass).

Usage:
    python bench/eval/latexdocs_corpus.py [TARGET_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pydocs_corpus import build_listed, print_summary  # noqa: E402

DEB_PACKAGE = "texlive-latex-recommended-doc"
DOC_ROOT = Path("/usr/share/doc/texlive-doc/latex")
DEFAULT_TARGET = Path(__file__).resolve().parents[1] / "_data" / "latex-corpus"

# <package folder>/<manual>, without ".pdf"; copied to the same path under the corpus root.
MANUALS = """
attachfile2/attachfile2 booktabs/booktabs caption/caption caption/subcaption cite/cite
crop/crop ctable/ctable eso-pic/eso-pic etoolbox/etoolbox euler/euler
fancybox/fancybox-doc fancyref/fancyref fancyvrb/fancyvrb-doc float/float
fontspec/fontspec index/index latexbug/latexbug lineno/lineno listings/listings
mathtools/empheq mathtools/mathtools mdwtools/mdwlist metalogo/metalogo
microtype/microtype ms/multitoc newfloat/newfloat parskip/parskip pdflscape/pdflscape
pdfpages/pdfpages polyglossia/polyglossia psfrag/pfgguide ragged2e/ragged2e
section/section-doc seminar/seminar-doc setspace/setspace-doc subfig/subfig
textcase/textcase translator/translator underscore/underscore unicode-math/unicode-math
xcolor/xcolor xkeyval/xkeyval
""".split()


def file_list() -> list[tuple[str, str]]:
    """(source path relative to DOC_ROOT, destination path relative to the corpus root)."""
    return sorted((f"{n}.pdf", f"{n}.pdf") for n in MANUALS)


def build_corpus(target: Path | str = DEFAULT_TARGET, *, quiet: bool = False) -> Path:
    """Copy the fixed file list into ``target`` (idempotent; see ``pydocs_corpus.build_listed``)."""
    return build_listed(DEB_PACKAGE, DOC_ROOT, "xcolor/xcolor.pdf", file_list(), target, quiet)


if __name__ == "__main__":
    print_summary(build_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TARGET))
