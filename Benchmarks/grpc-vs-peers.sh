#!/usr/bin/env bash
# Benchmark (not a test; not run by CI): the shipped dense-server with its default config
# (access log on) against the gRPC endpoints of MLServer 1.7 (numpy runtime) and Triton (the
# `tritonserver` of the nvidia-pytriton wheel, Python backend, CPU only), the same models, the
# same request bytes, the same client, same machine, same run (issue 14's peer goals):
#   W1 ModelInfer   Dense(8) on [1, 16]          h2load -c4 -m16 (64 calls in flight)
#   W3 ModelInfer   Dense(10) on [64, 20, 5]     the same
# Every server gets tritonclient's form of the call (raw_input_contents); a server that does not
# answer it with grpc-status 0 gets the typed form (contents.fp32_contents), and the table says
# which form it got. h2load counts only `:status`, so one call of each body is first sent with
# curl and its grpc-status checked, and the errors column adds the calls the server itself
# counted as failed (see not_ok). Prints a Markdown table with the ratios; nothing asserts.
#
# Usage: Benchmarks/grpc-vs-peers.sh
# Environment: SCRATCH (SwiftPM scratch path, default .build), DURATION (seconds per run,
# default 10, after a 2 s warm-up), PYTHON (with tritonclient[grpc]; default .venv-triton),
# MLSERVER_VENV (default .venv-mlserver) and PYTRITON_VENV (default .venv-pytriton), each
# installed when missing; WORKLOADS (default "w1 w3").
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build}
DURATION=${DURATION:-10}
PYTHON=${PYTHON:-.venv-triton/bin/python}
WORKLOADS=${WORKLOADS:-w1 w3}
MLSERVER_VENV=${MLSERVER_VENV:-.venv-mlserver}
PYTRITON_VENV=${PYTRITON_VENV:-.venv-pytriton}
case "$MLSERVER_VENV" in /*) ;; *) MLSERVER_VENV="$PWD/$MLSERVER_VENV" ;; esac
case "$PYTRITON_VENV" in /*) ;; *) PYTRITON_VENV="$PWD/$PYTRITON_VENV" ;; esac
command -v h2load >/dev/null || apt-get install -y -qq nghttp2-client >/dev/null
[ -x "$PYTHON" ] || { echo "grpc-vs-peers: needs $PYTHON with tritonclient[grpc] (scripts/test-env.sh makes .venv-triton)" >&2; exit 1; }
if [ ! -x "$MLSERVER_VENV/bin/mlserver" ]; then
  echo "grpc-vs-peers: installing MLServer 1.7 into $MLSERVER_VENV" >&2
  python3 -m venv "$MLSERVER_VENV" && "$MLSERVER_VENV/bin/pip" install -q 'mlserver==1.7.*' numpy 'uvloop<0.22' >&2
fi
if ! "$PYTRITON_VENV/bin/python" -c 'import pytriton' 2>/dev/null; then
  echo "grpc-vs-peers: installing nvidia-pytriton into $PYTRITON_VENV" >&2
  # Debian's own Python: the wheel's Python-backend stub failed under pyenv's 3.11.7 (its
  # multiprocessing called an RLock method the stub's interpreter lacks).
  /usr/bin/python3 -m venv "$PYTRITON_VENV" && "$PYTRITON_VENV/bin/pip" install -q nvidia-pytriton numpy >&2
fi

swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product dense-server >&2
BIN="$SCRATCH/release/dense-server"
WORK=$(mktemp -d)
PGIDS=()
cleanup() {
  for pgid in "${PGIDS[@]}"; do kill -- -"$pgid" 2>/dev/null || true; done
  sleep 1
  for pgid in "${PGIDS[@]}"; do kill -9 -- -"$pgid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
python3 Benchmarks/make_product_bodies.py "$WORK"
# shellcheck disable=SC2086
"$PYTHON" Benchmarks/make_grpc_peer_bodies.py "$WORK" $WORKLOADS
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rank() { python3 -c "import json, sys; print(len(json.load(open(sys.argv[1]))['inputs'][0]['shape']))" "$WORK/$1.v2.json"; }
# Each server in its own session, so cleanup stops its worker processes too (kill -- -PGID).
start() {  # LOG COMMAND... -> the session's id in STARTED
  local log=$1
  shift
  setsid "$@" >"$log" 2>&1 &
  STARTED=$!
  PGIDS+=("$STARTED")
}
wait_for() {  # URL NAME LOG
  for _ in $(seq 1 900); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "grpc-vs-peers: $2 did not become ready: $(tail -5 "$3")" >&2
  exit 1
}

# dense-server exactly as a user runs it: only the port and a scratch model directory differ.
DPORT=$(free_port)
start "$WORK/dense.log" "$BIN" serve --port "$DPORT" --model-dir "$WORK/models"
wait_for "http://127.0.0.1:$DPORT/v2/health/ready" dense-server "$WORK/dense.log"
for w in $WORKLOADS; do
  curl -sf -X PUT "http://127.0.0.1:$DPORT/v1/models/$w" -H 'Content-Type: application/json' --data-binary "@$WORK/$w.put.json" >/dev/null
done

MPORT=$(free_port) MGPORT=$(free_port) MXPORT=$(free_port)
mkdir -p "$WORK/mlserver"
printf '{"http_port": %s, "grpc_port": %s, "metrics_port": %s}\n' "$MPORT" "$MGPORT" "$MXPORT" >"$WORK/mlserver/settings.json"
for w in $WORKLOADS; do
  mkdir -p "$WORK/mlserver/$w"
  cp Benchmarks/mlserver_numpy_dense.py "$WORK/mlserver/$w/"
  printf '{"name": "%s", "implementation": "mlserver_numpy_dense.NumpyDense", "parameters": {"uri": "%s"}}\n' \
    "$w" "$WORK/$w.weights.json" >"$WORK/mlserver/$w/model-settings.json"
done
(cd "$WORK/mlserver" && start "$WORK/mlserver.log" "$MLSERVER_VENV/bin/mlserver" start . && echo "$STARTED" >"$WORK/mlserver.pgid")
PGIDS+=("$(cat "$WORK/mlserver.pgid")")

TPORT=$(free_port) TGPORT=$(free_port) TXPORT=$(free_port)
specs=()
for w in $WORKLOADS; do specs+=("$w=$WORK/$w.weights.json:$(rank "$w")"); done
start "$WORK/triton.log" "$PYTRITON_VENV/bin/python" Benchmarks/pytriton_dense.py "$TPORT" "$TGPORT" "$TXPORT" "${specs[@]}"

last=${WORKLOADS##* }
wait_for "http://127.0.0.1:$MPORT/v2/models/$last/ready" MLServer "$WORK/mlserver.log"
wait_for "http://127.0.0.1:$TPORT/v2/models/$last/ready" Triton "$WORK/triton.log"

grpc_status() {  # PORT BODY
  curl -s --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary "@$WORK/$2" -D - -o /dev/null "http://127.0.0.1:$1/inference.GRPCInferenceService/ModelInfer" |
    tr -d '\r' | sed -n 's/^grpc-status: *//p' | head -1
}
# body PORT W -> the body file this server answers with grpc-status 0 ("" if none)
body() {
  local form
  for form in raw typed; do
    [ "$(grpc_status "$1" "$2.$form.grpc")" = 0 ] && { echo "$2.$form.grpc"; return; }
  done
  echo ""
}
# h2_run PORT BODY -> "rps errors"
h2_run() {
  h2load -c4 -m16 -t1 -D "$DURATION" --warm-up-time=2 -d "$WORK/$2" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$1/inference.GRPCInferenceService/ModelInfer" >"$WORK/h2load.out" 2>&1 || true
  local rps errors
  rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$WORK/h2load.out")
  errors=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1 \2/p' "$WORK/h2load.out" | awk '{ print $1 + $2 }')
  echo "${rps:-0} ${errors:-?}"
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }
# Calls that ended with a grpc-status other than 0, as the server counted them: dense-server's
# denseserve_grpc_calls_total, Triton's nv_inference_request_failure (MLServer exports no such
# count; its numpy runtime queues and never sheds, and the curl check runs again after it).
# Cancellations are not counted: h2load closes its connections with 64 calls in flight when
# its window ends (Triton counts those as reason="CANCELED").
not_ok() {  # NAME
  case $1 in
    dense) curl -sf "http://127.0.0.1:$DPORT/metrics" |
      awk '/^denseserve_grpc_calls_total/ && /ModelInfer/ && !/grpc_status="(OK|CANCELLED)"/ { n += $NF } END { print n + 0 }' ;;
    triton) curl -sf "http://127.0.0.1:$TXPORT/metrics" |
      awk '/^nv_inference_request_failure/ && !/reason="CANCELED"/ { n += $NF } END { print n + 0 }' ;;
    *) echo 0 ;;
  esac
}
measure() {  # NAME PORT W -> a table cell "rps (errors, form)" in CELL and the rate in RATE
  local file before
  file=$(body "$2" "$3")
  if [ -z "$file" ]; then CELL="no grpc-status 0 for either form"; RATE=0; return; fi
  before=$(not_ok "$1")
  local result=($(h2_run "$2" "$file"))
  local failed=$(( result[1] + $(not_ok "$1") - before ))
  [ "$(grpc_status "$2" "$file")" = 0 ] || failed="$failed + not answering afterwards"
  RATE=${result[0]}
  CELL="${result[0]} ($failed errors, ${file#$3.})"
}

