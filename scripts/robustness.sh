#!/usr/bin/env bash
# Proves the service holds, and prints the figures:
#   scripts/robustness.sh --short   # ~3 min, run by .ci/run after scripts/test.sh
#   scripts/robustness.sh --long    # ~1 h: fuzz each target 10 min, 50 crash rounds, 100k leak run, LSan
#
#  1. fuzz      every libFuzzer target (http, json when present, model, v2, gzip, keras, store, grpc), bounded
#  2. overload  4× the measured capacity offered open-loop to a 1-worker server: only 200/503,
#               Retry-After on every 503, RSS bounded, normal service once the load stops
#  3. slow      500 clients sending a head a byte a second + 500 that never read, beside a
#               normal client: it gets every answer; its p99 vs unloaded p99 is reported
#  4. leak      mixed requests (successes and error paths): RSS after vs before warm-up
#  4b. gzip     30 gzip bombs at once (60 KB each on the wire, 60 MiB inflated) against a
#               256 MiB request-byte budget: only 200/503, RSS within the budget + 256 MiB
#  5. crash     kill -9 during PUTs and DELETEs, restart, every acknowledged model exact
#  6. lsan      (--long) the server built with AddressSanitizer (LeakSanitizer) through the
#               leak workload, then SIGTERM: the report must be clean
# Correctness failures exit non-zero; goals that are figures (p99 ratio ≤ 2, RSS growth ≤ 5 %)
# are printed with "goal met" / "goal missed" and do not fail the run.
# FUZZ_SECONDS overrides the seconds per fuzz target; FUZZ_SECONDS=0 skips fuzzing (e.g. when a
# long fuzz run goes on elsewhere).
# Build folders: $SWIFT_SCRATCH_PATH (default .build; --long builds release there too),
# $FUZZ_SCRATCH_PATH (default .build-fuzz), $ASAN_SCRATCH_PATH (default .build-asan).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:---short}
case "$mode" in
  --short) fuzz_seconds=${FUZZ_SECONDS:-8}; crash_rounds=10; leak_requests=20000; leak_warmup=10000
           overload_seconds=6; slow_requests=400; slow_ramp=3; config=debug ;;
  --long)  fuzz_seconds=${FUZZ_SECONDS:-600}; crash_rounds=50; leak_requests=100000; leak_warmup=100000
           overload_seconds=30; slow_requests=1500; slow_ramp=5; config=release ;;
  *) echo "usage: scripts/robustness.sh [--short|--long]" >&2; exit 64 ;;
esac
scratch=${SWIFT_SCRATCH_PATH:-.build}
export FUZZ_SCRATCH_PATH=${FUZZ_SCRATCH_PATH:-.build-fuzz}
asan_scratch=${ASAN_SCRATCH_PATH:-.build-asan}
work=$(mktemp -d /tmp/denseserve-robustness.XXXXXX)
summary="$work/summary.txt"
failed=0
checks=0
started=$(date +%s)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
note() { echo "$*" | tee -a "$summary"; }
fail() { note "FAIL: $*"; failed=$((failed + 1)); }
# check DESCRIPTION CONDITION-COMMAND…: counts a correctness check, fails it when the command fails.
check() { local what=$1; shift; checks=$((checks + 1)); "$@" || fail "$what"; }
is_true() { [ "$1" = True ]; }
step() { echo; echo "== $* ($(( $(date +%s) - started )) s)"; }

# 500 + 500 client sockets beside the server's own: raise the descriptor limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge 4096 ] || echo "robustness: ulimit -n is $(ulimit -n); the slow-client run needs > 2100" >&2

scripts/ensure-deps.sh --test
py=python3
[ -x .venv-test/bin/python ] && py=.venv-test/bin/python

step "build ($config)"
swift build --scratch-path "$scratch" --build-tests 2>&1 | grep -E "error|Build" | grep -v "^\[" || true
if [ "$config" = release ]; then
  swift build -c release --scratch-path "$scratch" --product dense-server 2>&1 | grep -E "error|Build" | grep -v "^\[" || true
