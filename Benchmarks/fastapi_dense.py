"""The FastAPI + numpy baseline: the same routes and work as DenseServe's, in Python.

POST /v1/models/{name}/predict {"input": nested} with models loaded from BODIES_DIR/*.model.json,
POST /v1/dense {"layer": {...kernel, bias...}, "input": nested}. Benchmark tooling only.
"""
import glob, json, math, os
import numpy as np
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

app = FastAPI()
MODELS = {}

def act(name, y):
    if name == "linear": return y
    if name == "relu": return np.maximum(y, 0)
    if name == "gelu":
        from scipy.special import erf
        return 0.5 * y * (1 + erf(y / math.sqrt(2)))
    raise HTTPException(422, f"unknown activation {name}")

def load(layer):
    return (np.asarray(layer["kernel"], dtype=np.float32), np.asarray(layer["bias"], dtype=np.float32),
            layer.get("activation", "linear"))

for path in glob.glob(os.path.join(os.environ.get("BODIES_DIR", "."), "*.model.json")):
    with open(path) as f:
        MODELS[os.path.basename(path).split(".")[0]] = load(json.load(f)["layer"])

def run(model, x):
    kernel, bias, activation = model
    x = np.asarray(x, dtype=np.float32)
    y = act(activation, x @ kernel + bias).astype(np.float32)
    body = {"output": {"shape": list(y.shape), "dtype": "float32", "data": y.tolist()}}
    return Response(json.dumps(body), media_type="application/json")

@app.post("/v1/models/{name}/predict")
async def predict(name: str, request: Request):
    body = json.loads(await request.body())
    return run(MODELS[name], body["input"])

@app.post("/v1/dense")
async def dense(request: Request):
    body = json.loads(await request.body())
    return run(load(body["layer"]), body["input"])
