#!/usr/bin/env python3
"""Unit tests of sdc_spark.codec and sdc_spark.record.

Prints TAP; exits 1 when any test failed.  The reference is sdcrecord.py:
every test vector must decode with the codec as with sdcrecord (compared
by re-encoding both), malformed payloads must fail for the same reason,
and the codec must write the canonical bytes.  Runs with the standard
library alone; what needs numpy or the crc32c package is reported as
skipped when they are missing.
"""

import datetime
import decimal
import io
import os
import pickle
import random
import sys
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib", "spark"))

from sdc_spark import codec  # noqa: E402
from sdc_spark import sdcrecord as sr  # noqa: E402
from sdc_spark.record import (Byte, Char, DecimalText, Float,  # noqa: E402
                              Integer, ListMap, RawDate, RawDatetime,
                              RawZoned, Record, Short, ZonedDateTime,
                              _lazy)

TOP = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
VDIR = os.path.join(TOP, "tests", "vectors")
UTC = datetime.timezone.utc

results = []


def ok(cond, desc, *detail):
    results.append((bool(cond), desc, detail, None))


def skip(desc, why):
    results.append((True, desc, (), why))


def is_eq(got, want, desc):
    ok(got == want, desc, f"got:  {got!r}", f"want: {want!r}")


def raises(fn, exc, desc, text=None):
    try:
        fn()
    except exc as e:
        ok(text is None or text in str(e), desc, f"message: {e}")
        return
    except Exception as e:  # the wrong exception is a failure
        ok(False, desc, f"raised {type(e).__name__}: {e}")
        return
    ok(False, desc, "nothing raised")


def outcome(fn):
    """The bytes fn returns, or the Malformed reason it raises."""
    try:
        return fn()
    except sr.Malformed as e:
        return f"Malformed: {e}"


def payload(root: bytes) -> bytes:
    """A payload of an empty header and the field bytes root."""
    return b"\x00\x00\x00" + root


def round_trip(value, **header):
    rec = Record(value, **header)
    return codec.decode(1, codec.encode(rec))


# ------------------------------------------------------------ the vectors

def vector_frames():
    """(vector name, mode, frame) for each record frame of the vectors."""
    out = []
    with open(os.path.join(VDIR, "VECTORS")) as f:
        index = [line.split(" ", 2)[:2] for line in f]
    for name, mode in index:
        if mode == "bad":
            continue
        with open(os.path.join(VDIR, name + ".sdc"), "rb") as f:
            for frame in sr.FrameReader(f):
                if frame.kind in sr.RECORD_KINDS:
                    out.append((name, mode, frame))
    return out


def test_vectors():
    frames = vector_frames()
    ok(len(frames) > 100, "the vectors hold record frames", len(frames))
    for name, mode, frame in frames:
        kind, data = frame.kind, frame.payload
        want = outcome(lambda: sr.encode_record(sr.decode_record(kind, data)))
        got = outcome(lambda: codec.encode(codec.decode(kind, data), kind))
        is_eq(got, want, f"{name} byte {frame.offset}: decodes as with "
              f"sdcrecord")
        if mode == "roundtrip":
            is_eq(got, data, f"{name} byte {frame.offset}: encode(decode(p)) "
                  f"== p")


def test_mutations():
    """Broken payloads fail as in sdcrecord, for the same first reason."""
    seeds = [(f.kind, f.payload) for _, mode, f in vector_frames()
             if mode == "roundtrip"]
    rng = random.Random(20260314)
    differ = []
    for _ in range(3000):
        kind, data = rng.choice(seeds)
        data = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data) + 1)
            op = rng.random()
            if op < 0.5 and at < len(data):
                data[at] = rng.randrange(256)
            elif op < 0.7:
                del data[at:]
            elif op < 0.85:
                data.insert(at, rng.randrange(256))
            elif at < len(data):
                del data[at]
        data = bytes(data)
        want = outcome(lambda: sr.encode_record(sr.decode_record(kind, data)))
        got = outcome(lambda: codec.encode(codec.decode(kind, data), kind))
        if got != want:
            differ.append(f"{data.hex()}: {got!r} != {want!r}")
    ok(not differ, "3000 mutated payloads: the same outcome as sdcrecord",
       *differ[:5])


