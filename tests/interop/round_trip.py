#!/usr/bin/env python3
"""The property test of sdc-convert's formats: random records of every
type, written in each format and read back, come back identical but for
the losses of that format, which are the ones man/sdc-convert.1 lists
under "What each format keeps".  Each loss is a rule below, named for
the sentence of the page that states it.

Records are made as typed JSON (the lossless rendering of sdc-convert
--typed), turned into a record stream, written with --to FORMAT, read
with --from FORMAT and compared as typed JSON.  Prints TAP.
"""

import base64
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

BUILD = os.environ.get("top_builddir") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
CONVERT = os.path.join(BUILD, "sdc-convert")
RECORDS = int(os.environ.get("ROUND_TRIP_RECORDS", "300"))

SCALARS = ["BOOLEAN", "CHAR", "BYTE", "SHORT", "INTEGER", "LONG", "FLOAT",
           "DOUBLE", "DECIMAL", "DATE", "DATETIME", "TIME", "ZONED_DATETIME",
           "STRING", "BYTE_ARRAY"]

failures = 0
count = 0


def ok(cond, what):
    global failures, count
    count += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (count, what))
    if not cond:
        failures += 1


def text(rng):
    pieces = ["a", "Z", "0", " ", "é", "漢", "\n", '"', ",", "\\", "\t",
              "😀", "<", "&", "-"]
    return "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 9)))


def shortest_float32(x):
    """x as a float32, in the fewest digits that read back as it."""
    f = struct.unpack("f", struct.pack("f", x))[0]
    for digits in range(1, 10):
        v = float("%.*g" % (digits, f))
        if struct.pack("f", v) == struct.pack("f", f):
            return v
    return f


def millis(rng):
    """A fraction of a second as sdc-convert writes it: none when 0,
    milliseconds, or microseconds when they are not whole milliseconds."""
    kind = rng.randrange(3)
    if kind == 2:
        return ".%03d%03d" % (rng.randrange(1000), rng.randrange(1, 1000))
    return ".%03d" % rng.randrange(1, 1000) if kind else ""


def two(n):
    return "%02d" % n


def scalar(rng, t):
    if rng.random() < 0.08:
        return {t: None}
    if t == "BOOLEAN":
        v = rng.random() < 0.5
    elif t == "CHAR":
        v = rng.choice(["a", "é", "Z", "1", "漢"])
    elif t == "BYTE":
        v = rng.randrange(-128, 128)
    elif t == "SHORT":
        v = rng.randrange(-32768, 32768)
    elif t == "INTEGER":
        v = rng.randrange(-2**31, 2**31)
    elif t == "LONG":
        v = rng.choice([rng.randrange(-2**63, 2**63), rng.randrange(-999, 999)])
    elif t == "FLOAT":
        v = shortest_float32(rng.uniform(-1e6, 1e6))
    elif t == "DOUBLE":
        v = rng.choice([rng.uniform(-1e9, 1e9), 0.1, -2.5, 1e-300, "NaN",
                        "Infinity", "-Infinity"])
    elif t == "DECIMAL":
        v = "%d.%0*d" % (rng.randrange(-10**6, 10**6), 3,
                         rng.randrange(1000))
    elif t == "DATE":
        v = "%04d-%s-%s" % (rng.randrange(1900, 2100), two(rng.randrange(1, 13)),
                            two(rng.randrange(1, 29)))
    elif t == "DATETIME":
        v = "%04d-%s-%sT%s:%s:%s%sZ" % (
            rng.randrange(1971, 2100), two(rng.randrange(1, 13)),
            two(rng.randrange(1, 29)), two(rng.randrange(24)),
            two(rng.randrange(60)), two(rng.randrange(60)), millis(rng))
    elif t == "TIME":
        v = "%s:%s:%s%s" % (two(rng.randrange(24)), two(rng.randrange(60)),
                            two(rng.randrange(60)), millis(rng))
    elif t == "ZONED_DATETIME":
        v = "%04d-%s-%sT%s:%s:%s+%s:00" % (
            rng.randrange(1971, 2100), two(rng.randrange(1, 13)),
            two(rng.randrange(1, 29)), two(rng.randrange(24)),
            two(rng.randrange(60)), two(rng.randrange(60)),
            two(rng.randrange(0, 14)))
    elif t == "STRING":
        v = text(rng)
    else:
        v = base64.b64encode(bytes(rng.randrange(256) for _ in
                                   range(rng.randrange(0, 12)))).decode()
    return {t: v}


