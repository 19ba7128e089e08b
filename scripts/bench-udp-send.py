#!/usr/bin/env python3
"""Send the lines of FILE as UDP datagrams to 127.0.0.1:PORT, as fast as
possible, or RATE a second: bench-udp-send.py FILE PORT [RATE].  The
benchmark's sender (bench-ingest): no tool of Debian sends a datagram
per line."""
import socket
import sys
import time

path, port = sys.argv[1], int(sys.argv[2])
rate = float(sys.argv[3]) if len(sys.argv) > 3 else 0
with open(path, "rb") as f:
    lines = f.read().splitlines()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
s.connect(("127.0.0.1", port))
send = s.send
start = time.monotonic()
if rate <= 0:
    for line in lines:
        send(line)
else:
    step = 1000                     # datagrams between two looks at the clock
    for i in range(0, len(lines), step):
        for line in lines[i:i + step]:
            send(line)
        ahead = start + (i + step) / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
print("%.3f" % (time.monotonic() - start))
