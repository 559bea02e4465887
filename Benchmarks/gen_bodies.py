"""Writes the benchmark workloads: model PUT bodies, predict bodies and one-shot bodies.

Usage: gen_bodies.py OUTDIR. Deterministic (seeded). Used by api-bench.sh for DenseServe and
the FastAPI baseline alike, so both do exactly the same work on the same bytes.
"""
import json, os, sys
import numpy as np

WORKLOADS = {  # name: (units, activation, input shape)
    "tiny": (8, "linear", [1, 16]),
    "mid": (256, "relu", [32, 256]),
    "big": (1024, "gelu", [256, 1024]),
}

def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, (units, activation, shape) in WORKLOADS.items():
        fan_in = shape[-1]
        kernel = rng.uniform(-0.1, 0.1, (fan_in, units)).astype(np.float32)
        bias = rng.uniform(-0.1, 0.1, units).astype(np.float32)
        # Shortest float32 text, as a client holding float32 data would send it.
        x = np.array([float(str(v)) for v in rng.uniform(-1, 1, shape).astype(np.float32).ravel()]).reshape(shape)
        layer = {"name": "dense", "units": units, "activation": activation,
                 "kernel": kernel.tolist(), "bias": bias.tolist()}
        with open(f"{out}/{name}.model.json", "w") as f:
            json.dump({"layer": layer}, f)
        with open(f"{out}/{name}.predict.json", "w") as f:
            json.dump({"input": x.tolist()}, f)
        with open(f"{out}/{name}.dense.json", "w") as f:
            json.dump({"layer": layer, "input": x.tolist()}, f)

if __name__ == "__main__":
    main(sys.argv[1])
