#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, sends one request on each,
reads the response, keeps them open and idle, then prints the VmRSS (kB) of the
given PIDs (summed) and closes everything.  usage: idle-connections.py PORT N PID..."""
import socket, sys, time

port, n, pids = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
req = b"GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(req)
    data = b""
    while b"\r\n\r\n" not in data or not data.endswith(b"}"):
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    socks.append(s)
time.sleep(1.0)
def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
alive = sum(1 for s in socks if s.fileno() >= 0)
print(sum(rss(p) for p in pids), alive)
for s in socks:
    s.close()
