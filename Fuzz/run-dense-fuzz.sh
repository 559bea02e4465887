#!/usr/bin/env bash
# Builds `dense-fuzz` (libFuzzer + AddressSanitizer, through SwiftPM) and fuzzes its targets,
# each bounded in time:
#   Fuzz/run-dense-fuzz.sh                      # every target (model v2 gzip keras store grpc), 30 s each
#   Fuzz/run-dense-fuzz.sh v2 gzip              # some targets
#   FUZZ_SECONDS=600 Fuzz/run-dense-fuzz.sh     # a long run
# Build folder: $FUZZ_SCRATCH_PATH (default .build-fuzz). Seeds are read from
# Fuzz/corpus/<target> (never written); new inputs go to <scratch>/fuzz/corpus-<target>,
# crashes to <scratch>/fuzz/crash-<target>-*. Prints one line per target:
#   fuzz <target>: <executions> execs in <s> s, corpus <n>, no crash
# A crash exits non-zero: copy the reproducer to Fuzz/corpus/<target>/regress-<what>; the
# test suite replays every file there (FuzzCorpusTests).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${FUZZ_SCRATCH_PATH:-.build-fuzz}
seconds=${FUZZ_SECONDS:-30}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model v2 gzip keras store grpc)

# -D DENSE_LIBFUZZER turns the replayer into the libFuzzer driver (Sources/DenseFuzz).
swift build -c release --scratch-path "$scratch" --product dense-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DDENSE_LIBFUZZER 2>&1 | grep -E "error|Compiling|Build" | grep -v "^\[" >&2 || true
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/dense-fuzz"
[ -x "$bin" ] || { echo "run-dense-fuzz: build failed" >&2; exit 1; }

# An absolute FUZZ_SCRATCH_PATH stays as it is (it used to be put under $PWD).
case "$scratch" in /*) out="$scratch/fuzz" ;; *) out="$PWD/$scratch/fuzz" ;; esac
mkdir -p "$out"
status=0
for target in "${targets[@]}"; do
  mkdir -p "$out/corpus-$target"
  log="$out/$target.log"
  start=$(date +%s)
  # Keras files made by h5py are ~15 KB even for a tiny model (2 KB-aligned headers and heaps).
  max_len=4096
  [ "$target" = keras ] && max_len=32768
  set +e
  ASAN_OPTIONS=detect_leaks=1 "$bin" "$target" "$out/corpus-$target" "Fuzz/corpus/$target" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/crash-$target-" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  files=$(find "$out/corpus-$target" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    echo "fuzz $target: ${execs:-?} execs in $(( $(date +%s) - start )) s, corpus $files, no crash"
  else
    echo "fuzz $target: FAILED (exit $rc) after ${execs:-?} execs; log $log:" >&2
    grep -E "ERROR|Fatal|panic|SUMMARY|Test unit written" "$log" | head -20 >&2
    status=1
  fi
done
exit $status
