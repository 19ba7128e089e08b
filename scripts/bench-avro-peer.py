#!/usr/bin/env python3
"""The peer of the avro block of scripts/bench-convert: fastavro.

Usage: bench-avro-peer.py read FILE RUNS
       bench-avro-peer.py write FILE CODEC RUNS

read: the best time over RUNS of reading every record of FILE with
fastavro.reader.  write: FILE's records are loaded first (not timed), then
the best time of writing them with fastavro.writer in CODEC, with FILE's
schema, to a file in memory.  Prints the seconds, as the shell's timing
does.  The peer is timed from inside, without Python's start, which is in
its favour.
"""
import io
import sys
import time

import fastavro


def best(fn, runs):
    t = None
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        took = time.perf_counter() - start
        t = took if t is None or took < t else t
    return t


def read(path, runs):
    def once():
        with open(path, "rb") as fo:
            for _ in fastavro.reader(fo):
                pass
    return best(once, runs)


def write(path, codec, runs):
    with open(path, "rb") as fo:
        reader = fastavro.reader(fo)
        schema = reader.writer_schema
        records = list(reader)

    def once():
        fastavro.writer(io.BytesIO(), schema, records, codec=codec)
    return best(once, runs)


def main():
    if sys.argv[1] == "read":
        t = read(sys.argv[2], int(sys.argv[3]))
    else:
        t = write(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    print(f"{t:.3f}")


if __name__ == "__main__":
    main()
