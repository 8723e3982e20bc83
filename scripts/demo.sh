#!/usr/bin/env bash
# The demo: installs what is missing, then `safeguard demo` (fresh demo database, synthetic
# force, linkage, alerts, demo users printed, the site on http://127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
SAFEGUARD_SKIP_BROWSER=1 bash scripts/setup.sh
exec .venv/bin/safeguard demo "$@"
