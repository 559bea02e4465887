"""An MLServer 1.7 runtime serving a Dense layer with numpy, for Benchmarks/v2-batching.sh.

Reads {"kernel": [[...]], "bias": [...], "activation": "relu"} from the model's `uri`.
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
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        x = NumpyCodec.decode_input(payload.inputs[0]).astype(np.float32, copy=False)
        y = np.maximum(x @ self.kernel + self.bias, 0)
        return InferenceResponse(model_name=self.name, outputs=[NumpyCodec.encode_output("output", y)])
