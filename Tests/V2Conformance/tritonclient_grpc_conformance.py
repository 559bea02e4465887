"""The real tritonclient.grpc and grpcio against a running dense-server (KServe V2 gRPC).

Usage: python tritonclient_grpc_conformance.py HOST:PORT SERVER_PID

Registers its models through the native /v1 routes, then checks with tritonclient.grpc,
unchanged: liveness, readiness, model readiness, server and model metadata, Triton's model
config, infer of every numeric datatype at ranks 1 to 3 (raw inputs as tritonclient sends them,
and typed `contents` built by hand), each bitwise equal to the V2 REST route's binary answer
(tritonclient.http); request ids, gzip both ways, a 6 MB reply, NOT_FOUND and INVALID_ARGUMENT
with their messages, mixing raw and typed contents, concurrent clients (dynamic batching). Then
the grpcio health stub: SERVING, NOT_FOUND; a default grpcio stub (4 MiB receive limit) given a
5 MiB reply gets RESOURCE_EXHAUSTED and the server stays healthy; last, SIGTERM to SERVER_PID
and the health stub says NOT_SERVING while the server drains. Prints "ok: N checks" and exits
0, or raises (exit 1) at the first failure.
"""

import concurrent.futures
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

import grpc
import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from grpc_health.v1 import health_pb2, health_pb2_grpc
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException

URL = sys.argv[1]
SERVER_PID = int(sys.argv[2])
CHECKS = 0


def check(condition, message):
    global CHECKS
    CHECKS += 1
    if not condition:
        raise AssertionError(message)


def native(method, path, body):
    request = urllib.request.Request("http://" + URL + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path}: {error.code} {error.read()[:300]}")


MODELS = {
    "g32": {"layers": [{"units": 8, "activation": "relu", "seed": 1}, {"units": 3, "activation": "softmax", "seed": 2}],
            "input_shape": [None, 6]},
    "g64": {"layers": [{"units": 5, "activation": "tanh", "dtype": "float64", "seed": 3}], "input_shape": [None, 4]},
    "g3": {"layers": [{"units": 7, "activation": "gelu", "seed": 4}], "input_shape": [None, 5, 4]},
    # No declared shape: any rank with last dimension 6.
    "gfree": {"layers": [{"units": 4, "activation": "sigmoid", "kernel": (np.arange(24).reshape(6, 4) / 24 - 0.5).tolist(),
                          "bias": [0.1, -0.1, 0.2, 0]}]},
    # 1 × 1536 → 1536 × 1024 float32 outputs: a 6 MB reply.
    "gwide": {"layers": [{"units": 1024, "activation": "linear", "seed": 6}], "input_shape": [None, 1]},
}
for name, body in MODELS.items():
    check(native("PUT", f"/v1/models/{name}", body) == 201, f"PUT {name}")

client = grpcclient.InferenceServerClient(url=URL)
rest = httpclient.InferenceServerClient(url=URL)

check(client.is_server_live(), "is_server_live")
check(client.is_server_ready(), "is_server_ready")
check(client.is_model_ready("g32"), "is_model_ready g32")
check(client.is_model_ready("g32", "1"), "is_model_ready g32 v1")
check(not client.is_model_ready("nope"), "is_model_ready nope")
meta = client.get_server_metadata()
check(meta.name == "DenseServe" and "binary_tensor_data" in meta.extensions, f"server metadata {meta}")
m = client.get_model_metadata("g3")
check(m.name == "g3" and list(m.versions) == ["1"] and m.platform == "keras_dense", f"metadata {m}")
check(m.inputs[0].name == "input" and m.inputs[0].datatype == "FP32" and list(m.inputs[0].shape) == [-1, 5, 4], f"inputs {m}")
check(m.outputs[0].name == "output" and list(m.outputs[0].shape) == [-1, 5, 7], f"outputs {m}")
check(client.get_model_metadata("g64", "1").inputs[0].datatype == "FP64", "g64 metadata FP64")
config = client.get_model_config("g32").config
check(config.name == "g32" and config.max_batch_size >= 1, f"config {config}")
check(config.input[0].data_type == 11 and list(config.input[0].dims) == [6], f"config input {config}")  # TYPE_FP32
check(config.output[0].name == "output" and list(config.output[0].dims) == [3], f"config output {config}")
# As JSON, the config the REST route gives: the same facts.
rest_config = rest.get_model_config("g32")
check(rest_config["max_batch_size"] == config.max_batch_size, f"config max_batch_size {rest_config} vs {config}")

rng = np.random.default_rng(11)


