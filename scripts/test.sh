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

# The V2 conformance test drives the server with the real tritonclient (Python): a venv with
# it is created once (git-ignored) and handed to the Swift test.
if [ ! -x .venv-triton/bin/python ] || ! .venv-triton/bin/python -c 'import tritonclient.http, numpy' 2>/dev/null; then
  echo "test.sh: creating .venv-triton with tritonclient[http] and numpy" >&2
  python3 -m venv .venv-triton
  .venv-triton/bin/pip install -q 'tritonclient[http]' numpy
fi
export DENSESERVE_TRITON_PYTHON="$PWD/.venv-triton/bin/python"

swift build --build-tests
swift test --skip-build --parallel "$@"
