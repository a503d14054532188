"""Build the third retrieval-evaluation corpus: a fixed subset of the SQLite documentation.

The corpus is *not* in the repository. It comes from Debian's ``sqlite3-doc`` package
(installed with apt-get when missing) and is copied, deterministically, into a target
folder (by default ``bench/_data/sqlite-corpus/``, which git ignores), keeping the
package's own layout:

    *.html         - 124 hand-written documentation pages: the SQL language reference
                     (47 pages: lang_*.html, pragmas, datatypes, functions, JSON, window
                     functions, ...), the query planner (6), transactions, locking, WAL and
                     the file format (20), extensions (19: FTS3/FTS5, R*Tree, CSV, virtual
                     tables, sessions, ...) and general pages (32: FAQ, limits, compile-time
                     options, the command-line shell, result codes, ...)
    c3ref/*.html   - 26 C API reference pages (sqlite3_open, sqlite3_prepare, ...)

150 files, all rendered HTML, 10.2 MB on disk, about 2.4 MB of visible text.

Every page carries the same navigation header ("Small. Fast. Reliable. Choose any
three. Home Menu About Documentation ..."), a large inline script, and a "This page last
modified" footer; SQL syntax diagrams are inline SVG whose ``<text>`` labels are visible
text, including the collapsed sub-diagrams (``display:none``) that repeat the whole
expression and SELECT grammar on many lang_*.html pages. The huge all-in-one pages
(capi3ref.html, changes.html, requirements.html, the cross-reference indexes,
fileformat2.html, which duplicates fileformat.html), short stub and redirect pages, and the
release logs are left out.

Usage:
    python bench/eval/sqlitedocs_corpus.py [TARGET_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pydocs_corpus import build_listed, print_summary  # noqa: E402

DEB_PACKAGE = "sqlite3-doc"
DOC_ROOT = Path("/usr/share/doc/sqlite3")
DEFAULT_TARGET = Path(__file__).resolve().parents[1] / "_data" / "sqlite-corpus"

# <name>.html at the top of DOC_ROOT, grouped by topic (the corpus keeps them flat).
SQL_LANGUAGE = """
lang_aggfunc lang_altertable lang_analyze lang_attach lang_conflict lang_corefunc
lang_createindex lang_createtable lang_createtrigger lang_createview lang_datefunc
lang_delete lang_droptable lang_explain lang_expr lang_indexedby lang_insert lang_keywords
lang_mathfunc lang_naming lang_returning lang_savepoint lang_select lang_transaction
lang_update lang_upsert lang_vacuum lang_with
windowfunctions rowvalue gencol stricttables withoutrowid rowidtable autoinc partialindex
expridx foreignkeys datatype3 flextypegood quirks nulls floatingpoint printf deterministic
pragma json1
""".split()

QUERY_PLANNER = "queryplanner optoverview queryplanner-ng eqp np1queryprob qmplan".split()

STORAGE = """
wal walformat lockingv3 atomiccommit isolation tempfiles sharedcache mmap inmemorydb backup
howtocorrupt psow useovernet threadsafe unlock_notify recovery fasterthanfs fileformat
appfileformat intern-v-extern-blob
""".split()

EXTENSIONS = """
fts5 fts3 rtree geopoly csv carray series zipfile sqlar spellfix1 dbstat dbpage unionvtab
vtab vtablist loadext sessionintro rbu cksumvfs
""".split()

GENERAL = """
about faq whentouse different serverless features quickstart cli limits compile
howtocompile amalgamation malloc errlog uri rescode security vfs arch cintro capi3
versionnumbers lts tclsqlite debugging undoredo whyc appfunc bindptr schematab invalidutf
howitworks
""".split()

# c3ref/<name>.html: C API reference pages with real prose.
C_API = """
open exec prepare step finalize reset bind_blob column_blob changes last_insert_rowid
errcode close create_function interrupt busy_handler busy_timeout backup_finish
wal_checkpoint_v2 limit mprintf blob_open set_authorizer create_collation commit_hook
serialize free_table
""".split()


def file_list() -> list[tuple[str, str]]:
    """(source path relative to DOC_ROOT, destination path relative to the corpus root)."""
    pairs: list[tuple[str, str]] = []
    for n in SQL_LANGUAGE + QUERY_PLANNER + STORAGE + EXTENSIONS + GENERAL:
        pairs.append((f"{n}.html", f"{n}.html"))
    pairs += [(f"c3ref/{n}.html", f"c3ref/{n}.html") for n in C_API]
    return sorted(pairs, key=lambda p: p[1])


def build_corpus(target: Path | str = DEFAULT_TARGET, *, quiet: bool = False) -> Path:
    """Copy the fixed file list into ``target`` (idempotent; see ``pydocs_corpus.build_listed``)."""
    return build_listed(DEB_PACKAGE, DOC_ROOT, "lang_select.html", file_list(), target, quiet)


if __name__ == "__main__":
    print_summary(build_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TARGET))
