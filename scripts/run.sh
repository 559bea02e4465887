#!/usr/bin/env bash
# Builds (release, the Swift standard library linked in as the container image's build step
# does) and runs dense-server with the given arguments, installing the system libraries it
# links against when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --static-swift-stdlib --product dense-server >&2
exec .build/release/dense-server "$@"
