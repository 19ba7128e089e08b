#!/usr/bin/env python3
"""Unit tests of sdcrecord.py, and of the examples of sdc-record(5).

Prints TAP; exits 1 when any test failed.  The byte strings here are
worked out by hand from the manual page, not produced by the encoder.
"""

import datetime
import io
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib", "spark"))

from sdc_spark import sdcrecord as sr  # noqa: E402

TOP = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
MAN_PAGE = os.path.join(TOP, "man", "sdc-record.5")

results = []


def ok(cond, desc, *detail):
    results.append((bool(cond), desc, detail))


def is_eq(got, want, desc):
    ok(got == want, desc, f"got:  {got!r}", f"want: {want!r}")


def raises(fn, exc, desc, text=None):
    try:
        fn()
    except exc as e:
        ok(text is None or str(e) == text, desc, f"message: {e}")
        return
    except Exception as e:  # the wrong exception is a failure
        ok(False, desc, f"raised {type(e).__name__}: {e}")
        return
    ok(False, desc, "nothing raised")


def record(value, **kw):
    return sr.Record("data", value, **kw)


def payload(value):
    """The payload of a record with an empty header around one field."""
    return b"\x00\x00\x00" + value


def test_checksum_and_values():
    is_eq(sr.crc32c(b"123456789"), 0xE3069283, "CRC-32C check value")
    is_eq(sr.crc32c(b""), 0, "CRC-32C of nothing")
    is_eq(sr.crc32c(b"6789", sr.crc32c(b"12345")), 0xE3069283,
          "CRC-32C continues across calls")
    for n, enc in ((0, "00"), (127, "7f"), (128, "8001"), (300, "ac02"),
                   ((1 << 64) - 1, "ffffffffffffffffff01")):
        is_eq(sr.varint(n).hex(), enc, f"varint {n}")
    for n, enc in ((0, "00"), (-1, "01"), (1, "02"), (-2, "03"),
                   (-(1 << 63), "ffffffffffffffffff01")):
        is_eq(sr.zigzag(n).hex(), enc, f"zigzag {n}")
    is_eq(sr._Cursor(bytes.fromhex("80808080808080808000")).varint(), 0,
          "a ten-byte varint is accepted")
    raises(lambda: sr._Cursor(b"\x80" * 10 + b"\x00").varint(),
           sr.Malformed, "an eleven-byte varint is malformed", "bad varint")


def test_fields():
    cases = [
        (sr.Field("BOOLEAN", True), "0101"),
        (sr.Field("CHAR", "\U0001F600"), "0280ec07"),
        (sr.Field("BYTE", -128), "0380"),
        (sr.Field("SHORT", -32768), "04ffff03"),
        (sr.Field("FLOAT", 1.5), "070000c03f"),
        (sr.Field("DOUBLE", -0.0), "080000000000000080"),
        (sr.Field("DECIMAL", "1.50"), "0904312e3530"),
        (sr.Field("DATE", -1), "0a01"),
        (sr.Field("TIME", 1), "0c01"),
        (sr.Field("ZONED_DATETIME", sr.Zoned(0, -3600, "X")), "0d009f380158"),
        (sr.Field("BYTE_ARRAY", b""), "0f00"),
        (sr.Field("LIST_MAP"), "92"),
        (sr.Field("LIST", [sr.Field("MAP", {"a": sr.Field("LONG", 1)}),
                           sr.Field("MAP", {"a": sr.Field("LONG", 2)})]),
         "1002110102610602110101" "0604"),
    ]
    for field, enc in cases:
        want = payload(bytes.fromhex(enc))
        got = sr.encode_record(record(field))
        is_eq(got.hex(), want.hex(), f"encode {field.type}")
        is_eq(sr.decode_record(1, want).root, field, f"decode {field.type}")


def test_malformed():
    for reason, data in (
            ("unknown field type", payload(b"\x00")),
            ("reserved bits set in a field type", payload(b"\x21\x00")),
            ("value out of range for its type",
             payload(b"\x05" + sr.zigzag(1 << 31))),
            ("bad key reference", payload(b"\x11\x01\x03\x81")),
            ("bad utf-8", payload(b"\x11\x01\x02\xff\x81")),
            ("bad utf-8", b"\x02\xed\xa0\x00\x00\x81"),
            ("duplicate key", b"\x00\x00\x02\x01k\x00\x01k\x00\x81"),
            ("truncated", b"\x00\x05")):
        raises(lambda: sr.decode_record(1, data), sr.Malformed,
               f"malformed: {reason} ({data.hex()})", reason)
    deep = payload(b"\x10\x01" * 127 + b"\x10\x00")
    is_eq(sr.decode_record(1, deep).root.type, "LIST",
          "128 levels of lists are accepted")
    deep_null = payload(b"\x10\x01" * 128 + b"\x90")
    ok(sr.decode_record(1, deep_null), "a null list at level 129 is fine")


def test_stream_reader():
    member = sr.stream_header() + sr.frame_bytes(sr.KIND_END, b"\x00")
    is_eq(list(sr.FrameReader(io.BytesIO(member + member))), [],
          "two empty members")
    is_eq(list(sr.FrameReader(io.BytesIO(b""))), [], "the empty stream")
    small = sr.FrameReader(io.BytesIO(sr.stream_header()
                                      + sr.frame_bytes(1, b"12345")), 4)
    raises(lambda: list(small), sr.StreamError, "a custom record size limit",
           "byte 10: frame of 5 bytes exceeds the record size limit (4)")
    for head, guess in ((b"a,b\n", "csv"), (b"\r\n {", "json"),
                        (b"ab\nc,d", "text"), (b"", "text")):
        is_eq(sr.guess_format(head), guess, f"guess {guess} for {head!r}")
    raises(lambda: list(sr.FrameReader(io.BytesIO(b"\x89SDC"))),
           sr.StreamError, "a prefix of the magic is a truncated header",
           "byte 0: truncated stream header")
    raises(lambda: list(sr.FrameReader(io.BytesIO(b"\x89SDc"))),
           sr.NotAStream, "a near miss of the magic is not a stream")


