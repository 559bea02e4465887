#!/usr/bin/env bash
# Builds (release) and runs dense-server with the given arguments, installing the system
# libraries it links against when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product dense-server >&2
exec .build/release/dense-server "$@"
