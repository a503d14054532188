"""Build the second retrieval-evaluation corpus: a fixed subset of the Git 2.39 documentation.

The corpus is *not* in the repository. It comes from Debian's ``git-doc`` package
(installed with apt-get when missing) and is copied, deterministically, into a target
folder (by default ``bench/_data/git-corpus/``, which git ignores):

    commands/*.html   - 105 command reference pages (git.html and git-*.html), rendered HTML
    guides/*.txt      - 21 guides and concept pages, as their AsciiDoc sources
    howto/*.txt       - the 16 howto articles, as their AsciiDoc sources
    technical/*.txt   - 6 design notes, as their AsciiDoc sources

148 files, 5.6 MB on disk, about 2.6 MB of visible text, two formats (HTML and AsciiDoc
plain text).

The command pages are taken as HTML because their AsciiDoc sources ``include::`` shared
fragments (diff options, pretty formats, ...) that only the rendered page contains; so
many pages share whole option sections, as the real documentation does. The guides are
taken as AsciiDoc sources that do not include anything, except two pages whose source is
only a wrapper: ``gitglossary.txt`` and ``gitrevisions.txt`` are copied from the fragments
that hold their body (``glossary-content.txt`` and ``revisions.txt``).

Usage:
    python bench/eval/gitdocs_corpus.py [TARGET_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pydocs_corpus import build_listed, print_summary  # noqa: E402

DEB_PACKAGE = "git-doc"
DOC_ROOT = Path("/usr/share/doc/git-doc")
DEFAULT_TARGET = Path(__file__).resolve().parents[1] / "_data" / "git-corpus"

# git-<name>.html, plus git.html itself.
COMMANDS = """
add am annotate apply archive bisect blame branch bugreport bundle cat-file check-attr
check-ignore check-mailmap check-ref-format checkout checkout-index cherry cherry-pick
clean clone commit commit-graph commit-tree config count-objects credential
credential-cache credential-store daemon describe diff diff-files diff-index diff-tree
difftool fast-export fast-import fetch filter-branch for-each-ref format-patch fsck gc
grep hash-object help hook init instaweb interpret-trailers log ls-files ls-remote
ls-tree maintenance merge merge-base merge-file merge-tree mergetool mv name-rev notes
pack-refs prune pull push range-diff read-tree rebase reflog remote repack replace
request-pull rerere reset restore rev-list rev-parse revert rm send-email shortlog show
show-branch show-ref sparse-checkout stash status stripspace submodule switch
symbolic-ref tag update-index update-ref var verify-commit verify-tag whatchanged
worktree write-tree
""".split()

# <name>.txt, self-contained AsciiDoc sources.
GUIDES = """
gitattributes gitcli gitcore-tutorial gitcredentials gitcvs-migration gitdiffcore
giteveryday gitfaq githooks gitignore gitmailmap gitmodules gitsubmodules gittutorial
gittutorial-2 gitworkflows user-manual git-bisect-lk2009 SubmittingPatches
""".split()

# guides/<name>.txt copied from the fragment that holds the page's body.
GUIDE_BODIES = {"gitglossary": "glossary-content", "gitrevisions": "revisions"}

HOWTO = """
coordinate-embargoed-releases keep-canonical-history-correct maintain-git new-command
rebase-from-internal-branch rebuild-from-update-hook recover-corrupted-blob-object
recover-corrupted-object-harder revert-a-faulty-merge revert-branch-rebase
separating-topic-branches setup-git-server-over-http update-hook-example use-git-daemon
using-merge-subtree using-signed-tag-in-pull-request
""".split()

TECHNICAL = "commit-graph multi-pack-index partial-clone racy-git shallow sparse-checkout".split()


def file_list() -> list[tuple[str, str]]:
    """(source path relative to DOC_ROOT, destination path relative to the corpus root)."""
    pairs: list[tuple[str, str]] = [("git.html", "commands/git.html")]
    pairs += [(f"git-{n}.html", f"commands/git-{n}.html") for n in COMMANDS]
    pairs += [(f"{n}.txt", f"guides/{n}.txt") for n in GUIDES]
    pairs += [(f"{src}.txt", f"guides/{n}.txt") for n, src in GUIDE_BODIES.items()]
    pairs += [(f"howto/{n}.txt", f"howto/{n}.txt") for n in HOWTO]
    pairs += [(f"technical/{n}.txt", f"technical/{n}.txt") for n in TECHNICAL]
    return sorted(pairs, key=lambda p: p[1])


def build_corpus(target: Path | str = DEFAULT_TARGET, *, quiet: bool = False) -> Path:
    """Copy the fixed file list into ``target`` (idempotent; see ``pydocs_corpus.build_listed``)."""
    return build_listed(DEB_PACKAGE, DOC_ROOT, "git-commit.html", file_list(), target, quiet)


if __name__ == "__main__":
    print_summary(build_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TARGET))
