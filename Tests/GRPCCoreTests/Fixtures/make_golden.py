#!/usr/bin/env python3
"""Writes the golden protobuf messages of GRPCCoreTests, and manifest.json describing them.

Run from the repository root (PyPI must be reachable; the venv is git-ignored):

    python3 -m venv .venv-grpc
    .venv-grpc/bin/pip install -r Tests/GRPCCoreTests/Fixtures/requirements.txt
    .venv-grpc/bin/python Tests/GRPCCoreTests/Fixtures/make_golden.py

Every .bin file is a message serialized by real protobuf (upb, through tritonclient's
generated service_pb2 / model_config_pb2 and grpcio-health-checking's health_pb2) with
SerializeToString(deterministic=True); the ModelInferRequest tritonclient sends is built by
tritonclient's own request builder. The output is deterministic: rerunning rewrites the same
bytes. The Swift tests read the files and the manifest only (no Python at test time).

manifest.json:
  versions         the package versions that wrote the files
  files[file]      one entry per .bin file:
    message        the message type (its name in GRPCCore)
    value          the decoded message in canonical form (below)
    encodes_to     the file whose bytes the decoded message must re-encode to (itself, or
                   the packed twin of an unpacked file); null where protobuf's bytes are not
                   ours to match (fields GRPCCore skips, upb's map order for prefix keys)
  canonical form   one JSON object per message with every field GRPCCore models, defaults
                   included, keyed by the proto field name. Leaves are strings: strings as
                   they are; bytes as lower-case hex; bools "true"/"false"; integers and enum
                   numbers in decimal; float and double as the hex of their IEEE bits (8 / 16
                   digits). Repeated fields are lists; a map<string, InferParameter> an
                   object; an InferParameter {member: leaf} or {} when unset; an absent
                   message field null.
"""

import json
import os
import struct
import sys

import numpy as np
import tritonclient.grpc as grpcclient
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor as FD
from grpc_health.v1 import health_pb2
from tritonclient.grpc import _utils, model_config_pb2, service_pb2

HERE = os.path.dirname(os.path.abspath(__file__))

# The fields GRPCCore models, by message; the canonical form holds exactly these.
MODELED = {
    "inference.ServerLiveRequest": [],
    "inference.ServerLiveResponse": ["live"],
    "inference.ServerReadyRequest": [],
    "inference.ServerReadyResponse": ["ready"],
    "inference.ModelReadyRequest": ["name", "version"],
    "inference.ModelReadyResponse": ["ready"],
    "inference.ServerMetadataRequest": [],
    "inference.ServerMetadataResponse": ["name", "version", "extensions"],
    "inference.ModelMetadataRequest": ["name", "version"],
    "inference.ModelMetadataResponse": ["name", "versions", "platform", "inputs", "outputs"],
    "inference.ModelMetadataResponse.TensorMetadata": ["name", "datatype", "shape"],
    "inference.InferParameter": ["bool_param", "int64_param", "string_param", "double_param", "uint64_param"],
    "inference.InferTensorContents": [
        "bool_contents", "int_contents", "int64_contents", "uint_contents", "uint64_contents",
        "fp32_contents", "fp64_contents", "bytes_contents",
    ],
    "inference.ModelInferRequest": [
        "model_name", "model_version", "id", "parameters", "inputs", "outputs", "raw_input_contents",
    ],
    "inference.ModelInferRequest.InferInputTensor": ["name", "datatype", "shape", "parameters", "contents"],
    "inference.ModelInferRequest.InferRequestedOutputTensor": ["name", "parameters"],
    "inference.ModelInferResponse": [
        "model_name", "model_version", "id", "parameters", "outputs", "raw_output_contents",
    ],
    "inference.ModelInferResponse.InferOutputTensor": ["name", "datatype", "shape", "parameters", "contents"],
    "inference.ModelConfigRequest": ["name", "version"],
    "inference.ModelConfigResponse": ["config"],
    "inference.ModelConfig": [
        "name", "platform", "max_batch_size", "input", "output", "dynamic_batching", "backend",
    ],
    "inference.ModelInput": ["name", "data_type", "format", "dims"],
    "inference.ModelOutput": ["name", "data_type", "dims"],
    "inference.ModelDynamicBatching": ["preferred_batch_size", "max_queue_delay_microseconds"],
    "grpc.health.v1.HealthCheckRequest": ["service"],
    "grpc.health.v1.HealthCheckResponse": ["status"],
}


