#!/usr/bin/env python3
"""Hostile HTTP/2 clients against a running dense-server (h2c, prior knowledge).

Usage: h2_hostile.py HOST:PORT [--pid PID] [--only NAME,...] [--keep-going] [--list]

The server must run with the settings the checks assume (HTTP2HostileTests starts it so):
  --set header_read_timeout_s=1 --set write_timeout_s=5 --set max_body_bytes=1024
  --set max_header_bytes=16384 --set http2_max_concurrent_streams=100
  --set max_buffered_response_bytes=8388608
and accept model PUTs from loopback (no admin_token).
(the defaults of the options below say the same; change both together).

Each case speaks raw frames (hyperframe + an hpack coder) or h2's client state machine, and
checks what the server did: answered, refused, reset or went away as appropriate, never
crashed or hung. After each case a fresh HTTP/1.1 request and a fresh HTTP/2 request (on new
connections) must be answered 200, and the server's RSS (from /proc/PID/status) must stay
within a bound of what it was before the first case. Every socket operation has a timeout.

Prints one line per case saying what the server did, then `ok: N checks`; exits 1 with a
message at the first failure (with --keep-going: after every case, listing the failures).
"""

import argparse
import json
import os
import select
import socket
import sys
import threading
import time
import traceback

import h2.config
import h2.connection
import h2.events
import hpack
from hyperframe.frame import (
    ContinuationFrame,
    DataFrame,
    Frame,
    GoAwayFrame,
    HeadersFrame,
    PingFrame,
    RstStreamFrame,
    SettingsFrame,
    WindowUpdateFrame,
)
from hyperframe.exceptions import UnknownFrameError

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ERROR_NAMES = {
    0x0: "NO_ERROR",
    0x1: "PROTOCOL_ERROR",
    0x2: "INTERNAL_ERROR",
    0x3: "FLOW_CONTROL_ERROR",
    0x4: "SETTINGS_TIMEOUT",
    0x5: "STREAM_CLOSED",
    0x6: "FRAME_SIZE_ERROR",
    0x7: "REFUSED_STREAM",
    0x8: "CANCEL",
    0x9: "COMPRESSION_ERROR",
    0xA: "CONNECT_ERROR",
    0xB: "ENHANCE_YOUR_CALM",
    0xC: "INADEQUATE_SECURITY",
    0xD: "HTTP_1_1_REQUIRED",
}
CANCEL = 0x8
REFUSED_STREAM = 0x7
PROTOCOL_ERROR = 0x1
MAX_WINDOW = 2**31 - 1


def code_name(code):
    return ERROR_NAMES.get(code, hex(code))


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Stream:
    def __init__(self):
        self.headers = None  # the first HEADERS' fields (bytes pairs)
        self.trailers = None
        self.body = bytearray()
        self.ended = False
        self.reset = None  # RST_STREAM error code

    @property
    def status(self):
        for name, value in self.headers or []:
            if name == b":status":
                return int(value)
        return None

    def header(self, name):
        for n, v in self.headers or []:
            if n == name.encode():
                return v.decode()
        return None

    def error_code(self):
        try:
            return json.loads(bytes(self.body)).get("code")
        except ValueError:
            return None

    @property
    def done(self):
        return self.ended or self.reset is not None


