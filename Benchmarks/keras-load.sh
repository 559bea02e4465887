#!/usr/bin/env bash
# Benchmark (not a test; not run by CI): loading a Keras model file into the shipped
# dense-server, against Keras's own keras.saving.load_model, same machine, same run (issue 15:
# "a 64 MB .keras loads in well under a second and memory stays within 2x the weights").
#
# The model, generated with the Keras venv into a temp dir (never committed):
# Sequential([Input((4096,)), Dense(4000, relu), Dense(64)]), float32, 16.64M parameters,
# 66.6 MB of weights, saved as m.keras (63.5 MiB: under the default max_body_bytes of 64 MiB)
# and as legacy m.h5; model.predict on a [4, 4096] input is the expected answer.
#
# Measured, release dense-server with its default config (access log on; only the port, an
# empty model dir and the seed dir differ):
#   PUT       curl -T m.keras (then m.h5) to /v1/models/m, RUNS times each, a DELETE between
#             them: curl's total time and the access log's duration_ms, median (min-max)
#   memory    for each PUT: VmHWM after it minus VmRSS before it (the peak is reset through
#             /proc/PID/clear_refs first), divided by the weights' bytes
#   start-up  process start to /v2/health/ready 200 with the file in seed_model_dir, minus
#             the same with an empty seed dir (each a fresh process and an empty model dir),
#             RUNS of each alternating; and a restart from the model store the seeding wrote
#             (its v1.model), minus the empty start
#   Keras     keras.saving.load_model(path) in a fresh Python process per run, imports
#             excluded, RUNS runs
# The predict answer after each format's first PUT, and after a seeded start, must equal
# model.predict within rtol 1e-5 / atol 1e-6 (the script fails otherwise). Prints a Markdown
# table; the memory ratio is reported, not asserted.
#
# Usage: Benchmarks/keras-load.sh
# Environment: SCRATCH (SwiftPM scratch path, default .build), RUNS (default 5), KERAS_VENV
# (a venv with keras 3 + tensorflow, default .venv-keras; created from
# Tests/KerasFileTests/Fixtures/requirements.txt when missing), KEEP=1 keeps the temp dir.
# Helper: Benchmarks/keras_load.py (model generation, load_model timing, answer check, timed start).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build}
RUNS=${RUNS:-5}
KERAS_VENV=${KERAS_VENV:-.venv-keras}
case "$KERAS_VENV" in /*) ;; *) KERAS_VENV="$PWD/$KERAS_VENV" ;; esac
HELPER="$PWD/Benchmarks/keras_load.py"
if [ ! -x "$KERAS_VENV/bin/python" ] || ! "$KERAS_VENV/bin/python" -c 'import keras' 2>/dev/null; then
  echo "keras-load: installing Keras into $KERAS_VENV" >&2
  python3 -m venv "$KERAS_VENV" && "$KERAS_VENV/bin/pip" install -q -r Tests/KerasFileTests/Fixtures/requirements.txt >&2
fi
KPY="$KERAS_VENV/bin/python"
export TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES=""  # TensorFlow's CUDA probing noise

swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product dense-server >&2
BIN="$PWD/$SCRATCH/release/dense-server"
WORK=$(mktemp -d)
DENSE_PID=""
cleanup() {
  [ -z "$DENSE_PID" ] || { kill "$DENSE_PID" 2>/dev/null || true; wait "$DENSE_PID" 2>/dev/null || true; }
  [ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

echo "keras-load: generating the model in $WORK" >&2
WEIGHTS_BYTES=$("$KPY" "$HELPER" make "$WORK" 2>/dev/null | tail -1)
mkdir -p "$WORK/empty" "$WORK/seed-keras" "$WORK/seed-h5"
cp "$WORK/m.keras" "$WORK/seed-keras/"
cp "$WORK/m.h5" "$WORK/seed-h5/"
FILE_BYTES_KERAS=$(stat -c %s "$WORK/m.keras")
FILE_BYTES_H5=$(stat -c %s "$WORK/m.h5")

status_kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }
stats() { python3 "$HELPER" stats "$@"; }  # -> "median min max"
fmt_s() { awk -v m="$1" -v lo="$2" -v hi="$3" 'BEGIN { printf "%.0f ms (%.0f–%.0f)", m * 1000, lo * 1000, hi * 1000 }'; }
fmt_x() { awk -v m="$1" -v lo="$2" -v hi="$3" 'BEGIN { printf "%.2f× (%.2f–%.2f)", m, lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# --- PUT against a running server -------------------------------------------------------------
"$BIN" serve --port 0 --model-dir "$WORK/store" --set seed_model_dir="$WORK/empty" >"$WORK/dense.out" 2>"$WORK/dense.err" &
DENSE_PID=$!
DPORT=""
for _ in $(seq 1 300); do
  DPORT=$(sed -n 's/^listening on http:.*:\([0-9]*\)$/\1/p' "$WORK/dense.out" 2>/dev/null || true)
  [ -n "$DPORT" ] && break
  sleep 0.1
done
[ -n "$DPORT" ] || { echo "dense-server did not start: $(cat "$WORK/dense.err")" >&2; exit 1; }
URL="http://127.0.0.1:$DPORT"
sleep 1
IDLE_RSS_KIB=$(status_kib "$DENSE_PID" VmRSS)

declare -A PUT_TOTAL PUT_SERVER PUT_MEM
for format in keras h5; do
  PUT_TOTAL[$format]="" PUT_SERVER[$format]="" PUT_MEM[$format]=""
  for run in $(seq 1 "$RUNS"); do
    echo 5 >"/proc/$DENSE_PID/clear_refs"  # VmHWM := VmRSS
    before=$(status_kib "$DENSE_PID" VmRSS)
    lines=$(grep -c 'method=PUT' "$WORK/dense.err" || true)
    total=$(curl -sS -o "$WORK/put.answer" -w '%{http_code} %{time_total}' -T "$WORK/m.$format" "$URL/v1/models/m")
    [ "${total%% *}" = 201 ] || { echo "PUT m.$format answered ${total%% *}: $(head -c 600 "$WORK/put.answer")" >&2; exit 1; }
    hwm=$(status_kib "$DENSE_PID" VmHWM)
    for _ in $(seq 1 50); do  # the access line is written after the answer
      [ "$(grep -c 'method=PUT' "$WORK/dense.err" || true)" -gt "$lines" ] && break
      sleep 0.02
    done
    server=$(grep 'method=PUT' "$WORK/dense.err" | tail -1 | sed -n 's/.*duration_ms=\([0-9.]*\).*/\1/p')
    PUT_TOTAL[$format]+="${total#* } "
    PUT_SERVER[$format]+="$(awk -v ms="$server" 'BEGIN { print ms / 1000 }') "
    PUT_MEM[$format]+="$(awk -v h="$hwm" -v b="$before" -v w="$WEIGHTS_BYTES" 'BEGIN { print (h - b) * 1024 / w }') "
    echo "keras-load: PUT m.$format run $run: ${total#* } s, RSS $before KiB before, peak $hwm KiB" >&2
    if [ "$run" = 1 ]; then
      curl -sSf "$URL/v1/models/m/predict" --data-binary "@$WORK/predict.json" -o "$WORK/predict.answer"
      echo "PUT m.$format predict: $(python3 "$HELPER" check "$WORK/predict.answer" "$WORK/expected.json")" >&2
    fi
    curl -sSf -X DELETE "$URL/v1/models/m" -o /dev/null
  done
