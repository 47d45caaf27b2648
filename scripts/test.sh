#!/usr/bin/env bash
# Set up and run every check CI runs: lint, format, types, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check vpexcel tests scripts bench
.venv/bin/ruff format --check vpexcel tests scripts bench
.venv/bin/mypy vpexcel
.venv/bin/python -m pytest "$@"
