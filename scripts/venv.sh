#!/usr/bin/env bash
# Create the virtualenv (default .venv) with Python 3.11: $PYTHON, python3.11, or python3 when it is
# 3.11. On Debian the venv module is a separate package; as root it is installed when missing.
set -euo pipefail

venv=${1:-.venv}

is_311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }

python=""
for candidate in ${PYTHON:-} python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && is_311 "$candidate"; then
    python=$candidate
    break
  fi
done
if [[ -z $python ]]; then
  echo "venv.sh: Python 3.11 is required (python3.11, or python3 being 3.11); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

if ! "$python" -m venv "$venv"; then
  rm -rf "$venv"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "venv.sh: installing python3.11-venv" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11-venv
    "$python" -m venv "$venv"
  else
    echo "venv.sh: '$python -m venv' failed; install the venv module: sudo apt-get install python3.11-venv" >&2
    exit 1
  fi
fi
echo "venv.sh: created $venv with $("$venv/bin/python" --version)" >&2
