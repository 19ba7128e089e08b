#!/usr/bin/env python3
"""Make the collectd-* and netflow-* inputs of the golden tests, packets
laid out byte by byte from the protocols' descriptions (collectd's
binary protocol; Cisco's NetFlow v5 and RFC 3954 for v9).

Run from tests/cli/data:  python3 packets-gen.py
"""
import hashlib
import hmac
import struct


def part_str(t, s):
    b = s.encode() + b"\0"
    return struct.pack("!HH", t, 4 + len(b)) + b


def part_num(t, v):
    return struct.pack("!HHQ", t, 12, v)


def part_values(kinds, values):
    body = struct.pack("!H", len(kinds)) + bytes(kinds)
    for k, v in zip(kinds, values):
        body += struct.pack("<d", v) if k == 1 else \
            struct.pack("!Q" if k != 2 else "!q", v)
    return struct.pack("!HH", 6, 4 + len(body)) + body


def identity(host, plugin, pi, type_, ti, sec):
    return (part_str(0, host) + part_num(8, sec << 30) +
            part_num(9, 10 << 30) + part_str(2, plugin) +
            part_str(3, pi) + part_str(4, type_) + part_str(5, ti))


def collectd():
    a = identity("gw-1", "interface", "eth0", "if_octets", "", 1700000000)
    a += part_values([2, 2], [1234567, 7654321])
    a += part_str(4, "if_errors") + part_values([2, 2], [0, 3])
    a += part_str(2, "load") + part_str(3, "") + part_str(4, "load")
    a += part_values([1, 1, 1], [0.25, 0.5, 1.5])
    b = identity("gw-2", "memory", "", "memory", "free", 1700000010)
    b += part_values([1], [1048576.0])
    b += part_num(0x101, 2) + part_str(0x100, "link down")
    with open("collectd-plain.bin", "wb") as f:
        f.write(a + b)
    sig = b"ops"
    signed = identity("gw-3", "cpu", "0", "cpu", "idle", 1700000020)
    signed += part_values([2], [99])
    mac = hmac.new(b"hunter2", sig + signed, hashlib.sha256).digest()
    with open("collectd-signed.bin", "wb") as f:
        f.write(struct.pack("!HH", 0x200, 36 + len(sig)) + mac + sig +
                signed)
    bad = identity("gw-4", "disk", "sda", "disk_octets", "", 1700000030)
    bad += part_values([2, 2, 2], [1, 2, 3])        # types.db says 2
    bad += part_values([9], [0])                     # no such kind
    bad += struct.pack("!HH", 2, 6) + b"ab"          # no NUL
    bad += part_values([1], [1.0])                   # after a bad plugin
    bad += struct.pack("!HH", 4, 40)                 # past the end
    with open("collectd-bad.bin", "wb") as f:
        f.write(bad)


def v5_packet(seq, flows):
    head = struct.pack("!HHIIIIBBH", 5, len(flows), 60000, 1700000000,
                       250000000, seq, 0, 0, 0)
    body = b""
    for src, dst, sport, dport, proto, pkts, octets in flows:
        body += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                            bytes(src), bytes(dst), bytes(4), 1, 2, pkts,
                            octets, 50000, 59000, sport, dport, 0, 0x12,
                            proto, 0, 0, 0, 24, 24, 0)
    return head + body


def v9_header(count, seq):
    return struct.pack("!HHIIII", 9, count, 60000, 1700000000, seq, 1)


def v9():
    fields = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4),
              (22, 4), (21, 4)]
    tpl = struct.pack("!HH", 256, len(fields)) + b"".join(
        struct.pack("!HH", *f) for f in fields)
    tpl_set = struct.pack("!HH", 0, 4 + len(tpl)) + tpl
    rec = struct.pack("!4s4sHHBIIII", bytes([10, 0, 0, 1]),
                      bytes([10, 0, 0, 2]), 33000, 22, 6, 12, 3400, 59000,
                      59990)
    rec2 = struct.pack("!4s4sHHBIIII", bytes([10, 0, 0, 2]),
                       bytes([10, 0, 0, 1]), 22, 33000, 6, 10, 9100, 59001,
                       59991)
    data = rec + rec2
    pad = (4 - (4 + len(data)) % 4) % 4
    data_set = struct.pack("!HH", 256, 4 + len(data) + pad) + data + \
        bytes(pad)
    first = v9_header(3, 1) + tpl_set + data_set
    # the next packet has data only: its template came before
    second = v9_header(1, 2) + struct.pack("!HH", 256, 4 + len(rec) + 3) + \
        rec + bytes(3)
    with open("netflow-v9.bin", "wb") as f:
        f.write(first + second)
    # data before its template, then the template and data again
    with open("netflow-v9-early.bin", "wb") as f:
        f.write(second + first)


def v5():
    flows = [([192, 168, 1, 10], [8, 8, 8, 8], 51000, 53, 17, 1, 74),
             ([8, 8, 8, 8], [192, 168, 1, 10], 53, 51000, 17, 1, 90)]
    with open("netflow-v5.bin", "wb") as f:
        f.write(v5_packet(100, flows) + v5_packet(102, flows[:1]))
    with open("netflow-bad.bin", "wb") as f:
        f.write(v5_packet(1, flows[:1]) + struct.pack("!HH", 7, 0) +
                bytes(20))
    with open("netflow-cut.bin", "wb") as f:
        f.write(v5_packet(1, flows)[:100])


collectd()
v5()
v9()
