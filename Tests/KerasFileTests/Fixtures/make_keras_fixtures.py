#!/usr/bin/env python3
"""Writes the Keras file fixtures of KerasFileTests, and manifest.json describing them.

Run from the repository root (PyPI must be reachable; the venv is git-ignored):

    python3 -m venv .venv-keras
    .venv-keras/bin/pip install -r Tests/KerasFileTests/Fixtures/requirements.txt
    .venv-keras/bin/python Tests/KerasFileTests/Fixtures/make_keras_fixtures.py

It rewrites every fixture in this folder (deterministically up to TensorFlow's own
nondeterminism in training) and manifest.json. The files are made by real Keras 3 (TensorFlow
backend) and by tf_keras (Keras 2); the hostile ones are real files changed with zipfile,
h5py or a byte patch, each described in the manifest.

manifest.json (documented again under its "schema" key):
  versions                  the package versions that wrote the files
  models[name]              one entry per model the files were saved from:
    framework               "keras3" | "keras2" (tf_keras)
    dtype                   "float32" | "float64" | "mixed_float16" (the model's dtype policy)
    input / output          {"shape": [...], "values": [...flat, C order]}: a small input and
                            the exact model.predict output for it. float32/float16 numbers are
                            printed as the shortest decimal that reads back to the same
                            float32/float16; float64 ones as Python's repr (shortest double).
    tolerance               {"rtol", "atol"} the brief suggests for comparing a forward pass
    summary                 model.summary() text (lines joined with "\n")
    params                  {"total", "trainable", "non_trainable"}
    to_json                 model.to_json() (a string holding JSON)
    weights                 model.get_weights(): [{"shape", "dtype", "values"}]
  class_keys                {class name: keras.src.utils.naming.to_snake_case(name)}, the
                            Keras 3 weights-file key rule (KerasSaveKey)
  files[file]               one entry per file in this folder (not the .config.json ones):
    kind                    "keras" | "h5" | "weights.h5"
    config                  (weights.h5 only) the file holding the model's to_json() config
    model                   (when saved from a model above) its name in models
    expect                  "load" | "reject" | "load_or_reject"
    layout                  (readable files) "keras_archive" | "keras_weights" |
                            "legacy_model" | "legacy_weights": what the file holds
    status                  (reject; load_or_reject: if the service rejects it) the HTTP status
                            class the service answers: 400 | 413 | 422
    format_status           (when it differs) the status the format layer alone gives
    stage                   (reject) who must reject it: "open" (opening the file with
                            KerasModelFile fails), "weights" (it opens; reading the weight
                            datasets fails), "service" (the format layer reads it all; the
                            service must refuse its meaning), "any" (no promise beyond a
                            clean 4xx: bit flips)
    reason                  (reject, load_or_reject) why, in a few words
    members                 (keras) the zip members [name, method] in central-directory order
    datasets                (when h5py can read it) every dataset of the weights HDF5 file
                            in h5py visit order: {"path", "shape", "dtype" (numpy str, e.g.
                            "<f4"), and for numbers "sum" (the left-to-right float64 sum of
                            the values in C order, each widened exactly), "first", "last"}
    legacy                  (legacy layouts) {"root": the group holding layer_names,
                            "layer_names": [...], "weight_names": {layer: [...]}}
"""

import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = HERE
manifest = {"versions": {}, "models": {}, "files": {}}


def shortest(values, dtype):
    """Floats that print (json uses repr) as the shortest decimal of their own precision."""
    flat = np.asarray(values).ravel()
    if dtype in ("float32", "float16"):
        t = np.float32 if dtype == "float32" else np.float16
        return [float(str(t(v))) for v in flat]
    if dtype == "float64":
        return [float(v) for v in flat]
    return [int(v) for v in flat]


def dtype_name(array):
    return str(np.asarray(array).dtype)


