#!/usr/bin/env bash
# Validates deploy/kubernetes against the Kubernetes schemas of a pinned version
# (DENSE_K8S_VERSION, default 1.33.0) and deploy/kserve against the KServe CRD fields we use,
# plus the cross-checks of scripts/validate_manifests.py. Offline once the tools are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(scripts/tools-venv.sh)
exec "$venv/bin/python" scripts/validate_manifests.py
