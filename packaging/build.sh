#!/usr/bin/env bash
# Build the one-folder app: dist/Grace/Grace (plus Grace.app on macOS).
#
#     packaging/build.sh [DISTDIR]        # default DISTDIR: dist (in the repository)
#
# Uses .venv (created if missing, like the Makefile), installs the app with its `build`
# extra (PyInstaller) and runs PyInstaller with packaging/grace.spec. PYTHON picks the
# interpreter that creates the venv. Prints the build time and the size of the result.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIST="$(mkdir -p "${1:-$ROOT/dist}" && cd "${1:-$ROOT/dist}" && pwd)"
WORK="${GRACE_BUILD_DIR:-$ROOT/build}"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
if [[ -x "$VENV/Scripts/python.exe" ]]; then BIN="$VENV/Scripts"; else BIN="$VENV/bin"; fi

cd "$ROOT"
if [[ ! -x "$BIN/python" && ! -x "$BIN/python.exe" ]]; then
    "$PYTHON" -m venv "$VENV"
    if [[ -x "$VENV/Scripts/python.exe" ]]; then BIN="$VENV/Scripts"; fi
fi
"$BIN/python" -m pip install --quiet --upgrade pip
"$BIN/python" -m pip install --quiet -e ".[build]"

# The icons are committed; regenerate them only if one is missing.
if [[ ! -f packaging/grace.png || ! -f packaging/grace.ico || ! -f packaging/grace.icns ]]; then
    QT_QPA_PLATFORM=offscreen "$BIN/python" packaging/make_icon.py
fi

started=$SECONDS
"$BIN/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/grace.spec
echo "Built $DIST/Grace in $((SECONDS - started)) s; size $(du -sh "$DIST/Grace" | cut -f1)."
