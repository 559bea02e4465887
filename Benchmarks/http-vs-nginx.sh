#!/usr/bin/env bash
# DenseServe HTTP transport vs nginx serving the same bytes, same machine, same run.
#
#   Benchmarks/http-vs-nginx.sh                 # wrk -t2 -c64 -d10s --latency
#   DURATION=30s CONNS=128 Benchmarks/http-vs-nginx.sh
#
# Starts the release-built `http-bench-server` (GET /v2/health/live → {"live":true})
# and nginx (Debian) with a temporary config on other loopback ports, 1 and 2
# workers, runs wrk against each, and prints requests/s, p99 and the ratios.
# Then reports idle RSS and RSS with 1000 idle keep-alive connections.
# Needs: swift, wrk, nginx, python3. Not a test: nothing here asserts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-64}"
QUEUES="${QUEUES:-2}"
IDLE_CONNS="${IDLE_CONNS:-1000}"
PORT_OURS="${PORT_OURS:-18180}"
PORT_NGINX="${PORT_NGINX:-18181}"
PATH_="/v2/health/live"

for tool in wrk nginx python3; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

swift build -c release --product http-bench-server >&2
BIN="$(swift build -c release --show-bin-path)/http-bench-server"
TMP="$(mktemp -d)"
OURS_PID=""
NGINX_CONF=""
cleanup() {
    [ -n "$OURS_PID" ] && kill "$OURS_PID" 2>/dev/null || true
    [ -n "$NGINX_CONF" ] && nginx -c "$NGINX_CONF" -p "$TMP" -s stop 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
ulimit -n 20000 2>/dev/null || true

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# wrk → "req/s p99_ms"
run_wrk() {
    local out
    out="$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$1$PATH_")"
    echo "$out" >&2
    local rps p99
    rps="$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')"
    p99="$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}')"
    if echo "$out" | grep -q "Socket errors"; then echo "WARNING: socket errors against port $1" >&2; fi
    echo "$rps $p99"
}

start_nginx() {
    NGINX_CONF="$TMP/nginx-$1.conf"
    cat > "$NGINX_CONF" <<CONF
worker_processes $1;
error_log $TMP/error.log;
pid $TMP/nginx.pid;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    server {
        listen 127.0.0.1:$PORT_NGINX reuseport;
        location = $PATH_ { default_type application/json; return 200 '{"live":true}'; }
    }
}
CONF
    nginx -c "$NGINX_CONF" -p "$TMP"
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT_NGINX$PATH_" >/dev/null 2>&1 && return; sleep 0.05; done
    echo "nginx did not start" >&2; exit 1
}
stop_nginx() { nginx -c "$NGINX_CONF" -p "$TMP" -s stop; sleep 0.5; NGINX_CONF=""; }

"$BIN" "$PORT_OURS" "$QUEUES" > "$TMP/ours.log" 2>&1 &
OURS_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$TMP/ours.log" 2>/dev/null && break; sleep 0.05; done
curl -fs "http://127.0.0.1:$PORT_OURS$PATH_" >/dev/null
curl -fs "http://127.0.0.1:$PORT_OURS$PATH_" >/dev/null
IDLE_RSS="$(rss_kb "$OURS_PID")"

# Warm-up, then two rounds alternating the three servers so background noise
# hits all alike; each server keeps its best round (highest req/s, lowest p99).
wrk -t"$THREADS" -c"$CONNS" -d2s "http://127.0.0.1:$PORT_OURS$PATH_" >/dev/null
declare -A RPS P99
keep() {  # name rps p99
    RPS[$1]=$(awk -v a="${RPS[$1]:-0}" -v b="$2" 'BEGIN {print (b > a ? b : a)}')
    P99[$1]=$(awk -v a="${P99[$1]:-1e18}" -v b="$3" 'BEGIN {print (b < a ? b : a)}')
}
for round in 1 2; do
    read -r r p < <(run_wrk "$PORT_OURS"); keep ours "$r" "$p"
    echo "round $round DenseServe: $r req/s p99 $p ms" >&2
    start_nginx 1
    read -r r p < <(run_wrk "$PORT_NGINX"); keep nginx1 "$r" "$p"
    echo "round $round nginx 1 worker: $r req/s p99 $p ms" >&2
    stop_nginx
    start_nginx 2
    read -r r p < <(run_wrk "$PORT_NGINX"); keep nginx2 "$r" "$p"
    echo "round $round nginx 2 workers: $r req/s p99 $p ms" >&2
    stop_nginx
done

read -r IDLE1000_RSS ALIVE < <(python3 Benchmarks/idle-connections.py "$PORT_OURS" "$IDLE_CONNS" "$OURS_PID")
AFTER_RSS="$(rss_kb "$OURS_PID")"
start_nginx 1
NGINX_PIDS="$(pgrep -P "$(cat "$TMP/nginx.pid")" | tr '\n' ' ') $(cat "$TMP/nginx.pid")"
read -r NGINX_IDLE1000_RSS _ < <(python3 Benchmarks/idle-connections.py "$PORT_NGINX" "$IDLE_CONNS" $NGINX_PIDS)
stop_nginx

echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency http://127.0.0.1:PORT$PATH_   ($(nproc) cores, shared with wrk; best of 2 rounds)"
printf '%-30s %12s %10s %16s %16s\n' "server" "requests/s" "p99 ms" "ours/this rps" "ours/this p99"
row() { printf '%-30s %12.0f %10.2f %16.2f %16.2f\n' "$1" "${RPS[$2]}" "${P99[$2]}" \
    "$(awk -v a="${RPS[ours]}" -v b="${RPS[$2]}" 'BEGIN {print a/b}')" "$(awk -v a="${P99[ours]}" -v b="${P99[$2]}" 'BEGIN {print a/b}')"; }
row "DenseServe ($QUEUES I/O queues)" ours
row "nginx 1 worker" nginx1
row "nginx 2 workers" nginx2
echo "(ratios: best DenseServe run ÷ nginx; goal rps ≥ 0.8, p99 ≤ 2.0)"
echo
echo "DenseServe RSS idle (after 2 requests): $((IDLE_RSS / 1024)).$(( (IDLE_RSS % 1024) * 10 / 1024 )) MB (goal ≤ 15 MB)"
echo "DenseServe RSS with $ALIVE idle keep-alive connections: $((IDLE1000_RSS / 1024)).$(( (IDLE1000_RSS % 1024) * 10 / 1024 )) MB (after the wrk runs; after closing them: $((AFTER_RSS / 1024)) MB)"
echo "nginx (1 worker, master+worker) RSS with $IDLE_CONNS idle keep-alive connections: $((NGINX_IDLE1000_RSS / 1024)) MB"