done
kill "$DENSE_PID"
wait "$DENSE_PID" 2>/dev/null || true
DENSE_PID=""

# --- cold start: seeded vs empty, and a restart from the store ------------------------------------
declare -A START_S START_HWM
for kind in empty keras h5 store; do START_S[$kind]="" START_HWM[$kind]=""; done
for run in $(seq 1 "$RUNS"); do
  for kind in empty keras h5 store; do
    case $kind in
      empty) seed="$WORK/empty" store="$WORK/start-store"; rm -rf "$store" ;;
      keras | h5) seed="$WORK/seed-$kind" store="$WORK/start-store"; rm -rf "$store" ;;
      store) seed="$WORK/empty" store="$WORK/start-store" ;;  # the h5 start's store: v1.model
    esac
    out=$(python3 "$HELPER" start "$BIN" "$store" "$seed")
    START_S[$kind]+="$(echo "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["ready_s"])') "
    START_HWM[$kind]+="$(echo "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["hwm_kib"])') "
    echo "keras-load: start $kind run $run: $out" >&2
  done
done
STORED_BYTES=$(stat -c %s "$WORK/start-store/m/v1.model")
# A seeded server answers as Keras does too.
"$BIN" serve --port 0 --model-dir "$WORK/check-store" --set seed_model_dir="$WORK/seed-keras" >"$WORK/seeded.out" 2>"$WORK/seeded.err" &
DENSE_PID=$!
SPORT=""
for _ in $(seq 1 600); do
  SPORT=$(sed -n 's/^listening on http:.*:\([0-9]*\)$/\1/p' "$WORK/seeded.out" 2>/dev/null || true)
  [ -n "$SPORT" ] && break
  sleep 0.1
