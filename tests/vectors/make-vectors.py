#!/usr/bin/env python3
"""Regenerate the test vectors of sdc-record(5) in this directory.

    python3 tests/vectors/make-vectors.py [DIR]

(DIR defaults to the directory of this script.)

Writes NAME.sdc with NAME.json (valid streams), bad-NAME.sdc with
bad-NAME.expect (broken streams), and VECTORS, the list the runner
(tests/python/test_vectors.py) reads: one line per vector, "NAME MODE
description", where MODE is
    roundtrip  NAME.sdc decodes to NAME.json, which encodes to NAME.sdc
    decode     NAME.sdc decodes to NAME.json (not the canonical encoding)
    malformed  as decode; the frames become SDC_BAD_FRAME error records,
               compared by kind, code, message and value only
    bad        reading bad-NAME.sdc stops with bad-NAME.expect
The output depends on nothing but this file and
lib/spark/sdc_spark/sdcrecord.py.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib", "spark"))

from sdc_spark import sdcrecord as sr  # noqa: E402

END = sr.KIND_END


# ------------------------------------------------------------ typed JSON

def T(type_name, value):
    return {type_name: value}


def data(value, **header):
    return {"kind": "data", "id": header.get("id", ""),
            "stages": header.get("stages", []),
            "attributes": header.get("attributes", {}), "value": value}


def frames_of(type_name, *values):
    return [data(T(type_name, v)) for v in values]


def raw_stream(*frames, count=None):
    """One member around ready-made frames (kind, payload)."""
    body = b"".join(sr.frame_bytes(k, p) for k, p in frames)
    n = len(frames) if count is None else count
    return sr.stream_header() + body + sr.frame_bytes(END, sr.varint(n))


def payload_of(obj):
    return sr.encode_record(sr.from_typed(obj))


# ------------------------------------------------------------ valid vectors

MIN64, MAX64 = -(1 << 63), (1 << 63) - 1
DAY_1 = sr.days_from_civil(1, 1, 1)
DAY_9999 = sr.days_from_civil(9999, 12, 31)
US_DAY = sr.US_PER_DAY


def valid_vectors():
    v = {}
    v["boolean"] = ("BOOLEAN true and false",
                    frames_of("BOOLEAN", True, False))
    v["char"] = ("CHAR: ASCII, NUL, Latin-1, BMP, astral (U+1F600)",
                 frames_of("CHAR", "a", "\0", "\u00e9", "\u20ac",
                           "\U0001F600"))
    v["byte"] = ("BYTE bounds", frames_of("BYTE", 0, 1, -1, 127, -128))
    v["short"] = ("SHORT bounds",
                  frames_of("SHORT", 0, 300, -32768, 32767))
    v["integer"] = ("INTEGER bounds",
                    frames_of("INTEGER", 0, -(1 << 31), (1 << 31) - 1))
    v["long"] = ("LONG: zigzag of small and extreme values",
                 frames_of("LONG", 0, -1, 1, 63, -64, 64, MIN64, MAX64))
    v["float"] = ("FLOAT: ordinary, -0.0, NaN, infinities, smallest "
                  "subnormal, largest, integral",
                  frames_of("FLOAT", 1.5, 0.1, -0.0, "NaN", "Infinity",
                            "-Infinity", 1e-45, 3.4028234663852886e38,
                            16777216.0, -2.5e-10))
    v["double"] = ("DOUBLE: ordinary, -0.0, NaN, infinities, smallest "
                   "subnormal, largest, integral, large exponent",
                   frames_of("DOUBLE", 0.1, -0.0, "NaN", "Infinity",
                             "-Infinity", 5e-324, 1.7976931348623157e308,
                             3.0, 1e16, -123.456e-200))
    v["decimal"] = ("DECIMAL text kept exactly: trailing zeros, exponents, "
                    "more digits than a double",
                    frames_of("DECIMAL", "0", "-0", "1.50", "-1.50",
                              "12345678901234567890.123456789012345678",
                              "1e10", "-2.5E-3", "1.0e+2"))
    v["date"] = ("DATE: epoch, before it, year 1 and 9999, and out of "
                 "range (raw day numbers)",
                 frames_of("DATE", "1970-01-01", "1969-12-31", "2024-02-29",
                           "0001-01-01", "9999-12-31", DAY_1 - 1,
                           DAY_9999 + 1, MIN64))
    v["datetime"] = ("DATETIME: 0, 3 and 6 fraction digits, pre-1970, "
                     "out of range (raw microseconds)",
                     frames_of("DATETIME", "1970-01-01T00:00:00Z",
                               "2025-11-24T16:05:09.120Z",
                               "2025-11-24T16:05:09.123456Z",
                               "1969-12-31T23:59:59.999999Z",
                               "1901-12-13T20:45:52.001Z",
                               "0001-01-01T00:00:00Z",
                               "9999-12-31T23:59:59.999999Z",
                               MAX64, DAY_1 * US_DAY - 1))
    v["time"] = ("TIME: midnight, last microsecond, 3 and 6 digits",
                 frames_of("TIME", "00:00:00", "23:59:59.999999",
                           "12:30:00.500", "00:00:00.000001"))
    v["zoned-datetime"] = (
        "ZONED_DATETIME: zone, no zone, negative offset, offset with "
        "seconds, UTC, extreme offsets, out of range (object form)",
        frames_of("ZONED_DATETIME",
                  "2025-11-24T17:05:09+01:00[Europe/Paris]",
                  "2025-11-24T17:05:09.250+01:00",
                  "2025-11-24T11:05:09.123456-05:00[America/New_York]",
                  "1937-06-30T12:00:00+00:19:32[Europe/Amsterdam]",
                  "1969-12-31T23:00:00-00:00:30",
                  "2000-01-01T00:00:00+00:00[UTC]",
                  "2000-01-01T00:00:00+18:00", "2000-01-01T00:00:00-18:00",
                  {"us": MAX64, "offset": 3600, "zone": "Europe/Paris"},
                  {"us": DAY_1 * US_DAY, "offset": -60, "zone": ""}))
    v["string"] = ("STRING: empty, ASCII, UTF-8, characters JSON must escape",
                   frames_of("STRING", "", "hello",
                             "h\u00e9llo w\u00f6rld \u20ac \U0001F600",
                             "\0\x01\x1f\t\n\r\"\\/\x7f\u2028"))
    v["byte-array"] = ("BYTE_ARRAY: empty, one byte, all byte values",
                       frames_of("BYTE_ARRAY", "", "AA==",
                                 sr._b64(bytes(range(256)))))
    v["nulls"] = ("a null field of every type, as root and in a map",
                  [data(T(t, None)) for t in sr.TYPE_NAMES[1:]]
                  + [data(T("MAP", {t.lower(): T(t, None)
                                     for t in sr.TYPE_NAMES[1:]}))])
    v["nesting"] = ("containers: list of maps reusing keys (key references), "
                    "map in list in map, empty containers, LIST_MAP order",
                    nesting_frames())
    v["deep"] = ("128 nested lists, the deepest nesting allowed",
                 [data(deep_list(128))])
    v["header"] = ("record header: id, stages, attributes", header_frames())
    v["field-attributes"] = ("field attributes on scalars, nulls, strings "
                             "and containers, apart from the key table",
                             field_attribute_frames())
    v["error"] = ("error frames", error_frames())
    v["event"] = ("event frames", event_frames())
    v["batch"] = ("batch frames between data frames",
                  [data(T("LONG", 1)), {"kind": "batch"},
                   data(T("LONG", 2)), {"kind": "batch"}])
    v["unknown-kind"] = ("frames of kinds this version does not know pass "
                         "through (0x2a, 0x7f, 0x06)",
                         [{"kind": 42, "payload": "AQID"},
                          data(T("STRING", "between")),
                          {"kind": 127, "payload": ""},
                          {"kind": 6, "payload": sr._b64(b"\xff" * 40)}])
    v["empty-member"] = ("one member without frames: header and end frame",
                         [])
    return v


def nesting_frames():
    people = [T("MAP", {"name": T("STRING", n), "age": T("INTEGER", a)})
              for n, a in (("ann", 31), ("bob", 27), ("cy", 45))]
    inner = T("MAP", {"name": T("STRING", "in list"),
                      "list": T("LIST", [T("LONG", 1)])})
    return [
        data(T("LIST", people)),
        data(T("MAP", {"outer": T("LIST", [inner, T("BOOLEAN", True)]),
                       "name": T("STRING", "outer")})),
        data(T("LIST", [T("LIST", []), T("MAP", {}), T("LIST_MAP", {})])),
        data(T("LIST_MAP", {"zulu": T("LONG", 1), "alpha": T("LONG", 2),
                            "mike": T("LONG", 3)})),
        data(T("MAP", {"": T("STRING", "empty key"),
                       "k\u00e9y": T("MAP", {"": T("LONG", 0)})})),
    ]


def deep_list(levels):
    field = T("LIST", [])
    for _ in range(levels - 1):
        field = T("LIST", [field])
    return field


def A(type_name, value, **attributes):
    return {type_name: value, "attributes": attributes}


def field_attribute_frames():
    price = A("DECIMAL", "12.50", precision="10", scale="2")
    return [
        data(T("LIST_MAP", {"price": price,
                            "gone": A("DECIMAL", None, precision="5",
                                      scale="0"),
                            "name": A("STRING", "caf\u00e9",
                                      lang="fr", **{"": "empty key"})})),
        data(A("MAP", {"precision": A("LIST", [T("LONG", 1), price],
                                      n="2")}, source="x.avro")),
    ]


def header_frames():
    return [
        data(T("STRING", "x"), id="data.csv:2", stages=["sdc-convert"],
             attributes={"k": "v"}),
        data(T("MAP", {}), id="in\u00e9.json:7",
             stages=["sdc-convert", "sdc-filter", "sdc-convert"],
             attributes={"a": "1", "b": "", "cl\u00e9": "\u20ac",
                         "": "empty key"}),
    ]


def error_frames():
    return [
        {"kind": "error", "id": "data.csv:12", "stages": ["sdc-convert"],
         "attributes": {}, "error": {"code": "CSV_01",
                                     "message": "unterminated quoted field",
                                     "stage": "sdc-convert",
                                     "timestamp": 1764000000000},
         "value": T("MAP", {"line": T("STRING", "a,\"b")})},
        {"kind": "error", "id": "", "stages": [], "attributes": {"x": "y"},
         "error": {"code": "", "message": "", "stage": "",
                   "timestamp": -1},
         "value": T("BYTE_ARRAY", "3q2+7w==")},
    ]


def event_frames():
    return [
        {"kind": "event", "id": "", "stages": ["sdc-convert"],
         "attributes": {}, "event": {"type": "file-closed", "version": 1,
                                     "timestamp": 1764000000000},
         "value": T("MAP", {"file": T("STRING", "data.csv"),
                            "records": T("LONG", 12)})},
        {"kind": "event", "id": "e", "stages": [], "attributes": {},
         "event": {"type": "t", "version": (1 << 64) - 1,
                   "timestamp": MIN64},
         "value": T("MAP", None)},
    ]


# ------------------------------------------------------ decode-only vectors

def decode_vectors():
    """Streams the encoder never writes, with what readers make of them."""
    v = {}
    v["empty"] = ("zero bytes: a valid stream without frames", b"", [])
    one = data(T("LONG", 1), id="first")
    two = data(T("STRING", "second"), id="second")
    v["concatenated"] = ("two members one after the other (cat a.sdc b.sdc)",
                         canonical([one])
                         + canonical([two, {"kind": "batch"}]),
                         [one, two, {"kind": "batch"}])
    obj = data(T("MAP", {"k": T("LIST", [T("MAP", {"k": T("SHORT", 5)})])}))
    v["noncanonical"] = (
        "non-shortest varints and a key repeated in full: readers accept "
        "them", raw_stream((sr.KIND_DATA, noncanonical_payload())), [obj])
    v["batch-payload"] = ("a batch frame with payload bytes: ignored",
                          raw_stream((sr.KIND_BATCH, b"later")),
                          [{"kind": "batch"}])
    return v


def noncanonical_payload():
    # id "", 0 stages, 0 attributes (the last as a 2-byte varint), then
    # MAP{"k": LIST[MAP{"k" again in full: SHORT 5}]}
    return bytes([0x00, 0x00, 0x80, 0x00,
                  17, 0x01, 0x02, ord("k"),
                  16, 0x81, 0x00,
                  17, 0x01, 0x02, ord("k"), 4, 0x8a, 0x00])


def canonical(objs):
    return b"".join(stream_of(objs))


def stream_of(objs):
    items = [sr.from_typed(o) for o in objs]
    frames = [sr.encode_frame(i) for i in items]
    yield sr.stream_header()
    yield from frames
    yield sr.frame_bytes(END, sr.varint(len(frames)))


# ------------------------------------------------------ malformed payloads

def malformed_payloads():
    """(reason, payload) of DATA frames with a good checksum."""
    head = b"\x00\x00\x00"  # id "", no stages, no attributes
    return [
        ("truncated", head + b"\x0e\x05ab"),
        ("trailing bytes", head + b"\x06\x02\x00"),
        ("unknown field type", head + b"\x13"),
        ("reserved bits set in a field type", head + b"\x26\x02"),
        ("bad boolean", head + b"\x01\x02"),
        ("bad char", head + b"\x02" + sr.varint(0xD800)),
        ("value out of range for its type",
         head + b"\x04" + sr.zigzag(1 << 15)),
        ("value out of range for its type",
         head + b"\x05" + sr.zigzag(-(1 << 31) - 1)),
        ("time of day out of range", head + b"\x0c" + sr.varint(US_DAY)),
        ("zone offset out of range",
         head + b"\x0d\x00" + sr.zigzag(-64801) + b"\x00"),
        ("bad decimal", head + b"\x09\x0201"),
        ("bad utf-8", head + b"\x0e\x02\xc3\x28"),
        ("bad varint", head + b"\x06" + b"\xff" * 10 + b"\x01"),
        ("bad varint", head + b"\x06" + b"\xff" * 9 + b"\x02"),
        ("bad key reference", head + b"\x11\x01\x01\x81\x00"),
        ("duplicate key", head + b"\x11\x02\x02k\x81\x01\x81"),
        ("nesting deeper than 128", head + b"\x10\x01" * 128 + b"\x10\x00"),
        ("truncated", head + b"\x10\x05\x81"),
        ("truncated", head + b"\x06\x80"),
        ("truncated", head + b"\x11\x02\x01\x81\x00"),
        ("truncated", b""),
        ("field attributes flag without any", head + b"\x46\x00\x02"),
        ("duplicate key", head + b"\x46\x02\x01k\x01v\x01k\x01w\x02"),
        ("bad utf-8", head + b"\x46\x01\x02\xc3\x28\x00\x02"),
        ("truncated", head + b"\x46\x05\x01k\x01v\x02"),
    ]


def malformed_vector():
    frames, objs, offset = [], [], sr.STREAM_HEADER_LEN
    for reason, payload in malformed_payloads():
        frames.append((sr.KIND_DATA, payload))
        objs.append({"kind": "error", "id": f"malformed.sdc:byte {offset}",
                     "stages": [],
                     "attributes": {},
                     "error": {"code": "SDC_BAD_FRAME",
                               "message": f"byte {offset}: {reason}",
                               "stage": "sdc-convert", "timestamp": 0},
                     "value": T("BYTE_ARRAY", sr._b64(payload))})
        offset += sr.FRAME_HEADER_LEN + len(payload)
    good = data(T("STRING", "still read"))
    frames.append((sr.KIND_DATA, payload_of(good)))
    objs.append(good)
    return raw_stream(*frames), objs


# ------------------------------------------------------------ bad streams

def bad_vectors():
    """name -> (description, bytes, message)."""
    frame = sr.frame_bytes(sr.KIND_DATA, payload_of(data(T("LONG", 7))))
    header = sr.stream_header()
    good = raw_stream((sr.KIND_DATA, payload_of(data(T("LONG", 7)))))
    h, f = len(header), len(frame)
    limit = sr.DEFAULT_MAX_RECORD
    flipped = bytearray(header + frame + sr.frame_bytes(END, b"\x01"))
    flipped[h + f - 1] ^= 0x01
    return {
        "not-a-stream": ("CSV text", b"name,age\nann,31\n", None),
        "not-a-stream-json": ("JSON text after blanks", b" \n\t[{\"a\": 1}]\n",
                              None),
        "not-a-stream-text": ("plain text", b"hello world\n", None),
        "truncated-header": ("input ends inside the stream header",
                             header[:9], "byte 0: truncated stream header"),
        "newer-version": ("version 2", sr.MAGIC + b"\x02\x00" + frame,
                          "byte 0: record stream version 2 is newer than "
                          "this program supports (1)"),
        "version-zero": ("version 0, which never existed",
                         sr.MAGIC + b"\x00\x00" + frame,
                         "byte 0: bad stream header"),
        "flags": ("nonzero stream flags", sr.MAGIC + b"\x01\x80",
                  "byte 0: unknown stream flags 0x80"),
        "kind": ("a frame of kind 0x00 after a good frame",
                 header + frame + b"\x00" + frame[1:],
                 f"byte {h + f}: bad frame kind 0x00"),
        "oversized": ("a frame claiming 0xFFFFFFF0 payload bytes",
                      header + b"\x01\xf0\xff\xff\xff\x00\x00\x00\x00",
                      f"byte {h}: frame of 4294967280 bytes exceeds the "
                      f"record size limit ({limit})"),
        "checksum": ("a payload byte flipped", bytes(flipped),
                     f"byte {h}: checksum mismatch"),
        "truncated-frame": ("input ends inside a payload",
                            header + frame + frame[:-2],
                            f"byte {h + f}: truncated frame"),
        "truncated-frame-header": ("input ends inside a frame header",
                                   header + frame[:5],
                                   f"byte {h}: truncated frame"),
        "no-end": ("frames without the end frame", header + frame + frame,
                   f"byte {h + 2 * f}: truncated stream: no end frame"),
        "header-only": ("a stream header alone", header,
                        f"byte {h}: truncated stream: no end frame"),
        "end-count": ("the end frame counts 3 frames, there were 2",
                      header + frame + frame
                      + sr.frame_bytes(END, b"\x03"),
                      f"byte {h + 2 * f}: end frame counts 3 frames, "
                      f"the stream had 2"),
        "end-payload": ("an end frame with a byte after its count",
                        header + sr.frame_bytes(END, b"\x00\x00"),
                        f"byte {h}: bad end frame"),
        "unfinished-member": ("a member without end frame, then another "
                              "member (a writer was killed, then cat)",
                              header + frame + good,
                              f"byte {h + f}: truncated stream: no end frame"),
        "after-end": ("a frame after the end frame, without a stream header",
                      good + frame, f"byte {len(good)}: bad stream header"),
        "kind-high": ("a frame of kind 0xff", header + b"\xff" + frame[1:],
                      f"byte {h}: bad frame kind 0xff"),
        "second-member": ("a good member, then one with unknown flags",
                          good + sr.MAGIC + b"\x01\x01",
                          f"byte {len(good)}: unknown stream flags 0x01"),
    }


# ------------------------------------------------------------ writing

def json_lines(objs):
    items = [sr.from_typed(o) for o in objs]
    return "".join(sr.dumps(sr.to_typed(i)) + "\n" for i in items)


def write(name, data_bytes):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data_bytes)


def main():
    index = []
    for name, (desc, objs) in valid_vectors().items():
        write(name + ".sdc", canonical(objs))
        write(name + ".json", json_lines(objs).encode("utf-8"))
        index.append((name, "roundtrip", desc))
    for name, (desc, stream, objs) in decode_vectors().items():
        write(name + ".sdc", stream)
        write(name + ".json", json_lines(objs).encode("utf-8"))
        index.append((name, "decode", desc))
    stream, objs = malformed_vector()
    write("malformed.sdc", stream)
    write("malformed.json", json_lines(objs).encode("utf-8"))
    index.append(("malformed", "malformed",
                  "payloads with good checksums that break the record "
                  "encoding, then a good frame"))
    for name, (desc, stream, message) in bad_vectors().items():
        name = "bad-" + name
        if message is None:
            guess = sr.guess_format(stream)
            message = (f"{name}.sdc is not an sdc record stream "
                       f"(try: sdc-convert --from {guess})")
        write(name + ".sdc", stream)
        write(name + ".expect", f"4\n{message}\n".encode("utf-8"))
        index.append((name, "bad", desc))
    remove_stale({n for n, _, _ in index})
    lines = "".join(f"{n} {m} {d}\n" for n, m, d in index)
    write("VECTORS", lines.encode("utf-8"))


def remove_stale(names):
    for entry in os.listdir(OUT):
        stem, ext = os.path.splitext(entry)
        if ext in (".sdc", ".json", ".expect") and stem not in names:
            os.remove(os.path.join(OUT, entry))


if __name__ == "__main__":
    OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
    main()