class RawH2:
    """One HTTP/2 connection spoken frame by frame: no client-side rules enforced, so a
    case can send what a well-behaved client never would."""

    def __init__(self, address, timeout=10.0, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout)
        self.sock.connect(address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.decoder.max_header_list_size = 1 << 24
        self.decoder.max_allowed_table_size = 1 << 16
        self.buffer = bytearray()
        self.streams = {}
        self.goaway = None  # (last stream id, error code, debug data)
        self.eof = False
        self.server_settings = None
        self.settings_acks = 0
        self.ping_acks = 0
        self.frames = 0
        self.auto_window = True
        self.answer_pings = True
        self.silent = False  # send nothing on our own (no ACKs, no WINDOW_UPDATEs)
        self._block = None  # (stream id, fragments) of a header block in CONTINUATIONs

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # Output

    def send(self, data):
        self.sock.sendall(data)

    def send_frames(self, frames):
        self.send(b"".join(f.serialize() for f in frames))

    def block(self, fields, huffman=True):
        return self.encoder.encode(fields, huffman=huffman)

    @staticmethod
    def request_fields(method, path, extra=()):
        return [(":method", method), (":scheme", "http"), (":path", path), (":authority", "127.0.0.1")] + list(extra)

    def headers_frame(self, sid, method, path, extra=(), end_stream=True):
        f = HeadersFrame(sid, self.block(self.request_fields(method, path, extra)))
        f.flags.add("END_HEADERS")
        if end_stream:
            f.flags.add("END_STREAM")
        return f

    def request(self, sid, method, path, extra=(), body=None):
        frames = [self.headers_frame(sid, method, path, extra, end_stream=body is None)]
        if body is not None:
            frames.append(DataFrame(sid, body, flags=["END_STREAM"]))
        self.send_frames(frames)

    def handshake(self, settings=None, window=None):
        """Preface and SETTINGS; waits for the server's SETTINGS and ACKs them."""
        frames = [SettingsFrame(0, settings=settings or {})]
        if window:
            frames.append(WindowUpdateFrame(0, window))
        self.send(PREFACE + b"".join(f.serialize() for f in frames))
        deadline = time.monotonic() + 10
        while self.server_settings is None:
            check(time.monotonic() < deadline, "no SETTINGS from the server within 10 s")
            check(self.read_frame() is not None, "connection closed before the server's SETTINGS")

    # Input

    def _fill(self, timeout):
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            return False
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def read_frame(self, timeout=10.0):
        """The next frame (handled: SETTINGS/PING answered, windows refilled, streams
        updated), or None on EOF or when nothing arrives within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buffer) >= 9:
                length = int.from_bytes(self.buffer[0:3], "big")
                if len(self.buffer) >= 9 + length:
                    head = bytes(self.buffer[:9])
                    body = bytes(self.buffer[9 : 9 + length])
                    del self.buffer[: 9 + length]
                    try:
                        frame, _ = Frame.parse_frame_header(memoryview(head))
                    except UnknownFrameError:
                        continue
                    frame.parse_body(memoryview(body))
                    self._handle(frame)
                    return frame
            if self.eof:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._fill(remaining):
                return None

    def _stream(self, sid):
        return self.streams.setdefault(sid, Stream())

    def _handle(self, frame):
        self.frames += 1
        if isinstance(frame, SettingsFrame):
            if "ACK" in frame.flags:
                self.settings_acks += 1
            else:
                self.server_settings = dict(frame.settings)
                if not self.silent:
                    self.send_frames([SettingsFrame(0, flags=["ACK"])])
        elif isinstance(frame, PingFrame):
            if "ACK" in frame.flags:
                self.ping_acks += 1
            elif self.answer_pings and not self.silent:
                self.send_frames([PingFrame(0, frame.opaque_data, flags=["ACK"])])
        elif isinstance(frame, GoAwayFrame):
            self.goaway = (frame.last_stream_id, frame.error_code, frame.additional_data)
        elif isinstance(frame, RstStreamFrame):
            self._stream(frame.stream_id).reset = frame.error_code
        elif isinstance(frame, (HeadersFrame, ContinuationFrame)):
            if isinstance(frame, HeadersFrame):
                self._block = (frame.stream_id, [frame.data], "END_STREAM" in frame.flags)
            elif self._block is not None:
                self._block[1].append(frame.data)
            if "END_HEADERS" in frame.flags and self._block is not None:
                sid, fragments, end = self._block
                self._block = None
                fields = self.decoder.decode(b"".join(fragments), raw=True)
                s = self._stream(sid)
                if s.headers is None:
                    s.headers = fields
                else:
                    s.trailers = fields
                if end:
                    s.ended = True
        elif isinstance(frame, DataFrame):
            s = self._stream(frame.stream_id)
            s.body += frame.data
            if "END_STREAM" in frame.flags:
                s.ended = True
            if self.auto_window and not self.silent and frame.flow_controlled_length > 0:
                updates = [WindowUpdateFrame(0, frame.flow_controlled_length)]
                if not s.ended:
                    updates.append(WindowUpdateFrame(frame.stream_id, frame.flow_controlled_length))
                try:
                    self.send_frames(updates)
                except OSError:
                    pass

    def wait(self, condition, timeout=10.0):
        """Reads frames until `condition()` holds, EOF, or `timeout`; returns condition()."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if self.read_frame(remaining) is None:
                break
        return condition()

    def wait_closed(self, timeout=15.0):
        """Reads (and discards) until EOF; whether EOF came within `timeout`."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.read_frame(remaining)
        return True

    def response(self, sid, timeout=10.0):
        check(self.wait(lambda: self._stream(sid).done, timeout), f"stream {sid}: no complete answer within {timeout} s")
        return self._stream(sid)


# Plain HTTP/1.1 and health checks on fresh connections


def http1_request(address, method, path, body=b"", headers=None, timeout=10):
    """One HTTP/1.1 request with `Connection: close`; (status, body)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    with socket.create_connection(address, timeout=timeout) as s:
        s.sendall(head.encode() + b"\r\n" + body)
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    check(len(parts) >= 2 and parts[0] == b"HTTP/1.1", f"{method} {path} over HTTP/1.1: {data[:80]!r}")
    return int(parts[1]), rest


def http1_ok(address):
    status, body = http1_request(address, "GET", "/v2/health/live")
    check(status == 200, f"fresh HTTP/1.1 GET /v2/health/live: {status} {body[:80]!r}")


def http2_ok(address):
    """GET /v2/health/live through h2's client state machine (a conforming client)."""
    c = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    c.initiate_connection()
    sid = c.get_next_available_stream_id()
    c.send_headers(
        sid,
        [(":method", "GET"), (":scheme", "http"), (":path", "/v2/health/live"), (":authority", "127.0.0.1")],
        end_stream=True,
    )
    status = None
    ended = False
    with socket.create_connection(address, timeout=10) as s:
        s.sendall(c.data_to_send())
        deadline = time.monotonic() + 10
        while not ended and time.monotonic() < deadline:
            data = s.recv(65536)
            check(data, f"fresh HTTP/2 GET /v2/health/live: closed (status so far {status})")
            for event in c.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived) and event.stream_id == sid:
                    status = int(dict(event.headers)[":status"])
                elif isinstance(event, h2.events.DataReceived):
                    c.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == sid:
                    ended = True
                elif isinstance(event, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
                    raise Failure(f"fresh HTTP/2 GET /v2/health/live: {event}")
            s.sendall(c.data_to_send())
        c.close_connection()
        s.sendall(c.data_to_send())
    check(ended and status == 200, f"fresh HTTP/2 GET /v2/health/live: status {status}, ended {ended}")


def rss_kb(pid):
    if pid is None:
        return None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure(f"no VmRSS for pid {pid}: has the server died?")


def alive(pid):
    if pid is not None:
        check(os.path.exists(f"/proc/{pid}"), f"server pid {pid} is gone")


def send_in_background(conn, data, timeout):
    """Writes `data` from a thread (the server may stop reading; the caller must not block
    on it). Returns the thread; its `.error` is the OSError that ended the write, if any."""

    def run():
        try:
            conn.sock.settimeout(timeout)
            conn.sock.sendall(data)
        except OSError as e:
            t.error = e

    t = threading.Thread(target=run, daemon=True)
    t.error = None
    t.start()
    return t


# The cases. Each returns a line saying what the server did.


def case_rapid_reset(args):
    """3,000 × (HEADERS GET /v2/health/live, RST_STREAM CANCEL): nghttp2's reset-rate limit
    (burst 1000, 33/s) ends the connection with GOAWAY (nghttp2 1.52 sends INTERNAL_ERROR,
    as upstream's fix does), or every stream is handled; the
    server's dispatched-stream cap keeps reset streams' work from piling up."""
    c = RawH2(args.address)
    c.handshake()
    sent = 0
    refused_write = None
    for batch in range(30):
        frames = []
        for i in range(100):
            sid = 1 + 2 * (batch * 100 + i)
            frames.append(c.headers_frame(sid, "GET", "/v2/health/live"))
            frames.append(RstStreamFrame(sid, error_code=CANCEL))
        try:
            c.send_frames(frames)
        except OSError as e:
            refused_write = e
            break
        sent += 100
        # Take what the server sent so far (answers, GOAWAY) without waiting.
        while select.select([c.sock], [], [], 0)[0] and c.read_frame(0.5) is not None:
            pass
        if c.goaway or c.eof:
            break
    c.wait(lambda: c.goaway is not None or c.eof, timeout=3)
    answered = sum(1 for s in c.streams.values() if s.headers is not None)
    if c.goaway:
        last, code, _ = c.goaway
        check(code in (0x2, 0xB, PROTOCOL_ERROR, 0x0), f"rapid reset: GOAWAY {code_name(code)} last_stream_id={last} {c.goaway[2]!r} after {sent} pairs sent")
        check(c.wait_closed(15), "rapid reset: connection not closed within 15 s of GOAWAY")
        outcome = f"GOAWAY {code_name(code)} last_stream_id={last} after {sent} pairs sent, {answered} answered"
    else:
        check(refused_write is None, f"rapid reset: write failed without GOAWAY: {refused_write}")
        # Every pair was taken: the connection must still answer.
        sid = 1 + 2 * 3000
        c.request(sid, "GET", "/v2/health/live")
        s = c.response(sid)
        check(s.status == 200, f"rapid reset: request after 3,000 resets: status {s.status} reset {s.reset}")
        outcome = f"all {sent} pairs handled, {answered} answered, connection still serves"
    c.close()
    return outcome


def case_continuation_flood(args):
    """HEADERS without END_HEADERS, then 200 CONTINUATIONs: nghttp2's max_continuations (8)
    makes it a connection error: GOAWAY, closed, never an answer."""
    c = RawH2(args.address)
    c.handshake()
    fields = RawH2.request_fields("GET", "/v2/health/live", [(f"x-c{i}", "v" * 20) for i in range(200)])
    blockbytes = c.block(fields, huffman=False)
    n = 201
    size = len(blockbytes) // n + 1
    pieces = [blockbytes[i * size : (i + 1) * size] for i in range(n)]
    frames = [HeadersFrame(1, pieces[0], flags=["END_STREAM"])]
    frames += [ContinuationFrame(1, p) for p in pieces[1:]]  # none has END_HEADERS
    writer = send_in_background(c, b"".join(f.serialize() for f in frames), timeout=10)
    closed = c.wait_closed(15)
    writer.join(15)
    check(closed, "continuation flood: connection still open 15 s later")
    check(c._stream(1).headers is None, f"continuation flood: stream 1 answered {c._stream(1).status}")
    goaway = f"GOAWAY {code_name(c.goaway[1])}" if c.goaway else "no GOAWAY"
    c.close()
    return f"{goaway}, then closed (write {'cut: ' + type(writer.error).__name__ if writer.error else 'completed'})"


def big_header_request(c, sid, total, frame_bytes, huffman=False):
    """A GET on `sid` whose header list is about `total` bytes (name + value + 32 each), in
    HEADERS + CONTINUATIONs of `frame_bytes`."""
    per = 4000
    extra = [(f"x-big-{i}", "b" * per) for i in range(max(total // (per + 40), 1))]
    blockbytes = c.block(RawH2.request_fields("GET", "/v2/health/live", extra), huffman=huffman)
    pieces = [blockbytes[i : i + frame_bytes] for i in range(0, len(blockbytes), frame_bytes)]
    frames = [HeadersFrame(sid, pieces[0], flags=["END_STREAM"] + (["END_HEADERS"] if len(pieces) == 1 else []))]
    for i, p in enumerate(pieces[1:], start=1):
        frames.append(ContinuationFrame(sid, p, flags=["END_HEADERS"] if i == len(pieces) - 1 else []))
    return frames


def case_headers_200k(args):
    """200 KB of headers on one stream in 16 KB frames (13 frames: more CONTINUATIONs than
    nghttp2 allows): 431, a reset or GOAWAY; never a 200."""
    c = RawH2(args.address)
    c.handshake()
    frames = big_header_request(c, 1, 200 * 1024, 16384)
    writer = send_in_background(c, b"".join(f.serialize() for f in frames), timeout=10)
    c.wait(lambda: c._stream(1).done or c.goaway is not None or c.eof, timeout=15)
    writer.join(15)
    s = c._stream(1)
    check(s.status is None or s.status == 431, f"200 KB of headers: answered {s.status}")
    check(s.done or c.goaway or c.eof, "200 KB of headers: no answer, reset or GOAWAY within 15 s")
    if s.status == 431:
        outcome = f"431 {s.error_code()}"
    elif s.reset is not None:
        outcome = f"RST_STREAM {code_name(s.reset)}"
    else:
        outcome = f"GOAWAY {code_name(c.goaway[1])}" if c.goaway else "closed without GOAWAY"
    c.close()
    return f"{outcome} ({len(frames)} frames)"


def case_headers_20k(args):
    """20 KB of headers (HEADERS + one CONTINUATION) against max_header_bytes=16384: the
    stream is answered 431 headers_too_large and the connection goes on serving."""
    c = RawH2(args.address)
    c.handshake()
    frames = big_header_request(c, 1, 20 * 1024, 12 * 1024)
    check(len(frames) == 2, f"expected HEADERS + 1 CONTINUATION, built {len(frames)} frames")
    c.send_frames(frames)
    s = c.response(1)
    check(
        s.status == 431 and s.error_code() == "headers_too_large",
        f"20 KB of headers: status {s.status} reset {s.reset} body {bytes(s.body)[:120]!r}",
    )
    c.request(3, "GET", "/v2/health/live")
    s3 = c.response(3)
    check(s3.status == 200, f"request after the 431 on the same connection: {s3.status} reset {s3.reset}")
    # Too many fields, each small: 431 too_many_headers.
    c.request(5, "GET", "/v2/health/live", extra=[(f"x-n{i}", "1") for i in range(args.max_header_count + 20)])
    s5 = c.response(5)
    check(s5.status == 431 and s5.error_code() == "too_many_headers", f"{args.max_header_count + 20} fields: {s5.status}")
    c.close()
    return "431 headers_too_large, then 431 too_many_headers, connection kept serving"


def case_concurrent_streams(args):
    """`http2_max_concurrent_streams` open streams (POST, no END_STREAM), then one more: it is
    refused with RST_STREAM REFUSED_STREAM (or PROTOCOL_ERROR) and the open streams still
    finish, or (libnghttp2 1.52, once the client acknowledged the limit) the connection ends
    with GOAWAY PROTOCOL_ERROR; either way the server serves on."""
    n = args.max_streams
    c = RawH2(args.address)
    c.handshake()
    check(
        c.server_settings.get(SettingsFrame.MAX_CONCURRENT_STREAMS) == n,
        f"server SETTINGS_MAX_CONCURRENT_STREAMS {c.server_settings.get(SettingsFrame.MAX_CONCURRENT_STREAMS)}, expected {n}",
    )
    # Our ACK of the server's SETTINGS went out in handshake(); wait for its ACK of ours so
    # both sides' settings are in force.
    check(c.wait(lambda: c.settings_acks >= 1, 10), "no SETTINGS ACK from the server")
    c.send_frames([c.headers_frame(1 + 2 * i, "POST", "/v2/health/live", end_stream=False) for i in range(n)])
    extra = 1 + 2 * n
    c.send_frames([c.headers_frame(extra, "POST", "/v2/health/live", end_stream=False)])
    c.wait(lambda: c._stream(extra).done or c.goaway is not None or c.eof, timeout=10)
    s = c._stream(extra)
    if c.goaway is not None and s.reset is None:
        # libnghttp2 1.52 makes a stream over an acknowledged limit a connection error (GOAWAY
        # PROTOCOL_ERROR), not the stream error RFC 9113 §5.1.2 asks for; before the client's
        # ACK it refuses the stream alone. The server documents it; the client broke a limit
        # it acknowledged. Handled means: exactly that GOAWAY, and the server serves on.
        check(c.goaway[1] == PROTOCOL_ERROR and b"max concurrent streams" in c.goaway[2],
              f"stream {n + 1}: GOAWAY {code_name(c.goaway[1])} {c.goaway[2]!r}")
        c.close()
        return f"stream {n + 1}: GOAWAY PROTOCOL_ERROR (nghttp2: over an acknowledged limit is a connection error)"
    check(s.reset in (REFUSED_STREAM, PROTOCOL_ERROR), f"stream {n + 1}: reset {s.reset}, status {s.status}, eof {c.eof}")
    # The open streams are unharmed: end the first and the last, each gets an answer.
    for sid in (1, 1 + 2 * (n - 1)):
        c.send_frames([DataFrame(sid, b"", flags=["END_STREAM"])])
        r = c.response(sid)
        check(r.status is not None, f"stream {sid} after the refusal: reset {r.reset}, no answer")
    c.close()
    return f"stream {n + 1}: RST_STREAM {code_name(s.reset)}; streams 1..{n} still answered"


def case_silent_preface(args):
    """The preface, then nothing (and: the preface and SETTINGS, then nothing; neither ACKs the
    server's SETTINGS): GOAWAY, then closed within a generous bound of header_read_timeout_s."""
    outcomes = []
    for label, data in (("preface", PREFACE), ("preface+SETTINGS", PREFACE + SettingsFrame(0).serialize())):
        c = RawH2(args.address)
        c.silent = True
        start = time.monotonic()
        c.send(data)
        check(c.wait_closed(15), f"{label} then silence: still open after 15 s (header_read_timeout_s={args.header_timeout})")
        took = time.monotonic() - start
        goaway = f"GOAWAY {code_name(c.goaway[1])} {c.goaway[2].decode(errors='replace')!r}" if c.goaway else "no GOAWAY"
        check(c.goaway is not None, f"{label} then silence: closed without GOAWAY")
        outcomes.append(f"{label}: {goaway}, closed after {took:.1f} s")
        c.close()
    return "; ".join(outcomes)


WIDE_MODEL = "hostile-wide"
# Dense(4096) on inputs of width 1, weights from a seeded initializer: a PUT body of ~150
# bytes, a 2 MiB answer (128 × 4096 FP32, binary extension) for a ~900-byte request.
WIDE_PUT = json.dumps(
    {
        "layer": {
            "units": 4096,
            "activation": "linear",
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": 7}},
        },
        "input_shape": [None, 1],
    }
).encode()
WIDE_ROWS = 128
WIDE_INFER = json.dumps(
    {
        "inputs": [{"name": "input", "shape": [WIDE_ROWS, 1], "datatype": "FP32", "data": [0.5] * WIDE_ROWS}],
        "parameters": {"binary_data_output": True},
    }
).encode()
WIDE_ANSWER_BYTES = WIDE_ROWS * 4096 * 4


def ensure_wide_model(args):
    check(len(WIDE_PUT) <= args.max_body and len(WIDE_INFER) <= args.max_body, "wide model bodies over --max-body")
    status, body = http1_request(
        args.address, "PUT", f"/v1/models/{WIDE_MODEL}", WIDE_PUT, {"Content-Type": "application/json"}
    )
    check(status in (200, 201), f"PUT /v1/models/{WIDE_MODEL}: {status} {body[:200]!r}")


def warm_up(args):
    """The wide model, and a few of its answers computed at once over HTTP/1.1: the RSS the
    compute path settles at (allocator arenas) belongs in the baseline, not in a case's growth."""
    ensure_wide_model(args)
    errors = []

    def one():
        try:
            status, _ = http1_request(
                args.address, "POST", f"/v2/models/{WIDE_MODEL}/infer", WIDE_INFER, {"Content-Type": "application/json"}, 30
            )
            if status != 200:
                errors.append(status)
        except OSError as e:
            errors.append(e)

    for _ in range(3):
        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    check(not errors, f"warm-up: wide infer over HTTP/1.1 failed: {errors}")


def wide_infer_frames(c, sid, end_stream=True):
    return [
        c.headers_frame(sid, "POST", f"/v2/models/{WIDE_MODEL}/infer", [("content-type", "application/json")], end_stream=False),
        DataFrame(sid, WIDE_INFER, flags=["END_STREAM"] if end_stream else []),
    ]


def server_socket_state(server_port, client_port):
    """The TCP state of the server's end of a loopback connection (from /proc/net/tcp):
    "ESTABLISHED", another state name once the server closed it, or None when gone."""
    states = {"01": "ESTABLISHED", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "0B": "CLOSING"}
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local, remote, state = fields[1], fields[2], fields[3]
            if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
                return states.get(state, state)
    return None


def case_never_reads(args):
    """A client that opens its flow-control windows wide, asks for 8 answers of 2 MiB (twice
    max_buffered_response_bytes)
    (POST /v2/models/hostile-wide/infer, binary output) and never reads.
    - The unsent answers count against max_buffered_response_bytes, as over HTTP/1.1: while
      they wait, a fresh 2 MiB answer elsewhere is refused 503 server_busy (probed over
      HTTP/1.1 on new connections);
    - the server's RSS stays within the bound;
    - the server closes the connection once write_timeout_s passed without the client
      taking bytes (its end of the socket leaves ESTABLISHED: /proc/net/tcp)."""
    ensure_wide_model(args)
    before = rss_kb(args.pid)
    c = RawH2(args.address, receive_buffer=4096)
    c.auto_window = False
    c.handshake(settings={SettingsFrame.INITIAL_WINDOW_SIZE: MAX_WINDOW}, window=MAX_WINDOW - 65535)
    n = 8
    frames = []
    for i in range(n):
        frames += wide_infer_frames(c, 1 + 2 * i)
    c.send_frames(frames)
    client_port = c.sock.getsockname()[1]
    start = time.monotonic()
    peak = before
    probes = []  # (seconds, status, code) of fresh 2 MiB requests while the client does not read
    state = "ESTABLISHED"
    closed_after = None
    bound = 15 + args.write_timeout
    next_probe = start + 0.5
    while time.monotonic() - start < bound:
        if args.pid is not None:
            peak = max(peak, rss_kb(args.pid))
        state = server_socket_state(args.address[1], client_port)
        if state != "ESTABLISHED":
            closed_after = time.monotonic() - start
            break
        if time.monotonic() >= next_probe and not any(p[2] == "server_busy" for p in probes):
            status, body = http1_request(
                args.address, "POST", f"/v2/models/{WIDE_MODEL}/infer", WIDE_INFER, {"Content-Type": "application/json"}, timeout=30
            )
            code = None
            if status != 200:
                try:
                    code = json.loads(body).get("code")
                except ValueError:
                    pass
            probes.append((round(time.monotonic() - start, 1), status, code))
            next_probe = time.monotonic() + 0.5
        time.sleep(0.1)
    # Read what the kernel still holds for us: EOF must follow.
    c.auto_window = True
    eof = c.wait_closed(10)
    statuses = {}
    for st in c.streams.values():
        if st.status is not None:
            statuses[st.status] = statuses.get(st.status, 0) + 1
    received = sum(len(st.body) for st in c.streams.values())
    goaway = f"GOAWAY {code_name(c.goaway[1])}" if c.goaway else "no GOAWAY"
    c.close()
    growth = (peak - before) / 1024 if args.pid is not None else None
    check(
        closed_after is not None,
        f"never-reading client: the server kept the connection {bound:.0f} s (write_timeout_s={args.write_timeout})",
    )
    check(eof, "never-reading client: the server's end left ESTABLISHED but no EOF reached us")
    check(
        received < n * WIDE_ANSWER_BYTES,
        "never-reading client: every answer arrived whole: the server never had to wait (buffers too large for the test?)",
    )
    check(
        any(p[2] == "server_busy" for p in probes),
        f"never-reading client: while its {n} answers of {WIDE_ANSWER_BYTES >> 20} MiB waited (server RSS "
        f"{growth if growth is None else round(growth, 1)} MB up), fresh 2 MiB answers were still admitted: probes "
        f"(s, status, code) {probes}; with max_buffered_response_bytes={args.max_buffered_response >> 20} MiB the "
        f"unsent HTTP/2 answers must count, as HTTP/1.1 answers do (503 server_busy)",
    )
    if growth is not None:
        check(
            growth < args.rss_bound_mb,
            f"never-reading client: the server's RSS grew {growth:.1f} MB (bound {args.rss_bound_mb} MB)",
        )
    return (
        f"server closed its end after {closed_after:.1f} s ({goaway}); {statuses} answers begun, "
        f"{received >> 10} KiB of bodies reached us; probes {probes}; RSS peak {growth:+.1f} MB"
        if growth is not None
        else f"server closed its end after {closed_after:.1f} s ({goaway}); probes {probes}"
    )


def metric(args, name):
    """One unlabelled sample of the server's /metrics (fetched over HTTP/1.1)."""
    status, body = http1_request(args.address, "GET", "/metrics")
    check(status == 200, f"GET /metrics: {status}")
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise Failure(f"no {name} in /metrics")


def wait_pool_idle(args, timeout=60):
    """Waits until the worker pool has no job admitted; returns the seconds it took."""
    start = time.monotonic()
    while metric(args, "denseserve_queue_depth") > 0:
        check(time.monotonic() - start < timeout, f"the worker pool still busy after {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - start


def case_rapid_reset_work(args):
    """Reset streams whose work went to the worker pool:
    - 500 × (HEADERS + DATA POST /v2/models/hostile-wide/infer, RST_STREAM CANCEL), under
      nghttp2's reset burst: every stream is dispatched and reset; answers that come after
      the reset are dropped, the dispatched-stream cap pauses reading meanwhile, and the
      connection still answers afterwards;
    - 60 such requests reset 50 ms after they were sent (a client cancelling, as gRPC
      deadlines do): work not started by then is skipped, so the server computes at most a
      quarter of their rows (denseserve_compute_rows_sum), whether or not the model batches.
    The server's RSS stays within the bound."""
    ensure_wide_model(args)
    before = rss_kb(args.pid)
    c = RawH2(args.address)
    c.handshake()
    pairs = 500
    frames = []
    for i in range(pairs):
        sid = 1 + 2 * i
        frames += wide_infer_frames(c, sid)
        frames.append(RstStreamFrame(sid, error_code=CANCEL))
    writer = send_in_background(c, b"".join(f.serialize() for f in frames), timeout=20)
    peak = before
    while writer.is_alive() and not c.eof:
        c.read_frame(0.1)
        if args.pid is not None:
            peak = max(peak, rss_kb(args.pid))
    writer.join(1)
    check(writer.error is None and not c.eof, f"reset infer streams: connection ended: {writer.error} GOAWAY {c.goaway}")
    sid = 1 + 2 * pairs
    c.request(sid, "GET", "/v2/health/live")
    s = c.response(sid, timeout=30)
    check(s.status == 200, f"reset infer streams: request after them: status {s.status} reset {s.reset}")
    answered = sum(1 for k, v in c.streams.items() if k < sid and v.headers is not None)
    c.close()
    drained = wait_pool_idle(args)
    # Reset after dispatch.
    rows_before = metric(args, "denseserve_compute_rows_sum")
    c = RawH2(args.address)
    c.handshake()
    n = 60
    frames = []
    for i in range(n):
        frames += wide_infer_frames(c, 1 + 2 * i)
    c.send_frames(frames)
    time.sleep(0.05)
    c.send_frames([RstStreamFrame(1 + 2 * i, error_code=CANCEL) for i in range(n)])
    c.request(1 + 2 * n, "GET", "/v2/health/live")
    check(c.response(1 + 2 * n, timeout=30).status == 200, "reset-after-dispatch: request after the resets failed")
    wait_pool_idle(args)
    computed = metric(args, "denseserve_compute_rows_sum") - rows_before
    c.close()
    if args.pid is not None:
        peak = max(peak, rss_kb(args.pid))
        check(
            peak - before < args.rss_bound_mb * 1024,
            f"reset infer streams: RSS grew {(peak - before) / 1024:.1f} MB (bound {args.rss_bound_mb} MB)",
        )
    check(
        computed <= n * WIDE_ROWS / 4,
        f"{n} infer streams reset 50 ms after they were sent: the server still computed {computed:.0f} of their "
        f"{n * WIDE_ROWS} rows (denseserve_compute_rows_sum): work for reset streams is not skipped",
    )
    rss = f"; RSS peak {(peak - before) / 1024:+.1f} MB" if args.pid is not None else ""
    return (
        f"{pairs} dispatched and reset: {answered} answer heads reached us, 200 on the same connection, pool idle "
        f"{drained:.1f} s later; {n} reset 50 ms after sending: {computed:.0f}/{n * WIDE_ROWS} rows computed{rss}"
    )


def case_preface_byte_at_a_time(args):
    """The preface one byte per write (each its own segment), then a normal request: 200."""
    c = RawH2(args.address)
    for b in PREFACE:
        c.send(bytes([b]))
        time.sleep(0.002)
    c.send_frames([SettingsFrame(0)])
    c.wait(lambda: c.server_settings is not None, 10)
    check(c.server_settings is not None, "byte-at-a-time preface: no SETTINGS from the server")
    c.request(1, "GET", "/v2/health/live")
    s = c.response(1)
    check(s.status == 200 and s.ended, f"byte-at-a-time preface: status {s.status} reset {s.reset}")
    c.close()
    return "SETTINGS, then 200"


def flood(args, label, frame_bytes, count):
    """`count` copies of one frame without reading; then read: GOAWAY ENHANCE_YOUR_CALM (the
    code for a peer "exhibiting a behavior that might be generating excessive load", RFC 9113
    §7; nghttp2's max_outbound_ack is what trips) or every frame acknowledged and the
    connection still serving."""
    c = RawH2(args.address)
    c.handshake()
    c.wait(lambda: c.settings_acks >= 1, 5)
    acks_before = (c.settings_acks, c.ping_acks)
    writer = send_in_background(c, frame_bytes * count, timeout=20)
    writer.join(25)
    check(not writer.is_alive(), f"{label} flood: still writing after 25 s: the server stopped reading and kept the connection")
    c.wait(lambda: c.goaway is not None or c.eof, timeout=3)
    if c.goaway is not None:
        code = c.goaway[1]
        check(
            code == 0xB,
            f"{label} flood: GOAWAY {code_name(code)} {c.goaway[2]!r}, expected ENHANCE_YOUR_CALM "
            f"(a flood is not a malformed frame)",
        )
        check(c.wait_closed(15), f"{label} flood: not closed within 15 s of GOAWAY")
        acks = (c.settings_acks - acks_before[0], c.ping_acks - acks_before[1])
        c.close()
        return f"GOAWAY {code_name(code)} (acks read: {max(acks)}/{count})"
    check(writer.error is None, f"{label} flood: write failed without GOAWAY: {writer.error}")
    sid = 1
    c.request(sid, "GET", "/v2/health/live")
    s = c.response(sid, timeout=20)
    check(s.status == 200, f"{label} flood: request after the flood: {s.status}")
    acks = (c.settings_acks - acks_before[0], c.ping_acks - acks_before[1])
    c.close()
    return f"handled: {max(acks)}/{count} ACKs, then 200"


def case_settings_flood(args):
    """10,000 SETTINGS frames, ACKs not read."""
    one = SettingsFrame(0, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 65535}).serialize()
    return flood(args, "SETTINGS", one, 10_000)


def case_ping_flood(args):
    """10,000 PINGs, ACKs not read."""
    return flood(args, "PING", PingFrame(0, b"12345678").serialize(), 10_000)


def case_body_too_large(args):
    """A POST body over max_body_bytes: 413 body_too_large, in one DATA with END_STREAM and
    in DATA frames without END_STREAM (the server answers early and resets the rest)."""
    c = RawH2(args.address)
    c.handshake()
    body = b"x" * (args.max_body + 1)
    c.request(1, "POST", "/v2/models/seed/infer", extra=[("content-type", "application/json")], body=body)
    s = c.response(1)
    check(s.status == 413 and s.error_code() == "body_too_large", f"body over max_body_bytes: {s.status} {bytes(s.body)[:120]!r}")
    c.send_frames(
        [
            c.headers_frame(3, "POST", "/v2/models/seed/infer", [("content-type", "application/json")], end_stream=False),
            DataFrame(3, body[: args.max_body]),
            DataFrame(3, body[: args.max_body]),
        ]
    )
    s3 = c.response(3)
    check(s3.status == 413 and s3.error_code() == "body_too_large", f"body over max_body_bytes, open stream: {s3.status}")
    c.wait(lambda: c._stream(3).reset is not None, 2)
    reset = f", then RST_STREAM {code_name(s3.reset)}" if s3.reset is not None else ""
    c.request(5, "GET", "/v2/health/live")
    check(c.response(5).status == 200, "request after the 413s on the same connection failed")
    c.close()
    return f"413 body_too_large (ended stream); 413 body_too_large{reset} (open stream); connection kept serving"


CASES = [
    ("rapid-reset", case_rapid_reset),
    ("rapid-reset-work", case_rapid_reset_work),
    ("continuation-flood", case_continuation_flood),
    ("headers-200k", case_headers_200k),
    ("headers-20k", case_headers_20k),
    ("concurrent-streams", case_concurrent_streams),
    ("silent-preface", case_silent_preface),
    ("never-reads", case_never_reads),
    ("preface-byte-at-a-time", case_preface_byte_at_a_time),
    ("settings-flood", case_settings_flood),
    ("ping-flood", case_ping_flood),
    ("body-too-large", case_body_too_large),
]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("server", help="HOST:PORT")
    p.add_argument("--pid", type=int, help="the server's pid (RSS checks need it)")
    p.add_argument("--only", help="comma-separated case names")
    p.add_argument("--list", action="store_true")
    p.add_argument("--keep-going", action="store_true", help="run every case, then report all failures")
    p.add_argument("--header-timeout", type=float, default=1.0, help="the server's header_read_timeout_s")
    p.add_argument("--write-timeout", type=float, default=5.0, help="the server's write_timeout_s")
    p.add_argument("--max-body", type=int, default=1024, help="the server's max_body_bytes")
    p.add_argument("--max-header-count", type=int, default=100, help="the server's max_header_count")
    p.add_argument("--max-streams", type=int, default=100, help="the server's http2_max_concurrent_streams")
    p.add_argument(
        "--max-buffered-response", type=int, default=8 << 20, help="the server's max_buffered_response_bytes"
    )
    p.add_argument("--rss-bound-mb", type=float, default=64, help="allowed RSS growth")
    args = p.parse_args()
    if args.list:
        print("\n".join(name for name, _ in CASES))
        return 0
    host, _, port = args.server.rpartition(":")
    args.address = (host, int(port))
    selected = CASES
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - {n for n, _ in CASES}
        if unknown:
            print(f"unknown case(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        selected = [(n, f) for n, f in CASES if n in wanted]
    checks = 0
    failures = []

    def fail(name, e):
        if isinstance(e, Failure):
            text = str(e)
        else:
            where = traceback.extract_tb(e.__traceback__)[-1]
            text = f"{type(e).__name__}: {e} (at {where.name}, line {where.lineno})"
        print(f"FAIL: {name}: {text}" if name else f"FAIL: {text}", file=sys.stderr, flush=True)
        failures.append(name)

    try:
        http1_ok(args.address)
        http2_ok(args.address)
        warm_up(args)
        checks += 3
        start_rss = rss_kb(args.pid)
    except (Failure, OSError, hpack.HPACKError) as e:
        fail(None, e)
        return 1
    for name, case in selected:
        t = time.monotonic()
        try:
            outcome = case(args)
            checks += 1
        except (Failure, OSError, hpack.HPACKError) as e:
            fail(name, e)
            if not args.keep_going:
                return 1
            outcome = "FAILED"
        try:
            alive(args.pid)
            http1_ok(args.address)
            http2_ok(args.address)
            checks += 2
        except (Failure, OSError, hpack.HPACKError) as e:
            fail(f"{name} (server health after it)", e)
            if not args.keep_going:
                return 1
        rss = rss_kb(args.pid) if os.path.exists(f"/proc/{args.pid}") or args.pid is None else None
        rss_text = f" [RSS {rss} kB]" if rss is not None else ""
        print(f"{name}: {outcome} ({time.monotonic() - t:.1f} s){rss_text}", flush=True)
    if start_rss is not None and os.path.exists(f"/proc/{args.pid}"):
        # Memory bounded: after every case, within the bound of what it was before.
        time.sleep(0.5)
        end_rss = rss_kb(args.pid)
        growth = (end_rss - start_rss) / 1024
        print(f"rss: {start_rss} kB before, {end_rss} kB after ({growth:+.1f} MB)")
        if growth < args.rss_bound_mb:
            checks += 1
        else:
            fail("rss", Failure(f"RSS grew {growth:.1f} MB over the cases (bound {args.rss_bound_mb} MB)"))
    if failures:
        print(f"failed: {', '.join(f or 'setup' for f in failures)} ({checks} checks passed)", file=sys.stderr)
        return 1
    print(f"ok: {checks} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
