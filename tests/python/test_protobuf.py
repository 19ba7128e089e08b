#!/usr/bin/env python3
"""Interoperability of the protobuf format with Python protobuf (upb).

Prints TAP; exits 1 when any test failed.  The message classes are built
at run time from the descriptor set protoc makes of
tests/cli/data/protobuf-*.proto.  Messages that Python writes must read
into the values Python holds (the mapping of man/sdc-convert.1), and
what sdc-convert writes must parse in Python to the same values.
Needs protoc and the protobuf package: it runs itself with the project's
virtual environment python ($SDC_SPARK_PYTHON) when this one has none.
"""

import base64
import datetime
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

try:
    from google.protobuf import descriptor_pb2, descriptor_pool
    from google.protobuf import message_factory
except ImportError:
    for py in (os.environ.get("SDC_SPARK_PYTHON"),
               os.path.join(os.environ.get("SDC_CACHE_DIR") or
                            os.path.expanduser("~/.cache/sdc-tools"),
                            "venv", "bin", "python")):
        if py and os.access(py, os.X_OK) and \
                os.path.realpath(py) != os.path.realpath(sys.executable):
            os.execv(py, [py] + sys.argv)
    print("1..0 # SKIP the protobuf package is missing")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
BUILD = os.environ.get("top_builddir") or os.getcwd()
DATA = os.path.join(TOP, "tests", "cli", "data")
CONVERT = os.path.join(BUILD, "sdc-convert")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

results = []


def ok(cond, desc, *detail):
    results.append((bool(cond), desc, detail))


class Ts:
    """A Timestamp as the microseconds a DATETIME keeps of it."""

    def __init__(self, us):
        self.us = us

    def __repr__(self):
        return f"Ts({self.us})"


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def same(a, b):
    """Our JSON value a against the expected value b."""
    if isinstance(b, Ts):
        if not isinstance(a, str):
            return False
        t = datetime.datetime.fromisoformat(a.replace("Z", "+00:00"))
        d = t - EPOCH
        return (d.days * 86400 + d.seconds) * 1000000 + \
            d.microseconds == b.us
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and \
            all(same(a[k], b[k]) for k in b)
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and \
            all(same(x, y) for x, y in zip(a, b))
    if isinstance(b, float) and a in ("Infinity", "-Infinity", "NaN"):
        a = float(a.replace("inity", ""))
    if isinstance(b, float) and isinstance(a, (int, float)):
        return a == b or f32(a) == f32(b) or (a != a and b != b)
    return type(a) is type(b) and a == b


def scalar(fd, v):
    if fd.type == fd.TYPE_MESSAGE:
        return message_value(fd.message_type, v)
    if fd.type == fd.TYPE_ENUM:
        ev = fd.enum_type.values_by_number.get(v)
        return ev.name if ev else v
    if fd.type == fd.TYPE_BYTES:
        return base64.b64encode(v).decode()
    if fd.type == fd.TYPE_FLOAT:
        return f32(v)
    return v


