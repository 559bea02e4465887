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
  command -v python3 >/dev/null 2>&1 || scripts/ensure-deps.sh --test >&2
  echo "tools-venv: installing $(grep -cv '^#' "$requirements") Python tools into $venv" >&2
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 keeps venv/ensurepip in a separate package.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$venv"
      python3 -m venv "$venv" >&2
    else
      echo "tools-venv: python3 -m venv failed; run: sudo apt-get install -y python3-venv" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  echo "$want" >"$stamp"
fi
echo "$venv"