def test_malformed():
    for reason, data in (
            ("unknown field type", payload(b"\x00")),
            ("reserved bits set in a field type", payload(b"\x21\x00")),
            ("field attributes flag without any", payload(b"\x41\x00\x00")),
            ("duplicate key",
             payload(b"\x46\x02\x01k\x01v\x01k\x01w\x02")),
            ("value out of range for its type",
             payload(b"\x05" + sr.zigzag(1 << 31))),
            ("bad key reference", payload(b"\x11\x01\x03\x81")),
            ("bad utf-8", payload(b"\x11\x01\x02\xff\x81")),
            ("bad utf-8", b"\x02\xed\xa0\x00\x00\x81"),
            ("duplicate key", b"\x00\x00\x02\x01k\x00\x01k\x00\x81"),
            ("duplicate key", payload(b"\x11\x02\x02a\x81\x01\x81")),
            ("truncated", b"\x00\x05"),
            ("truncated", payload(b"\x11\x05")),
            ("trailing bytes", payload(b"\x81\x00")),
            ("bad varint", payload(b"\x06" + b"\x80" * 10 + b"\x00")),
            ("bad boolean", payload(b"\x01\x02")),
            ("bad char", payload(b"\x02\x80\xb0\x03")),
            ("time of day out of range",
             payload(b"\x0c" + sr.varint(86_400_000_000))),
            ("zone offset out of range",
             payload(b"\x0d\x00" + sr.zigzag(64801) + b"\x00")),
            ("bad decimal", payload(b"\x09\x021.")),
            ("nesting deeper than 128",
             payload(b"\x10\x01" * 128 + b"\x10\x00"))):
        raises(lambda: codec.decode(1, data), sr.Malformed,
               f"malformed: {reason} ({data.hex()[:40]})", reason)
    deep = payload(b"\x10\x01" * 127 + b"\x10\x00")
    ok(isinstance(codec.decode(1, deep).value, list),
       "128 levels of lists are accepted")
    raises(lambda: codec.decode(4, b""), ValueError,
           "a BATCH payload holds no record")


# ------------------------------------------------------------ field attributes

def test_field_attributes():
    price = sr.Field("DECIMAL", "12.50", {"precision": "10", "scale": "2"})
    root = sr.Field("MAP", {"price": price, "name": sr.Field("STRING", "x"),
                            "tags": sr.Field("LIST", [sr.Field("LONG", 1)],
                                             {"n": "1"})})
    data = reference(root)
    rec = codec.decode(1, data)
    is_eq(rec.field_attributes, {("price",): {"precision": "10",
                                              "scale": "2"},
                                 ("tags",): {"n": "1"}},
          "decoded field attributes, by path")
    is_eq(codec.encode(rec), data, "encoded back byte for byte")
    rec.field_attributes[("name",)] = {"lang": "fr"}
    root.value["name"].attributes = {"lang": "fr"}
    is_eq(codec.encode(rec), reference(root),
          "attributes set by user code are written as sdcrecord writes them")
    made = Record({"a": 1}, field_attributes={(): {"root": "yes"}})
    is_eq(codec.encode(made), reference(sr.Field(
        "MAP", {"a": sr.Field("LONG", 1)}, {"root": "yes"})),
        "attributes of the root field")
    is_eq(pickle.loads(pickle.dumps(rec)).field_attributes,
          rec.field_attributes, "pickling keeps them")
    copy = rec.copy()
    copy.field_attributes[("price",)]["scale"] = "3"
    is_eq(rec.field_attributes[("price",)]["scale"], "2",
          "a copy's attributes are its own")
    raises(lambda: codec.encode(Record({"a": 1}, field_attributes={
        ("b",): {"k": "v"}})), codec.EncodeError,
        "attributes for a path without a field", "no field")
    lazy = _lazy(data)
    is_eq(codec.encode(lazy), data, "an untouched lazy record keeps them")