def record_model(name, model, x, framework, dtype, tol):
    y = model.predict(x, verbose=0)
    lines = []
    model.summary(print_fn=lambda *a, **k: lines.append(a[0]))
    count = lambda ws: int(sum(int(np.prod(w.shape)) for w in ws))  # noqa: E731
    weights = model.get_weights()
    manifest["models"][name] = {
        "framework": framework,
        "dtype": dtype,
        "input": {"shape": list(x.shape), "values": shortest(x, dtype_name(x))},
        "output": {"shape": list(y.shape), "values": shortest(y, dtype_name(y)), "dtype": dtype_name(y)},
        "tolerance": tol,
        "summary": "\n".join(lines),
        "params": {
            "total": int(model.count_params()),
            "trainable": count(model.trainable_weights),
            "non_trainable": count(model.non_trainable_weights),
        },
        "to_json": model.to_json(),
        "weights": [{"shape": list(w.shape), "dtype": dtype_name(w), "values": shortest(w, dtype_name(w))} for w in weights],
    }


def walk_h5(h5):
    """Every dataset (h5py visit order) and, for legacy layouts, layer and weight names."""
    out = []

    def visit(path, obj):
        if isinstance(obj, h5py.Dataset):
            entry = {"path": path, "shape": list(obj.shape), "dtype": obj.dtype.str}
            if obj.dtype.kind in "fiu" and obj.size <= 1 << 24:
                a = np.asarray(obj[()])
                flat = a.ravel()
                s = 0.0
                for v in flat.astype(np.float64).tolist():
                    s += v
                entry["sum"] = s
                if flat.size:
                    entry["first"] = float(flat[0]) if a.dtype.kind == "f" else int(flat[0])
                    entry["last"] = float(flat[-1]) if a.dtype.kind == "f" else int(flat[-1])
            out.append(entry)

    h5.visititems(visit)
    return out


def names_attr(group, name):
    """Keras's load_attributes_from_hdf5_group: the attribute, or its chunks name0, name1, …"""
    def dec(v):
        return v.decode("utf8") if hasattr(v, "decode") else str(v)
    if name in group.attrs:
        return [dec(v) for v in group.attrs[name]]
    data, i = [], 0
    while f"{name}{i}" in group.attrs:
        data += [dec(v) for v in group.attrs[f"{name}{i}"]]
        i += 1
    return data


def describe_h5(data):
    """layout, datasets and legacy names of an HDF5 file's bytes (None where h5py fails)."""
    try:
        with h5py.File(io.BytesIO(data), "r") as h5:
            info = {"datasets": walk_h5(h5)}
            if "model_config" in h5.attrs:
                info["layout"] = "legacy_model"
                root = h5["model_weights"]
                info["legacy"] = {"root": "model_weights"}
            elif "layer_names" in h5.attrs or "layer_names0" in h5.attrs:
                info["layout"] = "legacy_weights"
                root = h5
                info["legacy"] = {"root": ""}
            else:
                info["layout"] = "keras_weights"
                root = None
            if root is not None:
                layers = names_attr(root, "layer_names")
                info["legacy"]["layer_names"] = layers
                info["legacy"]["weight_names"] = {n: names_attr(root[n], "weight_names") for n in layers}
            return info
    except Exception as e:  # noqa: BLE001 — a hostile file h5py cannot read
        return {"h5py_error": type(e).__name__}


def add_file(name, kind, expect, model=None, config=None, **extra):
    path = os.path.join(OUT, name)
    data = open(path, "rb").read()
    entry = {"kind": kind, "expect": expect}
    if model:
        entry["model"] = model
    if config:
        entry["config"] = config
    entry.update(extra)
    if kind == "keras":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                entry["members"] = [[i.filename, i.compress_type] for i in z.infolist()]
                if "model.weights.h5" in z.namelist():
                    inner = describe_h5(z.read("model.weights.h5"))
                    inner.pop("layout", None)
                    entry.update(inner)
                    entry.setdefault("layout", "keras_archive")
        except Exception as e:  # noqa: BLE001
            entry["zipfile_error"] = type(e).__name__
    elif data[:8] == b"\x89HDF\r\n\x1a\n":
        info = describe_h5(data)
        if "layout" in info and "layout" in entry:
            info.pop("layout")
        entry.update(info)
    manifest["files"][name] = entry


