#!/usr/bin/env bash
# Benchmark (not a test; not run by CI): Open Inference Protocol (V2) infer throughput.
#
# 1. Dense(256, relu) on 256 inputs, batch-1 V2 JSON requests, 64 connections (wrk, Lua
#    script Benchmarks/v2-infer.lua): dense-server with dynamic batching off vs on, beside
#    MLServer 1.7 serving the same weights with a numpy runtime through its own V2 endpoint
#    (pip-installed into a venv here when missing; skipped with a note if it cannot install).
# 2. Dense(1024, gelu) on [256, 1024] FP32 at 1 connection: V2 JSON in/out vs binary tensor
#    data in/out, against the in-process compute time the server reports (timing_ms.compute
#    of the native route, median of 20).
# 3. Heavier layers: Dense(1024, gelu) on [1, 1024] (4 MB of weights) and Dense(4096) on
#    [1, 4096] (64 MB: a single row is memory-bound), batch-1 V2 binary requests, c=64,
#    batching off vs on: a batch costs about one pass over the weights, so merging rows pays.
#
# Usage: Benchmarks/v2-batching.sh
# Environment: SCRATCH (SwiftPM scratch path, default .build), DURATION (seconds per run,
# default 5, after a 2 s warm-up), ROUNDS (off/on alternations, default 3; medians are
# reported), CONNECTIONS (default 64), MLSERVER_VENV (default .venv-mlserver),
# SKIP_MLSERVER=1 to leave MLServer out, MODELS (default "small wide huge") to run fewer of the
# off/on comparisons.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}
MLSERVER_VENV=${MLSERVER_VENV:-.venv-mlserver}
case "$MLSERVER_VENV" in /*) ;; *) MLSERVER_VENV="$PWD/$MLSERVER_VENV" ;; esac

command -v wrk >/dev/null || { echo "v2-batching: needs wrk (apt-get install wrk)" >&2; exit 1; }
swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product dense-server >&2
BIN="$SCRATCH/release/dense-server"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
python3 Benchmarks/make_bodies.py "$WORK"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts dense-server with extra flags; sets PORT and SERVER_PID.
start_dense() {
  local out="$WORK/dense-$RANDOM"
  "$BIN" serve --port 0 --model-dir "$out.models" --set seed_model_dir= --set drain_grace_s=0 "$@" >"$out.out" 2>"$out.err" &
  SERVER_PID=$!
  SERVER_ERR="$out.err"
  for _ in $(seq 1 300); do
    PORT=$(sed -n 's/^listening on http:.*:\([0-9]*\)$/\1/p' "$out.out" 2>/dev/null || true)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "v2-batching: dense-server did not start: $(cat "$out.err")" >&2
  exit 1
}

# Stops the server; for dense-server, MEAN_BATCH is the mean requests per forward pass it logged.
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  MEAN_BATCH=$(sed -n 's/.*mean_requests_per_pass=\([0-9.]*\).*/\1/p' "${SERVER_ERR:-/dev/null}" 2>/dev/null | tail -1)
  SERVER_ERR=""
}

put() { curl -sf -X PUT "http://127.0.0.1:$PORT/v1/models/$1" -H 'Content-Type: application/json' --data-binary "@$2" >/dev/null; }

# run_wrk URL BODY CONNECTIONS [CONTENT_TYPE] [HEADER_LENGTH] -> "rps p50 p99 errors"
run_wrk() {
  local threads=$(( $3 < 2 ? 1 : 2 ))
  WRK_BODY="$2" WRK_CONTENT_TYPE="${4:-application/json}" WRK_HEADER_LENGTH="${5:-}" \
    wrk -t"$threads" -c"$3" -d2s -s Benchmarks/v2-infer.lua "$1" >/dev/null  # warm-up
  # The warm-up's last requests are still queued when its connections close (the server does
  # not cancel them), and the measured run's new connections would find the pool full: let it
  # drain first.
  sleep 2
  WRK_BODY="$2" WRK_CONTENT_TYPE="${4:-application/json}" WRK_HEADER_LENGTH="${5:-}" \
    wrk -t"$threads" -c"$3" -d"${DURATION}s" -s Benchmarks/v2-infer.lua "$1" | sed -n 's/^RESULT //p'
}

