"""Writes the benchmark's model and request bodies into a directory (stdlib only).

  weights.json      Dense(256, relu) on 256 inputs (seeded), for both servers
  put-small.json    the DenseServe PUT body of that layer
  v2-small.json     a batch-1 V2 infer request [1, 256] FP32 (JSON)
  v2-big.json       a V2 infer request [256, 1024] FP32, JSON in and out
  v2-big.bin        the same as binary data in and out; its JSON length in v2-big.bin.len
  v1-big.json       the native predict body of the same input (b64), for compute timing
  v2-wide.bin       a batch-1 V2 binary request [1, 1024] FP32 (binary out); JSON length in .len
  v2-huge.bin       a batch-1 V2 binary request [1, 4096] FP32 (binary out), for Dense(4096) on
                    4096 inputs (64 MB of weights); JSON length in .len
"""
import base64
import json
import random
import struct
import sys

out = sys.argv[1]
rng = random.Random(0)
limit = (6 / (256 + 256)) ** 0.5
kernel = [[round(rng.uniform(-limit, limit), 6) for _ in range(256)] for _ in range(256)]
bias = [round(rng.uniform(-0.1, 0.1), 6) for _ in range(256)]
json.dump({"kernel": kernel, "bias": bias, "activation": "relu"}, open(f"{out}/weights.json", "w"))
json.dump({"layer": {"name": "dense", "units": 256, "activation": "relu", "kernel": kernel, "bias": bias}},
          open(f"{out}/put-small.json", "w"))
x = [round(rng.uniform(-1, 1), 6) for _ in range(256)]
json.dump({"inputs": [{"name": "input", "shape": [1, 256], "datatype": "FP32", "data": x}]}, open(f"{out}/v2-small.json", "w"))

big = [struct.unpack("<f", struct.pack("<f", rng.uniform(-1, 1)))[0] for _ in range(256 * 1024)]
json.dump({"inputs": [{"name": "input", "shape": [256, 1024], "datatype": "FP32", "data": big}]}, open(f"{out}/v2-big.json", "w"))
raw = struct.pack(f"<{len(big)}f", *big)
header = json.dumps({"inputs": [{"name": "input", "shape": [256, 1024], "datatype": "FP32",
                                 "parameters": {"binary_data_size": len(raw)}}],
                     "parameters": {"binary_data_output": True}}).encode()
open(f"{out}/v2-big.bin", "wb").write(header + raw)
open(f"{out}/v2-big.bin.len", "w").write(str(len(header)))
json.dump({"input": {"shape": [256, 1024], "dtype": "float32", "b64": base64.b64encode(raw).decode()}, "output_format": "b64"},
          open(f"{out}/v1-big.json", "w"))

wide = struct.pack("<1024f", *big[:1024])
header = json.dumps({"inputs": [{"name": "input", "shape": [1, 1024], "datatype": "FP32",
                                 "parameters": {"binary_data_size": len(wide)}}],
                     "parameters": {"binary_data_output": True}}).encode()
open(f"{out}/v2-wide.bin", "wb").write(header + wide)
open(f"{out}/v2-wide.bin.len", "w").write(str(len(header)))

huge = struct.pack("<4096f", *big[:4096])
header = json.dumps({"inputs": [{"name": "input", "shape": [1, 4096], "datatype": "FP32",
                                 "parameters": {"binary_data_size": len(huge)}}],
                     "parameters": {"binary_data_output": True}}).encode()
open(f"{out}/v2-huge.bin", "wb").write(header + huge)
open(f"{out}/v2-huge.bin.len", "w").write(str(len(header)))
