#!/usr/bin/env python3
"""Validates deploy/ offline (run through scripts/validate-manifests.sh, which makes the venv).

1. deploy/kubernetes/*.yaml against the Kubernetes OpenAPI schemas of a pinned version
   (kubernetes-validate, strict: unknown fields are errors).
2. deploy/kserve/*.yaml against scripts/kserve-crd-subset.schema.yaml (the KServe CRD fields
   we use; containers/volumes/resources against the real Kubernetes schemas).
3. Cross-checks no schema can express: the shutdown budget, probes on the V2 health routes,
   the image's uid / model dir / port, selectors, the KServe runtime <-> service wiring.
4. A self-test: broken variants of the manifests must be rejected (no vacuous pass).
"""
import copy
import glob
import importlib.util
import json
import os
import pathlib
import sys

import jsonschema
import referencing
import yaml
from kubernetes_validate import utils as kv

ROOT = pathlib.Path(__file__).resolve().parent.parent
K8S_VERSION = os.environ.get("DENSE_K8S_VERSION", "1.33.0")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def load_all(pattern):
    documents = []
    for path in sorted(glob.glob(str(ROOT / pattern))):
        with open(path, encoding="utf-8") as handle:
            for document in yaml.safe_load_all(handle):
                if document:
                    documents.append((os.path.relpath(path, ROOT), document))
    return documents