def test_dates():
    epoch = datetime.date(1970, 1, 1)
    for d in (datetime.date(1, 1, 1), datetime.date(1969, 12, 31),
              datetime.date(2000, 2, 29), datetime.date(9999, 12, 31)):
        days = (d - epoch).days
        is_eq(sr.days_from_civil(d.year, d.month, d.day), days, f"days {d}")
        is_eq(sr.format_date(days), d.isoformat(), f"format {d}")
    is_eq(sr.format_datetime(-1), "1969-12-31T23:59:59.999999Z",
          "one microsecond before the epoch")
    is_eq(sr.format_datetime(-1000), "1969-12-31T23:59:59.999Z",
          "one millisecond before the epoch")
    is_eq(sr.format_zoned(sr.Zoned(0, 19 * 60 + 32 - 3600, "")),
          "1969-12-31T23:19:32-00:40:28", "a negative offset with seconds")
    is_eq(sr.parse_zoned("1970-01-01T01:00:00.5+01:00[Europe/Paris]"),
          sr.Zoned(500000, 3600, "Europe/Paris"), "parse a zoned datetime")
    raises(lambda: sr.parse_date("2023-02-29"), sr.Malformed,
           "29 February of a common year")
    raises(lambda: sr.parse_time("24:00:00"), sr.Malformed, "hour 24")
    raises(lambda: sr.parse_zoned("2000-01-01T00:00:00+18:00:01"),
           sr.Malformed, "an offset beyond 18 hours")


def test_json():
    is_eq(sr.float_text(struct.unpack("<f", struct.pack("<f", 0.1))[0],
                        True), "0.1", "shortest FLOAT text")
    is_eq(sr.float_text(0.1), "0.1", "shortest DOUBLE text")
    is_eq(sr.float_text(-0.0, True), "-0.0", "negative zero keeps its sign")
    is_eq(sr.float_text(2.0), "2.0", "integral values get .0")
    raises(lambda: list(sr.loads_all('{"a":1,"a":2}')), sr.Malformed,
           "repeated JSON keys are rejected")
    raises(lambda: list(sr.loads_all('NaN')), sr.Malformed,
           "bare NaN is not JSON")
    raises(lambda: sr.from_typed({"kind": "data", "value": {"BYTE": 128}}),
           sr.Malformed, "BYTE 128 does not fit")
    raises(lambda: sr.from_typed({"kind": "data", "value": {"LONG": 1},
                                  "extra": 1}),
           sr.Malformed, "unknown keys are rejected")
    rec = sr.from_typed({"kind": "error", "id": "x", "error": {
        "code": "C", "message": "m", "stage": "s", "timestamp": 1500},
        "value": {"DECIMAL": "1.50"}})
    is_eq(sr.dumps(sr.to_plain(rec)),
          '{"@error":{"code":"C","message":"m","stage":"s",'
          '"timestamp":"1970-01-01T00:00:01.500Z","id":"x","record":1.50}}',
          "plain rendering of an error record")


def man_page_example():
    """The bytes of the first hex dump in EXAMPLES of the manual page."""
    with open(MAN_PAGE, encoding="utf-8") as f:
        text = f.read()
    section = text.split(".Sh EXAMPLES", 1)[1]
    block = section.split(".Bd -literal", 1)[1].split(".Ed", 1)[0]
    # Columns: the offset in 6, two spaces, the bytes in 23, the meaning.
    rows = block.splitlines()[2:]
    return bytes.fromhex(" ".join(row[8:31] for row in rows))


def test_man_page():
    if not os.path.exists(MAN_PAGE):
        ok(False, "the manual page exists", MAN_PAGE)
        return
    example = man_page_example()
    obj = {"kind": "data", "id": "a.csv:2", "stages": ["sdc-convert"],
           "attributes": {}, "value": {"LIST_MAP": {
               "name": {"STRING": "ann"}, "age": {"INTEGER": 31}}}}
    out = io.BytesIO()
    writer = sr.StreamWriter(out)
    writer.write(sr.from_typed(obj))
    writer.close()
    is_eq(example.hex(" "), out.getvalue().hex(" "),
          "the hex dump of sdc-record(5) is what the writer writes")
    items = list(sr.read_stream(io.BytesIO(example)))
    is_eq([sr.to_typed(i) for i in items], [obj],
          "the hex dump of sdc-record(5) reads back")


def main():
    for test in (test_checksum_and_values, test_fields, test_malformed,
                 test_stream_reader, test_dates, test_json, test_man_page):
        try:
            test()
        except Exception as e:  # a crash fails its group, not the run
            ok(False, f"{test.__name__} ran", f"{type(e).__name__}: {e}")
    print(f"1..{len(results)}")
    failed = 0
    for n, (passed, desc, detail) in enumerate(results, 1):
        print(f"{'ok' if passed else 'not ok'} {n} - {desc}")
        if not passed:
            failed += 1
            for line in detail:
                print(f"# {line}")
    print(f"# {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
