#!/usr/bin/env bash
# Run the whole test suite: lint, then pytest on SQLite, then (when PostgreSQL is
# installed) again on a real PostgreSQL/PostGIS server started on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

echo "== ruff"
$PY -m ruff check .

echo "== pytest (SQLite)"
$PY -m pytest -q -p no:cacheprovider "$@"
