# Sourced by scripts/test.sh and scripts/sanitize.sh (from the repository root): creates the
# git-ignored Python venvs the Swift tests use and exports where they are.
# Python test tooling (never part of the service): a real Prometheus text parser,
# selenium to drive Debian's chromium + chromium-driver against the page at / (BrowserPageTests),
# and h2 + hyperframe (pinned) to speak hostile HTTP/2 to the server (HTTP2HostileTests).
if ! .venv-test/bin/python -c 'import prometheus_client, selenium, h2, hyperframe, hpack
assert (h2.__version__, hyperframe.__version__, hpack.__version__) == ("4.4.1", "6.1.0", "4.2.0")' 2>/dev/null; then
  python3 -m venv .venv-test
  .venv-test/bin/pip install -q --disable-pip-version-check prometheus-client requests selenium \
    'h2==4.4.1' 'hyperframe==6.1.0' 'hpack==4.2.0'
fi
export DENSE_TEST_PYTHON="$PWD/.venv-test/bin/python"

# The V2 conformance test drives the server with the real tritonclient (Python): a venv with
# it is created once (git-ignored) and handed to the Swift test.
# tritonclient[grpc] 2.73 needs grpcio >= 1.81.1 and protobuf < 7; the health stub is pinned to match.
if [ ! -x .venv-triton/bin/python ] || ! .venv-triton/bin/python -c 'import tritonclient.http, tritonclient.grpc, grpc_health, numpy' 2>/dev/null; then
  echo "test.sh: creating .venv-triton with tritonclient[http,grpc], grpcio-health-checking and numpy" >&2
  python3 -m venv .venv-triton
  .venv-triton/bin/pip install -q 'tritonclient[http,grpc]==2.73.0' 'grpcio-health-checking==1.81.1' numpy
fi
export DENSESERVE_TRITON_PYTHON="$PWD/.venv-triton/bin/python"
