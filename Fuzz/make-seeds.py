#!/usr/bin/env python3
"""Writes the small seed corpora of the dense-fuzz targets (Fuzz/corpus/{model,v2,gzip,store}).

Run once after changing it; the files are checked in. Crash reproducers found by fuzzing go
into Fuzz/corpus/<target>/regress-* by hand and are replayed by the test suite.
"""
import base64, gzip, hashlib, json, os, struct, zlib

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def write(target, name, data):
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# model: POST /v1/dense bodies, every model form, every tensor form.
k = [[1, -1], [0.5, 2]]
model = {
    "layer-nested": {"layer": {"units": 2, "activation": "relu", "kernel": k, "bias": [0, 0.1]}, "input": [[1, 2], [3, 4]]},
    "shape-only": {"layer": {"units": 10}, "input_shape": [None, 20, 5]},
    "layers-seeded": {"layers": [{"units": 4, "activation": "gelu", "seed": 1}, {"units": 2, "activation": "softmax", "use_bias": False}],
                      "input": {"shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]}, "output_format": "b64"},
    "b64-input": {"layer": {"units": 1, "kernel": [[1], [1]], "bias": [0]},
                  "input": {"shape": [1, 2], "dtype": "float32", "b64": base64.b64encode(struct.pack("<2f", 1.5, -2)).decode()}},
    "float64-glu": {"layer": {"units": 4, "activation": "glu", "dtype": "float64", "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": 3}}},
                    "input": {"shape": [3], "dtype": "int32", "data": [1, 2, 3]}},
    "keras-layer": {"layer": {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "tanh", "use_bias": True},
                              "weights": [[[1, 2], [3, 4]], [0, 1]]}, "input": [[0.1, 0.2]]},
    "keras-model": {"model": {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 2]}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 1, "activation": "sigmoid", "use_bias": False}}]}},
        "weights": [[[0.5], [-0.5]]], "input": [[1, 2]]},
}
for name, body in model.items():
    write("model", name, json.dumps(body))
write("model", "extreme-numbers", '{"layer": {"units": 1, "kernel": [[1]], "bias": [-0]}, "input": [[1e-400], [-0.0], [3.4028235e38], [123456789012345678901234567890e-30]]}')
write("model", "nan-infinity", '{"layer": {"units": 1, "kernel": [[NaN]], "bias": [Infinity]}, "input": [-Infinity]}')

# v2: first byte = how Inference-Header-Content-Length is made (see InferenceFuzzing.v2Request).
req = {"id": "42", "inputs": [{"name": "input", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]}],
       "outputs": [{"name": "output", "parameters": {"binary_data": True}}]}
write("v2", "json-flat", b"\x00" + json.dumps(req).encode())
req["inputs"][0]["data"] = [[1, 2], [3, 4]]
write("v2", "json-nested", b"\x00" + json.dumps(req).encode())
for dt, fmt in [("FP32", "<4f"), ("FP64", "<4d"), ("INT8", "<4b"), ("UINT16", "<4H"), ("INT64", "<4q")]:
    raw = struct.pack(fmt, 1, 2, 3, 4)
    head = {"inputs": [{"name": "input", "shape": [1, 4], "datatype": dt, "parameters": {"binary_data_size": len(raw)}}],
            "parameters": {"binary_data_output": True}}
    write("v2", f"binary-{dt}", b"\x01" + json.dumps(head).encode() + b"\x00" + raw)
raw = bytes([1, 0, 1])
head = {"inputs": [{"name": "input", "shape": [3], "datatype": "BOOL", "parameters": {"binary_data_size": 3}}]}
write("v2", "binary-BOOL", b"\x01" + json.dumps(head).encode() + b"\x00" + raw)
head = json.dumps({"inputs": [{"name": "input", "shape": [1, 2], "datatype": "FP16", "parameters": {"binary_data_size": 4}}]}).encode()
write("v2", "length-number", b"\x02" + struct.pack("<H", len(head)) + head + struct.pack("<2e", 1, 2))
write("v2", "length-text", b"\x03\x03 7 " + b'{"inputs":[]}')