def rest_binary(model, x, datatype):
    inp = httpclient.InferInput("input", list(x.shape), datatype)
    inp.set_data_from_numpy(x, binary_data=True)
    result = rest.infer(model, [inp], outputs=[httpclient.InferRequestedOutput("output", binary_data=True)])
    return result.as_numpy("output")


def grpc_infer(model, x, datatype, **options):
    inp = grpcclient.InferInput("input", list(x.shape), datatype)
    inp.set_data_from_numpy(x)
    return client.infer(model, [inp], **options)


def same(a, b, what):
    check(a.shape == b.shape and a.dtype == b.dtype, f"{what}: {a.shape} {a.dtype} vs REST {b.shape} {b.dtype}")
    check(a.tobytes() == b.tobytes(), f"{what}: not bitwise equal to the REST route (max diff {np.max(np.abs(a - b))})")


TYPES = [(np.float32, "FP32"), (np.float64, "FP64"), (np.float16, "FP16"), (np.int8, "INT8"), (np.int16, "INT16"),
         (np.int32, "INT32"), (np.int64, "INT64"), (np.uint8, "UINT8"), (np.uint16, "UINT16"), (np.uint32, "UINT32"),
         (np.uint64, "UINT64"), (np.bool_, "BOOL")]
SHAPES = [("gfree", (6,)), ("g32", (4, 6)), ("g3", (2, 5, 4)), ("gfree", (2, 3, 6)), ("g64", (3, 4))]
for model, shape in SHAPES:
    for np_type, datatype in TYPES:
        if np_type == np.bool_:
            x = rng.integers(0, 2, shape).astype(np.bool_)
        elif np.issubdtype(np_type, np.integer):
            x = rng.integers(0, 100, shape).astype(np_type)
        else:
            x = rng.standard_normal(shape).astype(np_type)
        what = f"{model} {shape} {datatype}"
        result = grpc_infer(model, x, datatype, request_id=f"id-{CHECKS}")
        same(result.as_numpy("output"), rest_binary(model, x, datatype), what)
        response = result.get_response()
        check(response.model_name == model and response.model_version == "1", f"{what}: {response.model_name}")
        check(response.id.startswith("id-"), f"{what}: id not echoed ({response.id!r})")
        check(len(response.raw_output_contents) == 1 and not response.outputs[0].HasField("contents"),
              f"{what}: outputs travel raw")

# Typed contents, built by hand (tritonclient always sends raw): every typed field.
stub = service_pb2_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(URL))
TYPED = [("FP32", "fp32_contents", np.float32), ("FP64", "fp64_contents", np.float64), ("INT32", "int_contents", np.int32),
         ("INT8", "int_contents", np.int8), ("INT64", "int64_contents", np.int64), ("UINT16", "uint_contents", np.uint16),
         ("UINT64", "uint64_contents", np.uint64), ("BOOL", "bool_contents", np.bool_)]
for datatype, field, np_type in TYPED:
    x = (rng.integers(0, 2, (3, 6)) if np_type == np.bool_ else rng.integers(0, 50, (3, 6))).astype(np_type)
    if np_type in (np.float32, np.float64):
        x = rng.standard_normal((3, 6)).astype(np_type)
    request = service_pb2.ModelInferRequest(model_name="g32", id="typed")
    tensor = request.inputs.add(name="input", datatype=datatype, shape=[3, 6])
    getattr(tensor.contents, field).extend(x.flatten().tolist())
    response = stub.ModelInfer(request)
    got = np.frombuffer(response.raw_output_contents[0], dtype="<f4").reshape(list(response.outputs[0].shape))
    same(got, rest_binary("g32", x, datatype), f"typed {datatype} in {field}")
    check(response.id == "typed", "typed id")

# Mixing raw and typed contents: INVALID_ARGUMENT naming both.
request = service_pb2.ModelInferRequest(model_name="g32")
tensor = request.inputs.add(name="input", datatype="FP32", shape=[1, 6])
tensor.contents.fp32_contents.extend([0.0] * 6)
request.raw_input_contents.append(np.zeros(6, np.float32).tobytes())
try:
    stub.ModelInfer(request)
    check(False, "mixing raw and typed contents was accepted")
except grpc.RpcError as error:
    check(error.code() == grpc.StatusCode.INVALID_ARGUMENT and "raw_input_contents" in error.details(), f"mix: {error}")

# gzip both ways (tritonclient compresses the request; the answer comes back gzip'd too).
x = rng.standard_normal((64, 6)).astype(np.float32)
result = grpc_infer("g32", x, "FP32", compression_algorithm="gzip")
same(result.as_numpy("output"), rest_binary("g32", x, "FP32"), "gzip")

