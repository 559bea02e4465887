#!/usr/bin/env python3
"""Bounded load against a DenseServe on loopback, for scripts/robustness.sh and the
integration tests (standard library only).

Every mode is bounded in requests and in seconds, talks only to 127.0.0.1, and prints one
JSON object of figures on stdout. The checks are the caller's (the tests assert correctness
from the figures; the script prints them).

  loadgen.py overload --port P --pid PID [--seconds 10] [--factor 4]
      Measures capacity (closed loop, heavy predicts on model "heavy"), then offers
      factor × capacity open-loop for --seconds: shed rate, 503 and 200 latencies, statuses,
      Retry-After on every 503, RSS before/peak/after, and whether the server serves normally
      once the load has stopped.
  loadgen.py slow --port P --pid PID [--slow 500] [--nonreaders 500] [--requests 1500]
      A normal client's latency alone (one request every --interval s), then the same beside
      `slow` connections sending a request head a byte a second (reconnecting after the
      server's 408) and `nonreaders` connections that pipeline requests and never read.
  loadgen.py leak --port P --pid PID [--requests 100000] [--warmup 10000]
      Mixed requests (successes and every error path); RSS after warm-up and after.
  loadgen.py gzip --port P --pid PID [--connections 30] [--inflated-mib 60]
      Gzip bombs at once: each connection sends a ~60 KB gzip body that inflates to a valid
      predict followed by --inflated-mib MiB of spaces. Statuses, RSS before/peak/after, and
      whether a normal gzip request is served afterwards (the budget was given back).
"""
import argparse
import asyncio
import base64
import gzip
import json
import os
import random
import resource
import socket
import struct
import sys
import time

HOST = "127.0.0.1"

# Where a run is, so that a run that hits its time budget says which step hung and what it
# had seen, not only that it hung.
PROGRESS = {"phase": "start"}

# Model "heavy": 16 → 1024 → 1024 → 1024 → 8, weights from seeds (2.1M parameters, cheap to
# build even under sanitizers); a predict of 64 rows is ~270 MFLOP, so compute is what
# saturates the workers, not HTTP or JSON.
HEAVY_MODEL = {
    "layers": [{"units": 1024, "activation": "relu", "seed": 1}, {"units": 1024, "activation": "relu", "seed": 2},
               {"units": 1024, "activation": "relu", "seed": 3}, {"units": 8, "seed": 4}],
    "input_shape": [None, 16],
    "batching": {"enabled": False},
}
# Model "small": Dense(4) on width 8.
SMALL_MODEL = {"layers": [{"units": 4, "activation": "relu", "seed": 5}], "input_shape": [None, 8]}


def request_bytes(method, path, body=b"", headers=None, close=False):
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    if body or method in ("POST", "PUT"):
        head += f"Content-Length: {len(body)}\r\n"
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + body


def json_request(method, path, obj, close=False, extra=None):
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    headers = {"Content-Type": "application/json"}
    headers.update(extra or {})
    return request_bytes(method, path, body, headers, close)


