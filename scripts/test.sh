#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite: ruff, mypy, the import layers, pytest, and
# the vercel build check. `--fast` leaves out the browser install and the build check (and
# the browser test skips): the edit-test loop. Other arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then fast=1; else args+=("$arg"); fi
done
scripts/setup.sh local,dev
if [ "$fast" = 0 ]; then
  echo "== browser (Debian's chromium, for the dashboard test; installed once if missing)"
  scripts/install_browser.sh || echo "install_browser failed; the browser test will skip" >&2
fi
export PATH="$PWD/.venv/bin:$PATH"
# The project's own paths, not whatever else lies in the checkout (.tools, .vercel, data).
paths=(api lib tests bench scripts)

echo "== ruff"
ruff check "${paths[@]}"
ruff format --check "${paths[@]}"
echo "== mypy"
mypy
echo "== import layers"
lint-imports
echo "== pytest"
pytest -q ${args[@]+"${args[@]}"}
if [ "$fast" = 0 ]; then
  echo "== vercel build"
  python scripts/vercel_build_check.py
fi
