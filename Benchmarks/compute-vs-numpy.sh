#!/usr/bin/env bash
# Benchmark (not a test; not run by CI): the shipped dense-server's in-process compute time
# against numpy's `x @ W + b` on the same shape, same run.
#
# dense-server (release, default config, --workers 1) with Dense(1024) (linear, seeded) on
# 1024 inputs; 30 predict requests of [256, 1024] float32 (b64 in and out); the median of
# their `timing_ms.compute` beside the median of 30 numpy `x @ W + b` calls (one thread;
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed for numpy's own OpenBLAS, which picks its
# kernel itself). Also prints the time of the PUT (the weights are packed once, there).
#
# Usage: Benchmarks/compute-vs-numpy.sh   (SCRATCH: SwiftPM scratch path, default .build;
# ROWS, UNITS: the shape, default 256 and 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build}
ROWS=${ROWS:-256}
UNITS=${UNITS:-1024}
swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product dense-server >&2
BIN="$SCRATCH/release/dense-server"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" serve --port 0 --workers 1 --model-dir "$WORK/models" --set seed_model_dir= >"$WORK/out" 2>"$WORK/err" &
SERVER_PID=$!
for _ in $(seq 1 300); do
  PORT=$(sed -n 's/^listening on http:.*:\([0-9]*\)$/\1/p' "$WORK/out" 2>/dev/null || true)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "compute-vs-numpy: dense-server did not start: $(cat "$WORK/err")" >&2; exit 1; }
grep -o 'compute .*' "$WORK/err" | head -1 >&2 || true

PUT_MS=$(curl -sf -o /dev/null -w '%{time_total}' -X PUT "http://127.0.0.1:$PORT/v1/models/d" -H 'Content-Type: application/json' \
  -d "{\"layer\": {\"units\": $UNITS, \"seed\": 1}, \"input_shape\": [null, $UNITS]}" | awk '{printf "%.1f", $1 * 1000}')
python3 - "$WORK/body.json" "$ROWS" "$UNITS" <<'PY'
import base64, json, random, struct, sys
rows, units = int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(0)
raw = struct.pack(f"<{rows * units}f", *(rng.uniform(-1, 1) for _ in range(rows * units)))
json.dump({"input": {"shape": [rows, units], "dtype": "float32", "b64": base64.b64encode(raw).decode()}, "output_format": "b64"},
          open(sys.argv[1], "w"))
PY
OURS=$(for _ in $(seq 1 30); do
  curl -sf "http://127.0.0.1:$PORT/v1/models/d/predict" -H 'Content-Type: application/json' --data-binary "@$WORK/body.json" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["timing_ms"]["compute"])'
done | sort -g | sed -n '15p')
NUMPY=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 - "$ROWS" "$UNITS" <<'PY'
import sys, time
import numpy as np
rows, units = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, (rows, units)).astype(np.float32)
w = rng.uniform(-0.05, 0.05, (units, units)).astype(np.float32)
b = np.zeros(units, np.float32)
x @ w + b
times = []
for _ in range(30):
    t = time.perf_counter(); x @ w + b; times.append((time.perf_counter() - t) * 1000)
print(sorted(times)[14])
PY
)
echo "Dense($UNITS) on [$ROWS, $UNITS], float32, one worker / one thread, medians of 30"
echo "| | ms |"
echo "|---|---|"
echo "| dense-server timing_ms.compute | $OURS |"
echo "| numpy x @ W + b | $NUMPY |"
echo "| PUT (seeded weights built and packed) | $PUT_MS |"
awk -v a="$NUMPY" -v b="$OURS" 'BEGIN { printf "ratio (numpy time / ours; ≥ 1 means ours is faster): %.2f\n", a / b }'
