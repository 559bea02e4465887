#!/usr/bin/env python3
"""Writes the version-1 model store files (v1.json: the model as JSON, weights as base64) that
DenseServe releases before the binary store (format_version 2, v<n>.model) wrote, and what they
answer: chain/v1.json, native/v1.json and expected.json, for ModelStoreFileTests.

Needs such a release's binary (built from commit 2a3ff69 or earlier); later ones write .model
files. Run from this folder: python3 make_store_v1.py PATH/TO/dense-server
"""
import json, os, re, shutil, subprocess, sys, tempfile, urllib.request
binary = sys.argv[1]
store = tempfile.mkdtemp()
def layer(c, cfg): return {"module": "keras.layers", "class_name": c, "config": cfg, "registered_name": None}
chain_layers = [
    layer("InputLayer", {"batch_shape": [None, 2, 2], "dtype": "float32", "name": "input_layer"}),
    layer("Flatten", {"name": "flatten"}),
    layer("Dense", {"name": "d", "units": 6, "activation": "tanh"}),
    layer("BatchNormalization", {"name": "bn", "axis": -1, "epsilon": 0.001, "center": True, "scale": True}),
    layer("Reshape", {"name": "reshape", "target_shape": [-1, 3]}),
    layer("LayerNormalization", {"name": "ln", "epsilon": 0.01}),
    layer("LeakyReLU", {"name": "leaky"}),
    layer("ELU", {"name": "elu", "alpha": 0.5}),
    layer("ReLU", {"name": "relu", "max_value": 6, "negative_slope": 0.1, "threshold": 0.2}),
    layer("Dense", {"name": "half", "units": 5, "activation": "gelu", "dtype": "mixed_float16"}),
    layer("Activation", {"name": "act", "activation": "sigmoid"}),
    layer("Dropout", {"name": "dropout", "rate": 0.5}),
    layer("Dense", {"name": "nobias", "units": 4, "use_bias": False, "trainable": False}),
    layer("Softmax", {"name": "softmax", "axis": -1}),
]
kernel = [[(r * 6 + c) / 10 - 1 for c in range(6)] for r in range(4)]
weights = [kernel, [0, 0.1, 0.2, 0.3, 0.4, 0.5],
           [1, 0.5, 2, 1, 1, 1], [0, 0.1, -0.1, 0, 0, 0], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 2, 0.5, 1, 3, 1],
           [1, 2, 3], [0, 0.5, -0.5],
           [[0.1 * (r - c) + 0.03 for c in range(5)] for r in range(3)], [0.01, -0.02, 0.03, 0, 0.5],
           [[((r * 4 + c) % 7) / 7 - 0.4 for c in range(4)] for r in range(5)]]
chain = {"model": {"module": "keras", "class_name": "Sequential", "config": {"name": "fixture_chain", "layers": chain_layers}},
         "weights": weights, "batching": {"max_batch_rows": 64, "max_queue_delay_us": 200}}
native = {"layers": [{"units": 40, "activation": "gelu", "dtype": "float64", "seed": 7},
                     {"name": "out", "units": 3, "dtype": "float64", "seed": 8, "use_bias": False}],
          "input_shape": [None, 3, 24]}
models = {"chain": chain, "native": native}
inputs = {"chain": {"input": [[[1, 2], [3, 4]], [[-1, 0.5], [0.25, -2]]]},
          "native": {"input": [[[i / 10 - 1 + j / 50 for i in range(24)] for j in range(3)]]}}
p = subprocess.Popen([binary, "serve", "--port", "0", "--model-dir", store, "--set", "seed_model_dir="], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
port = None
for line in p.stdout:
    m = re.match(r"listening on http:.*:(\d+)$", line.strip())
    if m: port = m.group(1); break
url = f"http://127.0.0.1:{port}"
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req) as r: return json.loads(r.read())
expected = {}
for name, body in models.items():
    put = call("PUT", f"/v1/models/{name}", body)
    meta = call("GET", f"/v1/models/{name}")
    out = call("POST", f"/v1/models/{name}/predict", inputs[name])
    expected[name] = {"weights_digest": meta["weights_digest"], "input": inputs[name]["input"], "output": out["output"],
                      "model": meta["model"]}
p.terminate(); p.wait()
for name in models:
    os.makedirs(name, exist_ok=True)
    shutil.copy(os.path.join(store, name, "v1.json"), os.path.join(name, "v1.json"))
shutil.rmtree(store)
json.dump(expected, open("expected.json", "w"), indent=1)