def by_kind(documents, kind):
    found = [d for _, d in documents if d.get("kind") == kind]
    check(len(found) == 1, f"expected exactly one {kind}, found {len(found)}")
    return found[0] if found else {}


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def dockerfile_runtime():
    """uid, DENSE_MODEL_DIR, exposed port and volumes of the Dockerfile's runtime stage."""
    spec = importlib.util.spec_from_file_location("dockerfile_steps", ROOT / "scripts/dockerfile-steps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    steps = module.parse_stage(module.logical_lines((ROOT / "Dockerfile").read_text()), "runtime")
    result = {"env": {}, "volumes": [], "expose": []}
    for instruction, argument in steps:
        if instruction == "USER":
            result["uid"] = int(argument.split(":")[0])
        elif instruction == "ENV":
            for word in argument.replace("\\", " ").split():
                key, _, value = word.partition("=")
                result["env"][key] = value
        elif instruction == "VOLUME":
            result["volumes"] += json.loads(argument)
        elif instruction == "EXPOSE":
            result["expose"] += [int(p) for p in argument.split()]
    return result


def server_defaults():
    return json.loads((ROOT / "config/server.json").read_text())


# ---- 1. Kubernetes schemas ---------------------------------------------------------------
def validate_kubernetes(documents):
    for path, document in documents:
        try:
            version = kv.validate(document, K8S_VERSION, strict=True)
            print(f"ok   {path}: {document['kind']}/{document['metadata']['name']} (Kubernetes {version}, strict)")
        except kv.ValidationError as error:
            where = ".".join(str(p) for p in error.path)
            check(False, f"{path}: {document.get('kind')} {where}: {error.message}")
        except (kv.SchemaNotFoundError, kv.InvalidSchemaError) as error:
            check(False, f"{path}: {error.message}")


# ---- 2. KServe structural schema -----------------------------------------------------------
def kserve_validator(kind):
    schema_dir = pathlib.Path(kv.__file__).parent / "kubernetes-json-schema" / f"v{kv.major_minor(K8S_VERSION)}.0-local-strict"
    definitions = json.loads((schema_dir / "_definitions.json").read_text())
    ours = yaml.safe_load((ROOT / "scripts/kserve-crd-subset.schema.yaml").read_text())
    registry = referencing.Registry().with_resources([
        (definitions["$id"], referencing.Resource.from_contents(definitions)),
        (ours["$id"], referencing.Resource.from_contents(ours)),
    ])
    return jsonschema.Draft202012Validator({"$ref": f"{ours['$id']}#/$defs/{kind}"}, registry=registry)


def validate_kserve(documents):
    for path, document in documents:
        kind = document.get("kind")
        if not check(kind in ("ServingRuntime", "InferenceService"), f"{path}: unexpected kind {kind}"):
            continue
        errors = sorted(kserve_validator(kind).iter_errors(document), key=lambda e: list(e.path))
        for error in errors:
            where = ".".join(str(p) for p in error.path)
            check(False, f"{path}: {kind} {where}: {error.message[:300]}")
        if not errors:
            print(f"ok   {path}: {kind}/{document['metadata']['name']} (KServe CRD subset, containers as Kubernetes {kv.major_minor(K8S_VERSION)})")


# ---- 3. cross-checks -----------------------------------------------------------------------
def probe_path(container, probe):
    return ((container.get(probe) or {}).get("httpGet") or {}).get("path")


def check_container(where, container, image):
    check(probe_path(container, "readinessProbe") == "/v2/health/ready", f"{where}: readinessProbe must GET /v2/health/ready")
    check(probe_path(container, "livenessProbe") == "/v2/health/live", f"{where}: livenessProbe must GET /v2/health/live")
    env = env_of(container)
    check(env.get("DENSE_HOST") == "0.0.0.0", f"{where}: DENSE_HOST must be 0.0.0.0")
    port = int(env.get("DENSE_PORT", server_defaults()["port"]))
    check(port in image["expose"], f"{where}: DENSE_PORT {port} is not the image's EXPOSE {image['expose']}")
    check(any(p.get("containerPort") == port for p in container.get("ports", [])), f"{where}: no containerPort {port}")
    model_dir = env.get("DENSE_MODEL_DIR", image["env"].get("DENSE_MODEL_DIR"))
    check(model_dir in image["volumes"], f"{where}: DENSE_MODEL_DIR {model_dir} is not the image's VOLUME")
    mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
    security = container.get("securityContext", {})
    check(security.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem must be true")
    check(security.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation must be false")
    check(model_dir in mounts, f"{where}: the model dir {model_dir} needs a writable volume (read-only root)")
    check("/tmp" in mounts, f"{where}: /tmp needs a writable volume (read-only root)")
    check("cpu" in container.get("resources", {}).get("requests", {}), f"{where}: CPU requests are needed (HPA utilization)")
    return env


def cross_check_kubernetes(documents):
    image = dockerfile_runtime()
    deployment = by_kind(documents, "Deployment")
    service = by_kind(documents, "Service")
    hpa = by_kind(documents, "HorizontalPodAutoscaler")
    pdb = by_kind(documents, "PodDisruptionBudget")
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    spec = pod["spec"]
    container = spec["containers"][0]
    env = check_container("Deployment", container, image)

    uid = container.get("securityContext", {}).get("runAsUser", spec.get("securityContext", {}).get("runAsUser"))
    check(uid == image["uid"], f"Deployment: runAsUser {uid} is not the image's USER {image['uid']}")
    check(spec.get("securityContext", {}).get("runAsNonRoot") is True, "Deployment: runAsNonRoot must be true")

    defaults = server_defaults()
    grace = float(env.get("DENSE_DRAIN_GRACE_S", defaults["drain_grace_s"]))
    timeout = float(env.get("DENSE_DRAIN_TIMEOUT_S", defaults["drain_timeout_s"]))
    pre_stop = container.get("lifecycle", {}).get("preStop", {})
    command = pre_stop.get("exec", {}).get("command", [])
    sleep = float(command[1]) if command[:1] == ["sleep"] else float(pre_stop.get("sleep", {}).get("seconds", 0))
    budget = spec.get("terminationGracePeriodSeconds", 30)
    need = sleep + grace + timeout
    check(budget >= need + 1, f"Deployment: terminationGracePeriodSeconds {budget} < preStop {sleep} + drain_grace_s {grace} + drain_timeout_s {timeout} + 1")
    print(f"ok   shutdown budget: terminationGracePeriodSeconds {budget} >= preStop {sleep:g} + drain_grace_s {grace:g} + drain_timeout_s {timeout:g} (+{budget - need:g} s margin)")

    selector = deployment["spec"]["selector"]["matchLabels"]
    check(all(labels.get(k) == v for k, v in selector.items()), "Deployment: selector does not match the pod labels")
    check(all(labels.get(k) == v for k, v in service["spec"]["selector"].items()), "Service: selector matches no pod")
    port_names = {p.get("name") for p in container.get("ports", [])} | {p.get("containerPort") for p in container.get("ports", [])}
    for port in service["spec"]["ports"]:
        check(port.get("targetPort") in port_names, f"Service: targetPort {port.get('targetPort')} is no container port")
    target = hpa["spec"]["scaleTargetRef"]
    check((target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"]), "HPA: scaleTargetRef is not the Deployment")
    check(hpa["spec"]["minReplicas"] >= 2, "HPA: minReplicas below 2 leaves no replica during a rollout or drain")
    check(all(labels.get(k) == v for k, v in pdb["spec"]["selector"]["matchLabels"].items()), "PDB: selector matches no pod")
    check(hpa["spec"]["minReplicas"] > pdb["spec"].get("minAvailable", 0), "PDB: minAvailable must be below the HPA's minReplicas")
    print("ok   cross-checks: probes on /v2/health/*, uid/port/model dir as in the Dockerfile, read-only root, selectors, HPA target")


def cross_check_kserve(documents, deployment):
    image = dockerfile_runtime()
    runtime = by_kind(documents, "ServingRuntime")
    service = by_kind(documents, "InferenceService")
    if not runtime or not service:
        return
    containers = runtime["spec"]["containers"]
    named = [c for c in containers if c.get("name") == "kserve-container"]
    if not check(len(named) == 1, "ServingRuntime: needs exactly one container named kserve-container"):
        return
    container = named[0]
    env = check_container("ServingRuntime", container, image)
    check(env.get("PROTOCOL") == "v2", "ServingRuntime: env PROTOCOL must be v2")
    check(int(env.get("DENSE_PORT", 0)) == 8080, "ServingRuntime: KServe routes to port 8080")
    check("v2" in runtime["spec"].get("protocolVersions", []), "ServingRuntime: protocolVersions must include v2")
    check("grpc-v2" in runtime["spec"].get("protocolVersions", []), "ServingRuntime: protocolVersions must include grpc-v2 (gRPC on the same port)")
    # KServe's serverless mode allows one port; named h2c, Knative speaks HTTP/2 to it (REST and gRPC).
    check([p.get("name") for p in container.get("ports", [])] == ["h2c"], "ServingRuntime: the one container port must be named h2c")
    check("seed_model_dir=/mnt/models" in container.get("args", []), "ServingRuntime: models from the storage initializer (/mnt/models) must be registered (--set seed_model_dir=/mnt/models)")
    uid = container.get("securityContext", {}).get("runAsUser")
    check(uid == image["uid"], f"ServingRuntime: runAsUser {uid} is not the image's USER {image['uid']}")
    if deployment:
        check(container.get("image") == deployment["spec"]["template"]["spec"]["containers"][0]["image"], "ServingRuntime: image differs from the Deployment's")
    formats = {f["name"] for f in runtime["spec"].get("supportedModelFormats", [])}
    model = service["spec"]["predictor"].get("model", {})
    check(model.get("modelFormat", {}).get("name") in formats, f"InferenceService: modelFormat {model.get('modelFormat')} is not in the runtime's supportedModelFormats {sorted(formats)}")
    check(model.get("runtime") == runtime["metadata"]["name"], "InferenceService: runtime must name the DenseServe ServingRuntime")
    check(model.get("protocolVersion") == "v2", "InferenceService: protocolVersion must be v2")
    stem = pathlib.PurePosixPath(model.get("storageUri", "")).name.removesuffix(".json")
    check(stem == service["metadata"]["name"], f"InferenceService: storageUri file {stem}.json must be named after the service ({service['metadata']['name']}) so /v2/models/{service['metadata']['name']} exists")
    print("ok   KServe wiring: kserve-container on 8080 with PROTOCOL=v2, model format and runtime match, /mnt/models registered")


# ---- 4. self-test --------------------------------------------------------------------------
def self_test(kubernetes, kserve):
    global failures
    saved = failures
    cases = []
    broken = copy.deepcopy(kubernetes)
    deployment = next(d for _, d in broken if d["kind"] == "Deployment")
    deployment["spec"]["replicas"] = "two"
    cases.append(("Deployment replicas as a string", lambda: validate_kubernetes(broken)))
    broken2 = copy.deepcopy(kubernetes)
    next(d for _, d in broken2 if d["kind"] == "Deployment")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 20
    cases.append(("a grace period shorter than the drain", lambda: cross_check_kubernetes(broken2)))
    broken3 = copy.deepcopy(kserve)
    next(d for _, d in broken3 if d["kind"] == "ServingRuntime")["spec"]["containers"][0]["name"] = "server"
    cases.append(("no kserve-container", lambda: cross_check_kserve(broken3, None)))
    broken4 = copy.deepcopy(kserve)
    next(d for _, d in broken4 if d["kind"] == "ServingRuntime")["spec"]["containers"][0]["ports"][0]["containerPort"] = "8080"
    cases.append(("a port as a string in a KServe container", lambda: validate_kserve(broken4)))
    broken5 = copy.deepcopy(kserve)
    next(d for _, d in broken5 if d["kind"] == "InferenceService")["spec"]["predictor"]["model"]["protocolVersoin"] = "v2"
    cases.append(("a misspelt KServe field", lambda: validate_kserve(broken5)))
    missed = []
    stdout = sys.stdout
    for name, run in cases:
        failures = []
        sys.stdout = open(os.devnull, "w")
        try:
            run()
        finally:
            sys.stdout.close()
            sys.stdout = stdout
        if not failures:
            missed.append(name)
    failures = saved
    check(not missed, f"self-test: the checks accepted broken manifests: {missed}")
    if not missed:
        print(f"ok   self-test: {len(cases)} broken variants rejected")


def main():
    kubernetes = load_all("deploy/kubernetes/*.yaml")
    kserve = load_all("deploy/kserve/*.yaml")
    check(kubernetes and kserve, "no manifests found under deploy/")
    validate_kubernetes(kubernetes)
    cross_check_kubernetes(kubernetes)
    validate_kserve(kserve)
    cross_check_kserve(kserve, by_kind(kubernetes, "Deployment"))
    self_test(kubernetes, kserve)
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"validate-manifests: {len(kubernetes) + len(kserve)} manifests, Kubernetes {K8S_VERSION}: "
          + ("FAILED" if failures else "all checks passed"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
