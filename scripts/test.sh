#!/usr/bin/env bash
# Set up and run every check CI runs: lint, format, types, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# LibreOffice recalculates filled templates in a test, and (with python3-uno) compiles the
# add-in's VBA; Debian's packages, installed when missing
need=""
command -v soffice >/dev/null 2>&1 || need="libreoffice-calc-nogui"
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need="$need python3-uno"
if [ -n "$need" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $need with apt-get (LibreOffice for the recalculation test and the add-in build)..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  else
    echo "Missing and not installable here (needs root and apt-get): $need. Their tests will be skipped." >&2
  fi
fi
# rebuild the add-in and the sample .xlsm from macros/ (tests/test_addin.py checks the result)
rm -rf build/out
if command -v soffice >/dev/null 2>&1 && /usr/bin/python3 -c "import uno" >/dev/null 2>&1; then
  .venv/bin/python build/build_addin.py --out build/out
fi
# build the packaged program (PyInstaller, one folder); tests/test_frozen.py smoke-tests it
.venv/bin/python build/build_program.py --no-zip
# and the Windows program under wine, where apt-get can install wine (tests/test_frozen_windows.py)
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  bash build/build_windows_wine.sh
fi
.venv/bin/ruff check vpexcel tests scripts bench build corpus
.venv/bin/ruff format --check vpexcel tests scripts bench build corpus
.venv/bin/mypy vpexcel
.venv/bin/python -m pytest "$@"
