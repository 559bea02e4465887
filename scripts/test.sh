#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks module purity, the embedded OpenAPI
# document and the deploy/ manifests, runs every Swift test (unit, conformance, live-server
# integration tests, schemathesis against the binary), then proves the container image.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-deps.sh --test

# Dependencies point one way: the kernel, the HTTP parser and the format readers stay pure.
if grep -rlE '^\s*import\s+(Foundation|FoundationEssentials|Dispatch|Glibc)\b' Sources/DenseKernel Sources/TensorJSON; then
  echo "test.sh: DenseKernel/TensorJSON must not import Foundation, Dispatch or Glibc" >&2; exit 1
fi
if grep -rlE '^\s*import\s+(Foundation|FoundationEssentials|Dispatch|Glibc)\b' Sources/KerasFile Sources/GRPCCore; then
  echo "test.sh: KerasFile and GRPCCore must not import Foundation, Dispatch or Glibc" >&2; exit 1
fi
if [ -d Sources/HTTPCore ] && grep -rlE '^\s*import\s+(Foundation|FoundationEssentials|Dispatch|Glibc)\b' Sources/HTTPCore; then
  echo "test.sh: HTTPCore must not import Foundation, Dispatch or Glibc" >&2; exit 1
fi

# Python test tooling (.venv-test, .venv-triton) and the variables the Swift tests read.
source scripts/test-env.sh

# House style: swift-format with the checked-in .swift-format, no finding allowed.
swift format lint --strict -r Sources Tests

# deploy/: Kubernetes schemas (pinned version), KServe CRD subset, cross-checks.
scripts/validate-manifests.sh

# SWIFT_SCRATCH_PATH picks another build folder (default .build).
scratch=(--scratch-path "${SWIFT_SCRATCH_PATH:-.build}")
swift build "${scratch[@]}" --build-tests
# Includes OpenAPIConformanceTests: schemathesis against the real binary.
swift test "${scratch[@]}" --skip-build --parallel "$@"

# The container image, proven without Docker (release build, debootstrap'ed rootfs, chroot).
# Needs root; DENSE_SKIP_CONTAINER_CHECK=1 skips it (then only the Dockerfile is linted).
if [ "$(id -u)" = 0 ] && [ -z "${DENSE_SKIP_CONTAINER_CHECK:-}" ]; then
  scripts/container-check.sh
else
  echo "test.sh: container-check needs root (and DENSE_SKIP_CONTAINER_CHECK unset); linting the Dockerfile only" >&2
  scripts/container-check.sh --lint-only
fi
