"""An MLServer 1.7 runtime serving a Dense layer with numpy, for Benchmarks/v2-batching.sh
and Benchmarks/product-vs-peers.sh.

Reads {"kernel": [[...]], "bias": [...], "activation": "relu"|"linear"|"gelu"} from the
model's `uri` (gelu in its tanh form: numpy has no erf; the cost is the same kind).
"""
import json

import numpy as np
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class NumpyDense(MLModel):
    async def load(self) -> bool:
        with open(self.settings.parameters.uri) as f:
            weights = json.load(f)
        self.kernel = np.asarray(weights["kernel"], dtype=np.float32)
        self.bias = np.asarray(weights["bias"], dtype=np.float32)
        self.activation = weights.get("activation", "relu")
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        x = NumpyCodec.decode_input(payload.inputs[0]).astype(np.float32, copy=False)
        y = x @ self.kernel + self.bias
        if self.activation == "relu":
            y = np.maximum(y, 0)
        elif self.activation == "gelu":
            y = 0.5 * y * (1 + np.tanh(0.7978845608 * (y + 0.044715 * y * y * y)))
        return InferenceResponse(model_name=self.name, outputs=[NumpyCodec.encode_output("output", y)])
