#!/usr/bin/env python3
"""Wait (10 s at most) until FILE has COUNT (default 1) lines holding
TEXT: wait-log.py FILE TEXT [COUNT].  For a test to wait on what a peer
logs (a broker's "Sending SUBACK") rather than on a guess of time."""
import sys
import time

path, text = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    try:
        with open(path, errors="replace") as f:
            if sum(text in line for line in f) >= count:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.02)
sys.exit("wait-log: %s has not %d lines with %r after 10 s" %
         (path, count, text))
