#!/usr/bin/env bash
# Run the whole test suite: lint, pytest on SQLite, then the whole pytest suite again on
# PostgreSQL/PostGIS. Extra arguments go to both pytest runs.
#
# The PostgreSQL pass uses DIABAN_TEST_PG_URL when it is set (a server you run);
# otherwise it starts the throwaway server of scripts/pg.sh and stops it at the end
# (unless it was running already). Without PostgreSQL installed the pass is skipped
# with a warning, except in CI (CI set): there it is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

echo "== ruff"
$PY -m ruff check .

echo "== pytest (SQLite)"
$PY -m pytest -q -p no:cacheprovider "$@"

pg_installed() {
  { ls /usr/lib/postgresql/*/bin/initdb || command -v initdb; } >/dev/null 2>&1 &&
    ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1
}

echo "== pytest (PostgreSQL)"
if [ -n "${DIABAN_TEST_PG_URL:-}" ]; then
  pg_url=$DIABAN_TEST_PG_URL
elif ! pg_installed; then
  if [ -n "${CI:-}" ]; then
    echo "test.sh: ERROR: PostgreSQL/PostGIS is not installed; CI must run the suite on" \
      "PostgreSQL too (run scripts/setup.sh, or set DIABAN_TEST_PG_URL)." >&2
    exit 1
  fi
  echo "test.sh: WARNING: PostgreSQL/PostGIS is not installed: the PostgreSQL pass was" \
    "NOT run (scripts/setup.sh installs it)." >&2
  exit 0
else
  if ! scripts/pg.sh status >/dev/null 2>&1; then
    trap 'scripts/pg.sh stop' EXIT  # ours: stop it however the tests end
  fi
  pg_url=$(scripts/pg.sh start)
fi
echo "server: $pg_url"
start=$(date +%s)
DIABAN_TEST_PG_URL=$pg_url $PY -m pytest -q -p no:cacheprovider "$@"
echo "== PostgreSQL pass: $(( $(date +%s) - start ))s"