fi
server_bin="$(swift build -c "$config" --scratch-path "$scratch" --show-bin-path)/dense-server"
[ -x "$server_bin" ] || { echo "robustness: no $server_bin" >&2; exit 1; }

# start_server NAME BINARY ARGS… → sets server_pid, server_port (waits for "listening on").
start_server() {
  local name=$1 bin=$2; shift 2
  mkdir -p "$work/$name-models"
  "$bin" serve --port 0 --model-dir "$work/$name-models" --set seed_model_dir= --log-level warning \
    --set drain_grace_s=0.1 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 1 300); do
    server_port=$(sed -n 's|^listening on http://[^ ]*:\([0-9]*\)$|\1|p' "$work/$name.out" | head -1)
    [ -n "$server_port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "robustness: $name server did not start:" >&2
  cat "$work/$name.err" >&2
  exit 1
}

# stop_server: SIGTERM, wait (bounded); returns the exit status.
stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  local status=0
  for _ in $(seq 1 600); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$server_pid" || status=$?
  return $status
}

# figure JSON EXPR: a Python expression over the loadgen result `r`.
figure() { "$py" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. Fuzzing ---------------------------------------------------------------------------------
fuzz_execs() { sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -1; }
if [ "$fuzz_seconds" -gt 0 ]; then
step "fuzz: ${fuzz_seconds} s per target"
checks=$((checks + 1))
if FUZZ_SECONDS=$fuzz_seconds Fuzz/run-http-fuzz.sh >"$work/fuzz-http.log" 2>&1; then
  note "fuzz http: $(fuzz_execs "$work/fuzz-http.log") execs in ${fuzz_seconds} s, no crash"
else
  fail "fuzz http crashed or failed to build: $(grep -E 'ERROR|Fatal|error:' "$work/fuzz-http.log" | head -3)"
fi
if [ -x Fuzz/run-json-fuzz.sh ]; then
  checks=$((checks + 1))
  if FUZZ_SECONDS=$fuzz_seconds Fuzz/run-json-fuzz.sh >"$work/fuzz-json.log" 2>&1; then
    note "fuzz json: $(fuzz_execs "$work/fuzz-json.log") execs in ${fuzz_seconds} s, no crash"
  else
    fail "fuzz json crashed or failed to build: $(grep -E 'ERROR|Fatal|error:' "$work/fuzz-json.log" | head -3)"
  fi
fi
checks=$((checks + 1))
if FUZZ_SECONDS=$fuzz_seconds Fuzz/run-dense-fuzz.sh >"$work/fuzz-dense.log" 2>"$work/fuzz-dense.err"; then
  tee -a "$summary" <"$work/fuzz-dense.log"
else
  cat "$work/fuzz-dense.log" "$work/fuzz-dense.err" >&2
  fail "fuzz model/v2/gzip/keras/store/grpc (see above)"
fi
fi
hostile=$(grep -hoE '^\s+\("[^"]+",' Tests/IntegrationTests/HostileInputTests.swift | wc -l)
# + the requests of the single-purpose tests (-0/1e-400, whitespace, 4 ../ paths, Content-Length
# 10^12, header flood, gzip bomb, the request and response byte budgets).
hostile=$((hostile + $(grep -hoE '^\s+(add|raw)\("' Tests/IntegrationTests/HostileProtocolTests.swift | wc -l) + 11))
note "hostile inputs in the test suite: $hostile distinct requests against the running server"

# 2. Overload --------------------------------------------------------------------------------
step "overload: 4x capacity for ${overload_seconds} s (1 worker, queue_depth 2)"
start_server overload "$server_bin" --workers 1 --set queue_depth=2
"$py" scripts/robustness/loadgen.py overload --port "$server_port" --pid "$server_pid" \
  --seconds "$overload_seconds" --capacity-seconds 3 >"$work/overload.json"
r="$work/overload.json"
note "overload: capacity $(figure "$r" 'r["capacity_rps"]') req/s, offered $(figure "$r" 'r["offered_rps"]') req/s for $(figure "$r" 'r["offered_seconds"]') s: $(figure "$r" 'r["sent"]') requests, statuses $(figure "$r" 'r["statuses"]')"
note "overload: shed rate $(figure "$r" 'r["shed_rate"]'), 503 latency p50 $(figure "$r" 'r["latency_503_ms"]["p50"]') ms p99 $(figure "$r" 'r["latency_503_ms"]["p99"]') ms; 200 latency p50 $(figure "$r" 'r["latency_200_ms"]["p50"]') ms"
note "overload: RSS $(figure "$r" 'r["rss_before"]>>20') MiB before, $(figure "$r" 'r["rss_peak"]>>20') MiB peak, $(figure "$r" 'r["rss_after"]>>20') MiB after; after the load $(figure "$r" 'r["after_ok"]')/$(figure "$r" 'r["after_requests"]') normal requests 200"
check "overload: statuses other than 200/503 or connection errors" is_true "$(figure "$r" 'set(r["statuses"]) <= {"200", "503"} and r["connection_errors"] == 0')"
check "overload: no shedding, or a 503 without Retry-After / JSON code" is_true "$(figure "$r" 'r["statuses"].get("503", 0) > 0 and r["missing_retry_after"] == 0 and r["bad_503_body"] == 0')"
check "overload: not serving normally after the load" is_true "$(figure "$r" 'r["after_ok"] == r["after_requests"] and r["heavy_after_status"] == 200')"
check "overload: RSS above 1 GiB" is_true "$(figure "$r" 'r["rss_peak"] < 1 << 30')"
check "overload: the server died" kill -0 "$server_pid"
check "overload: the server did not exit 0 on SIGTERM" stop_server

# 3. Slow clients ----------------------------------------------------------------------------
step "slow clients: 500 byte-a-second heads + 500 non-readers beside a normal client"
start_server slow "$server_bin"
"$py" scripts/robustness/loadgen.py slow --port "$server_port" --pid "$server_pid" \
  --slow 500 --nonreaders 500 --requests "$slow_requests" --ramp "$slow_ramp" >"$work/slow.json"
r="$work/slow.json"
ratio=$(figure "$r" 'r["p99_ratio"]')
goal=$(figure "$r" '"goal met" if r["p99_ratio"] is not None and r["p99_ratio"] <= 2 else "goal missed"')
note "slow clients: normal client p99 $(figure "$r" 'r["p99_loaded_ms"]') ms loaded vs $(figure "$r" 'r["p99_unloaded_ms"]') ms unloaded: ratio $ratio ($goal, goal <= 2); p50 $(figure "$r" 'r["p50_loaded_ms"]') vs $(figure "$r" 'r["p50_unloaded_ms"]') ms"
note "slow clients: connections $(figure "$r" 'r["opened"]'), statuses $(figure "$r" 'r["normal_statuses"]'), server RSS $(figure "$r" 'r["rss_loaded"]>>20') MiB under attack"
check "slow clients: the normal client did not get every answer" is_true "$(figure "$r" 'r["normal_statuses"] == {"200": r["normal_requests"]} and r["normal_error"] is None and r["after_ok"] == 20')"
check "slow clients: the server died" kill -0 "$server_pid"
check "slow clients: the server did not exit 0 on SIGTERM" stop_server

# 4. Leaks -----------------------------------------------------------------------------------
step "leaks: $leak_requests mixed requests after $leak_warmup warm-up"
start_server leak "$server_bin"
"$py" scripts/robustness/loadgen.py leak --port "$server_port" --pid "$server_pid" \
  --requests "$leak_requests" --warmup "$leak_warmup" >"$work/leak.json"
r="$work/leak.json"
goal=$(figure "$r" '"goal met" if abs(r["rss_growth_pct"]) <= 5 else "goal missed"')
note "leaks: $(figure "$r" 'r["requests"]') mixed requests ($(figure "$r" 'r["kinds"]') kinds) at $(figure "$r" 'r["rps"]') req/s: RSS $(figure "$r" 'round(r["rss_before"]/2**20, 1)') MiB before, $(figure "$r" 'round(r["rss_after"]/2**20, 1)') MiB after, $(figure "$r" 'r["rss_growth_pct"]') % ($goal, goal within 5 %)"
check "leaks: unexpected statuses $(figure "$r" 'r["unexpected"]')" is_true "$(figure "$r" 'not r["unexpected"]')"
check "leaks: the server did not exit 0 on SIGTERM" stop_server

# 4b. Gzip bombs -----------------------------------------------------------------------------
step "gzip bombs: 30 at once, 60 MiB inflated each, max_buffered_request_bytes 256 MiB"
start_server gzip "$server_bin" --set max_buffered_request_bytes=268435456
"$py" scripts/robustness/loadgen.py gzip --port "$server_port" --pid "$server_pid" \
  --connections 30 --inflated-mib 60 >"$work/gzip.json"
r="$work/gzip.json"
note "gzip bombs: $(figure "$r" 'r["connections"]') × $(figure "$r" 'r["wire_bytes_each"]') bytes on the wire ($(figure "$r" 'r["inflated_bytes_each"]>>20') MiB inflated each): statuses $(figure "$r" 'r["statuses"]'); RSS $(figure "$r" 'r["rss_before"]>>20') MiB before, $(figure "$r" 'r["rss_peak"]>>20') MiB peak, $(figure "$r" 'r["rss_after"]>>20') MiB after"
check "gzip bombs: statuses other than 200/503 or connection errors" is_true "$(figure "$r" 'set(r["statuses"]) <= {"200", "503"} and r["connection_errors"] == 0')"
check "gzip bombs: RSS peak above the 256 MiB budget + 256 MiB" is_true "$(figure "$r" 'r["rss_peak"] < 512 << 20')"
check "gzip bombs: a normal gzip request afterwards was not served" is_true "$(figure "$r" 'r["after_status"] == 200')"
check "gzip bombs: the server did not exit 0 on SIGTERM" stop_server

# 5. Crash consistency -----------------------------------------------------------------------
step "crash consistency: $crash_rounds kill -9 rounds"
checks=$((checks + 1))
if DENSE_CRASH_ROUNDS=$crash_rounds swift test --scratch-path "$scratch" --skip-build \
    --filter CrashConsistencyTests >"$work/crash.log" 2>&1; then
  note "$(grep -m1 '^crash consistency:' "$work/crash.log")"
else
  grep -E "✘|crash consistency|error" "$work/crash.log" | head -20 >&2
  fail "crash consistency"
fi

# 6. LeakSanitizer (--long) ------------------------------------------------------------------
if [ "$mode" = --long ]; then
  step "LeakSanitizer: the ASan build of dense-server through the leak workload"
  swift build --scratch-path "$asan_scratch" --sanitize=address --product dense-server 2>&1 | grep -E "error|Build" | grep -v "^\[" || true
  asan_bin="$(swift build --scratch-path "$asan_scratch" --sanitize=address --show-bin-path)/dense-server"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
  start_server lsan "$asan_bin"
  "$py" scripts/robustness/loadgen.py leak --port "$server_port" --pid "$server_pid" \
    --requests 10000 --warmup 1000 >"$work/lsan.json"
  checks=$((checks + 1))
  if stop_server && ! grep -q "ERROR: \(LeakSanitizer\|AddressSanitizer\)" "$work/lsan.err"; then
    note "lsan: 11000 mixed requests under AddressSanitizer + LeakSanitizer, SIGTERM, exit 0: no leak or memory error reported"
  else
    grep -A12 "ERROR:" "$work/lsan.err" | head -60 >&2
    fail "lsan: a report (see above)"
  fi
  unset ASAN_OPTIONS
fi

echo
echo "== robustness $mode summary ($(( $(date +%s) - started )) s)"
cat "$summary"
if [ $failed -ne 0 ]; then
  echo "robustness: $((checks - failed)) passed, $failed failed"
  exit 1
fi
echo "robustness: $checks passed, 0 failed"