# gzip: two bytes of limit, then the body.
text = json.dumps(model["layer-nested"]).encode()
write("gzip", "small", struct.pack("<H", 4000) + gzip.compress(text, 6, mtime=0))
write("gzip", "two-members", struct.pack("<H", 4000) + gzip.compress(b"a" * 10, mtime=0) + gzip.compress(b"b" * 10, mtime=0))
write("gzip", "bomb", struct.pack("<H", 100) + gzip.compress(b" " * 100000, 9, mtime=0))
write("gzip", "truncated", struct.pack("<H", 4000) + gzip.compress(text, mtime=0)[:-7])
raw = zlib.compressobj(1, zlib.DEFLATED, 31)
write("gzip", "level1", struct.pack("<H", 3000) + raw.compress(text * 3) + raw.flush())

# store: model store files (format_version 2), written from the layout ModelStoreFile documents:
# magic, header length (UInt64 LE), JSON header, zeros to a multiple of 64, the weights raw
# (little-endian, get_weights() order), their SHA-256.
def store_file(name, layers, arrays, **extra):
    weights = b"".join(struct.pack("<%d%s" % (len(values), "f" if dtype == "float32" else "d"), *values) for _, dtype, values in arrays)
    header = {"format": "denseserve-model", "format_version": 2, "name": name, "version": 1, "created_at": 1.5,
              "model_name": "sequential", **extra, "layers": layers,
              "weights": [{"shape": shape, "dtype": dtype} for shape, dtype, _ in arrays], "weights_bytes": len(weights)}
    text = json.dumps(header, separators=(",", ":")).encode()
    start = -(-(16 + len(text)) // 64) * 64
    return b"\x89DSM\r\n\x1a\n" + struct.pack("<Q", len(text)) + text + bytes(start - 16 - len(text)) + weights + hashlib.sha256(weights).digest()

def dense(name, units, activation="linear", use_bias=True, dtype="float32"):
    return {"name": name, "units": units, "activation": activation, "use_bias": use_bias, "dtype": dtype, "trainable": True}

os.makedirs(os.path.join(root, "store"), exist_ok=True)
write("store", "seed-dense", store_file("m", [dense("dense", 3, "relu"), dense("out", 2, use_bias=False)],
      [([2, 3], "float32", [1, -1, 0.5, 2, 0, -3]), ([3], "float32", [0, 0.1, 0.2]), ([3, 2], "float32", [1, 0, 0, 1, 1, 1])]))
write("store", "seed-float64", store_file("f", [dense("d", 2, "gelu", dtype="float64")],
      [([3, 2], "float64", [0.25, -0.5, 1, 2, 3, -4]), ([2], "float64", [0.5, -0.5])]))
write("store", "seed-chain", store_file("c", [
    {"class_name": "Flatten", "config": {"name": "flatten"}},
    dense("d", 4, "tanh", dtype="mixed_float16"),
    {"class_name": "BatchNormalization", "config": {"name": "bn", "dtype": "float32", "trainable": True, "epsilon": 0.001, "center": True, "scale": False}},
    {"class_name": "Reshape", "config": {"name": "reshape", "target_shape": [2, 2]}},
    {"class_name": "LayerNormalization", "config": {"name": "ln", "dtype": "float32", "trainable": True, "epsilon": 0.01, "center": False, "scale": True}},
    {"class_name": "LeakyReLU", "config": {"name": "leaky", "dtype": "float32", "negative_slope": 0.3}},
    {"class_name": "Softmax", "config": {"name": "softmax", "dtype": "float32"}}],
    [([4, 4], "float32", [0.5, -0.25, 0.125, 1, 0, 0.5, -1, 2, 1, 1, 0.25, 0, -0.5, 0.75, 0, 1]), ([4], "float32", [0, 0.5, -0.5, 1]),
     ([4], "float32", [0, 0.1, 0.2, 0.3]), ([4], "float32", [0, 0, 0.5, 0]), ([4], "float32", [1, 2, 1, 0.5]),
     ([2], "float32", [1, 0.5])], input_shape=[None, 2, 2], batching={"max_batch_rows": 8}))
