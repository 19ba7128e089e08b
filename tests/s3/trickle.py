#!/usr/bin/env python3
"""Copy FILE to standard output in CHUNK bytes every SECONDS:
trickle.py FILE CHUNK SECONDS, so that a run lasts long enough to be
stopped or to see its server restart."""
import sys
import time

path, chunk, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
with open(path, "rb") as f:
    while True:
        data = f.read(chunk)
        if not data:
            break
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            break
        time.sleep(pause)