echo "| workload | dense-server req/s | MLServer 1.7 req/s | ratio (goal ≥ 10×) | Triton req/s | ratio (goal ≥ 2×) |"
echo "|---|---|---|---|---|---|"
for w in $WORKLOADS; do
  label=$(case $w in w1) echo "W1 Dense(8) on [1,16]";; w2) echo "W2 Dense(256, relu) on [32,256]";;
                     w3) echo "W3 Dense(10) on [64,20,5]";; w4) echo "W4 Dense(1024, gelu) on [256,1024]";; esac)
  measure dense "$DPORT" "$w"; OURS=$RATE OURS_CELL=$CELL
  measure mlserver "$MGPORT" "$w"; ML=$RATE ML_CELL=$CELL
  measure triton "$TGPORT" "$w"; TR=$RATE TR_CELL=$CELL
  echo "| $label | $OURS_CELL | $ML_CELL | $(ratio "$OURS" "$ML")× | $TR_CELL | $(ratio "$OURS" "$TR")× |"
done
echo
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); h2load -c4 -m16 -t1 -D ${DURATION}s after a 2 s warm-up;" \
  "MLServer $("$MLSERVER_VENV/bin/pip" show mlserver 2>/dev/null | sed -n 's/^Version: //p'), nvidia-pytriton $("$PYTRITON_VENV/bin/pip" show nvidia-pytriton 2>/dev/null | sed -n 's/^Version: //p')"
