#!/usr/bin/env bash
# Builds the libFuzzer target over TensorJSON (parser, writer, float formatter,
# base64) with AddressSanitizer and runs it bounded.
#   Fuzz/run-json-fuzz.sh                 # 30 s (CI)
#   Fuzz/run-json-fuzz.sh 600             # or FUZZ_SECONDS=600
#   FUZZ_SECONDS=3600 FUZZ_JOBS=2 Fuzz/run-json-fuzz.sh   # a long run
# New interesting inputs go to .build/fuzz/corpus-json (the checked-in seeds in
# Fuzz/corpus/json stay untouched); crashes to .build/fuzz/crash-*. Reproduce
# one with `.build/fuzz/tensorjson-fuzz <file>` (SWIFT_BACKTRACE=enable=no shows
# the Swift trap message under ASan) and make it a test in Tests/TensorJSONTests.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC="${SWIFTC:-swiftc}"
command -v "$SWIFTC" >/dev/null || SWIFTC=/opt/swift/usr/bin/swiftc
SECONDS_TO_RUN="${1:-${FUZZ_SECONDS:-30}}"
OUT="${FUZZ_SCRATCH_PATH:-.build}/fuzz"
mkdir -p "$OUT/corpus-json"
"$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -module-name TensorJSON \
    Sources/TensorJSON/*.swift Fuzz/TensorJSONFuzz/*.swift -o "$OUT/tensorjson-fuzz"
EXTRA=()
# Parallel long runs: libFuzzer then writes fuzz-N.log files into the current directory ($OUT).
if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then EXTRA=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS"); fi
SEEDS="$PWD/Fuzz/corpus/json"
DICT="$PWD/Fuzz/json.dict"
cd "$OUT"
./tensorjson-fuzz corpus-json "$SEEDS" \
    -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -dict="$DICT" -artifact_prefix=./ -print_final_stats=1 "${EXTRA[@]}"