async def read_response(reader):
    """(status, headers dict lower-case, body) of one Content-Length response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return status, headers, body


class Connection:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port, timeout=10):
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
        return cls(reader, writer)

    async def call(self, data):
        self.writer.write(data)
        await self.writer.drain()
        return await read_response(self.reader)

    def close(self):
        self.writer.close()


async def call_once(port, data, timeout=30):
    conn = await Connection.open(port, timeout)
    try:
        return await asyncio.wait_for(conn.call(data), timeout)
    finally:
        conn.close()


def rss(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(value):
    return None if value is None else round(value * 1000, 3)


async def put_models(port, models):
    for name, body in models.items():
        # Setup, not what is measured: the heavy model's PUT (weights built, packed and written
        # durably) took over 30 s once under AddressSanitizer on a loaded 2-core machine.
        status, _, text = await call_once(port, json_request("PUT", f"/v1/models/{name}", body), timeout=300)
        if status != 201:
            raise SystemExit(f"loadgen: PUT {name} answered {status}: {text[:200]!r}")


def heavy_predict():
    rows = [[round(random.uniform(-1, 1), 3) for _ in range(16)] for _ in range(64)]
    return json_request("POST", "/v1/models/heavy/predict", {"input": rows})


def small_predict(close=False):
    return json_request("POST", "/v1/models/small/predict", {"input": [[0.5] * 8]}, close)


# MARK: overload

async def overload(args):
    await put_models(args.port, {"heavy": HEAVY_MODEL, "small": SMALL_MODEL})
    body = heavy_predict()
    # Capacity: a closed loop with 2 connections per worker for capacity_seconds.
    conns = [await Connection.open(args.port) for _ in range(args.capacity_connections)]
    done = 0
    other = {}
    deadline = time.monotonic() + args.capacity_seconds

    PROGRESS["phase"] = "capacity"

    async def closed_loop(conn):
        nonlocal done
        while time.monotonic() < deadline and done < 100000:
            status, _, _ = await asyncio.wait_for(conn.call(body), 60)
            if status == 200:
                done += 1
            else:
                other[status] = other.get(status, 0) + 1

    start = time.monotonic()
    await asyncio.gather(*(closed_loop(c) for c in conns))
    capacity = done / (time.monotonic() - start)
    for c in conns:
        c.close()

    rss_before = rss(args.pid)
    rss_peak = rss_before
    rate = max(capacity * args.factor, 20.0)
    total = int(rate * args.seconds)
    statuses = {}
    lat = {200: [], 503: []}
    missing_retry_after = 0
    bad_503_body = 0
    errors = 0
    idle = []
    open_conns = 0
    not_sent = 0

    async def one():
        nonlocal missing_retry_after, bad_503_body, errors, open_conns
        conn = idle.pop() if idle else None
        if conn is None:
            if open_conns >= args.max_connections:
                return False
            open_conns += 1
            try:
                conn = await Connection.open(args.port)
            except OSError:
                open_conns -= 1
                errors += 1
                return True
        t0 = time.monotonic()
        try:
            status, headers, text = await asyncio.wait_for(conn.call(body), 30)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError):
            errors += 1
            open_conns -= 1
            conn.close()
            return True
        elapsed = time.monotonic() - t0
        statuses[status] = statuses.get(status, 0) + 1
        lat.setdefault(status, []).append(elapsed)
        if status == 503:
            if "retry-after" not in headers:
                missing_retry_after += 1
            try:
                if json.loads(text).get("code") not in ("overloaded", "too_many_connections"):
                    bad_503_body += 1
            except ValueError:
                bad_503_body += 1
        if headers.get("connection", "").lower() == "close":
            open_conns -= 1
            conn.close()
        else:
            idle.append(conn)
        return True

    tasks = []
    PROGRESS.update(phase="overload", capacity_rps=round(capacity, 1), statuses=statuses)
    start = time.monotonic()
    for i in range(total):
        target = start + i / rate
        delay = target - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if time.monotonic() > start + args.seconds + 5:
            break
        if not idle and open_conns >= args.max_connections:
            not_sent += 1
            continue
        tasks.append(asyncio.ensure_future(one()))
        if i % 200 == 0:
            rss_peak = max(rss_peak, rss(args.pid))
    results = await asyncio.gather(*tasks)
    not_sent += sum(1 for r in results if r is False)
    offered_seconds = time.monotonic() - start
    rss_peak = max(rss_peak, rss(args.pid))
    for c in idle:
        c.close()

    # Load has dropped: the server must serve normally again.
    await asyncio.sleep(0.5)
    after_ok = 0
    after_status = {}
    PROGRESS.update(phase="after", connection_errors=errors, after_statuses=after_status)
    for _ in range(args.after_requests):
        try:
            status, _, _ = await call_once(args.port, small_predict())
        except OSError:  # TimeoutError is one
            status = -1
        after_status[status] = after_status.get(status, 0) + 1
        after_ok += status == 200
        if after_status.get(-1, 0) >= 2:
            # The server stopped answering: say whether it is alive at all, and stop here
            # rather than spend the whole budget on timeouts.
            try:
                live, _, _ = await call_once(args.port, request_bytes("GET", "/v2/health/live"), timeout=5)
            except OSError:
                live = -1
            return {"mode": "overload", "error": "the server stopped answering after the overload",
                    "live_status": live, **PROGRESS}
    PROGRESS["phase"] = "heavy_after"
    heavy_after, _, _ = await call_once(args.port, body)
    sent = sum(statuses.values())
    return {
        "mode": "overload",
        "capacity_rps": round(capacity, 1),
        "offered_rps": round(rate, 1),
        "offered_seconds": round(offered_seconds, 2),
        "sent": sent,
        "not_sent_client_limit": not_sent,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "connection_errors": errors,
        "shed_rate": round(statuses.get(503, 0) / sent, 4) if sent else None,
        "latency_503_ms": {"p50": ms(percentile(lat[503], 50)), "p99": ms(percentile(lat[503], 99)), "max": ms(max(lat[503], default=None))},
        "latency_200_ms": {"p50": ms(percentile(lat[200], 50)), "p99": ms(percentile(lat[200], 99))},
        "missing_retry_after": missing_retry_after,
        "bad_503_body": bad_503_body,
        "rss_before": rss_before,
        "rss_peak": rss_peak,
        "rss_after": rss(args.pid),
        "after_ok": after_ok,
        "after_requests": args.after_requests,
        "after_statuses": {str(k): v for k, v in after_status.items()},
        "heavy_after_status": heavy_after,
    }


# MARK: gzip bombs

async def gzip_bombs(args):
    await put_models(args.port, {"small": SMALL_MODEL})
    predict = json.dumps({"input": [[0.5] * 8]}).encode()
    bomb = gzip.compress(predict + b" " * (args.inflated_mib << 20), 9)
    request = request_bytes("POST", "/v1/models/small/predict", bomb,
                            {"Content-Type": "application/json", "Content-Encoding": "gzip"})
    rss_before = rss(args.pid)
    rss_peak = rss_before
    statuses = {}
    errors = 0
    PROGRESS.update(phase="bombs", statuses=statuses)

    async def one():
        nonlocal errors
        try:
            status, headers, text = await call_once(args.port, request, timeout=120)
            statuses[status] = statuses.get(status, 0) + 1
        except OSError:
            errors += 1

    async def sample():
        nonlocal rss_peak
        while True:
            rss_peak = max(rss_peak, rss(args.pid))
            await asyncio.sleep(0.02)

    sampler = asyncio.ensure_future(sample())
    await asyncio.gather(*(one() for _ in range(args.connections)))
    sampler.cancel()
    rss_peak = max(rss_peak, rss(args.pid))
    PROGRESS["phase"] = "after"
    small = gzip.compress(predict + b" " * 1000)
    after, _, _ = await call_once(args.port, request_bytes(
        "POST", "/v1/models/small/predict", small, {"Content-Type": "application/json", "Content-Encoding": "gzip"}))
    return {
        "mode": "gzip",
        "connections": args.connections,
        "wire_bytes_each": len(bomb),
        "inflated_bytes_each": len(predict) + (args.inflated_mib << 20),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "connection_errors": errors,
        "rss_before": rss_before,
        "rss_peak": rss_peak,
        "rss_after": rss(args.pid),
        "after_status": after,
    }


# MARK: slow clients

async def slow(args):
    await put_models(args.port, {"small": SMALL_MODEL})

    async def normal_client(n, interval=0.0):
        # In its own process with blocking sockets, so what it measures is the server, not
        # this process's event loop busy with a thousand attackers.
        child = await asyncio.create_subprocess_exec(
            sys.executable, os.path.abspath(__file__), "normal", "--port", str(args.port), "--pid", str(args.pid),
            "--requests", str(n), "--interval", str(interval), stdout=asyncio.subprocess.PIPE)
        out, _ = await child.communicate()
        result = json.loads(out)
        if result.get("error"):
            raise OSError(result["error"])
        return result["latencies"], {int(k): v for k, v in result["statuses"].items()}

    await normal_client(50)  # warm-up
    unloaded, _ = await normal_client(args.requests, args.interval)

    stop = asyncio.Event()
    opened = {"slow": 0, "nonreaders": 0, "slow_refused": 0, "nonreader_refused": 0, "slow_408": 0}
    head = request_bytes("GET", "/healthz", headers={"X-Slow": "a" * 40})

    async def slowloris(index):
        # A byte a second; when the server gives up on us (408 and close), start again.
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection(HOST, args.port)
            except OSError:
                opened["slow_refused"] += 1
                await asyncio.sleep(1)
                continue
            opened["slow"] += 1
            try:
                for byte in head:
                    if stop.is_set():
                        break
                    writer.write(bytes([byte]))
                    await writer.drain()
                    try:
                        data = await asyncio.wait_for(reader.read(4096), 1.0)
                        if data:
                            if data.startswith(b"HTTP/1.1 408"):
                                opened["slow_408"] += 1
                            break
                        if not data:
                            break
                    except asyncio.TimeoutError:
                        pass
            except (OSError, ConnectionError):
                pass
            finally:
                writer.close()

    # A large answer that costs the server no compute (served on the I/O queue): what piles
    # up is only the write side.
    big = request_bytes("GET", "/openapi.yaml", headers={"X-Pad": "p" * 1000})

    async def nonreader(index):
        # Pipelines requests with large answers and never reads; the server must push back
        # (stop reading from us) instead of buffering without bound or stalling others.
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (HOST, args.port))
        except OSError:
            opened["nonreader_refused"] += 1
            return
        opened["nonreaders"] += 1
        loop = asyncio.get_running_loop()
        try:
            for _ in range(64):
                if stop.is_set():
                    break
                await asyncio.wait_for(loop.sock_sendall(sock, big), 2.0)
        except (OSError, asyncio.TimeoutError):
            pass  # the server stopped reading from us: the push-back we want
        await stop.wait()
        sock.close()

    attackers = [asyncio.ensure_future(slowloris(i)) for i in range(args.slow)]
    attackers += [asyncio.ensure_future(nonreader(i)) for i in range(args.nonreaders)]
    await asyncio.sleep(args.ramp)  # let them connect and fill buffers
    rss_loaded = rss(args.pid)
    try:
        loaded, statuses = await normal_client(args.requests, args.interval)
        normal_error = None
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
        loaded, statuses, normal_error = [], {}, repr(e)
    stop.set()
    await asyncio.gather(*attackers, return_exceptions=True)
    await asyncio.sleep(0.5)
    after, _ = await normal_client(20)
    p99_unloaded = percentile(unloaded, 99)
    p99_loaded = percentile(loaded, 99)
    return {
        "mode": "slow",
        "slow_connections": args.slow,
        "nonreader_connections": args.nonreaders,
        "opened": opened,
        "normal_requests": args.requests,
        "normal_statuses": {str(k): v for k, v in statuses.items()},
        "normal_error": normal_error,
        "p50_unloaded_ms": ms(percentile(unloaded, 50)),
        "p99_unloaded_ms": ms(p99_unloaded),
        "p50_loaded_ms": ms(percentile(loaded, 50)),
        "p99_loaded_ms": ms(p99_loaded),
        "p99_ratio": round(p99_loaded / p99_unloaded, 2) if loaded and p99_unloaded else None,
        "rss_loaded": rss_loaded,
        "after_ok": len(after),
    }


def normal(args):
    """One keep-alive client with blocking sockets: small predicts every --interval s."""
    lat, statuses = [], {}
    body = small_predict()
    try:
        sock = socket.create_connection((HOST, args.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = b""
        for _ in range(args.requests):
            if args.interval:
                time.sleep(args.interval)
            t0 = time.monotonic()
            sock.sendall(body)
            while b"\r\n\r\n" not in pending:
                data = sock.recv(65536)
                if not data:
                    raise OSError("server closed the connection")
                pending += data
            head, pending = pending.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            while len(pending) < length:
                data = sock.recv(65536)
                if not data:
                    raise OSError("server closed the connection")
                pending += data
            pending = pending[length:]
            lat.append(time.monotonic() - t0)
            status = int(lines[0].split(" ")[1])
            statuses[status] = statuses.get(status, 0) + 1
        sock.close()
        return {"latencies": lat, "statuses": statuses}
    except OSError as e:
        return {"latencies": lat, "statuses": statuses, "error": repr(e)}


# MARK: leaks

def mixed_requests():
    """(name, bytes, expected statuses) covering success and error paths."""
    small_in = {"input": [[0.25] * 8, [0.5] * 8]}
    raw = struct.pack("<16f", *([0.5] * 16))
    v2_head = json.dumps({"inputs": [{"name": "input", "shape": [2, 8], "datatype": "FP32", "parameters": {"binary_data_size": len(raw)}}],
                          "parameters": {"binary_data_output": True}}).encode()
    one_shot = {"layer": {"units": 3, "kernel": [[1, 2, 3], [4, 5, 6]], "bias": [0, 0, 1]}, "input": [[1, 2], [3, 4]]}
    return [
        ("predict", json_request("POST", "/v1/models/small/predict", small_in), {200}),
        ("predict-close", json_request("POST", "/v1/models/small/predict", small_in, close=True), {200}),
        ("one-shot", json_request("POST", "/v1/dense", one_shot), {200}),
        ("one-shot-b64", json_request("POST", "/v1/dense", {"layer": {"units": 2, "seed": 3}, "input": {"shape": [1, 4], "dtype": "float32", "b64": base64.b64encode(struct.pack("<4f", 1, 2, 3, 4)).decode()}}), {200}),
        ("shape-only", json_request("POST", "/v1/dense", {"layer": {"units": 10}, "input_shape": [None, 20, 5]}), {200}),
        ("gzip-in-out", request_bytes("POST", "/v1/dense", gzip.compress(json.dumps(one_shot).encode()),
                                      {"Content-Type": "application/json", "Content-Encoding": "gzip", "Accept-Encoding": "gzip"}), {200}),
        ("v2-json", request_bytes("POST", "/v2/models/small/infer", json.dumps({"id": "x", "inputs": [{"name": "input", "shape": [1, 8], "datatype": "FP32", "data": [1] * 8}]}).encode()), {200}),
        ("v2-binary", request_bytes("POST", "/v2/models/small/infer", v2_head + raw, {"Inference-Header-Content-Length": str(len(v2_head))}), {200}),
        ("metadata", request_bytes("GET", "/v2/models/small"), {200}),
        ("list", request_bytes("GET", "/v1/models"), {200}),
        ("healthz", request_bytes("GET", "/healthz"), {200}),
        ("metrics", request_bytes("GET", "/metrics"), {200}),
        ("malformed-json", json_request("POST", "/v1/dense", b'{"layer": [1, 2'), {400}),
        ("deep-json", json_request("POST", "/v1/dense", b"[" * 5000), {400}),
        ("shape-mismatch", json_request("POST", "/v1/models/small/predict", {"input": [[1, 2, 3]]}), {422}),
        ("unknown-activation", json_request("POST", "/v1/dense", {"layer": {"units": 2, "activation": "nope"}, "input": [[1]]}), {422}),
        ("v2-framing", request_bytes("POST", "/v2/models/small/infer", v2_head + raw[:-4], {"Inference-Header-Content-Length": str(len(v2_head))}), {400}),
        ("no-model", json_request("POST", "/v1/models/nope/predict", small_in), {404}),
        ("no-route", request_bytes("GET", "/nowhere"), {404}),
        ("method", request_bytes("DELETE", "/v1/dense"), {405}),
        # Content-Type is not read (a form type is JSON too); 415 is an unknown Content-Encoding.
        ("media-type", request_bytes("POST", "/v1/dense", b"{}", {"Content-Encoding": "br"}), {415}),
        ("tfserving-form", request_bytes("POST", "/v1/models/small:predict", json.dumps({"instances": small_in["input"]}).encode(),
                                         {"Content-Type": "application/x-www-form-urlencoded"}), {200}),
        ("tfserving-metadata", request_bytes("GET", "/v1/models/small/metadata"), {200}),
        ("bad-gzip", request_bytes("POST", "/v1/dense", b"not gzip", {"Content-Type": "application/json", "Content-Encoding": "gzip"}), {400}),
    ]


async def leak(args):
    await put_models(args.port, {"small": SMALL_MODEL})
    kinds = mixed_requests()
    put_body = json_request("PUT", "/v1/models/churn", {"layers": [{"units": 4, "seed": 9}], "input_shape": [None, 8]})
    delete_body = request_bytes("DELETE", "/v1/models/churn")
    counts = {name: 0 for name, _, _ in kinds}
    unexpected = {}
    parse_errors = 0  # 400s the parser answers alone close the connection

    async def worker(n, offset):
        nonlocal parse_errors
        conn = await Connection.open(args.port)
        for i in range(n):
            k = (i + offset) % len(kinds)
            name, data, expected = kinds[k]
            if (i + offset) % 500 == 499:
                name, data, expected = ("put", put_body, {201}) if (i // 500) % 2 == 0 else ("delete", delete_body, {200, 404})
            try:
                status, headers, _ = await asyncio.wait_for(conn.call(data), 30)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                unexpected["connection-error:" + name] = unexpected.get("connection-error:" + name, 0) + 1
                conn.close()
                conn = await Connection.open(args.port)
                continue
            counts[name] = counts.get(name, 0) + 1
            if status not in expected:
                unexpected[f"{name}:{status}"] = unexpected.get(f"{name}:{status}", 0) + 1
            if headers.get("connection", "").lower() == "close":
                conn.close()
                conn = await Connection.open(args.port)
        conn.close()

    async def run(total):
        per = total // args.connections
        await asyncio.gather(*(worker(per, c * 7) for c in range(args.connections)))
        return per * args.connections

    warm = await run(args.warmup)
    await asyncio.sleep(1)
    before = rss(args.pid)
    t0 = time.monotonic()
    done = await run(args.requests)
    elapsed = time.monotonic() - t0
    await asyncio.sleep(1)
    after = rss(args.pid)
    return {
        "mode": "leak",
        "warmup_requests": warm,
        "requests": done,
        "seconds": round(elapsed, 1),
        "rps": round(done / elapsed, 1),
        "kinds": len(kinds) + 2,
        "unexpected": unexpected,
        "rss_before": before,
        "rss_after": after,
        "rss_growth_pct": round((after - before) / before * 100, 2) if before else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["overload", "slow", "leak", "gzip", "normal"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="server pid, for RSS")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--factor", type=float, default=4)
    parser.add_argument("--capacity-seconds", type=float, default=3)
    parser.add_argument("--capacity-connections", type=int, default=4)
    parser.add_argument("--max-connections", type=int, default=256)
    parser.add_argument("--after-requests", type=int, default=50)
    parser.add_argument("--slow", type=int, default=500)
    parser.add_argument("--nonreaders", type=int, default=500)
    parser.add_argument("--ramp", type=float, default=5)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=10000)
    parser.add_argument("--interval", type=float, default=0.01, help="slow: seconds between the normal client's requests")
    parser.add_argument("--connections", type=int, default=None, help="leak: 8, gzip: 30")
    parser.add_argument("--inflated-mib", type=int, default=60, help="gzip: MiB of spaces each body inflates to")
    args = parser.parse_args()
    if args.connections is None:
        args.connections = 30 if args.mode == "gzip" else 8
    if args.requests is None:
        args.requests = {"slow": 1500, "leak": 100000}.get(args.mode, 0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # Hard bound on the whole run, whatever happens.
    if args.mode == "normal":
        json.dump(normal(args), sys.stdout)
        print()
        return
    budget = {"overload": args.seconds + args.capacity_seconds + 600, "slow": args.ramp + 2 * args.requests * (args.interval + 0.05) + 120, "leak": 1800, "gzip": 600}[args.mode]
    mode = {"overload": overload, "slow": slow, "leak": leak, "gzip": gzip_bombs}[args.mode]
    started = time.monotonic()
    try:
        result = asyncio.run(asyncio.wait_for(mode(args), budget))
    except asyncio.TimeoutError:
        # The run's own bound, or one request's (a phase's wait_for) before it: say which.
        elapsed = time.monotonic() - started
        error = (f"did not finish within {budget} s" if elapsed >= budget - 1
                 else f"a request timed out after {elapsed:.1f} s of the run")
        result = {"mode": args.mode, "error": error, **PROGRESS}
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