# ------------------------------------------------------------ the types

def reference(root: sr.Field) -> bytes:
    return sr.encode_record(sr.Record("data", root))


def test_types():
    zone = zoneinfo.ZoneInfo("Europe/Paris")
    cases = [
        (True, sr.Field("BOOLEAN", True), bool),
        (Char("\U0001F600"), sr.Field("CHAR", "\U0001F600"), Char),
        (Byte(-128), sr.Field("BYTE", -128), Byte),
        (Short(32767), sr.Field("SHORT", 32767), Short),
        (Integer(-2 ** 31), sr.Field("INTEGER", -2 ** 31), Integer),
        (2 ** 63 - 1, sr.Field("LONG", 2 ** 63 - 1), int),
        (Float(1.5), sr.Field("FLOAT", 1.5), Float),
        (-0.0, sr.Field("DOUBLE", -0.0), float),
        (decimal.Decimal("1.50"), sr.Field("DECIMAL", "1.50"), DecimalText),
        (DecimalText("1.5e3"), sr.Field("DECIMAL", "1.5e3"), DecimalText),
        (datetime.date(1969, 12, 31), sr.Field("DATE", -1), datetime.date),
        (datetime.datetime(1970, 1, 1, 0, 0, 0, 1, UTC),
         sr.Field("DATETIME", 1), datetime.datetime),
        (datetime.datetime(1970, 1, 1, 0, 0, 1),
         sr.Field("DATETIME", 1_000_000), datetime.datetime),
        (datetime.time(23, 59, 59, 999999),
         sr.Field("TIME", 86_399_999_999), datetime.time),
        (datetime.datetime(2026, 3, 14, 12, 0, tzinfo=zone),
         sr.Field("ZONED_DATETIME", sr.Zoned(1_773_486_000_000_000, 3600,
                                             "Europe/Paris")), ZonedDateTime),
        ("é\x00", sr.Field("STRING", "é\x00"), str),
        (bytearray(b"\x00\xff"), sr.Field("BYTE_ARRAY", b"\x00\xff"), bytes),
        ((1, "a"), sr.Field("LIST", [sr.Field("LONG", 1),
                                     sr.Field("STRING", "a")]), list),
        ({"b": 1, "a": 2}, sr.Field("MAP", {"b": sr.Field("LONG", 1),
                                            "a": sr.Field("LONG", 2)}), dict),
        (ListMap(z=1, a=2), sr.Field("LIST_MAP", {"z": sr.Field("LONG", 1),
                                                  "a": sr.Field("LONG", 2)}),
         ListMap),
        (RawDate(-10 ** 7), sr.Field("DATE", -10 ** 7), RawDate),
        (RawDatetime(2 ** 62), sr.Field("DATETIME", 2 ** 62), RawDatetime),
        (RawZoned(2 ** 62, -3600, "X/Y"),
         sr.Field("ZONED_DATETIME", sr.Zoned(2 ** 62, -3600, "X/Y")),
         RawZoned),
    ]
    for value, field, cls in cases:
        name = field.type
        data = codec.encode(Record(value))
        is_eq(data.hex(), reference(field).hex(),
              f"{name} from {type(value).__name__}: the bytes of sdcrecord")
        back = codec.decode(1, data).value
        if type(value) is tuple:
            value = list(value)
        elif type(value) is datetime.datetime and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)   # naive is taken as UTC
        ok(type(back) is cls and back == value,
           f"{name}: decodes to an equal {cls.__name__}",
           f"got {type(back).__name__} {back!r}")
        is_eq(codec.encode(Record(back)), data,
              f"{name}: the decoded value encodes to the same bytes")
    is_eq(list(round_trip(ListMap(z=1, a=2, m=3)).value), ["z", "a", "m"],
          "LIST_MAP keeps its order")
    is_eq(str(round_trip(decimal.Decimal("-0.000")).value), "-0.000",
          "DECIMAL keeps its scale")
    huge = DecimalText("1e9999999999999999999")
    is_eq(codec.encode(Record(huge)), reference(sr.Field(
        "DECIMAL", "1e9999999999999999999")),
        "a DECIMAL beyond the decimal module keeps its text")


