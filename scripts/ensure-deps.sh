#!/usr/bin/env bash
# Installs the system libraries DenseServe links against (and the test tools when asked),
# on Debian/Ubuntu, if they are missing. Usage: scripts/ensure-deps.sh [--test]
set -euo pipefail

need=()
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
have_pc openblas || need+=(libopenblas-dev)
have_pc zlib || need+=(zlib1g-dev)
have_pc libnghttp2 || need+=(libnghttp2-dev)
if [ "${1:-}" = "--test" ]; then
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  # venv + pip for the tritonclient conformance test.
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
  # A real headless browser for the page at / (BrowserPageTests drives it with selenium).
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-deps: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "ensure-deps: missing ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
