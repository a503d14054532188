#!/usr/bin/env bash
# (Re)create the retrieval-evaluation corpus: a fixed subset of the Python 3.11 docs from
# Debian's python3.11-doc package (installed with apt-get when missing), copied into
# bench/_data/corpus/ (git-ignored) or the folder given as the first argument.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "${PYTHON:-python3}" "$here/pydocs_corpus.py" "$@"