def value(rng, depth):
    """A random typed field; one in ten has field attributes."""
    f = bare_value(rng, depth)
    if rng.random() < 0.1:
        f["attributes"] = {text(rng): text(rng)
                           for _ in range(rng.randrange(1, 3))}
    return f


def bare_value(rng, depth):
    r = rng.random()
    if depth < 3 and r < 0.12:
        return {"LIST": [value(rng, depth + 1)
                         for _ in range(rng.randrange(0, 4))]}
    if depth < 3 and r < 0.24:
        kind = rng.choice(["MAP", "LIST_MAP"])
        return {kind: {"k%d" % i: value(rng, depth + 1)
                       for i in range(rng.randrange(0, 4))}}
    return scalar(rng, rng.choice(SCALARS))


def record(rng, i, flat):
    fields = {}
    for j in range(6 if flat else rng.randrange(1, 8)):
        fields["f%d" % j] = (scalar(rng, rng.choice(SCALARS)) if flat
                             else value(rng, 1))
    return {"kind": "data", "id": "r:%d" % i, "stages": ["sdc-convert"],
            "attributes": {}, "value": {"LIST_MAP": fields}}


def uniform(rng, i):
    """A record of the same fields, of the same types, as every other: a
    field of each scalar type, a list of two or three LONG and a map, for
    formats whose schema comes from the first record.  The first has no
    nulls, so that it gives every field its type."""
    def maybe(t):
        f = scalar(rng, t)
        return scalar(rng, t) if i == 0 and f[t] is None else f
    fields = {"t_" + t.lower(): maybe(t) for t in SCALARS}
    while i == 0 and any(v[t] is None for t, v in
                         ((next(iter(v)), v) for v in fields.values())):
        fields = {"t_" + t.lower(): maybe(t) for t in SCALARS}
    fields["list"] = {"LIST": [{"LONG": rng.randrange(-999, 999)}
                               for _ in range(rng.randrange(2, 4))]}
    fields["map"] = {"MAP": {"k0": {"STRING": text(rng) or "x"},
                             "k1": {"DOUBLE": rng.uniform(-9, 9)}}}
    return {"kind": "data", "id": "u:%d" % i, "stages": ["sdc-convert"],
            "attributes": {}, "value": {"LIST_MAP": fields}}


