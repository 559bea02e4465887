#!/usr/bin/env bash
# Builds the libFuzzer target over HTTPCore's parser and runs it bounded.
#   Fuzz/run-http-fuzz.sh            # 30 s (CI)
#   FUZZ_SECONDS=3600 FUZZ_JOBS=2 Fuzz/run-http-fuzz.sh   # a long run
# New interesting inputs go to $FUZZ_SCRATCH_PATH/fuzz/corpus (default .build/fuzz/corpus; the
# checked-in seeds in Fuzz/corpus/http stay untouched); crashes to .../fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC="${SWIFTC:-swiftc}"
command -v "$SWIFTC" >/dev/null || SWIFTC=/opt/swift/usr/bin/swiftc
OUT="${FUZZ_SCRATCH_PATH:-.build}/fuzz"
mkdir -p "$OUT/corpus"
"$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -module-name HTTPCore \
    Sources/HTTPCore/*.swift Fuzz/HTTPParserFuzz/*.swift -o "$OUT/http-parser-fuzz"
EXTRA=()
# Parallel long runs: libFuzzer then writes fuzz-N.log files into the current directory ($OUT).
if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then EXTRA=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS"); fi
SEEDS="$PWD/Fuzz/corpus/http"
cd "$OUT"
./http-parser-fuzz corpus "$SEEDS" \
    -max_total_time="${FUZZ_SECONDS:-30}" -max_len=2048 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=./ -print_final_stats=1 "${EXTRA[@]}"
