"""The real tritonclient.http against a running dense-server (Open Inference Protocol, V2).

Usage: python tritonclient_conformance.py HOST:PORT

Registers its models through the native /v1 routes, then checks with tritonclient, unchanged:
server and model metadata, readiness, model config, infer with JSON inputs and outputs and
with binary inputs and binary outputs, FP32 and FP64 (and the other numeric datatypes),
shapes of rank 1 to 3, request ids, errors, and concurrent clients with distinct inputs.
Every number is compared with the native POST /v1/models/{name}/predict route. Prints
"ok: N checks" and exits 0, or raises (exit 1) at the first failure.
"""

import base64
import json
import sys
import urllib.error
import urllib.request

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

URL = sys.argv[1]
BASE = "http://" + URL
CHECKS = 0


def check(condition, message):
    global CHECKS
    CHECKS += 1
    if not condition:
        raise AssertionError(message)


def native(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def native_predict(model, x, version=None):
    """The native route's output for x, sent exactly (b64 of its own dtype)."""
    dtype = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}[x.dtype]
    body = {"input": {"shape": list(x.shape), "dtype": dtype, "b64": base64.b64encode(x.astype("<" + x.dtype.str[1:]).tobytes()).decode()},
            "output_format": "b64"}
    path = f"/v1/models/{model}" + (f"/versions/{version}" if version else "") + "/predict"
    status, result = native("POST", path, body)
    check(status == 200, f"native predict {model}: {status} {result}")
    output = result["output"]
    values = np.frombuffer(base64.b64decode(output["b64"]), dtype="<f4" if output["dtype"] == "float32" else "<f8")
    return values.reshape(output["shape"])


def close(a, b, what):
    check(a.shape == b.shape, f"{what}: shape {a.shape} vs native {b.shape}")
    check(a.dtype == b.dtype, f"{what}: dtype {a.dtype} vs native {b.dtype}")
    check(np.allclose(a, b, rtol=1e-6, atol=1e-6, equal_nan=True), f"{what}: max difference {np.max(np.abs(a - b))}")


MODELS = {
    "t32": {"layers": [{"units": 8, "activation": "relu", "seed": 1}, {"units": 3, "activation": "softmax", "seed": 2}],
            "input_shape": [None, 6]},
    "t64": {"layers": [{"units": 5, "activation": "tanh", "dtype": "float64", "seed": 3}], "input_shape": [None, 4]},
    "r3": {"layers": [{"units": 7, "activation": "gelu", "seed": 4}], "input_shape": [None, 5, 4]},
    # No declared shape: any rank with last dimension 6.
    "free": {"layers": [{"units": 4, "activation": "sigmoid", "kernel": (np.arange(24).reshape(6, 4) / 24 - 0.5).tolist(),
                         "bias": [0.1, -0.1, 0.2, 0]}]},
}

for name, body in MODELS.items():
    status, result = native("PUT", f"/v1/models/{name}", body)
    check(status == 201, f"PUT {name}: {status} {result}")

client = httpclient.InferenceServerClient(url=URL, concurrency=8)

# Server metadata, health.
check(client.is_server_live(), "is_server_live")
check(client.is_server_ready(), "is_server_ready")
meta = client.get_server_metadata()
check(meta["name"] == "DenseServe" and "binary_tensor_data" in meta["extensions"], f"server metadata {meta}")