def test_zoned():
    paris = sr.Zoned(1_773_486_000_000_000, 3600, "Europe/Paris")
    v = codec.decode(1, reference(sr.Field("ZONED_DATETIME", paris))).value
    is_eq((type(v.tzinfo), v.hour, v.zone, v.offset),
          (zoneinfo.ZoneInfo, 12, "Europe/Paris", 3600),
          "a known zone: ZoneInfo, local time, zone and offset kept")
    odd = sr.Zoned(0, 3 * 3600 + 7, "Nowhere/Atlantis")
    data = reference(sr.Field("ZONED_DATETIME", odd))
    v = codec.decode(1, data).value
    is_eq((v.utcoffset().total_seconds(), v.zone),
          (10807.0, "Nowhere/Atlantis"),
          "an unknown zone: a fixed offset, the zone id kept")
    is_eq(codec.encode(Record(v)), data, "an unknown zone round-trips")
    wrong = sr.Zoned(0, 7200, "Europe/Paris")   # Paris was +01:00 in 1970
    data = reference(sr.Field("ZONED_DATETIME", wrong))
    v = codec.decode(1, data).value
    is_eq((v.utcoffset().total_seconds(), codec.encode(Record(v)) == data),
          (7200.0, True), "an offset the zone does not give is kept exactly")
    later = codec.decode(1, reference(sr.Field("ZONED_DATETIME", paris))) \
        .value + datetime.timedelta(days=180)
    want = sr.Zoned(paris.us + 180 * 86_400_000_000 - 3_600_000_000, 7200,
                    "Europe/Paris")
    is_eq(codec.encode(Record(later)), reference(sr.Field("ZONED_DATETIME",
                                                          want)),
          "arithmetic on a zoned value: encoded from its tzinfo (summer time)")
    plus2 = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone(
        datetime.timedelta(hours=-2)))
    is_eq(codec.encode(Record(plus2)), reference(sr.Field(
        "ZONED_DATETIME", sr.Zoned(946_692_000_000_000, -7200, ""))),
        "an aware datetime not in UTC is a ZONED_DATETIME without zone")
    raw = codec.decode(1, reference(sr.Field(
        "ZONED_DATETIME", sr.Zoned(253_402_300_799_000_000, 3600, "X")))).value
    is_eq(raw, RawZoned(253_402_300_799_000_000, 3600, "X"),
          "a local time past 9999 is a RawZoned")


def test_nulls():
    root = sr.Field("MAP", {
        "a": sr.Field("LONG"), "l": sr.Field("LIST", [
            sr.Field("DATE"), sr.Field("MAP", {"x": sr.Field("DECIMAL")})]),
        "s": sr.Field("STRING")})
    data = reference(root)
    rec = codec.decode(1, data)
    is_eq(rec.value, {"a": None, "l": [None, {"x": None}], "s": None},
          "nulls decode to None")
    is_eq(rec.null_types, {("a",): "LONG", ("l", 0): "DATE",
                           ("l", 1, "x"): "DECIMAL", ("s",): "STRING"},
          "null types by path")
    is_eq(codec.encode(rec), data, "null types are kept on encoding")
    rec["b"] = rec.pop("a")
    is_eq(codec.decode(1, codec.encode(rec)).null_types[("b",)], "STRING",
          "a moved None becomes a STRING null")
    for name in ("INTEGER", "MAP", "LIST"):
        data = reference(sr.Field(name))
        rec = codec.decode(1, data)
        is_eq((rec.value, rec.null_types, codec.encode(rec)),
              (None, {(): name}, data), f"a null {name} root")