done
[ -n "$SPORT" ] || { echo "seeded dense-server did not start: $(cat "$WORK/seeded.err")" >&2; exit 1; }
curl -sSf "http://127.0.0.1:$SPORT/v1/models/m/predict" --data-binary "@$WORK/predict.json" -o "$WORK/seeded.answer"
echo "seeded m.keras predict: $(python3 "$HELPER" check "$WORK/seeded.answer" "$WORK/expected.json")" >&2
kill "$DENSE_PID"
wait "$DENSE_PID" 2>/dev/null || true
DENSE_PID=""

# --- keras.saving.load_model, a fresh process per run ---------------------------------------------
declare -A KERAS_S
for format in keras h5; do
  KERAS_S[$format]=""
  for run in $(seq 1 "$RUNS"); do
    out=$("$KPY" "$HELPER" load "$WORK/m.$format" 2>/dev/null | tail -1)
    KERAS_S[$format]+="$(echo "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["load_s"])') "
    echo "keras-load: load_model m.$format run $run: $out" >&2
  done
done

# --- table ----------------------------------------------------------------------------------------
# Start-up load = seeded start minus the median empty start (each run against the median).
startup() {  # kind -> "median min max" of (start - median empty)
  local empty
  empty=$(stats ${START_S[empty]} | awk '{ print $1 }')
  stats $(for s in ${START_S[$1]}; do awk -v s="$s" -v e="$empty" 'BEGIN { print s - e }'; done)
}
EMPTY=($(stats ${START_S[empty]}))
echo
echo "| | .keras ($FILE_BYTES_KERAS bytes) | legacy .h5 ($FILE_BYTES_H5 bytes) |"
echo "|---|---|---|"
row() { echo "| $1 | $2 | $3 |"; }
K_PUT=($(stats ${PUT_TOTAL[keras]})) H_PUT=($(stats ${PUT_TOTAL[h5]}))
K_SRV=($(stats ${PUT_SERVER[keras]})) H_SRV=($(stats ${PUT_SERVER[h5]}))
K_START=($(startup keras)) H_START=($(startup h5)) S_START=($(startup store))
K_KERAS=($(stats ${KERAS_S[keras]})) H_KERAS=($(stats ${KERAS_S[h5]}))
K_MEM=($(stats ${PUT_MEM[keras]})) H_MEM=($(stats ${PUT_MEM[h5]}))
row "our PUT, curl total, median (min–max)" "$(fmt_s "${K_PUT[@]}")" "$(fmt_s "${H_PUT[@]}")"
row "our PUT, server duration_ms (access log)" "$(fmt_s "${K_SRV[@]}")" "$(fmt_s "${H_SRV[@]}")"
row "our start-up load (seeded − empty start)" "$(fmt_s "${K_START[@]}")" "$(fmt_s "${H_START[@]}")"
row "keras.saving.load_model (imports excluded)" "$(fmt_s "${K_KERAS[@]}")" "$(fmt_s "${H_KERAS[@]}")"
row "load_model ÷ our PUT (medians)" "$(ratio "${K_KERAS[0]}" "${K_PUT[0]}")×" "$(ratio "${H_KERAS[0]}" "${H_PUT[0]}")×"
row "load_model ÷ our start-up load (medians)" "$(ratio "${K_KERAS[0]}" "${K_START[0]}")×" "$(ratio "${H_KERAS[0]}" "${H_START[0]}")×"
row "PUT peak RSS delta ÷ weights bytes" "$(fmt_x "${K_MEM[@]}")" "$(fmt_x "${H_MEM[@]}")"
echo
echo "weights: $WEIGHTS_BYTES bytes (16.64M float32); empty start $(fmt_s "${EMPTY[@]}"), peak RSS $(($(stats ${START_HWM[empty]} | awk '{ print int($1) }') / 1024)) MiB;" \
  "seeded start peak RSS: .keras $(($(stats ${START_HWM[keras]} | awk '{ print int($1) }') / 1024)) MiB," \
  ".h5 $(($(stats ${START_HWM[h5]} | awk '{ print int($1) }') / 1024)) MiB;" \
  "restart from the stored v1.model ($STORED_BYTES bytes): $(fmt_s "${S_START[@]}") over the empty start," \
  "peak RSS $(($(stats ${START_HWM[store]} | awk '{ print int($1) }') / 1024)) MiB; idle RSS before the PUTs $((IDLE_RSS_KIB / 1024)) MiB"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg); RUNS=$RUNS"