def reject(name, kind, status, stage, reason, **extra):
    add_file(name, kind, "reject", status=status, stage=stage, reason=reason, **extra)
    if stage in ("open", "any"):
        manifest["files"][name].pop("layout", None)  # what h5py/zipfile guessed; no promise


# ---------------------------------------------------------------- Keras 3 models
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

manifest["versions"] = {
    "keras": keras.__version__,
    "tensorflow": __import__("tensorflow").__version__,
    "h5py": h5py.__version__,
    "numpy": np.__version__,
}
TOL32 = {"rtol": 1e-5, "atol": 1e-6}
TOL64 = {"rtol": 1e-12, "atol": 1e-12}
TOLMIX = {"rtol": 1e-2, "atol": 2e-3}


def randomize(model, rng):
    for layer in model.layers:
        if isinstance(layer, keras.Sequential):
            randomize(layer, rng)
            continue
        ws = layer.get_weights()
        if not ws:
            continue
        new = [rng.normal(0, 0.5, w.shape).astype(w.dtype) for w in ws]
        if isinstance(layer, L.BatchNormalization):
            new[-1] = rng.uniform(0.5, 1.5, ws[-1].shape).astype(ws[-1].dtype)
        layer.set_weights(new)


def sample(rng, shape, dtype="float32"):
    return np.round(rng.uniform(-1, 1, shape), 3).astype(dtype)


def k3_models():
    """name → (build function, input shape, dtype, extra) for every Keras 3 must-load model."""
    def mlp():
        return keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")])

    def dropout():
        return keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu"), L.Dropout(0.5), L.Dense(3)])

    def rank3():
        return keras.Sequential([keras.Input((20, 5)), L.Dense(10, activation="tanh")])

    def no_bias():
        return keras.Sequential([keras.Input((4,)), L.Dense(8, use_bias=False, activation="relu"), L.Dense(3, use_bias=False)])

    def functional_chain():
        x = keras.Input((4,), name="x")
        h = L.Dense(8, activation="relu", name="hidden")(x)
        return keras.Model(x, L.Dense(3, name="head")(h))

    def float64():
        return keras.Sequential([keras.Input((4,), dtype="float64"), L.Dense(8, activation="relu", dtype="float64"),
                                 L.Dense(3, dtype="float64")])

    def activation_layers():
        return keras.Sequential([keras.Input((4,)), L.Dense(8), L.Activation("tanh"), L.Dense(8), L.ReLU(), L.Dense(8),
                                 L.LeakyReLU(), L.Dense(8), L.ELU(), L.Dense(3), L.Softmax()])

    def flatten():
        return keras.Sequential([keras.Input((2, 3)), L.Flatten(), L.Dense(4)])

    def reshape():
        return keras.Sequential([keras.Input((6,)), L.Reshape((2, 3)), L.Dense(4)])

    def batchnorm():
        return keras.Sequential([keras.Input((4,)), L.Dense(8), L.BatchNormalization(), L.Dense(3)])

    def layernorm():
        return keras.Sequential([keras.Input((4,)), L.Dense(8), L.LayerNormalization(), L.Dense(3)])

    def nested_sequential():
        inner = keras.Sequential([L.Dense(8, activation="relu"), L.Dense(6)])
        return keras.Sequential([keras.Input((4,)), inner, L.Dense(3)])

    def wide():
        return keras.Sequential([keras.Input((64,)), L.Dense(128, activation="relu"), L.Dense(16)])

    def deep40():
        return keras.Sequential([keras.Input((8,))] + [L.Dense(8, activation="tanh") for _ in range(40)])

    def mixed_float16():
        return keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu", dtype="mixed_float16"),
                                 L.Dense(3, dtype="mixed_float16")])

    return {
        "mlp": (mlp, (2, 4), "float32"), "dropout": (dropout, (2, 4), "float32"),
        "rank3": (rank3, (3, 20, 5), "float32"), "no_bias": (no_bias, (2, 4), "float32"),
        "functional_chain": (functional_chain, (2, 4), "float32"), "float64": (float64, (2, 4), "float64"),
        "activation_layers": (activation_layers, (2, 4), "float32"), "flatten": (flatten, (2, 2, 3), "float32"),
        "reshape": (reshape, (2, 6), "float32"), "batchnorm": (batchnorm, (2, 4), "float32"),
        "layernorm": (layernorm, (2, 4), "float32"), "nested_sequential": (nested_sequential, (2, 4), "float32"),
        "wide": (wide, (2, 64), "float32"), "deep40": (deep40, (2, 8), "float32"),
        "mixed_float16": (mixed_float16, (2, 4), "mixed_float16"),
    }


