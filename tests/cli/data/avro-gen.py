#!/usr/bin/env python3
"""Make the avro-* inputs of the golden tests with fastavro.

Run from tests/cli/data with the project's virtual environment python:
    ~/.cache/sdc-tools/venv/bin/python avro-gen.py
The sync marker is fixed so that the files are the same on every run.
"""
import datetime
import decimal
import io
import json
import os

import fastavro
from fastavro import schemaless_writer

UTC = datetime.timezone.utc
SYNC = b"0123456789abcdef"


def write(name, schema, recs, codec="null", **kw):
    with open(name, "wb") as fo:
        fastavro.writer(fo, schema, recs, codec=codec, sync_marker=SYNC, **kw)


def dump(schema, name):
    with open(name, "w") as f:
        json.dump(schema, f)


PRIM = {"type": "record", "name": "P", "fields": [
    {"name": "b", "type": "boolean"}, {"name": "i", "type": "int"},
    {"name": "l", "type": "long"}, {"name": "f", "type": "float"},
    {"name": "d", "type": "double"}, {"name": "s", "type": "string"},
    {"name": "y", "type": "bytes"}, {"name": "n", "type": "null"}]}
COMPLEX = {"type": "record", "name": "C", "namespace": "x.y", "fields": [
    {"name": "e", "type": {"type": "enum", "name": "Color",
                           "symbols": ["RED", "GREEN"]}},
    {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
    {"name": "a", "type": {"type": "array", "items": "string"}},
    {"name": "m", "type": {"type": "map", "values": ["null", "int"]}},
    {"name": "opt", "type": ["null", "long"]},
    {"name": "u", "type": ["string", "double", "Color"]},
    {"name": "list", "type": ["null", {
        "type": "record", "name": "Cell", "fields": [
            {"name": "v", "type": "int"},
            {"name": "next", "type": ["null", "Cell"]}]}]}]}
LOGICAL = {"type": "record", "name": "L", "fields": [
    {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal",
                             "precision": 20, "scale": 3}},
    {"name": "decf", "type": {"type": "fixed", "name": "D6", "size": 6,
                              "logicalType": "decimal", "precision": 12,
                              "scale": 2}},
    {"name": "date", "type": {"type": "int", "logicalType": "date"}},
    {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
    {"name": "tu", "type": {"type": "long", "logicalType": "time-micros"}},
    {"name": "tsm", "type": {"type": "long",
                             "logicalType": "timestamp-millis"}},
    {"name": "tsu", "type": {"type": "long",
                             "logicalType": "timestamp-micros"}},
    {"name": "ltm", "type": {"type": "long",
                             "logicalType": "local-timestamp-millis"}},
    {"name": "ltu", "type": {"type": "long",
                             "logicalType": "local-timestamp-micros"}},
    {"name": "uuid", "type": {"type": "string", "logicalType": "uuid"}}]}
SMALL = {"type": "record", "name": "S", "fields": [
    {"name": "id", "type": "long"}, {"name": "name", "type": "string"}]}


def basics():
    write("avro-primitives.avro", PRIM, [
        {"b": True, "i": -7, "l": 1 << 40, "f": 0.5, "d": -2.25,
         "s": "h\u00e9", "y": b"\x00\x01", "n": None},
        {"b": False, "i": 2147483647, "l": -9223372036854775808,
         "f": -1e10, "d": 1e-300, "s": "", "y": b"", "n": None}])
    write("avro-complex.avro", COMPLEX, [
        {"e": "GREEN", "fx": b"abcd", "a": ["p", "q"],
         "m": {"k": 1, "z": None}, "opt": None, "u": "s",
         "list": {"v": 1, "next": {"v": 2, "next": None}}},
        {"e": "RED", "fx": b"\xff\xfe\xfd\xfc", "a": [], "m": {}, "opt": 5,
         "u": 1.5, "list": None},
        {"e": "RED", "fx": b"0000", "a": ["r"], "m": {"a": 3}, "opt": -1,
         "u": "GREEN", "list": None}])
    write("avro-logical.avro", LOGICAL, [{
        "dec": decimal.Decimal("-1234567890.125"),
        "decf": decimal.Decimal("99.01"),
        "date": datetime.date(2024, 2, 29),
        "tm": datetime.time(23, 59, 59, 999000),
        "tu": datetime.time(0, 0, 0, 1),
        "tsm": datetime.datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC),
        "tsu": datetime.datetime(1969, 12, 31, 23, 59, 59, 999999,
                                 tzinfo=UTC),
        "ltm": datetime.datetime(2024, 1, 2, 3, 4, 5),
        "ltu": datetime.datetime(2024, 1, 2, 3, 4, 5, 7),
        "uuid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}])
    dump(PRIM, "avro-primitives.avsc")
    dump(COMPLEX, "avro-complex.avsc")
    dump(LOGICAL, "avro-logical.avsc")
    dump(SMALL, "avro-small.avsc")


def codecs_and_damage():
    recs = [{"id": i, "name": "n%d" % i} for i in range(5)]
    for c in ["null", "deflate", "snappy"]:
        write(f"avro-codec-{c}.avro", SMALL, recs, codec=c, sync_interval=1)
    buf = io.BytesIO()
    fastavro.writer(buf, SMALL, recs, sync_marker=SYNC, sync_interval=1)
    raw = buf.getvalue()
    header_end = raw.index(SYNC) + 16
    second = raw.index(SYNC, raw.index(SYNC, header_end) + 16)
    bad = bytearray(raw)
    bad[second] = ord("X")
    with open("avro-bad-sync.avro", "wb") as f:
        f.write(bad)
    with open("avro-truncated.avro", "wb") as f:
        f.write(raw[:-10])
    bad = bytearray(raw)
    bad[header_end:header_end + 10] = b"\xff" * 10
    with open("avro-bad-varint.avro", "wb") as f:
        f.write(bad)
    bad = bytearray(raw)
    bad[header_end + 3] = 0x0a  # the first record's name: 5 bytes, not 2
    with open("avro-bad-datum.avro", "wb") as f:
        f.write(bad)
    with open("avro-not-a-container.avro", "wb") as f:
        f.write(b"hello world\n")
    return recs


def resolution():
    writer = {"type": "record", "name": "R", "fields": [
        {"name": "a", "type": "int"}, {"name": "gone", "type": "string"},
        {"name": "f", "type": "float"}, {"name": "s", "type": "string"},
        {"name": "e", "type": {"type": "enum", "name": "E",
                               "symbols": ["X", "Y", "NEW"]}},
        {"name": "n", "type": "int"}]}
    write("avro-resolve.avro", writer, [
        {"a": 1, "gone": "bye", "f": 0.5, "s": "txt", "e": "Y", "n": 3},
        {"a": -2, "gone": "", "f": 2.0, "s": "", "e": "NEW", "n": 4}])
    reader = {"type": "record", "name": "R", "fields": [
        {"name": "a", "type": "long"}, {"name": "f", "type": "double"},
        {"name": "s", "type": "bytes"},
        {"name": "e", "type": {"type": "enum", "name": "E",
                               "symbols": ["X", "Y", "OTHER"],
                               "default": "OTHER"}},
        {"name": "n", "type": ["null", "double"]},
        {"name": "added", "type": "string", "default": "dflt"},
        {"name": "arr", "type": {"type": "array", "items": "int"},
         "default": [1, 2]}]}
    dump(reader, "avro-resolve-reader.avsc")
    dump({"type": "record", "name": "R", "fields": [
        {"name": "a", "type": "boolean"}]}, "avro-resolve-bad.avsc")


def datums(recs):
    buf = io.BytesIO()
    for r in recs[:3]:
        schemaless_writer(buf, SMALL, r)
    with open("avro-datums.bin", "wb") as f:
        f.write(buf.getvalue())
    os.makedirs("avro-schemas", exist_ok=True)
    dump(SMALL, "avro-schemas/7.avsc")
    dump(PRIM, "avro-schemas/8.avsc")
    buf = io.BytesIO()
    for r in recs[:2]:
        buf.write(b"\0\0\0\0\7")
        schemaless_writer(buf, SMALL, r)
    buf.write(b"\0\0\0\0\x08")
    schemaless_writer(buf, PRIM, {"b": True, "i": 1, "l": 2, "f": 0.5,
                                  "d": 1.5, "s": "p", "y": b"", "n": None})
    buf.write(b"\0\0\0\0\x09\2")  # id 9 has no schema
    with open("avro-confluent.bin", "wb") as f:
        f.write(buf.getvalue())


basics()
datums(codecs_and_damage())
resolution()
