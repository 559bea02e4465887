#!/usr/bin/env python3
"""Triton Inference Server (the real `tritonserver` the nvidia-pytriton wheel ships, Python
backend, CPU only) serving Dense layers with numpy, for Benchmarks/grpc-vs-peers.sh.

Usage: pytriton_dense.py HTTP_PORT GRPC_PORT METRICS_PORT NAME=WEIGHTS.json:RANK ...
Each WEIGHTS.json is {"kernel": [[...]], "bias": [...], "activation": "linear"|"relu"|"gelu"}
(Benchmarks/make_product_bodies.py writes them); the model NAME takes input "input" (FP32,
any batch, the kernel's input width last) and answers "output". Prints "ready" once serving."""
import json
import sys

import numpy as np
from pytriton.decorators import batch
from pytriton.model_config import ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig


def dense(weights, rank):
    kernel = np.asarray(weights["kernel"], dtype=np.float32)
    bias = np.asarray(weights["bias"], dtype=np.float32)
    activation = weights.get("activation", "linear")

    @batch
    def infer(input):
        y = input @ kernel + bias
        if activation == "relu":
            y = np.maximum(y, 0)
        elif activation == "gelu":
            y = 0.5 * y * (1 + np.tanh(0.7978845608 * (y + 0.044715 * y * y * y)))
        return {"output": y.astype(np.float32, copy=False)}

    inner = (-1,) * (rank - 2)
    return infer, (*inner, kernel.shape[0]), (*inner, kernel.shape[1])


def main():
    http_port, grpc_port, metrics_port = (int(port) for port in sys.argv[1:4])
    config = TritonConfig(http_port=http_port, grpc_port=grpc_port, metrics_port=metrics_port)
    with Triton(config=config) as triton:
        for spec in sys.argv[4:]:
            name, path, rank = spec.split("=")[0], *spec.split("=")[1].split(":")
            infer, input_shape, output_shape = dense(json.load(open(path)), int(rank))
            triton.bind(model_name=name, infer_func=infer,
                        inputs=[Tensor(name="input", dtype=np.float32, shape=input_shape)],
                        outputs=[Tensor(name="output", dtype=np.float32, shape=output_shape)],
                        config=ModelConfig(max_batch_size=256))
        print("ready", flush=True)
        triton.serve()


if __name__ == "__main__":
    main()
