#!/usr/bin/python3
"""Decompress the snappy framing format from stdin to stdout with
python-snappy's own stream decompressor (Debian's python3-snappy).  Its
C CRC-32C helper fails on Python 3.10+ (PY_SSIZE_T_CLEAN), so a plain
Python CRC-32C stands in for it; the framing and the blocks are still
python-snappy's."""
import sys

import snappy
import snappy.snappy as impl


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


TABLE = _table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


impl._crc32c = crc32c
snappy.stream_decompress(sys.stdin.buffer, sys.stdout.buffer)