def leaf(field, value):
    t = field.type
    if t == FD.TYPE_STRING:
        return value
    if t == FD.TYPE_BYTES:
        return value.hex()
    if t == FD.TYPE_BOOL:
        return "true" if value else "false"
    if t == FD.TYPE_FLOAT:
        return struct.pack(">f", value).hex()
    if t == FD.TYPE_DOUBLE:
        return struct.pack(">d", value).hex()
    return str(int(value))  # integers and enums


def canon(message):
    name = message.DESCRIPTOR.full_name
    if name == "inference.InferParameter":
        member = message.WhichOneof("parameter_choice")
        if member is None:
            return {}
        return {member: leaf(message.DESCRIPTOR.fields_by_name[member], getattr(message, member))}
    out = {}
    for field_name in MODELED[name]:
        field = message.DESCRIPTOR.fields_by_name[field_name]
        value = getattr(message, field_name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            out[field_name] = {key: canon(value[key]) for key in value}
        elif field.is_repeated:
            out[field_name] = [canon(v) if field.message_type else leaf(field, v) for v in value]
        elif field.message_type is not None:
            out[field_name] = canon(value) if message.HasField(field_name) else None
        else:
            out[field_name] = leaf(field, value)
    return out


def unpacked_class(full_name):
    """The message class of `full_name` built from copies of the .proto descriptors with
    every repeated scalar marked [packed = false], in a pool of its own: its serializer
    writes one tagged value per element, which proto3 parsers must accept too."""
    pool = descriptor_pool.DescriptorPool()
    for module in (model_config_pb2, service_pb2):
        proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(proto)

        def unpack(messages):
            for m in messages:
                for f in m.field:
                    scalar = f.type not in (
                        descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                        descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
                        descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
                    )
                    if f.label == descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED and scalar:
                        f.options.packed = False
                unpack(m.nested_type)

        unpack(proto.message_type)
        pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(full_name))


def tritonclient_request():
    """The ModelInferRequest tritonclient.grpc's infer() sends, from its own builder."""
    fp32 = grpcclient.InferInput("input", [2, 3], "FP32")
    fp32.set_data_from_numpy(np.array([[0.5, -1.0, 2.25], [3.0, 1e-3, -0.0]], dtype=np.float32))
    int64 = grpcclient.InferInput("steps", [2], "INT64")
    int64.set_data_from_numpy(np.array([-1, 1 << 40], dtype=np.int64))
    fp16 = grpcclient.InferInput("half", [3], "FP16")
    fp16.set_data_from_numpy(np.array([1.0, -2.5, 65504], dtype=np.float16))
    text = grpcclient.InferInput("text", [2], "BYTES")
    text.set_data_from_numpy(np.array([b"caf\xc3\xa9", b""], dtype=np.object_))
    outputs = [grpcclient.InferRequestedOutput("output"), grpcclient.InferRequestedOutput("scores", class_count=3)]
    return _utils._get_inference_request(
        model_name="dense", inputs=[fp32, int64, fp16, text], model_version="2", request_id="req-1",
        outputs=outputs, sequence_id=42, sequence_start=True, sequence_end=False, priority=7, timeout=1500,
        parameters={"custom_double": 0.25, "custom_string": "x"},
    )