def save_all(name, model, kinds=("keras", "h5", "weights.h5"), framework="keras3"):
    """Saves `model` as name.keras / name.h5 / name.weights.h5 (+ name.config.json)."""
    for kind in kinds:
        path = os.path.join(OUT, f"{name}.{kind}")
        try:
            if kind == "weights.h5":
                model.save_weights(path)
                with open(os.path.join(OUT, f"{name}.config.json"), "w") as f:
                    f.write(model.to_json())
                add_file(f"{name}.weights.h5", kind, "load", model=name, config=f"{name}.config.json")
            else:
                model.save(path)
                add_file(f"{name}.{kind}", kind, "load", model=name)
        except Exception as e:  # noqa: BLE001
            print(f"skipped {name}.{kind}: {type(e).__name__}: {e}", file=sys.stderr)


def make_keras3():
    rng = np.random.default_rng(7)
    keras.utils.set_random_seed(7)
    for name, (build, shape, dtype) in k3_models().items():
        model = build()
        randomize(model, rng)
        x = sample(rng, shape, "float64" if dtype == "float64" else "float32")
        tol = {"float64": TOL64, "mixed_float16": TOLMIX}.get(dtype, TOL32)
        record_model(name, model, x, "keras3", dtype, tol)
        save_all(name, model)

    # Built by fitting, without an Input: the first batch (batch_size 8) builds it.
    model = keras.Sequential([L.Dense(8, activation="relu"), L.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(sample(rng, (32, 4)), sample(rng, (32, 3)), batch_size=8, epochs=1, verbose=0)
    record_model("built_without_input", model, sample(rng, (2, 4)), "keras3", "float32", TOL32)
    save_all("built_without_input", model)

    # Trained with Adam: the files carry optimizer state (`optimizer/vars/…`, optimizer_weights).
    model = keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu"), L.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(sample(rng, (32, 4)), sample(rng, (32, 3)), batch_size=8, epochs=2, verbose=0)
    record_model("trained_adam", model, sample(rng, (2, 4)), "keras3", "float32", TOL32)
    save_all("trained_adam", model, kinds=("keras", "h5"))

    # Must reject at the service (valid files of unsupported models).
    def conv1d():
        return keras.Sequential([keras.Input((8, 2)), L.Conv1D(3, 3), L.Flatten(), L.Dense(2)])

    def concat_branch():
        x = keras.Input((4,))
        return keras.Model(x, L.Dense(2)(L.Concatenate()([L.Dense(3)(x), L.Dense(3)(x)])))

    def lam():
        return keras.Sequential([keras.Input((4,)), L.Lambda(lambda t: t * 2.0), L.Dense(3)])

    def quantized():
        m = keras.Sequential([keras.Input((4,)), L.Dense(8), L.Dense(3)])
        m.quantize("int8")
        return m

    for name, build, why in [("conv1d", conv1d, "Conv1D layer"), ("concat_branch", concat_branch, "a branch merged by Concatenate"),
                             ("lambda", lam, "Lambda layer (marshalled bytecode)"),
                             ("quantized_int8", quantized, "QuantizedDTypePolicy int8 kernel")]:
        model = build()
        for kind in ("keras", "h5"):
            fname = f"reject-{name}.{kind}"
            try:
                model.save(os.path.join(OUT, fname))
                reject(fname, kind, 422, "service", why)
            except Exception as e:  # noqa: BLE001
                print(f"skipped {fname}: {type(e).__name__}: {e}", file=sys.stderr)

    model = keras.Sequential([L.Dense(3)])
    model.save(os.path.join(OUT, "reject-unbuilt.keras"))
    reject("reject-unbuilt.keras", "keras", 422, "service", "unbuilt model: no input shape, no weights")

    model = keras.Sequential([keras.Input((4,)), L.Dense(64), L.Dense(64), L.Dense(3)])
    try:
        model.save_weights(os.path.join(OUT, "sharded.weights.json"), max_shard_size=0.00002)
        for f in os.listdir(OUT):
            if f.startswith("sharded_") and f.endswith(".weights.h5"):
                os.remove(os.path.join(OUT, f))  # the index alone is the fixture
        manifest["files"]["sharded.weights.json"] = {
            "kind": "weights.h5", "expect": "reject", "status": 422, "stage": "open",
            "reason": "sharded weights (a .weights.json index, shards not committed)"}
    except Exception as e:  # noqa: BLE001
        print(f"skipped sharded.weights.json: {e}", file=sys.stderr)


# ---------------------------------------------------------------- Keras 2 (tf_keras)
def make_keras2():
    import tf_keras as tk
    from tf_keras import layers as K

    manifest["versions"]["tf_keras"] = tk.__version__
    rng = np.random.default_rng(11)
    tk.utils.set_random_seed(11)

    def mlp():
        return tk.Sequential([K.InputLayer((4,)), K.Dense(8, activation="relu"), K.Dense(3, activation="softmax")])

    def dropout():
        return tk.Sequential([K.InputLayer((4,)), K.Dense(8, activation="relu"), K.Dropout(0.5), K.Dense(3)])

    def rank3():
        return tk.Sequential([K.InputLayer((20, 5)), K.Dense(10, activation="tanh")])

    def batchnorm():
        return tk.Sequential([K.InputLayer((4,)), K.Dense(8), K.BatchNormalization(), K.Dense(3)])

    def functional_chain():
        x = tk.Input((4,), name="x")
        h = K.Dense(8, activation="relu", name="hidden")(x)
        return tk.Model(x, K.Dense(3, name="head")(h))

    for name, build, shape in [("mlp", mlp, (2, 4)), ("dropout", dropout, (2, 4)), ("rank3", rank3, (3, 20, 5)),
                               ("batchnorm", batchnorm, (2, 4)), ("functional_chain", functional_chain, (2, 4))]:
        model = build()
        for layer in model.layers:
            ws = layer.get_weights()
            if ws:
                new = [rng.normal(0, 0.5, w.shape).astype(w.dtype) for w in ws]
                if isinstance(layer, K.BatchNormalization):
                    new[-1] = rng.uniform(0.5, 1.5, ws[-1].shape).astype(ws[-1].dtype)
                layer.set_weights(new)
        key = f"keras2-{name}"
        record_model(key, model, sample(rng, shape), "keras2", "float32", TOL32)
        model.save(os.path.join(OUT, f"{key}.h5"))
        add_file(f"{key}.h5", "h5", "load", model=key)
        with open(os.path.join(OUT, f"{key}.config.json"), "w") as f:
            f.write(model.to_json())
        for suffix in ("weights.h5", "legacy-weights.h5"):
            path = os.path.join(OUT, f"{key}.{suffix}")
            if suffix == "legacy-weights.h5":
                tmp = os.path.join(OUT, f"{key}-legacy.h5")
                model.save_weights(tmp)  # a plain .h5 suffix: the legacy layout
                os.replace(tmp, path)
            else:
                model.save_weights(path)
            add_file(f"{key}.{suffix}", "weights.h5", "load", model=key, config=f"{key}.config.json")


# ---------------------------------------------------------------- hostile files
def zip_members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def write_zip(name, members, method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(os.path.join(OUT, name), "w", method) as z:
        for member, data in members:
            z.writestr(zipfile.ZipInfo(member, (2026, 1, 1, 0, 0, 0)), data, compress_type=method)


def patch_central(data, member, fn):
    """Applies fn(bytearray, header_offset) to the central and local headers of `member`."""
    buf = bytearray(data)
    eocd = buf.rfind(b"PK\x05\x06")
    count, _, cd_offset = struct.unpack_from("<HII", buf, eocd + 10)
    p = cd_offset
    for _ in range(count):
        n, e, c = struct.unpack_from("<HHH", buf, p + 28)
        if buf[p + 46:p + 46 + n].decode() == member:
            local = struct.unpack_from("<I", buf, p + 42)[0]
            fn(buf, p, local)
        p += 46 + n + e + c
    return bytes(buf)


def h5py_fails(path):
    code = ("import h5py,sys\nf=h5py.File(sys.argv[1],'r')\n"
            "def v(n,o):\n  [o.attrs[a] for a in o.attrs]\n  o[()] if isinstance(o,h5py.Dataset) else None\n"
            "[f.attrs[a] for a in f.attrs]\nf.visititems(v)\n")
    return subprocess.run([sys.executable, "-c", code, path], capture_output=True).returncode != 0


def make_hostile():
    mlp_keras = open(os.path.join(OUT, "mlp.keras"), "rb").read()
    members = zip_members(mlp_keras)
    by = dict(members)

    def out(name, data):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)

    out("bad-empty.keras", b"")
    reject("bad-empty.keras", "keras", 400, "open", "empty body")
    out("bad-not-a-zip.keras", b"this is not a zip archive\n" * 4)
    reject("bad-not-a-zip.keras", "keras", 400, "open", "neither a zip nor HDF5")
    out("bad-truncated.keras", mlp_keras[: len(mlp_keras) // 2])
    reject("bad-truncated.keras", "keras", 400, "open", "first half of mlp.keras: no end of central directory")
    out("bad-truncated-tail.keras", mlp_keras[:-10])
    reject("bad-truncated-tail.keras", "keras", 400, "open", "last 10 bytes cut: EOCD incomplete")
    write_zip("bad-no-config.keras", [m for m in members if m[0] != "config.json"])
    reject("bad-no-config.keras", "keras", 400, "open", "no config.json member")
    write_zip("bad-no-weights.keras", [m for m in members if m[0] != "model.weights.h5"])
    reject("bad-no-weights.keras", "keras", 400, "open", "no model.weights.h5 member")
    write_zip("bad-config-not-json.keras", [(n, b"{not json" if n == "config.json" else d) for n, d in members])
    reject("bad-config-not-json.keras", "keras", 400, "service", "config.json is not JSON")
    write_zip("bad-weights-not-hdf5.keras", [(n, b"not hdf5 at all" if n == "model.weights.h5" else d) for n, d in members])
    reject("bad-weights-not-hdf5.keras", "keras", 400, "open", "model.weights.h5 has no HDF5 signature")
    write_zip("bad-weights-truncated.keras",
              [(n, d[: len(d) // 2] if n == "model.weights.h5" else d) for n, d in members])
    reject("bad-weights-truncated.keras", "keras", 400, "open", "model.weights.h5 cut in half (end-of-file address past the data)")
    config = json.loads(by["config.json"])
    config["config"]["layers"][1]["config"]["units"] = 9
    write_zip("bad-units-mismatch.keras", [(n, json.dumps(config).encode() if n == "config.json" else d) for n, d in members])
    reject("bad-units-mismatch.keras", "keras", 422, "service", "config says units 9, the kernel is (4, 8)")
    write_zip("bad-duplicate-config.keras", members + [("config.json", b'{"evil": true}')])
    reject("bad-duplicate-config.keras", "keras", 400, "open", "config.json twice (Python's zipfile takes the last)")

    def lie(buf, central, local):
        size = struct.unpack_from("<I", buf, central + 24)[0]
        struct.pack_into("<II", buf, central + 20, size - 7, size - 7)
    out("bad-size-lies.keras", patch_central(mlp_keras, "config.json", lie))
    reject("bad-size-lies.keras", "keras", 400, "open", "config.json's central sizes 7 bytes short of its local header's")

    def encrypt(buf, central, local):
        buf[central + 8] |= 1
        buf[local + 6] |= 1
    out("bad-encrypted-flag.keras", patch_central(mlp_keras, "config.json", encrypt))
    reject("bad-encrypted-flag.keras", "keras", 422, "open", "encryption bit set on config.json")
    with zipfile.ZipFile(os.path.join(OUT, "bad-zip-bomb.keras"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("metadata.json", by["metadata.json"])
        z.writestr("config.json", b" " * (32 << 20), compresslevel=9)
        z.writestr("model.weights.h5", by["model.weights.h5"])
    reject("bad-zip-bomb.keras", "keras", 413, "open", "config.json inflates to 32 MiB (cap 16 MiB)")
    lam = json.loads(by["config.json"])
    lam["config"]["layers"].insert(1, {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
                                       "config": {"name": "lambda", "function": {"class_name": "__lambda__",
                                                  "config": {"code": "4wEAAAAAAAAA", "defaults": None, "closure": None}}}})
    write_zip("bad-lambda-in-config.keras", [(n, json.dumps(lam).encode() if n == "config.json" else d) for n, d in members])
    reject("bad-lambda-in-config.keras", "keras", 422, "service", "a Lambda layer spliced into the config")

    deflated = [(n, d) for n, d in members]
    write_zip("deflated-mlp.keras", deflated, zipfile.ZIP_DEFLATED)
    add_file("deflated-mlp.keras", "keras", "load", model="mlp")
    write_zip("path-traversal.keras", members + [("../evil.txt", b"outside")])
    add_file("path-traversal.keras", "keras", "load_or_reject", model="mlp",
             reason="an extra member ../evil.txt (Keras ignores it)", status=400, stage="open")

    # HDF5: copies of mlp.h5 (legacy, Keras 3) changed with h5py.
    src = os.path.join(OUT, "mlp.h5")
    kernel = "model_weights/dense/sequential/dense/kernel"
    bias = "model_weights/dense/sequential/dense/bias"

    def h5copy(name, fn):
        path = os.path.join(OUT, name)
        shutil.copy(src, path)
        with h5py.File(path, "r+") as f:
            fn(f)
        return name

    def drop_bias(f):
        del f[bias]
    reject(h5copy("bad-h5-missing-bias.h5", drop_bias), "h5", 400, "weights", "weight_names lists a bias that is missing")

    def string_kernel(f):
        del f[kernel]
        f.create_dataset(kernel, data=np.array([b"abcd"] * 32).reshape(4, 8))
    reject(h5copy("bad-h5-string-kernel.h5", string_kernel), "h5", 422, "weights", "kernel dataset of fixed strings")

    def huge(f):
        del f[kernel]
        f.create_dataset(kernel, shape=(1 << 20, 1 << 20), dtype="<f4")  # never written: 2^40 elements, 4 TiB
    reject(h5copy("bad-h5-huge-declared-shape.h5", huge), "h5", 422, "weights",
           "kernel declares (2^20, 2^20) float32 in a small file (the format layer alone: 413 on read, over the element cap)",
           format_status=413)

    def kernel_shape(f):
        del f[kernel]
        f.create_dataset(kernel, data=np.ones((4, 9), "<f4"))
    reject(h5copy("bad-h5-kernel-shape.h5", kernel_shape), "h5", 422, "service", "kernel (4, 9) where the config says (4, 8)")

    def cycle(f):
        f["model_weights/dense/sequential/dense/loop"] = f["model_weights"]
    reject(h5copy("bad-h5-link-cycle.h5", cycle), "h5", 400, "weights",
           "a hard link from a layer's weight group back to model_weights (a cycle)")
    data = open(src, "rb").read()
    out("bad-h5-truncated.h5", data[: len(data) // 2])
    reject("bad-h5-truncated.h5", "h5", 400, "open", "first half of mlp.h5")
    out("bad-h5-superblock-only.h5", data[:96])
    reject("bad-h5-superblock-only.h5", "h5", 400, "open", "the 96-byte superblock alone")

    def no_config(f):
        del f.attrs["model_config"]
    reject(h5copy("bad-h5-no-model-config.h5", no_config), "h5", 400, "open", "model_weights but no model_config attribute")

    def not_json(f):
        f.attrs["model_config"] = "{not json"
    reject(h5copy("bad-h5-config-not-json.h5", not_json), "h5", 400, "service", "model_config is not JSON")

    rng = random.Random(5)
    found = 0
    for _ in range(400):
        if found == 5:
            break
        buf = bytearray(data)
        pos = rng.randrange(0, min(len(buf), 4096))
        buf[pos] ^= 1 << rng.randrange(8)
        name = f"bad-h5-bitflip-{found}.h5"
        out(name, bytes(buf))
        if h5py_fails(os.path.join(OUT, name)):
            reject(name, "h5", 400, "any", f"bit flipped at byte {pos}; h5py fails to read it")
            found += 1
    if found < 5:
        os.remove(os.path.join(OUT, f"bad-h5-bitflip-{found}.h5"))

    # Load or reject: Keras loads them; this reader need not.
    def gzip_chunked(f):
        for p in (kernel, bias):
            v = f[p][()]
            del f[p]
            f.create_dataset(p, data=v, chunks=v.shape, compression="gzip")
    add_file(h5copy("h5-gzip-chunked.h5", gzip_chunked), "h5", "load_or_reject", model="mlp",
             reason="kernel and bias chunked with gzip", status=422, stage="weights")

    def int_kernel(f):
        v = np.round(f[kernel][()] * 4).astype("<i4")
        del f[kernel]
        f.create_dataset(kernel, data=v)
    add_file(h5copy("h5-int-kernel.h5", int_kernel), "h5", "load_or_reject", reason="an int32 kernel (Keras casts it)",
             status=422, stage="weights")
    with h5py.File(src, "r") as s, h5py.File(os.path.join(OUT, "h5-libver-latest.h5"), "w", libver="latest") as d:
        for k, v in s.attrs.items():
            d.attrs[k] = v
        for k in s:
            s.copy(s[k], d, name=k)
    add_file("h5-libver-latest.h5", "h5", "load_or_reject", model="mlp",
             reason="libver='latest': superblock v3, v2 object headers", status=422, stage="open")


def main():
    for f in os.listdir(OUT):
        if f.endswith((".keras", ".h5", ".weights.json", ".config.json")):
            os.remove(os.path.join(OUT, f))
    make_keras3()
    from keras.src.utils.naming import to_snake_case
    names = ["Dense", "BatchNormalization", "LayerNormalization", "InputLayer", "ReLU", "LeakyReLU", "ELU", "PReLU",
             "Conv1D", "GlobalAveragePooling2D", "HTTPSConnection", "ABCDef", "aBC", "MyLayer_v2", "Dense!", "Sequential"]
    manifest["class_keys"] = {n: to_snake_case(n) for n in names}
    make_keras2()
    make_hostile()
    manifest["schema"] = __doc__.split("manifest.json (documented again under its \"schema\" key):\n")[1]
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(manifest['files'])} files, {len(manifest['models'])} models, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
