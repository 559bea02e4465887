#!/usr/bin/env python3
"""gRPC bodies for Benchmarks/grpc-vs-peers.sh, from the V2 JSON bodies that
Benchmarks/make_product_bodies.py wrote into DIR: for each <w>.v2.json, <w>.raw.grpc (a framed
ModelInferRequest with the input in raw_input_contents, as tritonclient sends it) and
<w>.typed.grpc (the same input in contents.fp32_contents), both for model <w>, input "input".

Usage: make_grpc_peer_bodies.py DIR W... (needs tritonclient[grpc] for the message classes)."""
import json
import struct
import sys

import numpy as np
from tritonclient.grpc import service_pb2


def framed(message):
    payload = message.SerializeToString()
    return struct.pack(">BI", 0, len(payload)) + payload


directory = sys.argv[1]
for name in sys.argv[2:]:
    tensor = json.load(open(f"{directory}/{name}.v2.json"))["inputs"][0]
    x = np.asarray(tensor["data"], dtype="<f4").reshape(tensor["shape"])
    raw = service_pb2.ModelInferRequest(model_name=name)
    raw.inputs.add(name="input", datatype="FP32", shape=list(x.shape))
    raw.raw_input_contents.append(x.tobytes())
    open(f"{directory}/{name}.raw.grpc", "wb").write(framed(raw))
    typed = service_pb2.ModelInferRequest(model_name=name)
    typed.inputs.add(name="input", datatype="FP32", shape=list(x.shape)).contents.fp32_contents.extend(x.flatten().tolist())
    open(f"{directory}/{name}.typed.grpc", "wb").write(framed(typed))
