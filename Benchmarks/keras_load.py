"""Helpers for Benchmarks/keras-load.sh (see its header). Subcommands:

  make DIR                    (Keras venv) a seeded Sequential model saved as DIR/m.keras and
                              DIR/m.h5, a predict body DIR/predict.json and model.predict's
                              answer DIR/expected.json; prints the weights' bytes
  load PATH                   (Keras venv) one keras.saving.load_model(PATH) in this fresh
                              process; prints {"import_s", "load_s"} (load excludes imports)
  check ANSWER EXPECTED       a predict answer against model.predict (rtol 1e-5, atol 1e-6)
  start BIN MODEL_DIR SEED_DIR  starts dense-server (port 0, default config otherwise), times
                              process start to /v2/health/ready 200; prints
                              {"ready_s", "hwm_kib", "rss_kib"}, then kills it
  stats X...                  "median min max" of the numbers

Only `make` and `load` need Keras; the rest run on any python3 (no third-party modules).
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

# Input((4096,)) -> Dense(UNITS, relu) -> Dense(OUT): 16.64M float32 parameters (66.6 MB,
# 63.5 MiB), so the .keras file fits the default max_body_bytes of 64 MiB (a Dense(4096) on
# 4096 inputs is 64.02 MiB of kernel and bias alone, past it).
INPUT = int(os.environ.get("KERAS_LOAD_INPUT", "4096"))
UNITS = int(os.environ.get("KERAS_LOAD_UNITS", "4000"))
OUT = int(os.environ.get("KERAS_LOAD_OUT", "64"))
ROWS = 4


def make(directory):
    import numpy as np
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((INPUT,)), keras.layers.Dense(UNITS, activation="relu"), keras.layers.Dense(OUT)], name="big"
    )
    model.save(os.path.join(directory, "m.keras"))
    model.save(os.path.join(directory, "m.h5"))  # legacy HDF5 (Keras warns; that is the point)
    x = np.random.default_rng(1).standard_normal((ROWS, INPUT)).astype("float32")
    y = model.predict(x, verbose=0)
    with open(os.path.join(directory, "predict.json"), "w") as f:
        json.dump({"input": x.tolist()}, f)
    with open(os.path.join(directory, "expected.json"), "w") as f:
        json.dump(y.astype("float64").tolist(), f)
    print(sum(w.nbytes for w in model.get_weights()))


def load(path):
    started = time.perf_counter()
    import keras  # noqa: F401  (the import, TensorFlow's included, is not load time)

    imported = time.perf_counter()
    keras.saving.load_model(path)
    loaded = time.perf_counter()
    print(json.dumps({"import_s": imported - started, "load_s": loaded - imported}))


def check(answer_path, expected_path):
    with open(answer_path) as f:
        got = json.load(f)["output"]["data"]
    with open(expected_path) as f:
        want = json.load(f)
    flat_got = [v for row in got for v in row]
    flat_want = [v for row in want for v in row]
    if len(got) != len(want) or len(flat_got) != len(flat_want):
        print(f"MISMATCH: shape {len(got)}x{len(flat_got) // max(1, len(got))}, expected {len(want)}x{len(want[0])}")
        return 1
    worst = max(abs(a - b) - (1e-6 + 1e-5 * abs(b)) for a, b in zip(flat_got, flat_want))
    max_abs = max(abs(a - b) for a, b in zip(flat_got, flat_want))
    if worst > 0:
        print(f"MISMATCH: max |ours - keras| {max_abs:.3g} beyond rtol 1e-5 / atol 1e-6")
        return 1
    print(f"equal to model.predict within rtol 1e-5 / atol 1e-6 (max |diff| {max_abs:.3g}, {len(flat_got)} values)")
    return 0


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def start(binary, model_dir, seed_dir):
    started = time.perf_counter()
    server = subprocess.Popen(
        [binary, "serve", "--port", "0", "--model-dir", model_dir, "--set", f"seed_model_dir={seed_dir}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = None
        for line in server.stdout:  # models are seeded before the listener starts
            if line.startswith("listening on http://"):
                port = int(line.rsplit(":", 1)[1])
                break
        if port is None:
            raise SystemExit(f"dense-server exited ({server.wait()}) before listening")
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.002)
        ready = time.perf_counter() - started
        print(json.dumps({"ready_s": ready, "hwm_kib": status_kib(server.pid, "VmHWM"), "rss_kib": status_kib(server.pid, "VmRSS")}))
    finally:
        server.kill()  # SIGTERM would drain for drain_grace_s; the store is already durable
        server.wait()


def stats(values):
    numbers = [float(v) for v in values]
    print(f"{statistics.median(numbers)} {min(numbers)} {max(numbers)}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "make":
        make(*args)
    elif command == "load":
        load(*args)
    elif command == "check":
        sys.exit(check(*args))
    elif command == "start":
        start(*args)
    elif command == "stats":
        stats(args)
    else:
        raise SystemExit(__doc__)
