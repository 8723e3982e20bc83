#!/usr/bin/env bash
# The test command: installs what is missing, then runs ruff and the whole test suite against
# DATABASE_URL (unset: a throw-away SQLite database). Extra arguments go to pytest.
# The tests need the spark extra (pyspark: tests/linkage/test_spark_engine.py runs Spark in local
# mode); SAFEGUARD_EXTRAS tells setup.sh to install it and the tests that it must be there.
set -euo pipefail
cd "$(dirname "$0")/.."
export SAFEGUARD_EXTRAS="${SAFEGUARD_EXTRAS:-spark}"
bash scripts/setup.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/pytest "$@"