def message_value(desc, m):
    if desc.full_name == "google.protobuf.Timestamp":
        return Ts(m.seconds * 1000000 + m.nanos // 1000)
    if desc.full_name.startswith("google.protobuf.") and \
            desc.full_name.endswith("Value"):
        return scalar(desc.fields[0], m.value)
    return expected(m)


def is_map(fd):
    return fd.type == fd.TYPE_MESSAGE and \
        fd.message_type.GetOptions().map_entry


def map_key(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def expected(m):
    """The record sdc-convert makes of m, in plain JSON."""
    out = {}
    for fd in m.DESCRIPTOR.fields:
        v = getattr(m, fd.name)
        vf = fd.message_type.fields_by_name["value"] if is_map(fd) \
            else None
        if is_map(fd):
            out[fd.name] = {map_key(k): scalar(vf, v[k]) for k in v}
        elif fd.is_repeated:
            out[fd.name] = [scalar(fd, x) for x in v]
        elif fd.has_presence and not m.HasField(fd.name):
            out[fd.name] = scalar(fd, fd.default_value) \
                if fd.has_default_value and fd.type != fd.TYPE_MESSAGE \
                else None
        else:
            out[fd.name] = scalar(fd, v)
    return out


def protoc_set(tmp):
    path = os.path.join(tmp, "all.desc")
    subprocess.run(["protoc", "--include_imports",
                    "--descriptor_set_out=" + path, "-I", DATA,
                    "protobuf-all.proto", "protobuf-legacy.proto"],
                   check=True)
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fp in fds.file:
        pool.Add(fp)
    return path, pool


def cls(pool, name):
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7f | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def delimited(msgs):
    out = bytearray()
    for m in msgs:
        b = m.SerializeToString()
        out += varint(len(b)) + b
    return bytes(out)


def undelimited(data):
    out, i = [], 0
    while i < len(data):
        n, shift = 0, 0
        while True:
            c = data[i]
            i += 1
            n |= (c & 0x7f) << shift
            shift += 7
            if c < 0x80:
                break
        out.append(data[i:i + n])
        i += n
    return out


def convert(args, data):
    return subprocess.run([CONVERT] + args, input=data, check=True,
                          capture_output=True).stdout


def read_json(desc, name, data, *extra):
    recs = convert(["--from", "protobuf", "--protobuf-descriptor", desc,
                    "--protobuf-message", name] + list(extra), data)
    text = convert(["--to", "json"], recs).decode()
    return [json.loads(line) for line in text.splitlines()]


def rewrite(desc, name, data, *extra):
    opts = ["--protobuf-descriptor", desc, "--protobuf-message", name]
    recs = convert(["--from", "protobuf"] + opts + list(extra), data)
    return convert(["--to", "protobuf"] + opts, recs)


def rand_scalars(r, s):
    s.f_double = r.choice([0.0, -1.5, 1e300, r.uniform(-1e6, 1e6)])
    s.f_float = r.choice([0.0, 3.25, -1e30, r.uniform(-1e3, 1e3)])
    s.f_int32 = r.randint(-2**31, 2**31 - 1)
    s.f_int64 = r.randint(-2**63, 2**63 - 1)
    s.f_uint32 = r.randint(0, 2**32 - 1)
    s.f_uint64 = r.choice([0, 2**63 - 1, 2**63, 2**64 - 1,
                           r.randint(0, 2**64 - 1)])
    s.f_sint32 = r.randint(-2**31, 2**31 - 1)
    s.f_sint64 = r.randint(-2**63, 2**63 - 1)
    s.f_fixed32 = r.randint(0, 2**32 - 1)
    s.f_fixed64 = r.randint(0, 2**64 - 1)
    s.f_sfixed32 = r.randint(-2**31, 2**31 - 1)
    s.f_sfixed64 = r.randint(-2**63, 2**63 - 1)
    s.f_bool = r.random() < 0.5
    s.f_string = r.choice(["", "plain", "h\u00e9llo \u2603 \U0001f600",
                           "x" * r.randint(0, 300)])
    s.f_bytes = bytes(r.randint(0, 255) for _ in range(r.randint(0, 40)))


def rand_everything(r, E):
    m = E()
    if r.random() < 0.8:
        rand_scalars(r, m.scalars)
    if r.random() < 0.5:
        m.point.x, m.point.y = r.randint(-9, 9), r.randint(-2**31, 0)
    m.packed_ints.extend(r.randint(-2**31, 2**31 - 1)
                         for _ in range(r.randint(0, 20)))
    m.unpacked_ints.extend(r.randint(-99, 99) for _ in range(r.randint(0, 5)))
    m.names.extend(r.choice(["a", "", "bc"]) for _ in range(r.randint(0, 4)))
    for _ in range(r.randint(0, 3)):
        p = m.points.add()
        p.x = r.randint(-5, 5)
    for _ in range(r.randint(0, 4)):
        m.counts["k%d" % r.randint(0, 9)] = r.randint(-2**63, 2**63 - 1)
    for _ in range(r.randint(0, 3)):
        m.by_id[r.randint(-2**31, 2**31 - 1)].y = r.randint(-3, 3)
    m.color = r.choice([0, 1, 2, 7])
    m.colors.extend(r.choice([0, 1, 2, 99]) for _ in range(r.randint(0, 4)))
    which = r.randint(0, 3)
    if which == 1:
        m.text = "t%d" % r.randint(0, 9)
    elif which == 2:
        m.number = r.randint(-2**63, 2**63 - 1)
    elif which == 3:
        m.where.x = r.randint(0, 9)
    if r.random() < 0.5:
        m.maybe = r.choice([0, r.randint(-99, 99)])
    if r.random() < 0.7:
        m.at.seconds = r.randint(-62135596800, 253402300799)
        m.at.nanos = r.randint(0, 999999) * 1000
    for name, gen in (("w_int32", lambda: r.randint(-2**31, 2**31 - 1)),
                      ("w_string", lambda: r.choice(["", "w"])),
                      ("w_bool", lambda: r.random() < 0.5),
                      ("w_double", lambda: r.uniform(-9, 9)),
                      ("w_uint64", lambda: r.randint(0, 2**64 - 1)),
                      ("w_bytes", lambda: b"\x00\x01"),
                      ("w_int64", lambda: r.randint(-2**63, 2**63 - 1)),
                      ("w_uint32", lambda: r.randint(0, 2**32 - 1)),
                      ("w_float", lambda: r.uniform(-9, 9))):
        if r.random() < 0.5:
            getattr(m, name).value = gen()
    for _ in range(r.randint(0, 2)):
        t = m.times.add()
        t.seconds, t.nanos = r.randint(-10**9, 10**9), 0
    return m


def rand_legacy(r, L):
    m = L()
    m.id = "id%d" % r.randint(0, 99)
    for name, gen in (("count", lambda: r.randint(-9, 9)),
                      ("label", lambda: "lbl"),
                      ("ratio", lambda: r.uniform(-9, 9)),
                      ("flag", lambda: r.random() < 0.5),
                      ("level", lambda: r.choice([1, 2])),
                      ("blob", lambda: b"\xff"),
                      ("plain", lambda: r.randint(-9, 9)),
                      ("big", lambda: r.randint(0, 2**64 - 1)),
                      ("fl", lambda: 1.5)):
        if r.random() < 0.5:
            setattr(m, name, gen())
    m.nums.extend(r.randint(-9, 9) for _ in range(r.randint(0, 3)))
    m.packed_nums.extend(r.randint(-9, 9) for _ in range(r.randint(0, 3)))
    return m


def check_read(desc, name, msgs, what):
    got = read_json(desc, name, delimited(msgs))
    want = [expected(m) for m in msgs]
    bad = [i for i, (g, w) in enumerate(zip(got, want)) if not same(g, w)]
    ok(len(got) == len(want) and not bad,
       f"{what}: {len(msgs)} messages Python wrote read as Python holds them",
       *(f"message {i}: got  {got[i]}\n#   want {want[i]}"
         for i in bad[:2]))


def check_write(desc, name, msgs, what, exact):
    back = [type(msgs[0]).FromString(b)
            for b in undelimited(rewrite(desc, name, delimited(msgs)))]
    if exact:
        bad = [i for i, (a, b) in enumerate(zip(back, msgs)) if a != b]
    else:
        bad = [i for i, (a, b) in enumerate(zip(back, msgs))
               if not same(json.loads(json.dumps(expected(a),
                                                 default=lambda t: t.us)),
                           json.loads(json.dumps(expected(b),
                                                 default=lambda t: t.us)))]
    ok(len(back) == len(msgs) and not bad,
       f"{what}: what sdc-convert writes of them parses in Python the same",
       *(f"message {i}: got  {back[i]}\n#   want {msgs[i]}"
         for i in bad[:2]))


def check_unknown(desc, pool, msgs):
    back = rewrite(desc, "sdctest.Few", delimited(msgs))
    E = cls(pool, "sdctest.Everything")
    back = [E.FromString(b) for b in undelimited(back)]
    ok(back == msgs, "fields unknown to the message read are kept and "
       "written back, so that Python parses the whole message")
    dropped = rewrite(desc, "sdctest.Few", delimited(msgs),
                      "--protobuf-unknown=drop")
    want = [E(point=m.point) if m.HasField("point") else E() for m in msgs]
    ok([E.FromString(b) for b in undelimited(dropped)] == want,
       "--protobuf-unknown=drop keeps only the declared fields")


def check_mutations(desc, data, r):
    crashed = []
    for i in range(200):
        b = bytearray(data)
        for _ in range(r.randint(1, 4)):
            b[r.randrange(len(b))] = r.randrange(256)
        if r.random() < 0.3:
            del b[r.randrange(len(b)):]
        p = subprocess.run([CONVERT, "--from", "protobuf",
                            "--protobuf-descriptor", desc,
                            "--protobuf-message", "sdctest.Everything"],
                           input=bytes(b), capture_output=True, timeout=60)
        if p.returncode != 0:
            crashed.append((i, p.returncode, p.stderr[-300:]))
    ok(not crashed, "200 corrupted streams read without a crash, each bad "
       "message an error record", *map(str, crashed[:3]))


def main():
    if shutil.which("protoc") is None:
        print("1..0 # SKIP protoc is missing")
        return 0
    r = random.Random(20261201)
    with tempfile.TemporaryDirectory() as tmp:
        desc, pool = protoc_set(tmp)
        E = cls(pool, "sdctest.Everything")
        L = cls(pool, "sdctest2.Legacy")
        ev = [E()] + [rand_everything(r, E) for _ in range(300)]
        lg = [L(id="")] + [rand_legacy(r, L) for _ in range(100)]
        check_read(desc, "sdctest.Everything", ev, "proto3")
        check_read(desc, "sdctest2.Legacy", lg, "proto2")
        check_write(desc, "sdctest.Everything", ev, "proto3", True)
        check_write(desc, "sdctest2.Legacy", lg, "proto2", False)
        check_unknown(desc, pool, ev)
        check_mutations(desc, delimited(ev[:20]), r)
    failed = 0
    print(f"1..{len(results)}")
    for n, (passed, desc, detail) in enumerate(results, 1):
        print(f"{'ok' if passed else 'not ok'} {n} - {desc}")
        for d in detail if not passed else ():
            print(f"#   {d}")
        failed += not passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