def test_encode_errors():
    for value, path, text in (
            ({"s": Short(40000)}, "/s", "SHORT range"),
            ({"b": [Byte(1), Byte(200)]}, "/b[1]", "BYTE range"),
            ({"i": 2 ** 63}, "/i", "LONG range"),
            ({"f": Float(1e39)}, "/f", "FLOAT range"),
            ({"c": Char("ab")}, "/c", "one character"),
            ({"d": decimal.Decimal("NaN")}, "/d", "finite"),
            ({"odd key": {"x": object()}}, "/'odd key'/x",
             "type object"),
            ({"k": {1: 2}}, "/k", "map key is not a string"),
            ({"u": "\ud800"}, "/u", "not valid Unicode"),
            (complex(1, 2), "/", "type complex")):
        raises(lambda: codec.encode(Record(value)), codec.EncodeError,
               f"encode error: {text} at {path}", f"at {path}")
    raises(lambda: codec.encode(Record({}, id=3)), codec.EncodeError,
           "a header that is not text", "id is not a string")
    nested = []
    for _ in range(130):
        nested = [nested]
    raises(lambda: codec.encode(Record(nested)), codec.EncodeError,
           "nesting deeper than 128", "nesting deeper than 128")


def test_numpy():
    try:
        import numpy as np
    except ImportError:
        skip("numpy scalars", "numpy not installed")
        return
    rec = Record({"l": np.int64(-5), "d": np.float64(0.25),
                  "b": np.bool_(True)})
    want = reference(sr.Field("MAP", {"l": sr.Field("LONG", -5),
                                      "d": sr.Field("DOUBLE", 0.25),
                                      "b": sr.Field("BOOLEAN", True)}))
    is_eq(codec.encode(rec), want, "numpy int64, float64, bool_")
    raises(lambda: codec.encode(Record({"x": np.float32(1)})),
           codec.EncodeError, "numpy float32 is an encode error",
           "numpy.float32 at /x")


# ------------------------------------------------------------ the record

def test_record():
    r = Record({"rssi": -60, "tags": ["a"]}, id="x:1", stages=("s",),
               attributes={"k": "v"})
    ok("rssi" in r and r["rssi"] == -60 and r.get("no", 7) == 7
       and len(r) == 2 and list(r) == ["rssi", "tags"],
       "mapping methods over the root")
    r["rssi"] = 3
    del r["tags"]
    is_eq((r.value, list(r.keys()), list(r.items())),
          ({"rssi": 3}, ["rssi"], [("rssi", 3)]), "set and delete")
    is_eq(Record.from_dict({"a": 1}), Record({"a": 1}), "from_dict")
    ok(Record({"a": 1}) != Record({"a": 1}, id="y"), "equality by all slots")
    ok("Record({'rssi': 3}, id='x:1'" in repr(r), "a readable repr", repr(r))
    c = r.copy()
    c["rssi"] = 4
    c.stages.append("t")
    is_eq((r["rssi"], r.stages), (3, ["s"]), "copy() shares no container")
    deep = Record({"m": {"l": [1]}})
    deep.copy()["m"]["l"].append(2)
    is_eq(deep.value, {"m": {"l": [1]}}, "copy() is deep")
    ok("x" not in Record([1]) and Record([1])[0] == 1,
       "a record whose root is a list")
    raises(lambda: Record(5).keys(), TypeError, "keys() of a scalar root")
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    full = codec.decode(2, codec.encode(Record({
        "z": codec.zoned_value(0, 7, "Nowhere/X"),
        "p": datetime.datetime(2026, 3, 14, tzinfo=paris),
        "d": DecimalText("1.5e3"), "m": ListMap(a=Short(1)), "n": None,
        "f": Float(0.5), "c": Char("x")}, id="i", stages=["s"],
        attributes={"a": "b"}, error=("C", "m", "s", 1)), 2))
    back = pickle.loads(pickle.dumps(full, protocol=pickle.HIGHEST_PROTOCOL))
    is_eq(back, full, "a Record pickles")
    is_eq(codec.encode(back, 2), codec.encode(full, 2),
          "a pickled Record encodes to the same bytes (types, zones, text)")
    ok(type(back["m"]) is ListMap and type(back["m"]["a"]) is Short
       and back["z"].zone == "Nowhere/X" and back["d"].text == "1.5e3",
       "pickling keeps the typed classes")


