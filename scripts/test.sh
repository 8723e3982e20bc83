#!/usr/bin/env bash
# The test command: installs what is missing, then runs ruff and the whole test suite against
# DATABASE_URL (unset: a throw-away SQLite database). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/pytest "$@"
