#!/usr/bin/env bash
# Set up and run every check CI runs: lint, format, types, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# LibreOffice recalculates filled templates in a test (Debian's package, installed when missing)
if ! command -v soffice >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing LibreOffice (libreoffice-calc-nogui) for the recalculation test..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null
  else
    echo "LibreOffice is missing and cannot be installed here (needs root and apt-get): its test will be skipped." >&2
  fi
fi
.venv/bin/ruff check vpexcel tests scripts bench
.venv/bin/ruff format --check vpexcel tests scripts bench
.venv/bin/mypy vpexcel
.venv/bin/python -m pytest "$@"