def typed_request():
    """Typed contents of every kind, with the values that stress their encodings."""
    r = service_pb2.ModelInferRequest(model_name="typed", id="t")
    c = r.inputs.add(name="b", datatype="BOOL", shape=[3]).contents
    c.bool_contents.extend([True, False, True])
    c = r.inputs.add(name="i32", datatype="INT32", shape=[4]).contents
    c.int_contents.extend([0, -1, 2**31 - 1, -(2**31)])
    c = r.inputs.add(name="i64", datatype="INT64", shape=[4]).contents
    c.int64_contents.extend([1, -1, 2**63 - 1, -(2**63)])
    c = r.inputs.add(name="u32", datatype="UINT32", shape=[3]).contents
    c.uint_contents.extend([0, 300, 2**32 - 1])
    c = r.inputs.add(name="u64", datatype="UINT64", shape=[2]).contents
    c.uint64_contents.extend([2**64 - 1, 128])
    c = r.inputs.add(name="f32", datatype="FP32", shape=[6]).contents
    c.fp32_contents.extend([1.5, -0.0, float("inf"), float("-inf"), float("nan"), 1e-45])
    c = r.inputs.add(name="f64", datatype="FP64", shape=[3]).contents
    c.fp64_contents.extend([0.1, -0.0, 5e-324])
    c = r.inputs.add(name="s", datatype="BYTES", shape=[3]).contents
    c.bytes_contents.extend([b"abc", b"", b"\xff\x00"])
    r.inputs.add(name="empty", datatype="FP32", shape=[0]).contents.SetInParent()
    r.inputs[0].parameters["flag"].bool_param = False
    r.parameters["b"].bool_param = False
    r.parameters["i"].int64_param = -5
    r.parameters["s"].string_param = ""
    r.parameters["d"].double_param = -0.0
    r.parameters["u"].uint64_param = 2**64 - 1
    r.parameters["z"].SetInParent()
    return r


def infer_response():
    r = service_pb2.ModelInferResponse(model_name="dense", model_version="2", id="req-1")
    r.parameters["triton_final_response"].bool_param = True
    r.outputs.add(name="output", datatype="FP32", shape=[2, 2])
    r.outputs.add(name="none", datatype="FP32", shape=[0, 4])
    r.raw_output_contents.extend([np.array([1, -2, 0.5, 1e6], dtype=np.float32).tobytes(), b""])
    return r


def model_config(full):
    c = model_config_pb2.ModelConfig(name="dense", platform="keras_dense", backend="denseserve", max_batch_size=8)
    c.input.add(name="input", data_type=model_config_pb2.TYPE_FP32, dims=[784])
    c.input.add(name="image", data_type=model_config_pb2.TYPE_UINT8, format=model_config_pb2.ModelInput.FORMAT_NCHW,
                dims=[3, -1, -1])
    c.output.add(name="output", data_type=model_config_pb2.TYPE_FP32, dims=[10])
    c.output.add(name="label", data_type=model_config_pb2.TYPE_STRING, dims=[1])
    c.dynamic_batching.preferred_batch_size.extend([4, 8])
    c.dynamic_batching.max_queue_delay_microseconds = 500
    if full:
        # Fields GRPCCore skips: everything outside MODELED, nested ones included.
        c.max_batch_size = -1
        c.runtime = "python"
        c.version_policy.latest.num_versions = 2
        c.instance_group.add(name="cpu", count=2, kind=model_config_pb2.ModelInstanceGroup.KIND_CPU)
        c.parameters["k"].string_value = "v"
        c.input[0].reshape.shape.extend([28, 28])
        c.input[0].optional = True
        c.output[0].label_filename = "labels.txt"
        c.dynamic_batching.preserve_ordering = True
        c.dynamic_batching.priority_levels = 3
        c.default_model_filename = "model.keras"
    return service_pb2.ModelConfigResponse(config=c)


