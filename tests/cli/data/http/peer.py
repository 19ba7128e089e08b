#!/usr/bin/env python3
"""Misbehaving HTTP clients for the sdc-ingest-http tests.

    peer.py half-body PORT      headers for 1000 bytes, 300 of them, close
    peer.py garbage PORT        bytes that are no HTTP, then read the answer
    peer.py stalled PORT SECS   half a request line, then wait: prints
                                "closed" when the server hangs up in SECS
    peer.py idle PORT N FILE    open N connections, write FILE when they
                                are all open, hold them until stdin ends
Every socket has a timeout, so that nothing waits forever.
"""

import socket
import sys
import time


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.settimeout(10)
    return s


def half_body(port):
    s = connect(port)
    s.sendall(b"POST /half HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
              b"\r\n" + b"h" * 300)
    time.sleep(0.5)
    s.close()
    print("sent 300 of 1000")


def garbage(port):
    s = connect(port)
    s.sendall(bytes(range(256)) + b"\r\n\r\n")
    answer = s.recv(100)
    print("answer", answer.split(b"\r\n")[0].decode(errors="replace")
          if answer else "none")
    s.close()


def stalled(port, secs):
    s = connect(port)
    s.sendall(b"POST /stall HT")
    s.settimeout(float(secs))
    try:
        print("closed" if s.recv(100) == b"" else "answered")
    except socket.timeout:
        print("still open")
    s.close()


def idle(port, n, ready):
    held = []
    for _ in range(int(n)):
        held.append(connect(port))
    with open(ready, "w") as f:
        f.write("%d\n" % len(held))
    sys.stdin.read()
    alive = 0
    for s in held:
        s.setblocking(False)
        try:
            alive += s.recv(1) != b""
        except BlockingIOError:
            alive += 1
        s.close()
    print("held", len(held), "open at the end", alive)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"half-body": half_body, "garbage": garbage, "stalled": stalled,
     "idle": idle}[cmd](*args)
