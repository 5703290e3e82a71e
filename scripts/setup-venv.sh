#!/usr/bin/env bash
# Creates .venv with Python 3.10 if it is missing and installs the locked dependencies: the runtime lock
# and the development one (tests, lint, pip-tools), both with hashes (`make lock` writes them).
# Re-run by make whenever a lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  python=$(scripts/find-python.sh)
  echo "Creating $VENV with $python"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade "pip<24.1"
echo "Installing locked dependencies (requirements.lock, requirements-dev.lock); the first time takes a few minutes"
"$VENV/bin/python" -m pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
"$VENV/bin/python" -m pip check
touch "$VENV/.installed"
