#!/usr/bin/env python3
"""Print a port of 127.0.0.1 free for tcp or udp (argument, default tcp)."""
import socket
import sys

kind = socket.SOCK_DGRAM if sys.argv[1:] == ["udp"] else socket.SOCK_STREAM
with socket.socket(socket.AF_INET, kind) as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
