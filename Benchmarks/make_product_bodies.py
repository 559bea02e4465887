"""Writes the bodies of Benchmarks/product-vs-peers.sh into a directory (stdlib only).

For each workload W1–W4: <w>.put.json (the DenseServe PUT body), <w>.weights.json (kernel, bias
and activation for the MLServer numpy runtime) and <w>.v2.json (a V2 JSON infer request).

  W1  Dense(8) on [1, 16]
  W2  Dense(256, relu) on [32, 256]
  W3  Dense(10) on [64, 20, 5]            (the seed model's shape)
  W4  Dense(1024, gelu) on [256, 1024]    (1.7 MB in, 5.3 MB out as JSON)
"""
import json
import random
import sys

out = sys.argv[1]
rng = random.Random(0)
WORKLOADS = {
    "w1": (16, 8, "linear", [1, 16]),
    "w2": (256, 256, "relu", [32, 256]),
    "w3": (5, 10, "linear", [64, 20, 5]),
    "w4": (1024, 1024, "gelu", [256, 1024]),
}
for name, (inputs, units, activation, shape) in WORKLOADS.items():
    limit = (6 / (inputs + units)) ** 0.5
    kernel = [[round(rng.uniform(-limit, limit), 6) for _ in range(units)] for _ in range(inputs)]
    bias = [round(rng.uniform(-0.1, 0.1), 6) for _ in range(units)]
    json.dump({"kernel": kernel, "bias": bias, "activation": activation}, open(f"{out}/{name}.weights.json", "w"))
    json.dump({"layer": {"name": "dense", "units": units, "activation": activation, "kernel": kernel, "bias": bias},
               "input_shape": [None] + shape[1:]}, open(f"{out}/{name}.put.json", "w"))
    count = 1
    for dimension in shape:
        count *= dimension
    data = [round(rng.uniform(-1, 1), 4) for _ in range(count)]
    json.dump({"inputs": [{"name": "input", "shape": shape, "datatype": "FP32", "data": data}]}, open(f"{out}/{name}.v2.json", "w"))
