#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite: ruff, mypy, pytest, and the vercel build check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh local,dev
scripts/install_browser.sh || echo "install_browser failed; the browser test will skip" >&2
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy"
mypy
echo "== import layers"
lint-imports
echo "== pytest"
pytest -q "$@"
echo "== vercel build"
python scripts/vercel_build_check.py
