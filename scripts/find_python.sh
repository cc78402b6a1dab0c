#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain what is missing and exit 1.
set -u
want_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for cand in python3.13 python3.12 python3; do
  p=$(command -v "$cand" 2>/dev/null) || continue
  if want_ok "$p"; then echo "$p"; exit 0; fi
done
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
  [ -x "$p" ] && want_ok "$p" && { echo "$p"; exit 0; }
done
echo "Relasi needs Python 3.12 or newer (Django 6). Install it (e.g. 'pyenv install 3.12' or your OS package) and run again." >&2
exit 1