def main():
    files = {}

    def add(name, message, kind, encodes_to="self"):
        data = message.SerializeToString(deterministic=True)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        files[name] = {"message": kind, "value": canon(message), "encodes_to": name if encodes_to == "self" else encodes_to}
        return data

    s = service_pb2
    add("server_live_request.bin", s.ServerLiveRequest(), "ServerLiveRequest")
    add("server_live_response.bin", s.ServerLiveResponse(live=True), "ServerLiveResponse")
    add("server_ready_request.bin", s.ServerReadyRequest(), "ServerReadyRequest")
    add("server_ready_response.bin", s.ServerReadyResponse(ready=True), "ServerReadyResponse")
    add("model_ready_request.bin", s.ModelReadyRequest(name="dense", version="2"), "ModelReadyRequest")
    add("model_ready_response.bin", s.ModelReadyResponse(ready=True), "ModelReadyResponse")
    add("server_metadata_request.bin", s.ServerMetadataRequest(), "ServerMetadataRequest")
    add("server_metadata_response.bin",
        s.ServerMetadataResponse(name="denseserve", version="0.3.0", extensions=["binary_tensor_data", "", "model_configuration"]),
        "ServerMetadataResponse")
    add("model_metadata_request.bin", s.ModelMetadataRequest(name="dense"), "ModelMetadataRequest")
    meta = s.ModelMetadataResponse(name="dense", versions=["1", "2"], platform="keras_dense")
    meta.inputs.add(name="input", datatype="FP32", shape=[-1, 784])
    meta.outputs.add(name="output", datatype="FP32", shape=[-1, 10])
    add("model_metadata_response.bin", meta, "ModelMetadataResponse")

    add("model_infer_request_tritonclient.bin", tritonclient_request(), "ModelInferRequest")
    typed = typed_request()
    typed_bytes = add("model_infer_request_typed.bin", typed, "ModelInferRequest")
    unpacked = unpacked_class("inference.ModelInferRequest").FromString(typed_bytes)
    add("model_infer_request_unpacked.bin", unpacked, "ModelInferRequest", encodes_to="model_infer_request_typed.bin")
    with open(os.path.join(HERE, "model_infer_request_unpacked.bin"), "rb") as f:
        unpacked_bytes = f.read()
    assert unpacked_bytes != typed_bytes and s.ModelInferRequest.FromString(unpacked_bytes) == typed
    prefix = s.ModelInferRequest(model_name="keys")
    for key in ["ab", "", "a", "b"]:
        prefix.parameters[key].int64_param = len(key)
    # upb's deterministic order puts "ab" before "a" and "" last; GRPCCore writes byte order.
    add("model_infer_request_prefix_keys.bin", prefix, "ModelInferRequest", encodes_to=None)

    add("model_infer_response.bin", infer_response(), "ModelInferResponse")
    typed_response = s.ModelInferResponse(model_name="dense")
    typed_response.outputs.add(name="output", datatype="FP32", shape=[3]).contents.fp32_contents.extend([0.25, -1, 3])
    add("model_infer_response_typed.bin", typed_response, "ModelInferResponse")

    add("model_config_request.bin", s.ModelConfigRequest(name="dense", version="1"), "ModelConfigRequest")
    add("model_config_response.bin", model_config(full=False), "ModelConfigResponse")
    add("model_config_response_full.bin", model_config(full=True), "ModelConfigResponse", encodes_to=None)

    h = health_pb2
    add("health_check_request.bin", h.HealthCheckRequest(service="inference.GRPCInferenceService"), "HealthCheckRequest")
    add("health_check_response_serving.bin", h.HealthCheckResponse(status=h.HealthCheckResponse.SERVING), "HealthCheckResponse")
    add("health_check_response_not_serving.bin", h.HealthCheckResponse(status=h.HealthCheckResponse.NOT_SERVING),
        "HealthCheckResponse")

    from importlib.metadata import version
    manifest = {
        "versions": {p: version(p) for p in ["protobuf", "tritonclient", "grpcio-health-checking", "numpy"]},
        "files": files,
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in files)
    print(f"wrote {len(files)} messages ({total} bytes) and manifest.json", file=sys.stderr)


if __name__ == "__main__":
    main()
