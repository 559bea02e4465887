#!/usr/bin/env bash
# The whole Swift test suite under a sanitizer. The dense-server binary that the integration
# tests start comes from the same build, so the server runs under the sanitizer too.
#   scripts/sanitize.sh thread     # ThreadSanitizer          (build folder .build-tsan)
#   scripts/sanitize.sh address    # AddressSanitizer         (build folder .build-asan)
#   scripts/sanitize.sh thread --filter Integration   # extra arguments go to swift test
# Every process writes its reports into one folder; any report fails the run, even when the
# process that found it was a server the tests killed (a test need not notice it).
# Leaks are checked apart (LeakSanitizer over a real workload: scripts/robustness.sh --long),
# because the test runner's own process-lifetime caches would drown them.
# SANITIZE_SCRATCH_PATH picks another build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
case "$kind" in
  thread)  scratch=${SANITIZE_SCRATCH_PATH:-.build-tsan}; var=TSAN_OPTIONS; options="halt_on_error=0" ;;
  address) scratch=${SANITIZE_SCRATCH_PATH:-.build-asan}; var=ASAN_OPTIONS; options="detect_leaks=0:halt_on_error=1" ;;
  *) echo "usage: scripts/sanitize.sh thread|address [swift test arguments]" >&2; exit 64 ;;
esac
shift

scripts/ensure-deps.sh --test
source scripts/test-env.sh

reports=$(mktemp -d /tmp/denseserve-sanitize.XXXXXX)
# Tests that judge memory by RSS relax where the sanitizer's own bookkeeping inflates it.
export DENSE_SANITIZER=$kind
swift build --scratch-path "$scratch" --build-tests --sanitize="$kind" 2>&1 | grep -E "error|warning: .*sanitiz|Build" | grep -v "^\[" || true
status=0
env "$var=$options:log_path=$reports/report" \
  swift test --scratch-path "$scratch" --skip-build --sanitize="$kind" --parallel "$@" || status=$?
if compgen -G "$reports/report*" >/dev/null; then
  echo "sanitize.sh: $kind sanitizer reports:" >&2
  cat "$reports"/report* >&2
  status=1
else
  echo "sanitize.sh: no $kind sanitizer report from the test runner or any server it started"
fi
rm -rf "$reports"
exit $status