# ------------------------------------------------------------ frames

def test_frames():
    is_eq(codec.crc32c(b"123456789"), 0xE3069283, "CRC-32C check value")
    try:
        import crc32c  # noqa: F401
        data = bytes(range(256)) * 40
        is_eq(codec.crc32c(data, 7), sr.crc32c(data, 7),
              "the crc32c package agrees with sdcrecord.crc32c")
    except ImportError:
        skip("the crc32c package agrees with sdcrecord.crc32c",
             "crc32c not installed (sdcrecord.crc32c is used)")
    p = codec.encode(Record({"a": 1}))
    is_eq(codec.frame(1, p), sr.frame_bytes(1, p), "frame() as sdcrecord")
    payloads = [codec.encode(Record({"n": i, "s": "x" * (i % 40)}))
                for i in range(100)]
    buf = b"".join(codec.frame(1, q) for q in payloads) + \
        codec.frame(2, b"") + codec.frame(42, b"zz")
    frames = codec.split_frames(buf)
    is_eq([(k, bytes(v)) for k, v in frames],
          [(1, q) for q in payloads] + [(2, b""), (42, b"zz")],
          "split_frames: kinds and payloads")
    for n in (1, 3, 4, 200):
        pieces = codec.chunks(buf, n)
        whole = all(b"".join(bytes(codec.frame(k, v)) for k, v in
                             codec.split_frames(piece)) == piece
                    for piece in pieces)
        sizes = [len(piece) for piece in pieces]
        ok(b"".join(pieces) == buf and whole and len(pieces) <= n
           and (n > 100 or max(sizes) < len(buf) / n + 200),
           f"chunks(buf, {n}): at most {n} even pieces of whole frames",
           sizes)
    is_eq(codec.chunks(b"", 4), [], "chunks of nothing")
    raises(lambda: codec.split_frames(buf[:-1]), ValueError,
           "split_frames: a truncated frame", "truncated frame")


def test_batches():
    frames = b"".join(codec.frame(1, codec.encode(Record({"n": i}, id=str(i),
                                                        stages=["a"])))
                      for i in range(5)) + codec.frame(42, b"x")
    recs = list(codec.decode_chunk(frames))
    is_eq([r["n"] for r in recs], list(range(5)),
          "decode_chunk: the data frames' records")
    recs.append(Record({"bad": Short(1 << 20)}, id="b"))
    recs.append({"plain": True})
    (count, blob), = codec.encode_results(recs)
    items = list(sr.read_stream(io.BytesIO(
        sr.stream_header() + bytes(blob) + sr.frame_bytes(5, sr.varint(7)))))
    is_eq(count, 7, "encode_results: one frame per result")
    is_eq([i.stages for i in items[:5]], [["a", "sdc-spark-eval"]] * 5,
          "encode_results: the stage appended")
    bad = items[5]
    is_eq((bad.kind, bad.error.code, bad.id, bad.root.type),
          ("error", "SPARK_BAD_RESULT", "b", "STRING"),
          "a result that cannot be encoded: SPARK_BAD_RESULT")
    ok("/bad" in bad.error.message, "its message names the path",
       bad.error.message)
    is_eq(sr.to_plain(items[6]), {"plain": True},
          "a plain value becomes a record's root")
    (count, blob), = codec.encode_errors([(recs[0], "too loud"), recs[1]])
    errs = list(sr.read_stream(io.BytesIO(
        sr.stream_header() + bytes(blob) + sr.frame_bytes(5, sr.varint(2)))))
    is_eq([(e.error.code, e.error.message, e.stages) for e in errs],
          [("SPARK_ERROR_RECORD", "too loud", ["a", "sdc-spark-eval"]),
           ("SPARK_ERROR_RECORD", "error record", ["a", "sdc-spark-eval"])],
          "encode_errors: error records with the message")
    is_eq(list(codec.encode_results([])), [], "an empty partition: no blob")


