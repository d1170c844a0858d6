#!/usr/bin/env bash
# Set up (idempotent) and run the agent locally on its embedded default: a real Postgres and
# Redis in .ops-agent/, every api/ function on http://127.0.0.1:8000, and vercel.json's crons.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh local
exec .venv/bin/ops-agent serve "$@"
