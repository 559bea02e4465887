#!/usr/bin/env bash
# Inference API benchmark (issue 4): DenseServe vs FastAPI + numpy (1 uvicorn worker) vs nginx
# serving the same response bytes, with wrk at 1, 16 and 64 connections, in the same run.
# Usage: Benchmarks/api-bench.sh [seconds-per-run]   (not part of the test suite)
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-5}
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -s stop -c "$OUT/nginx.conf" 2>/dev/null || true' EXIT
command -v wrk >/dev/null || apt-get install -y -qq wrk nginx-light >/dev/null
command -v nginx >/dev/null || apt-get install -y -qq nginx-light >/dev/null
if ! .venv-bench/bin/python -c 'import fastapi, uvicorn, numpy, scipy' 2>/dev/null; then
  python3 -m venv .venv-bench && .venv-bench/bin/pip install -q fastapi uvicorn numpy scipy
fi
swift build -c release --static-swift-stdlib --product dense-server >&2
.venv-bench/bin/python Benchmarks/gen_bodies.py "$OUT/bodies"

P_OURS=18081 P_FAST=18082 P_NGINX=18083
.build/release/dense-server serve --port $P_OURS --model-dir "$OUT/models" --set seed_model_dir= >/dev/null 2>&1 &
(cd Benchmarks && BODIES_DIR="$OUT/bodies" ../.venv-bench/bin/python -m uvicorn fastapi_dense:app --port $P_FAST --workers 1 --log-level error) &
until curl -sf localhost:$P_OURS/healthz >/dev/null; do sleep 0.2; done
until curl -s -o /dev/null localhost:$P_FAST/docs; do sleep 0.2; done
mkdir -p "$OUT/www"
for w in tiny mid big; do
  curl -sf -X PUT localhost:$P_OURS/v1/models/$w -H 'Content-Type: application/json' --data-binary @"$OUT/bodies/$w.model.json" >/dev/null
  curl -sf localhost:$P_OURS/v1/models/$w/predict -H 'Content-Type: application/json' --data-binary @"$OUT/bodies/$w.predict.json" > "$OUT/www/$w.json"
done
cat > "$OUT/nginx.conf" <<NGX
worker_processes 1; pid $OUT/nginx.pid; error_log $OUT/nginx.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$P_NGINX; root $OUT/www;
  location / { default_type application/json; error_page 405 =200 \$uri; } } }
NGX
nginx -c "$OUT/nginx.conf"

run() {  # url body conns → "req/s p50 p99"
  BODY=$2 wrk -t$(( $3 < 2 ? 1 : 2 )) -c$3 -d${DUR}s --latency -s Benchmarks/post.lua "$1" 2>/dev/null | awk '
    /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "%s %s %s %s", rps, p50, p99, (bad==""?0:bad)}'
}
printf "%-22s %4s | %10s %8s %8s | %10s %8s %8s | %10s | %7s %8s\n" workload conn ours p50 p99 fastapi p50 p99 nginx ours/fa ours/ngx
for w in tiny mid big; do
  for c in 1 16 64; do
    read -r o o50 o99 obad <<<"$(run http://127.0.0.1:$P_OURS/v1/models/$w/predict "$OUT/bodies/$w.predict.json" $c)"
    read -r f f50 f99 fbad <<<"$(run http://127.0.0.1:$P_FAST/v1/models/$w/predict "$OUT/bodies/$w.predict.json" $c)"
    read -r n n50 n99 nbad <<<"$(run http://127.0.0.1:$P_NGINX/$w.json "$OUT/bodies/$w.predict.json" $c)"
    printf "%-22s %4s | %10s %8s %8s | %10s %8s %8s | %10s | %7.1fx %7.2fx\n" "$w predict" $c "$o" "$o50" "$o99" "$f" "$f50" "$f99" "$n" \
      "$(echo "$o / ($f + 0.0001)" | bc -l)" "$(echo "$o / ($n + 0.0001)" | bc -l)"
  done
done
for w in tiny mid; do
  for c in 1 64; do
    read -r o o50 o99 obad <<<"$(run http://127.0.0.1:$P_OURS/v1/dense "$OUT/bodies/$w.dense.json" $c)"
    read -r f f50 f99 fbad <<<"$(run http://127.0.0.1:$P_FAST/v1/dense "$OUT/bodies/$w.dense.json" $c)"
    printf "%-22s %4s | %10s %8s %8s | %10s %8s %8s | %10s | %7.1fx %8s\n" "$w dense+weights" $c "$o" "$o50" "$o99" "$f" "$f50" "$f99" "-" \
      "$(echo "$o / ($f + 0.0001)" | bc -l)" "-"
  done
done
