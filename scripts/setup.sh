#!/usr/bin/env bash
# Create .venv with Python 3.12 and install the project with the given extras (idempotent:
# it reinstalls only when pyproject.toml changed). Usage: scripts/setup.sh local,dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-local}"

find_python() {
  for candidate in python3.12 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  # pyenv installs keep 3.12 out of PATH unless .python-version selects it.
  for candidate in "$HOME"/.pyenv/versions/3.12*/bin/python3.12; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  echo "ops-agent: Python 3.12 is required (the version Vercel runs); install it first" >&2
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)'; then
  rm -rf .venv
  "$(find_python)" -m venv .venv
fi

stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-${extras//,/_}"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[${extras}]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
