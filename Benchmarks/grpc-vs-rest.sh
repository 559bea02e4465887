#!/usr/bin/env bash
# Benchmark (not a test; not run by CI): the shipped dense-server with its default config
# (access log on) over gRPC (HTTP/2, h2load) against its own HTTP/1.1 REST routes (wrk), same
# process, same run (issue 14's table):
#   ServerLive            h2load -c4 -m16               vs wrk -c64 GET /v2/health/live
#   W1 ModelInfer         Dense(8) on [1, 16], c4 m16   vs wrk -c64 V2 binary REST
#   W4 ModelInfer         Dense(1024, gelu) on [256, 1024] FP32, c4 m16 (64 in flight)
#                                                       vs wrk -c64 V2 binary REST and V2 JSON
# plus the RSS of 1,000 idle HTTP/2 connections and the RSS growth over 100k RPCs. h2load counts
# only `:status`, so each gRPC body is first sent once with curl and its grpc-status checked.
# Prints a Markdown table with the ratios; nothing asserts.
#
# Usage: Benchmarks/grpc-vs-rest.sh
# Environment: SCRATCH (SwiftPM scratch path, default .build), DURATION (seconds per run,
# default 10, after a 2-3 s warm-up), PYTHON (with tritonclient[grpc]; default .venv-triton).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build}
DURATION=${DURATION:-10}
PYTHON=${PYTHON:-.venv-triton/bin/python}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v h2load >/dev/null || apt-get install -y -qq nghttp2-client >/dev/null
[ -x "$PYTHON" ] || { echo "grpc-vs-rest: needs $PYTHON with tritonclient[grpc] (scripts/test-env.sh makes .venv-triton)" >&2; exit 1; }
ulimit -n 8192

swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product dense-server >&2
BIN="$SCRATCH/release/dense-server"
WORK=$(mktemp -d)
DENSE_PID=""
cleanup() {
  [ -z "$DENSE_PID" ] || { kill "$DENSE_PID" 2>/dev/null || true; wait "$DENSE_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
"$PYTHON" Benchmarks/make_grpc_bodies.py "$WORK"
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

# dense-server exactly as a user runs it: only the port and a scratch model directory differ.
"$BIN" serve --port 0 --model-dir "$WORK/models" >"$WORK/dense.out" 2>"$WORK/dense.err" &
DENSE_PID=$!
for _ in $(seq 1 300); do
  PORT=$(sed -n 's/^listening on http:.*:\([0-9]*\)$/\1/p' "$WORK/dense.out" 2>/dev/null || true)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "dense-server did not start: $(cat "$WORK/dense.err")" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"
for w in w1 w4; do
  curl -sf -X PUT "$BASE/v1/models/$w" -H 'Content-Type: application/json' --data-binary "@$WORK/$w.put.json" >/dev/null
done

# grpc-status of one call of each body: h2load would count a failed call as a success.
grpc_status() {
  curl -s --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary "@$WORK/$2" -D - -o /dev/null "$BASE/inference.GRPCInferenceService/$1" |
    tr -d '\r' | sed -n 's/^grpc-status: *//p' | head -1
}
for call in "ServerLive live.grpc" "ModelInfer w1.grpc" "ModelInfer w4.grpc"; do
  set -- $call
  status=$(grpc_status "$1" "$2")
  [ "$status" = 0 ] || { echo "grpc-vs-rest: $1 with $2 answered grpc-status '$status'" >&2; exit 1; }
done

# wrk URL [BODY [HEADER_LENGTH]] -> "rps p50 p99 errors"
wrk_run() {
  local method=GET type=application/json
  [ -z "${2:-}" ] || method=POST
  [ -z "${3:-}" ] || type=application/octet-stream
  export WRK_METHOD=$method WRK_BODY="${2:-}" WRK_CONTENT_TYPE=$type WRK_HEADER_LENGTH="${3:-}"
  wrk -t2 -c64 -d3s --timeout 60s -s Benchmarks/v2-infer.lua "$1" >/dev/null
  sleep 2
  wrk -t2 -c64 -d"${DURATION}s" --timeout 60s -s Benchmarks/v2-infer.lua "$1" | sed -n "s/^RESULT //p"
}
# gRPC calls the server answered with a grpc-status other than 0 (h2load sees only :status 200).
not_ok() { curl -sf "$BASE/metrics" | awk '/^denseserve_grpc_calls_total/ && !/grpc_status="OK"/ { n += $NF } END { print n + 0 }'; }
# h2load METHOD BODY -> "rps errors" (errors: h2load's failed + errored + the calls not OK)
h2_run() {
  local before
  before=$(not_ok)
  h2load -c4 -m16 -t1 -D "$DURATION" --warm-up-time=2 -d "$WORK/$2" -H 'content-type: application/grpc' -H 'te: trailers' \
    "$BASE/inference.GRPCInferenceService/$1" >"$WORK/h2load.out" 2>&1 || true
  local rps errors
  rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$WORK/h2load.out")
  errors=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1 \2/p' "$WORK/h2load.out" | awk '{ print $1 + $2 }')
  echo "${rps:-0} $(( ${errors:-0} + $(not_ok) - before ))"
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }

# Memory first, before the large workloads grow the heap: 1,000 idle HTTP/2 connections, 100k RPCs.
BEFORE=$(rss_kib "$DENSE_PID")
read -r WITH ANSWERED < <(python3 Benchmarks/h2-idle-connections.py "$PORT" 1000 "$DENSE_PID")
sleep 1
h2load -n 10000 -c4 -m16 -t1 -d "$WORK/live.grpc" -H 'content-type: application/grpc' -H 'te: trailers' \
  "$BASE/inference.GRPCInferenceService/ServerLive" >/dev/null 2>&1 || true
WARM=$(rss_kib "$DENSE_PID")
h2load -n 100000 -c4 -m16 -t1 -d "$WORK/live.grpc" -H 'content-type: application/grpc' -H 'te: trailers' \
  "$BASE/inference.GRPCInferenceService/ServerLive" >/dev/null 2>&1 || true
AFTER=$(rss_kib "$DENSE_PID")

LIVE_GRPC=($(h2_run ServerLive live.grpc))
LIVE_REST=($(wrk_run "$BASE/v2/health/live"))
W1_GRPC=($(h2_run ModelInfer w1.grpc))
W1_REST=($(wrk_run "$BASE/v2/models/w1/infer" "$WORK/w1.bin" "$(cat "$WORK/w1.len")"))
W4_GRPC=($(h2_run ModelInfer w4.grpc))
W4_REST=($(wrk_run "$BASE/v2/models/w4/infer" "$WORK/w4.bin" "$(cat "$WORK/w4.len")"))
W4_JSON=($(wrk_run "$BASE/v2/models/w4/infer" "$WORK/w4.json"))

echo "| workload | gRPC req/s (errors) | HTTP/1.1 REST baseline | REST req/s | ratio | goal |"
echo "|---|---|---|---|---|---|"
echo "| ServerLive | ${LIVE_GRPC[0]} (${LIVE_GRPC[1]}) | wrk GET /v2/health/live | ${LIVE_REST[0]} | $(ratio "${LIVE_GRPC[0]}" "${LIVE_REST[0]}")× | ≥ 0.5× |"
echo "| W1 ModelInfer [1,16] | ${W1_GRPC[0]} (${W1_GRPC[1]}) | V2 binary | ${W1_REST[0]} | $(ratio "${W1_GRPC[0]}" "${W1_REST[0]}")× | ≥ 0.8× |"
echo "| W4 ModelInfer [256,1024] | ${W4_GRPC[0]} (${W4_GRPC[1]}) | V2 binary | ${W4_REST[0]} | $(ratio "${W4_GRPC[0]}" "${W4_REST[0]}")× | ≥ 0.95× |"
echo "| W4 ModelInfer [256,1024] | ${W4_GRPC[0]} (${W4_GRPC[1]}) | V2 JSON | ${W4_JSON[0]} | $(ratio "${W4_GRPC[0]}" "${W4_JSON[0]}")× | ≥ 2.5× |"

echo
echo "| memory | measured | goal |"
echo "|---|---|---|"
echo "| 1,000 idle HTTP/2 connections ($ANSWERED answered) | +$(( (WITH - BEFORE) / 1024 )) MiB (RSS $((BEFORE / 1024)) → $((WITH / 1024)) MiB) | ≤ +20 MB |"
echo "| 100k ServerLive RPCs after a 10k warm-up | $(python3 -c "print(f'{($AFTER - $WARM) / $WARM * 100:+.1f} %')") (RSS $((WARM / 1024)) → $((AFTER / 1024)) MiB) | ≤ 5 % |"
