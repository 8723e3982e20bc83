#!/usr/bin/env bash
# Installs everything Safeguard needs on a fresh machine of this kind: uv (for the pinned
# Python 3.12), the locked Python packages, the locked npm packages built into static files,
# and Debian's Chromium for the browser tests. Safe to run again: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

python_for_project() {
  # .python-version selects 3.12 for pyenv's shims; fall back to any python3.12 on PATH.
  if command -v pyenv >/dev/null 2>&1 && pyenv which python >/dev/null 2>&1; then pyenv which python
  elif command -v python3.12 >/dev/null 2>&1; then command -v python3.12
  else echo "Safeguard needs Python 3.12 or newer (pyenv install 3.12, or your distribution's python3.12)" >&2; exit 2
  fi
}
PY=$(python_for_project)
if ! "$PY" -m uv --version >/dev/null 2>&1; then
  echo "==> installing uv"
  "$PY" -m pip install --quiet --disable-pip-version-check uv
fi
# Optional extras (pyproject's [project.optional-dependencies]) from SAFEGUARD_EXTRAS, e.g.
# SAFEGUARD_EXTRAS=spark (scripts/test.sh sets it: the tests run the Spark engine). uv sync is exact
# by default: a sync without an extra would remove its packages. So a sync that names extras is
# exact (the environment becomes the lock plus those extras), and one that names none (the demo's)
# is --inexact: it installs what is missing and leaves an extra someone installed alone.
SAFEGUARD_EXTRAS="${SAFEGUARD_EXTRAS:-}"
EXTRA_ARGS=()
for extra in ${SAFEGUARD_EXTRAS//,/ }; do EXTRA_ARGS+=(--extra "$extra"); done
if [ ${#EXTRA_ARGS[@]} -eq 0 ]; then EXTRA_ARGS=(--inexact); fi
echo "==> Python packages (uv sync --frozen ${EXTRA_ARGS[*]})"
# --compile-bytecode, and compileall for the project's own code below: this machine sets
# PYTHONDONTWRITEBYTECODE=1, so without .pyc files every `safeguard` process compiled Django and
# every dependency from source at start-up (7.9 s of CPU for `safeguard check`, 3.1 s with them).
"$PY" -m uv sync --frozen --quiet --compile-bytecode --python "$PY" "${EXTRA_ARGS[@]}"
.venv/bin/python -m compileall -q -j 0 src >/dev/null

if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  echo "==> building static files"
  npm run --silent build
fi

if [ "${SAFEGUARD_SKIP_BROWSER:-0}" != "1" ] && [ ! -x /usr/bin/chromium ]; then
  echo "==> Debian's Chromium for the browser tests"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# WeasyPrint (inspection reports as PDF) lays text out with Pango.
if ! ldconfig -p | grep 'libpangoft2-1.0.so.0' >/dev/null; then  # not -q: an early exit would SIGPIPE ldconfig under pipefail
  echo "==> Pango for WeasyPrint's PDF reports"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
fi

# The demo's empty database, migrated once for this code (the demo copies it instead of migrating).
echo "==> the demo's empty database"
.venv/bin/safeguard demo --prepare
