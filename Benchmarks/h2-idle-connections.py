#!/usr/bin/env python3
"""Opens N HTTP/2 (prior knowledge) connections to 127.0.0.1:PORT, makes one request on each
(GET /v2/health/live), keeps them open and idle, then prints the VmRSS (kB) of PID and how many
connections got their answer, and closes everything.  usage: h2-idle-connections.py PORT N PID"""
import socket
import sys
import time

port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def frame(kind, flags, stream, payload=b""):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def literal(index, value):  # HPACK: literal without indexing, indexed name, raw (no Huffman) value
    return bytes([index]) + bytes([len(value)]) + value


# :method GET (static 2), :scheme http (6), :path (4) and :authority (1) as literals.
block = bytes([0x82, 0x86]) + literal(0x04, b"/v2/health/live") + literal(0x01, b"127.0.0.1")
hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0) + frame(1, 0x5, 1, block)
socks, answered = [], 0
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(hello)
    data = b""
    # Until a DATA frame with END_STREAM on stream 1 arrives (or 64 KiB, or a timeout).
    while len(data) < 65536:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        at, done = 0, False
        while at + 9 <= len(data):
            length = int.from_bytes(data[at:at + 3], "big")
            kind, flags, stream = data[at + 3], data[at + 4], int.from_bytes(data[at + 5:at + 9], "big") & 0x7FFFFFFF
            if at + 9 + length > len(data):
                break
            if kind == 4 and not flags & 1:
                s.sendall(frame(4, 1, 0))  # ACK the server's SETTINGS, as a client must
            if kind == 0 and stream == 1 and flags & 1:
                done = True
            at += 9 + length
        if done:
            answered += 1
            break
    socks.append(s)
time.sleep(1.0)
with open(f"/proc/{pid}/status") as f:
    rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
print(rss, answered)
for s in socks:
    s.close()
