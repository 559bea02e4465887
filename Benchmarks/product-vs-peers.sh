#!/usr/bin/env bash
# Benchmark (not a test; not run by CI): the shipped dense-server with its default config
# (access log on, batching on, default queue depth) against nginx and MLServer, same machine,
# same run, wrk -t2 -c64 (issue 12's table):
#   health  GET /v2/health/live                       vs nginx (1 worker) returning the same bytes
#   W1      Dense(8) on [1, 16], V2 JSON infer        vs nginx returning the same answer bytes
#   W2      Dense(256, relu) on [32, 256], V2 JSON    vs MLServer 1.7 (numpy runtime)
#   W3      Dense(10) on [64, 20, 5], V2 JSON         vs MLServer 1.7
#   W4      Dense(1024, gelu) on [256, 1024], V2 JSON vs MLServer 1.7
# and dense-server's idle RSS. Prints a Markdown table with the ratios; nothing asserts.
#
# Usage: Benchmarks/product-vs-peers.sh
# Environment: SCRATCH (SwiftPM scratch path, default .build), DURATION (seconds per run, default
# 10, after a 3 s warm-up and a pause for the warm-up's requests to drain), CONNECTIONS (64),
# MLSERVER_VENV (default .venv-mlserver; installed when missing), SKIP_MLSERVER=1,
# WORKLOADS (default "health w1 w2 w3 w4").
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
WORKLOADS=${WORKLOADS:-health w1 w2 w3 w4}
MLSERVER_VENV=${MLSERVER_VENV:-.venv-mlserver}
case "$MLSERVER_VENV" in /*) ;; *) MLSERVER_VENV="$PWD/$MLSERVER_VENV" ;; esac
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v nginx >/dev/null || apt-get install -y -qq nginx-light >/dev/null

swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product dense-server >&2
BIN="$SCRATCH/release/dense-server"
WORK=$(mktemp -d)
PIDS=()
NGINX_CONF=""
MLSERVER_PID=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$MLSERVER_PID" ]; then
    kill -- -"$MLSERVER_PID" 2>/dev/null || kill "$MLSERVER_PID" 2>/dev/null || true
    sleep 1
    kill -9 -- -"$MLSERVER_PID" 2>/dev/null || true
  fi
  [ -z "$NGINX_CONF" ] || nginx -c "$NGINX_CONF" -p "$WORK" -s stop 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
python3 Benchmarks/make_product_bodies.py "$WORK"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_mib() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# dense-server exactly as a user runs it: only the port and a scratch model directory differ
# from the defaults (the access log goes to a file, as it would to a container's log).
"$BIN" serve --port 0 --model-dir "$WORK/models" >"$WORK/dense.out" 2>"$WORK/dense.err" &
DENSE_PID=$!
PIDS+=("$DENSE_PID")
for _ in $(seq 1 300); do
  DPORT=$(sed -n 's/^listening on http:.*:\([0-9]*\)$/\1/p' "$WORK/dense.out" 2>/dev/null || true)
  [ -n "$DPORT" ] && break
  sleep 0.1
done
[ -n "$DPORT" ] || { echo "dense-server did not start: $(cat "$WORK/dense.err")" >&2; exit 1; }
sleep 1
IDLE_RSS=$(rss_mib "$DENSE_PID")
for w in w1 w2 w3 w4; do
  curl -sf -X PUT "http://127.0.0.1:$DPORT/v1/models/$w" -H 'Content-Type: application/json' --data-binary "@$WORK/$w.put.json" >/dev/null
done
curl -sf "http://127.0.0.1:$DPORT/v2/health/live" >"$WORK/health.answer"
curl -sf "http://127.0.0.1:$DPORT/v2/models/w1/infer" -H 'Content-Type: application/json' --data-binary "@$WORK/w1.v2.json" >"$WORK/w1.answer"

# nginx returning dense-server's own answer bytes.
NPORT=$(free_port)
NGINX_CONF="$WORK/nginx.conf"
cat >"$NGINX_CONF" <<NGX
worker_processes 1; pid $WORK/nginx.pid; error_log $WORK/nginx.err;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NPORT;
    location = /v2/health/live { default_type application/json; return 200 '$(cat "$WORK/health.answer")'; }
    location = /w1 { default_type application/json; return 200 '$(cat "$WORK/w1.answer")'; }
  }
}
NGX
nginx -c "$NGINX_CONF" -p "$WORK"

MLSERVER_NOTE=""
MPORT=""
if [ -z "${SKIP_MLSERVER:-}" ]; then
  if [ ! -x "$MLSERVER_VENV/bin/mlserver" ]; then
    echo "product-vs-peers: installing MLServer 1.7 into $MLSERVER_VENV" >&2
    (python3 -m venv "$MLSERVER_VENV" && "$MLSERVER_VENV/bin/pip" install -q 'mlserver==1.7.*' numpy 'uvloop<0.22') >&2 ||
      MLSERVER_NOTE="MLServer 1.7 did not install"
  fi
  if [ -z "$MLSERVER_NOTE" ]; then
    MPORT=$(free_port) GPORT=$(free_port) XPORT=$(free_port)
    mkdir -p "$WORK/mlserver"
    printf '{"http_port": %s, "grpc_port": %s, "metrics_port": %s}\n' "$MPORT" "$GPORT" "$XPORT" >"$WORK/mlserver/settings.json"
    for w in w2 w3 w4; do
      mkdir -p "$WORK/mlserver/$w"
      cp Benchmarks/mlserver_numpy_dense.py "$WORK/mlserver/$w/"
      printf '{"name": "%s", "implementation": "mlserver_numpy_dense.NumpyDense", "parameters": {"uri": "%s"}}\n' \
        "$w" "$WORK/$w.weights.json" >"$WORK/mlserver/$w/model-settings.json"
    done
    # In its own session, so cleanup stops its worker processes too (kill -- -PGID).
    (cd "$WORK/mlserver" && exec setsid "$MLSERVER_VENV/bin/mlserver" start . >"$WORK/mlserver.log" 2>&1) &
    MLSERVER_PID=$!
    for _ in $(seq 1 600); do
      curl -sf "http://127.0.0.1:$MPORT/v2/models/w4/ready" >/dev/null 2>&1 && break
      sleep 0.2
    done
    curl -sf "http://127.0.0.1:$MPORT/v2/models/w4/ready" >/dev/null 2>&1 ||
      MLSERVER_NOTE="MLServer did not become ready: $(tail -2 "$WORK/mlserver.log")"
  fi
else
  MLSERVER_NOTE="skipped (SKIP_MLSERVER)"
fi

# run URL [BODY] -> "rps p50 p99 errors"
run() {
  local method=GET
  [ -z "${2:-}" ] || method=POST
  WRK_METHOD=$method WRK_BODY="${2:-}" wrk -t2 -c"$CONNECTIONS" -d3s --timeout 60s -s Benchmarks/v2-infer.lua "$1" >/dev/null
  sleep 2  # the warm-up's last requests drain before the measured window opens
  WRK_METHOD=$method WRK_BODY="${2:-}" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 60s -s Benchmarks/v2-infer.lua "$1" | sed -n "s/^RESULT //p"
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }

echo "| workload | dense-server req/s (p99 ms) | peer | peer req/s (p99 ms) | ratio | goal |"
echo "|---|---|---|---|---|---|"
row() {  # name ours peer_name peer goal
  local ours=($2) theirs=($4)
  local note=""
  [ "${ours[3]}" = 0 ] || note=" (${ours[3]} errors)"
  echo "| $1 | ${ours[0]} (${ours[2]})$note | $3 | ${theirs[0]} (${theirs[2]}) | $(ratio "${ours[0]}" "${theirs[0]}")× | $5 |"
}
for w in $WORKLOADS; do
  case $w in
    health) row "GET /v2/health/live" "$(run "http://127.0.0.1:$DPORT/v2/health/live")" "nginx, 1 worker" \
              "$(run "http://127.0.0.1:$NPORT/v2/health/live")" "≥ 0.8×" ;;
    w1) row "W1 Dense(8) on [1,16], V2 JSON" "$(run "http://127.0.0.1:$DPORT/v2/models/w1/infer" "$WORK/w1.v2.json")" \
          "nginx, same answer" "$(run "http://127.0.0.1:$NPORT/w1" "$WORK/w1.v2.json")" "≥ 0.5×" ;;
    w2|w3|w4)
      goal=$([ $w = w4 ] && echo "≥ 6×" || echo "≥ 10×")
      label=$(case $w in w2) echo "W2 Dense(256, relu) on [32,256]";; w3) echo "W3 Dense(10) on [64,20,5]";;
                         w4) echo "W4 Dense(1024, gelu) on [256,1024]";; esac)
      ours=$(run "http://127.0.0.1:$DPORT/v2/models/$w/infer" "$WORK/$w.v2.json")
      if [ -n "$MLSERVER_NOTE" ]; then
        echo "| $label | $(echo "$ours" | awk '{print $1 " (" $3 ")"}') | MLServer 1.7 | $MLSERVER_NOTE | | $goal |"
      else
        row "$label" "$ours" "MLServer 1.7, numpy" "$(run "http://127.0.0.1:$MPORT/v2/models/$w/infer" "$WORK/$w.v2.json")" "$goal"
      fi ;;
  esac
done
echo
echo "dense-server idle RSS: $IDLE_RSS MiB (goal ≤ 15); access log lines written: $(grep -c ': request ' "$WORK/dense.err" || true)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); wrk -t2 -c$CONNECTIONS -d${DURATION}s after a 3 s warm-up"