# A 6 MB reply through tritonclient (its limits are INT32_MAX).
x = rng.standard_normal((1536, 1)).astype(np.float32)
result = grpc_infer("gwide", x, "FP32")
big = result.as_numpy("output")
check(big.shape == (1536, 1024) and big.nbytes > 6_000_000, f"6 MB reply: {big.shape}")
same(big, rest_binary("gwide", x, "FP32"), "6 MB reply")

# Errors: status and message.
try:
    grpc_infer("nope", np.zeros((1, 6), np.float32), "FP32")
    check(False, "unknown model answered")
except InferenceServerException as error:
    check(error.status() == "StatusCode.NOT_FOUND" and "nope" in error.message(), f"NOT_FOUND: {error}")
try:
    grpc_infer("g32", np.zeros((1, 5), np.float32), "FP32")
    check(False, "wrong width answered")
except InferenceServerException as error:
    check(error.status() == "StatusCode.INVALID_ARGUMENT" and "5" in error.message(), f"INVALID_ARGUMENT: {error}")
try:
    misnamed = grpcclient.InferInput("x", [1, 6], "FP32")
    misnamed.set_data_from_numpy(np.zeros((1, 6), np.float32))
    client.infer("g32", [misnamed])
    check(False, "wrong input name answered")
except InferenceServerException as error:
    check(error.status() == "StatusCode.INVALID_ARGUMENT" and "input" in error.message(), f"input name: {error}")
try:
    stub.ModelConfig(service_pb2.ModelConfigRequest(name="g32", version="x"))
    check(False, "bad version answered")
except grpc.RpcError as error:
    check(error.code() == grpc.StatusCode.INVALID_ARGUMENT and "model_version" in error.details(), f"version: {error}")

# Concurrent clients with distinct inputs (they may share a dynamic batch): each its own answer.
def one(seed):
    local = np.random.default_rng(seed).standard_normal((1, 6)).astype(np.float32)
    own = grpcclient.InferenceServerClient(url=URL)
    return local, grpc_infer_with(own, local)


def grpc_infer_with(own, x):
    inp = grpcclient.InferInput("input", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    return own.infer("g32", [inp]).as_numpy("output")


with concurrent.futures.ThreadPoolExecutor(8) as pool:
    for local, got in pool.map(one, range(64)):
        same(got, rest_binary("g32", local, "FP32"), "concurrent")

# Metrics label gRPC calls by their method.
with urllib.request.urlopen("http://" + URL + "/metrics", timeout=30) as response:
    metrics = response.read().decode()
check('route="/inference.GRPCInferenceService/ModelInfer",method="POST",status="200"' in metrics, "metrics label ModelInfer")

# grpcio health stub.
channel = grpc.insecure_channel(URL)
health = health_pb2_grpc.HealthStub(channel)
SERVING = health_pb2.HealthCheckResponse.SERVING
check(health.Check(health_pb2.HealthCheckRequest(service="")).status == SERVING, "health ''")
check(health.Check(health_pb2.HealthCheckRequest(service="inference.GRPCInferenceService")).status == SERVING, "health inference")
try:
    health.Check(health_pb2.HealthCheckRequest(service="unknown.Service"))
    check(False, "unknown service answered")
except grpc.RpcError as error:
    check(error.code() == grpc.StatusCode.NOT_FOUND, f"health unknown: {error}")

# A default grpcio stub (4 MiB receive limit) and a 5 MiB reply: the client refuses it, the
# server stays healthy.
default_stub = service_pb2_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(URL))
request = service_pb2.ModelInferRequest(model_name="gwide")
request.inputs.add(name="input", datatype="FP32", shape=[1280, 1])
request.raw_input_contents.append(np.ones(1280, np.float32).tobytes())
try:
    default_stub.ModelInfer(request)
    check(False, "a 5 MiB reply passed a 4 MiB limit")
except grpc.RpcError as error:
    check(error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, f"5 MiB reply: {error.code()} {error.details()}")
check(client.is_server_live() and client.is_model_ready("gwide"), "healthy after RESOURCE_EXHAUSTED")

# Drain: SIGTERM, then the health stub says NOT_SERVING while the server still answers.
os.kill(SERVER_PID, signal.SIGTERM)
deadline = time.monotonic() + 10
status = None
while time.monotonic() < deadline:
    try:
        status = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=2).status
    except grpc.RpcError:
        status = None
    if status == health_pb2.HealthCheckResponse.NOT_SERVING:
        break
    time.sleep(0.05)
check(status == health_pb2.HealthCheckResponse.NOT_SERVING, f"health during drain: {status}")

print(f"ok: {CHECKS} checks")
