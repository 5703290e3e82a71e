#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10 only), or explains what to install.
set -euo pipefail
for candidate in "${PYTHON:-}" python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10 \
                 "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if path=$(command -v "$candidate" 2>/dev/null) && \
     "$path" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
cat >&2 <<'MSG'
Python 3.10 was not found. Rasa 3.6 runs on Python 3.8-3.10 only (not 3.11+).
Install it, e.g.:  apt-get install python3.10 python3.10-venv   or   pyenv install 3.10
or point PYTHON at an interpreter:  make run PYTHON=/path/to/python3.10
MSG
exit 1