def utc_text(zoned):
    """The instant of a ZONED_DATETIME's text, as a DATETIME's."""
    import datetime as dt
    t = dt.datetime.fromisoformat(zoned).astimezone(dt.timezone.utc)
    frac = ".%06d" % t.microsecond if t.microsecond % 1000 else \
        ".%03d" % (t.microsecond // 1000) if t.microsecond else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def millis_only(text):
    """A DATETIME's text cut to the millisecond."""
    head, _, rest = text[:-1].partition(".")
    if not rest or int(rest[:3]) == 0:
        return head + "Z"
    return head + "." + rest[:3] + "Z"


def avro_field(f):
    """Avro, schema derived: CHAR comes back as STRING, BYTE and SHORT as
    INTEGER, ZONED_DATETIME as the DATETIME of its instant, DATETIME cut
    to the millisecond (timestamp-millis), maps of both kinds as
    LIST_MAP (Avro records), a DECIMAL with the precision and scale of
    the derived schema (38 and the 3 digits of these) as attributes."""
    (t, v), = f.items()
    if t == "LIST":
        return {"LIST": None if v is None else [avro_field(x) for x in v]}
    if t in ("MAP", "LIST_MAP"):
        return {"LIST_MAP": None if v is None else
                {k: avro_field(x) for k, x in v.items()}}
    if t == "CHAR":
        return {"STRING": v}
    if t in ("BYTE", "SHORT"):
        return {"INTEGER": v}
    if t == "ZONED_DATETIME":
        return {"DATETIME": None if v is None else utc_text(v)}
    if t == "DATETIME":
        return {"DATETIME": None if v is None else millis_only(v)}
    if t == "DECIMAL" and v is not None:
        return {t: v, "attributes": {"precision": "38", "scale": "3"}}
    return {t: v}


def xml_text(t, v):
    if v is None:
        return ""
    if t == "BOOLEAN":
        return "true" if v else "false"
    if t in ("FLOAT", "DOUBLE") and not isinstance(v, str):
        return repr(float(v))
    return str(v)


def xml_field(f):
    """XML: every value comes back as a STRING of its text (as CSV
    writes it), a null as an empty STRING, maps as MAP, a list as the
    LIST of its items' texts."""
    (t, v), = f.items()
    if t == "LIST":
        return {"LIST": [xml_field(x) for x in v]}
    if t in ("MAP", "LIST_MAP"):
        return {"MAP": {k: xml_field(x) for k, x in v.items()}}
    return {"STRING": xml_text(t, v)}


def run(args, data):
    p = subprocess.run([CONVERT] + args, input=data, capture_output=True,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def read_back(rd, data):
    """Read data as rd, then render it as typed JSON (two programs, since
    --typed would apply to the reading too)."""
    rc, sdc, err = run(["--from"] + rd + ["--to", "sdc"], data)
    if rc != 0:
        return rc, b"", err
    return run(["--from", "sdc", "--to", "json", "--typed"], sdc)


def typed_lines(recs):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n"
                   for r in recs).encode("utf-8")


# The losses, one function each: what a field becomes in the format.

def json_plain(f):
    """JSON: maps of both kinds come back as LIST_MAP, integers of every
    width as LONG, FLOAT, DOUBLE and DECIMAL as DOUBLE, NaN and the
    infinities as the STRING of their name, CHAR, DATE, DATETIME, TIME,
    ZONED_DATETIME as the STRING of their ISO 8601 text, BYTE_ARRAY as
    the STRING of its base64, a null of any type as a null STRING, and
    field attributes dropped."""
    (t, v), = ((t, v) for t, v in f.items() if t != "attributes")
    if t == "LIST":
        return {"LIST": None if v is None else [json_plain(x) for x in v]}
    if t in ("MAP", "LIST_MAP"):
        return {"LIST_MAP": None if v is None else
                {k: json_plain(x) for k, x in v.items()}}
    if v is None:
        return {"STRING": None}
    if t in ("BYTE", "SHORT", "INTEGER", "LONG"):
        return {"LONG": v}
    if t in ("FLOAT", "DOUBLE") and isinstance(v, str):
        return {"STRING": v}
    if t in ("FLOAT", "DOUBLE", "DECIMAL"):
        return {"DOUBLE": float(v)}
    if t == "BOOLEAN":
        return {"BOOLEAN": v}
    return {"STRING": v}


def csv_cells(f):
    """CSV: every value comes back as a STRING of its text: numbers as
    JSON writes them, times in ISO 8601, byte arrays in base64, true and
    false; a null as an empty STRING."""
    (t, v), = f.items()
    if v is None:
        return {"STRING": ""}
    if t == "BOOLEAN":
        return {"STRING": "true" if v else "false"}
    if t in ("FLOAT", "DOUBLE") and not isinstance(v, str):
        return {"STRING": repr(float(v))}
    return {"STRING": str(v)}


def same(a, b):
    return json.dumps(a, sort_keys=False) == json.dumps(b, sort_keys=False)


def compare(name, want, got_lines):
    got = [json.loads(x) for x in got_lines.decode("utf-8").splitlines()]
    bad = [(w, g) for w, g in zip(want, got) if not same(w, g)]
    ok(len(got) == len(want) and not bad, "%s: %d records back as written, "
       "but for the format's losses" % (name, len(want)))
    if bad:
        print("# want %s\n# got  %s" % (json.dumps(bad[0][0])[:600],
                                        json.dumps(bad[0][1])[:600]))


def values_of(recs):
    return [r["value"] for r in recs]


def lossless(name, sdc, recs, wr, rd):
    rc, out, err = run(["--from", "sdc", "--to"] + wr, sdc)
    if rc != 0:
        return ok(False, "%s: written: %s" % (name, err))
    rc, back, err = read_back(rd, out)
    if rc != 0:
        return ok(False, "%s: read back: %s" % (name, err))
    got = [json.loads(x) for x in back.decode("utf-8").splitlines()]
    want = values_of(recs)
    have = [g["value"] for g in got]
    bad = [(w, g) for w, g in zip(want, have) if not same(w, g)]
    ok(len(have) == len(want) and not bad,
       "%s: %d records of every type back identical" % (name, len(want)))
    if bad:
        print("# want %s\n# got  %s" % (json.dumps(bad[0][0])[:600],
                                        json.dumps(bad[0][1])[:600]))


def lossy(name, sdc, recs, wr, rd, rule):
    rc, out, err = run(["--from", "sdc", "--to"] + wr, sdc)
    if rc != 0:
        return ok(False, "%s: written: %s" % (name, err))
    rc, back, err = read_back(rd, out)
    if rc != 0:
        return ok(False, "%s: read back: %s" % (name, err))
    have = [json.loads(x)["value"] for x in back.decode().splitlines()]
    want = [rule(r["value"]) for r in recs]
    bad = [(w, g) for w, g in zip(want, have) if not rule_equal(w, g)]
    ok(len(have) == len(want) and not bad, "%s: %d records back but for the "
       "losses the page lists (%s)" % (name, len(want),
                                       rule.__doc__.split(":")[0]))
    if bad:
        print("# want %s\n# got  %s" % (json.dumps(bad[0][0])[:600],
                                        json.dumps(bad[0][1])[:600]))


def rule_equal(w, g):
    return same(w, g)


def avro_rule(v):
    """Avro: each field as avro_field says"""
    return avro_field(v)


def xml_rule(v):
    """XML: each field as xml_field says, the record a MAP"""
    (_, fields), = v.items()
    return {"MAP": {k: xml_field(f) for k, f in fields.items()}}


def csv_rule(v):
    """CSV: each cell as csv_cells says"""
    (_, fields), = v.items()
    return {"LIST_MAP": {k: csv_cells(f) for k, f in fields.items()}}


def main():
    if not os.access(CONVERT, os.X_OK):
        print("1..0 # SKIP no sdc-convert in %s" % BUILD)
        return 0
    rng = random.Random(int(os.environ.get("ROUND_TRIP_SEED", "20261201")))
    nested = [record(rng, i, False) for i in range(RECORDS)]
    rc, sdc, err = run(["--from", "json", "--typed", "--to", "sdc"],
                       typed_lines(nested))
    ok(rc == 0, "the random records are a record stream" +
       ("" if rc == 0 else ": " + err))
    lossless("sdc", sdc, nested, ["sdc"], ["sdc"])
    lossless("typed JSON", sdc, nested, ["json", "--typed"],
             ["json", "--typed"])
    lossless("SDC Record JSON", sdc, nested, ["sdcjson"], ["sdcjson"])
    lossy("JSON", sdc, nested, ["json"], ["json"], json_plain)
    flat = [record(rng, i, True) for i in range(RECORDS)]
    rc, sdc_flat, err = run(["--from", "json", "--typed", "--to", "sdc"],
                            typed_lines(flat))
    lossy("CSV", sdc_flat, flat, ["csv"], ["csv"], csv_rule)
    same_fields = [uniform(rng, i) for i in range(RECORDS)]
    rc, sdc_uniform, err = run(["--from", "json", "--typed", "--to", "sdc"],
                               typed_lines(same_fields))
    ok(rc == 0, "the records of one schema are a record stream" +
       ("" if rc == 0 else ": " + err))
    for codec in ("null", "deflate", "snappy", "zstandard"):
        lossy("Avro, " + codec, sdc_uniform, same_fields,
              ["avro", "--avro-codec", codec], ["avro"], avro_rule)
    lossy("XML", sdc_uniform, same_fields, ["xml"], ["xml"], xml_rule)
    for fmt in os.environ.get("ROUND_TRIP_MORE", "").split():
        lossless(fmt, sdc, nested, [fmt], [fmt])
    print("1..%d" % count)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
