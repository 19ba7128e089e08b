#!/usr/bin/env python3
"""Wait (10 s at most) until a socket of this machine is bound to the
port: wait-port.py udp|tcp PORT.  Reads /proc/net, so it takes nothing
from the port, as a test probe must not."""
import sys
import time

kind, port = sys.argv[1], int(sys.argv[2])
tables = ["/proc/net/" + kind, "/proc/net/" + kind + "6"]
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    for table in tables:
        try:
            with open(table) as f:
                rows = f.readlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            if int(local.split(":")[1], 16) == port and \
                    (kind == "udp" or state == "0A"):  # 0A: LISTEN
                sys.exit(0)
    time.sleep(0.02)
sys.exit("wait-port: nothing bound to %s port %d after 10 s" % (kind, port))
