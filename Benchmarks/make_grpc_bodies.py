#!/usr/bin/env python3
"""Request bodies for Benchmarks/grpc-vs-rest.sh, written to DIR:

  live.grpc               a framed ServerLiveRequest (5-byte gRPC prefix + message)
  w1.grpc / w4.grpc       framed ModelInferRequests, raw FP32 input, for W1 and W4
  w1.bin / w4.bin         the V2 REST binary bodies of the same inputs (+ .len: JSON header length)
  w4.json                 the V2 REST JSON body of W4's input
  w1.put.json / w4.put.json  the models

W1: Dense(8) on [1, 16]. W4: Dense(1024, gelu) on [256, 1024] (1 MiB in, 1 MiB out).
Usage: make_grpc_bodies.py DIR (needs tritonclient[grpc] for the message classes)."""
import json
import struct
import sys

import numpy as np
from tritonclient.grpc import service_pb2

out = sys.argv[1]
rng = np.random.default_rng(3)
MODELS = {"w1": (16, 8, "linear", (1, 16)), "w4": (1024, 1024, "gelu", (256, 1024))}


def framed(message):
    payload = message.SerializeToString()
    return struct.pack(">BI", 0, len(payload)) + payload


open(f"{out}/live.grpc", "wb").write(framed(service_pb2.ServerLiveRequest()))
for name, (inputs, units, activation, shape) in MODELS.items():
    json.dump({"layers": [{"units": units, "activation": activation, "seed": 1}], "input_shape": [None, inputs]},
              open(f"{out}/{name}.put.json", "w"))
    x = rng.standard_normal(shape).astype("<f4")
    request = service_pb2.ModelInferRequest(model_name=name)
    request.inputs.add(name="input", datatype="FP32", shape=list(shape))
    request.raw_input_contents.append(x.tobytes())
    open(f"{out}/{name}.grpc", "wb").write(framed(request))
    header = json.dumps({"inputs": [{"name": "input", "shape": list(shape), "datatype": "FP32",
                                     "parameters": {"binary_data_size": x.nbytes}}],
                         "outputs": [{"name": "output", "parameters": {"binary_data": True}}]}).encode()
    open(f"{out}/{name}.bin", "wb").write(header + x.tobytes())
    open(f"{out}/{name}.len", "w").write(str(len(header)))
    json.dump({"inputs": [{"name": "input", "shape": list(shape), "datatype": "FP32", "data": x.flatten().tolist()}]},
              open(f"{out}/{name}.json", "w"))