declare -A RESULT BATCH
# Batching off and on alternate for ROUNDS rounds (the machine is shared: medians of the
# rounds are reported, each column on its own).
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
MODELS=${MODELS:-small wide huge}
for model in $MODELS; do
  for mode in off on; do : >"$WORK/runs-$model-$mode"; done
  for _ in $(seq 1 "$ROUNDS"); do
    for mode in off on; do
      start_dense --set batching=$([ $mode = on ] && echo true || echo false)
      if [ $model = small ]; then
        put small "$WORK/put-small.json"
        line=$(run_wrk "http://127.0.0.1:$PORT/v2/models/small/infer" "$WORK/v2-small.json" "$CONNECTIONS")
      elif [ $model = huge ]; then
        curl -sf -X PUT "http://127.0.0.1:$PORT/v1/models/huge" -H 'Content-Type: application/json' \
          -d '{"layer": {"units": 4096, "seed": 1}, "input_shape": [null, 4096]}' >/dev/null
        line=$(run_wrk "http://127.0.0.1:$PORT/v2/models/huge/infer" "$WORK/v2-huge.bin" "$CONNECTIONS" application/octet-stream "$(cat "$WORK/v2-huge.bin.len")")
      else
        curl -sf -X PUT "http://127.0.0.1:$PORT/v1/models/wide" -H 'Content-Type: application/json' \
          -d '{"layer": {"units": 1024, "activation": "gelu", "seed": 1}, "input_shape": [null, 1024]}' >/dev/null
        line=$(run_wrk "http://127.0.0.1:$PORT/v2/models/wide/infer" "$WORK/v2-wide.bin" "$CONNECTIONS" application/octet-stream "$(cat "$WORK/v2-wide.bin.len")")
      fi
      stop_server
      echo "$line $MEAN_BATCH" >>"$WORK/runs-$model-$mode"
      echo "dense-server $model batching $mode: $line (mean batch $MEAN_BATCH)" >&2
    done
  done
  for mode in off on; do
    key=$([ $model = small ] && echo "$mode" || echo "$model-$mode")
    RESULT[$key]="$(for c in 1 2 3 4; do awk -v c=$c '{print $c}' "$WORK/runs-$model-$mode" | median; done | tr '\n' ' ')"
    BATCH[$key]=$(awk '{print $5}' "$WORK/runs-$model-$mode" | median)
  done
done

MLSERVER_NOTE=""
if [ -z "${SKIP_MLSERVER:-}" ]; then
  if [ ! -x "$MLSERVER_VENV/bin/mlserver" ]; then
    echo "v2-batching: installing MLServer 1.7 into $MLSERVER_VENV" >&2
    # uvloop 0.22+ breaks MLServer 1.7's inference pool workers ("no current event loop").
    (python3 -m venv "$MLSERVER_VENV" && "$MLSERVER_VENV/bin/pip" install -q 'mlserver==1.7.*' numpy 'uvloop<0.22') >&2 || MLSERVER_NOTE="MLServer 1.7 did not install"
  fi
  if [ -z "$MLSERVER_NOTE" ]; then
    mkdir -p "$WORK/mlserver/small"
    cp Benchmarks/mlserver_numpy_dense.py "$WORK/mlserver/small/"
    MPORT=$(free_port); GPORT=$(free_port); XPORT=$(free_port)
    printf '{"http_port": %s, "grpc_port": %s, "metrics_port": %s}\n' "$MPORT" "$GPORT" "$XPORT" >"$WORK/mlserver/settings.json"
    printf '{"name": "small", "implementation": "mlserver_numpy_dense.NumpyDense", "parameters": {"uri": "%s"}}\n' "$WORK/weights.json" >"$WORK/mlserver/small/model-settings.json"
    (cd "$WORK/mlserver" && exec "$MLSERVER_VENV/bin/mlserver" start . >"$WORK/mlserver.log" 2>&1) &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
      curl -sf "http://127.0.0.1:$MPORT/v2/models/small/ready" >/dev/null 2>&1 && break
      sleep 0.2
    done
    if curl -sf "http://127.0.0.1:$MPORT/v2/models/small/ready" >/dev/null 2>&1; then
      RESULT[mlserver]=$(run_wrk "http://127.0.0.1:$MPORT/v2/models/small/infer" "$WORK/v2-small.json" "$CONNECTIONS")
      echo "MLServer: ${RESULT[mlserver]}" >&2
    else
      MLSERVER_NOTE="MLServer did not become ready: $(tail -3 "$WORK/mlserver.log")"
    fi
    # MLServer can hang in shutdown: TERM, then KILL its process tree after 10 s.
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    pkill -KILL -P "$SERVER_PID" 2>/dev/null || true
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    stop_server
  fi