# Model metadata, readiness, config.
check(client.is_model_ready("t32"), "is_model_ready t32")
check(client.is_model_ready("t32", "1"), "is_model_ready t32 v1")
check(not client.is_model_ready("nope"), "is_model_ready nope")
m = client.get_model_metadata("r3")
check(m["name"] == "r3" and m["versions"] == ["1"], f"metadata {m}")
check(m["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 5, 4]}], f"metadata inputs {m['inputs']}")
check(m["outputs"] == [{"name": "output", "datatype": "FP32", "shape": [-1, 5, 7]}], f"metadata outputs {m['outputs']}")
m64 = client.get_model_metadata("t64", "1")
check(m64["inputs"][0]["datatype"] == "FP64" and m64["outputs"][0]["datatype"] == "FP64", f"t64 metadata {m64}")
config = client.get_model_config("t32")
check(config["input"][0]["data_type"] == "TYPE_FP32" and config["input"][0]["dims"] == [6], f"config {config}")
check(config["max_batch_size"] >= 1, f"config {config}")

rng = np.random.default_rng(7)


def infer(model, x, datatype, binary_in, binary_out, version="", request_id=""):
    inp = httpclient.InferInput("input", list(x.shape), datatype)
    inp.set_data_from_numpy(x, binary_data=binary_in)
    outputs = [httpclient.InferRequestedOutput("output", binary_data=binary_out)]
    result = client.infer(model, [inp], model_version=version, outputs=outputs, request_id=request_id)
    return result


# Infer: JSON and binary, FP32 and FP64, several shapes including rank 3, all vs native.
cases = [
    ("t32", (1, 6)), ("t32", (5, 6)),
    ("t64", (3, 4)), ("t64", (1, 4)),
    ("r3", (2, 5, 4)), ("r3", (1, 5, 4)),
    ("free", (6,)), ("free", (2, 3, 6)), ("free", (4, 6)),
]
for model, shape in cases:
    for np_type, datatype in [(np.float32, "FP32"), (np.float64, "FP64")]:
        x = rng.standard_normal(shape).astype(np_type)
        want = native_predict(model, x)
        for binary_in in (False, True):
            for binary_out in (False, True):
                what = f"{model} {shape} {datatype} in={'bin' if binary_in else 'json'} out={'bin' if binary_out else 'json'}"
                result = infer(model, x, datatype, binary_in, binary_out, request_id=f"req-{CHECKS}")
                got = result.as_numpy("output")
                close(got, want, what)
                response = result.get_response()
                check(response["model_name"] == model and response["model_version"] == "1", f"{what}: {response}")
                check(response["id"].startswith("req-"), f"{what}: id not echoed")

# Default outputs: no outputs requested -> tritonclient asks for every output in binary.
x = rng.standard_normal((3, 6)).astype(np.float32)
inp = httpclient.InferInput("input", [3, 6], "FP32")
inp.set_data_from_numpy(x)
result = client.infer("t32", [inp])
close(result.as_numpy("output"), native_predict("t32", x), "t32 default outputs")
check(result.get_output("output")["parameters"]["binary_data_size"] == 3 * 3 * 4, "binary_data_size of default outputs")

# Other numeric datatypes (cast as Keras does), JSON and binary.
for datatype in ["FP16", "BF16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "BOOL"]:
    if datatype == "BF16":
        # numpy has no bfloat16; tritonclient takes ml_dtypes.bfloat16 arrays (older ones: float32).
        try:
            import ml_dtypes
            bf16 = ml_dtypes.bfloat16
        except ImportError:
            bf16 = np.float32
        values = np.array([[0.5, -1.5, 2.0, 3.25, -4.0, 96.0]], dtype=np.float32).astype(bf16)
    elif datatype == "BOOL":
        values = np.array([[True, False, True, True, False, False]])
    else:
        values = np.array([[1, 2, 3, 4, 5, 6]], dtype=httpclient.triton_to_np_dtype(datatype))
    want = native_predict("t32", values.astype(np.float32).astype(np.float64))
    for binary_in in ([True] if datatype == "BF16" else [False, True]):
        got = infer("t32", values, datatype, binary_in, True).as_numpy("output")
        close(got, want, f"t32 {datatype} in={'bin' if binary_in else 'json'}")

# Versions.
status, _ = native("PUT", "/v1/models/t32", {"layers": [{"units": 3, "seed": 9}], "input_shape": [None, 6]})
check(status == 201, "PUT t32 v2")
x = rng.standard_normal((2, 6)).astype(np.float32)
close(infer("t32", x, "FP32", True, True, version="1").as_numpy("output"), native_predict("t32", x, version=1), "t32 v1")
close(infer("t32", x, "FP32", True, True).as_numpy("output"), native_predict("t32", x, version=2), "t32 latest")
check(client.get_model_metadata("t32")["versions"] == ["1", "2"], "t32 versions")

# Errors come back as InferenceServerException with the server's status.
for label, model, shape, datatype in [("unknown model", "nope", (1, 6), "FP32"), ("width", "t32", (1, 7), "FP32")]:
    try:
        infer(model, np.zeros(shape, dtype=np.float32), datatype, True, True)
        check(False, f"{label}: no error")
    except InferenceServerException as error:
        check(error.status() in ("404", "422", 404, 422), f"{label}: status {error.status()}")
        check(error.message(), f"{label}: empty message")
bad = httpclient.InferInput("input", [2, 6], "FP32")
bad.set_data_from_numpy(np.zeros((2, 6), dtype=np.float32), binary_data=False)
bad._data = [0.0] * 11  # shape says 12 values
try:
    client.infer("t32", [bad])
    check(False, "shape vs data: no error")
except InferenceServerException as error:
    check(str(error.status()) == "400", f"shape vs data: status {error.status()}")

# Concurrent clients with distinct inputs each get their own rows (batched on the server).
inputs = [rng.standard_normal((1 + i % 4, 6)).astype(np.float32) for i in range(64)]
wants = [native_predict("t32", x, version=1) for x in inputs]
pending = []
for i, x in enumerate(inputs):
    inp = httpclient.InferInput("input", list(x.shape), "FP32")
    inp.set_data_from_numpy(x, binary_data=i % 2 == 0)
    pending.append(client.async_infer("t32", [inp], model_version="1", request_id=str(i),
                                      outputs=[httpclient.InferRequestedOutput("output", binary_data=i % 3 == 0)]))
for i, request in enumerate(pending):
    result = request.get_result(timeout=60)
    check(result.get_response()["id"] == str(i), f"concurrent {i}: id")
    close(result.as_numpy("output"), wants[i], f"concurrent {i}")

client.close()
print(f"ok: {CHECKS} checks")
