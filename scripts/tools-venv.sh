#!/usr/bin/env bash
# Creates .venv-tools (or $DENSE_TOOLS_VENV) with scripts/requirements-tools.txt when it is
# missing or the requirements changed, and prints the venv's path.
# Usage: venv=$(scripts/tools-venv.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${DENSE_TOOLS_VENV:-$PWD/.venv-tools}
requirements=scripts/requirements-tools.txt
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if ! python3 -m venv --help >/dev/null 2>&1; then
    scripts/ensure-deps.sh --test >&2
  fi
  echo "tools-venv: installing $(grep -cv '^#' "$requirements") Python tools into $venv" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  echo "$want" >"$stamp"
fi
echo "$venv"
