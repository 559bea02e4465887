#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks module purity and formatting,
# then runs every Swift test (unit, conformance, and the live-server integration tests).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-deps.sh --test

# Dependencies point one way: the kernel and the HTTP parser stay pure.
if grep -rlE '^\s*import\s+(Foundation|FoundationEssentials|Dispatch|Glibc)\b' Sources/DenseKernel Sources/TensorJSON; then
  echo "test.sh: DenseKernel/TensorJSON must not import Foundation, Dispatch or Glibc" >&2; exit 1
fi
if [ -d Sources/HTTPCore ] && grep -rlE '^\s*import\s+(Foundation|FoundationEssentials|Dispatch|Glibc)\b' Sources/HTTPCore; then
  echo "test.sh: HTTPCore must not import Foundation, Dispatch or Glibc" >&2; exit 1
fi

# Python test tooling (never part of the service): a real Prometheus text parser.
if ! .venv-test/bin/python -c 'import prometheus_client' 2>/dev/null; then
  python3 -m venv .venv-test
  .venv-test/bin/pip install -q --disable-pip-version-check prometheus-client requests
fi
export DENSE_TEST_PYTHON="$PWD/.venv-test/bin/python"

swift build --build-tests
swift test --skip-build --parallel "$@"