def lazy_records(payloads):
    """The records decode_chunk gives for DATA payloads (lazy ones)."""
    return list(codec.decode_chunk(b"".join(codec.frame(1, p)
                                            for p in payloads)))


def test_lazy():
    """Records of a batch decode when first used; untouched ones go out
    as they came in, the stage appended; touched ones are encoded."""
    seeds = [f.payload for _, mode, f in vector_frames()
             if mode == "roundtrip" and f.kind == 1]
    ok(len(seeds) > 50, "the vectors hold data frames", len(seeds))
    recs = lazy_records(seeds)
    same = [p for p, r in zip(seeds, recs)
            if codec.encode(r) != p or type(r) is Record]
    ok(not same, "untouched: their own payload, byte for byte, not decoded",
       *same[:3])
    eager = [codec.encode(codec.decode(1, p), stage="sdc-spark-eval")
             for p in seeds]
    got = [codec.encode(r, stage="sdc-spark-eval")
           for r in lazy_records(seeds)]
    is_eq(got, eager, "untouched, stage appended: as the decoded record's")
    touched = lazy_records(seeds)
    for r in touched:
        r.value
    ok(all(type(r) is Record for r in touched),
       "a record looked at becomes a plain Record")
    is_eq([codec.encode(r, stage="sdc-spark-eval") for r in touched], eager,
          "touched but unchanged: the same bytes")
    is_eq(list(map(repr, touched)), [repr(codec.decode(1, p)) for p in seeds],
          "touched: equal to the eagerly decoded records")

    p = codec.encode(Record({"rssi": None, "n": Short(3), "s": "x"},
                            id="a:1", stages=["x", "sdc-spark-eval"],
                            attributes={"k": "v"},
                            null_types={("rssi",): "LONG"}))
    r, = lazy_records([p])
    is_eq(codec.encode(r, stage="sdc-spark-eval"), p,
          "the stage already last: not appended again")
    r, = lazy_records([p])
    r["n"] = Short(4)
    want = codec.encode(Record({"rssi": None, "n": Short(4), "s": "x"},
                               id="a:1", stages=["x", "sdc-spark-eval"],
                               attributes={"k": "v"},
                               null_types={("rssi",): "LONG"}))
    is_eq(codec.encode(r), want, "a field set: re-encoded, null types kept")
    r, = lazy_records([p])
    is_eq(r.null_types, {("rssi",): "LONG"}, "null_types decodes it")
    changes = {
        "a value replaced": lambda r: r.__setitem__("s", "y"),
        "an equal value of another type": lambda r: r.__setitem__(
            "n", 3),
        "a key added": lambda r: r.__setitem__("t", 1),
        "a key removed and one added": lambda r: (r.pop("s"),
                                                  r.__setitem__("t", "x")),
        "the keys reordered": lambda r: r.update([("n", r.pop("n"))]),
        "a new root": lambda r: setattr(r, "value", dict(r.value)),
        "a stage added": lambda r: r.stages.append("y"),
        "the id": lambda r: setattr(r, "id", "b:2"),
        "an attribute": lambda r: r.attributes.update(k="w"),
        "a null type": lambda r: r.null_types.update({("rssi",): "INTEGER"}),
    }
    for what, change in changes.items():
        r, = lazy_records([p])
        r.value
        change(r)
        want = codec.encode(Record(dict(r.value), r.id, r.stages,
                                   r.attributes, r.null_types))
        is_eq(codec.encode(r), want, f"touched, {what}: re-encoded")
    flat = codec.encode(Record({"n": Short(3), "s": "x"}, id="a:1",
                               stages=["x"]))
    r, = lazy_records([flat])
    r["s"] = r["s"]
    ok(r._raw is not None and codec.encode(r, stage="z") ==
       codec.encode(codec.decode(1, flat), stage="z"),
       "touched, a flat map unchanged: written from its bytes")
    for what, change in changes.items():
        r, = lazy_records([flat])
        r.value
        change(r)
        want = codec.encode(Record(dict(r.value), r.id, r.stages,
                                   r.attributes, r.null_types))
        is_eq(codec.encode(r), want, f"flat map, {what}: re-encoded")
    r, = lazy_records([p])
    r.value
    ok(r._raw is None, "a record with nulls or attributes is not kept")
    q = codec.encode(Record({"d": -0.0, "b": True, "l": [1]}))
    r, = lazy_records([q])
    ok(r.value and r._raw is None, "a map holding a list is not kept as read")
    r, = lazy_records([codec.encode(Record({"d": -0.0, "b": True}))])
    r["d"], r["b"] = 0.0, 1
    is_eq(codec.decode(1, codec.encode(r)).value, {"d": 0.0, "b": 1},
          "equal values of other bits or types: re-encoded")
    ok(type(codec.decode(1, codec.encode(r)).value["b"]) is int and
       str(codec.decode(1, codec.encode(r)).value["d"]) == "0.0",
       "as the values given")
    r, = lazy_records([p])
    r.id = "b:2"
    is_eq(codec.decode(1, codec.encode(r)).id, "b:2",
          "the id set: decoded first, then set")
    r, = lazy_records([p])
    is_eq(("s" in r, len(r), r.get("n"), sorted(r)),
          (True, 3, 3, ["n", "rssi", "s"]), "the mapping methods decode it")
    r, = lazy_records([p])
    back = pickle.loads(pickle.dumps(r))
    ok(type(back) is not Record and codec.encode(back) == p,
       "pickled untouched: still lazy, the same bytes")
    is_eq(back, codec.decode(1, p), "and equal to the decoded record")
    r, = lazy_records([p])
    copy = r.copy()
    copy["s"] = "y"
    is_eq((r["s"], copy["s"]), ("x", "y"), "copy() decodes and copies")

    r, = lazy_records([payload(b"\x0e\x05ab")])
    raises(lambda: r.value, sr.Malformed, "malformed: raises when decoded",
           "truncated")
    r, = lazy_records([b"\x05ab"])
    raises(lambda: codec.encode(r, stage="s"), sr.Malformed,
           "malformed header: raises when encoded", "truncated")
    r, = lazy_records([p])
    (count, blob), = codec.encode_errors([(r, "no")])
    err, = sr.read_stream(io.BytesIO(sr.stream_header() + bytes(blob)
                                     + sr.frame_bytes(5, sr.varint(1))))
    is_eq((err.error.code, err.id, sr.plain_field(err.root)["s"]),
          ("SPARK_ERROR_RECORD", "a:1", "x"), "an untouched error record")


def main():
    for test in (test_vectors, test_mutations, test_malformed,
                 test_field_attributes, test_types,
                 test_zoned, test_nulls, test_encode_errors, test_numpy,
                 test_record, test_frames, test_batches, test_lazy):
        try:
            test()
        except Exception as e:  # a crash fails its group, not the run
            ok(False, f"{test.__name__} ran", f"{type(e).__name__}: {e}")
    print(f"1..{len(results)}")
    failed = skipped = 0
    for n, (passed, desc, detail, why) in enumerate(results, 1):
        if why:
            skipped += 1
            print(f"ok {n} - {desc} # SKIP {why}")
            continue
        print(f"{'ok' if passed else 'not ok'} {n} - {desc}")
        if not passed:
            failed += 1
            for line in detail:
                print(f"# {line}")
    print(f"# {len(results) - failed - skipped} passed, {failed} failed"
          + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
