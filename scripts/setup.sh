#!/usr/bin/env bash
# Install everything diaban needs on a fresh Debian machine: Debian packages
# (Chromium for UI tests, PostgreSQL + PostGIS, poppler for PDF checks, nginx in front
# of `diaban serve`) and the Python package with its test extras. Safe to run again;
# skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
# `diaban serve` runs its own nginx (own config and prefix); any flavour's binary does.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then need_apt+=(nginx); fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need_apt+=(postgresql); fi
if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  need_apt+=(postgis)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  echo "setup: apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  # postgis pulls the server-specific extension package for the installed major.
  if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    major=$(ls /usr/lib/postgresql | sort -n | tail -1)
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "postgresql-${major}-postgis-3" >/dev/null
  fi
fi

PY=${PYTHON:-python3}
if ! $PY -c "import geo, layers, streamlit, esda" >/dev/null 2>&1 || [ "${DIABAN_REINSTALL:-0}" = 1 ]; then
  echo "setup: pip install -e .[test]"
  $PY -m pip install -q --disable-pip-version-check -e ".[test]"
else
  # Editable install already present; make sure new dependencies are in.
  $PY -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v -i "warning" || true
fi