else
  MLSERVER_NOTE="skipped (SKIP_MLSERVER)"
fi

# Binary vs JSON, [256, 1024] FP32, one connection.
start_dense
curl -sf -X PUT "http://127.0.0.1:$PORT/v1/models/big" -H 'Content-Type: application/json' \
  -d '{"layer": {"units": 1024, "activation": "gelu", "seed": 1}, "input_shape": [null, 1024]}' >/dev/null
COMPUTE=$(for _ in $(seq 1 20); do
  curl -sf "http://127.0.0.1:$PORT/v1/models/big/predict" -H 'Content-Type: application/json' --data-binary "@$WORK/v1-big.json" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["timing_ms"]["compute"])'
done | sort -n | sed -n '10p')
RESULT[json]=$(run_wrk "http://127.0.0.1:$PORT/v2/models/big/infer" "$WORK/v2-big.json" 1)
RESULT[binary]=$(run_wrk "http://127.0.0.1:$PORT/v2/models/big/infer" "$WORK/v2-big.bin" 1 application/octet-stream "$(cat "$WORK/v2-big.bin.len")")
stop_server

field() { echo "${RESULT[$1]:-}" | awk -v n="$2" '{print $n}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "## Dense(256, relu) on [1, 256], V2 JSON, c=$CONNECTIONS, ${DURATION}s runs (wrk -t2), median of $ROUNDS, 2 shared cores"
echo
echo "| server | successful requests/s | p50 ms | p99 ms | errors (incl. 503) | requests per forward pass |"
echo "|---|---|---|---|---|---|"
for mode in off on mlserver; do
  [ -n "${RESULT[$mode]:-}" ] || continue
  label=$([ $mode = mlserver ] && echo "MLServer 1.7, numpy runtime" || echo "dense-server, batching $mode")
  echo "| $label | $(field $mode 1) | $(field $mode 2) | $(field $mode 3) | $(field $mode 4) | ${BATCH[$mode]:-} |"
done
if [ -n "$MLSERVER_NOTE" ]; then echo "| MLServer 1.7 | $MLSERVER_NOTE | | | | |"; fi
echo
echo "- batching on / off: $(ratio "$(field on 1)" "$(field off 1)")× requests/s"
[ -z "${RESULT[mlserver]:-}" ] || echo "- batching on / MLServer: $(ratio "$(field on 1)" "$(field mlserver 1)")× requests/s, p99 $(field on 3) ms vs $(field mlserver 3) ms"
echo
echo "## Dense(1024, gelu) on [256, 1024] FP32, c=1, ${DURATION}s"
echo
echo "| path | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
echo "| V2 JSON in, JSON out | $(field json 1) | $(field json 2) | $(field json 3) | $(field json 4) |"
echo "| V2 binary in, binary out | $(field binary 1) | $(field binary 2) | $(field binary 3) | $(field binary 4) |"
echo "| in-process compute (timing_ms.compute, median of 20) | | $COMPUTE | | |"
echo
echo
# batch_table MODEL TITLE: the off/on table of one batch-1 binary model.
batch_table() {
  echo "## $2, V2 binary, c=$CONNECTIONS, ${DURATION}s runs, median of $ROUNDS"
  echo
  echo "| server | successful requests/s | p50 ms | p99 ms | errors (incl. 503) | requests per forward pass |"
  echo "|---|---|---|---|---|---|"
  for mode in off on; do
    echo "| dense-server, batching $mode | $(field "$1-$mode" 1) | $(field "$1-$mode" 2) | $(field "$1-$mode" 3) | $(field "$1-$mode" 4) | ${BATCH[$1-$mode]:-} |"
  done
  echo
  echo "- batching on / off: $(ratio "$(field "$1-on" 1)" "$(field "$1-off" 1)")× requests/s"
  echo
}
batch_table wide "Dense(1024, gelu) on [1, 1024]"
batch_table huge "Dense(4096) on [1, 4096] (64 MB of weights)"
echo "- binary vs JSON end-to-end (p50): $(ratio "$(field json 2)" "$(field binary 2)")× faster"
echo "- binary end-to-end / in-process compute (p50): $(ratio "$(field binary 2)" "$COMPUTE")×"
