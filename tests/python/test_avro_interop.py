#!/usr/bin/env python3
"""Interoperability of the avro format of sdc-convert with fastavro.

Prints TAP; exits 1 when any test failed.  fastavro writes container
files of every Avro type and logical type with each codec: sdc-convert
must read the values fastavro reads back.  sdc-convert writes them again,
with the schema and with one it derives: fastavro must read the same
values.  Datums in Confluent's framing are read with their schemas from
a schema registry, played by a small http.server here since no real one
is installed.  Needs fastavro: run by a python3 without it, the test runs
itself again with the project's virtual environment, and skips when
there is none.  fastavro needs backports.zstd for zstandard; without it,
the codec is registered here through the zstandard package.
"""

import base64
import datetime
import decimal
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
BUILD = os.environ.get("top_builddir") or os.path.join(HERE, "..", "..")
PROG = os.path.join(BUILD, "sdc-convert")

try:
    import fastavro
except ImportError:
    for py in (os.environ.get("SDC_SPARK_PYTHON"),
               os.path.join(os.environ.get("SDC_CACHE_DIR") or
                            os.path.expanduser("~/.cache/sdc-tools"),
                            "venv", "bin", "python")):
        if py and os.access(py, os.X_OK) and \
                os.path.realpath(py) != os.path.realpath(sys.executable):
            os.execv(py, [py] + sys.argv)
    print("1..0 # SKIP fastavro is missing")
    sys.exit(0)

UTC = datetime.timezone.utc
CODECS = ["null", "deflate", "snappy", "zstandard"]


def put_long(fo, n):
    n = (n << 1) ^ (n >> 63)
    while n >= 0x80:
        fo.write(bytes([n & 0x7f | 0x80]))
        n >>= 7
    fo.write(bytes([n]))


def get_long(fo):
    n = shift = 0
    while True:
        b = fo.read(1)[0]
        n |= (b & 0x7f) << shift
        shift += 7
        if b < 0x80:
            return (n >> 1) ^ -(n & 1)


def register_zstd():
    """The zstandard codec through the zstandard package, if need be."""
    try:
        fastavro.writer(io.BytesIO(), "int", [1], codec="zstandard")
        return
    except ValueError:
        pass
    import zstandard
    from fastavro import _read, _write

    def block_writer(fo, data, level):
        packed = zstandard.ZstdCompressor().compress(data)
        put_long(fo, len(packed))
        fo.write(packed)

    def block_reader(fo):
        packed = fo.read(get_long(fo))
        return io.BytesIO(zstandard.ZstdDecompressor().decompressobj()
                          .decompress(packed))

    _write.BLOCK_WRITERS["zstandard"] = block_writer
    _read.BLOCK_READERS["zstandard"] = block_reader


SCHEMA = {"type": "record", "name": "T", "namespace": "ns", "fields": [
    {"name": "b", "type": "boolean"},
    {"name": "i", "type": "int"},
    {"name": "l", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "s", "type": "string"},
    {"name": "by", "type": "bytes"},
    {"name": "n", "type": ["null", "string"]},
    {"name": "e", "type": {"type": "enum", "name": "E",
                           "symbols": ["A", "B"]}},
    {"name": "fx", "type": {"type": "fixed", "name": "F", "size": 3}},
    {"name": "a", "type": {"type": "array", "items": "int"}},
    {"name": "m", "type": {"type": "map", "values": "long"}},
    {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal",
                             "precision": 30, "scale": 2}},
    {"name": "decf", "type": {"type": "fixed", "name": "DF", "size": 8,
                              "logicalType": "decimal", "precision": 10,
                              "scale": 3}},
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
    {"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "rec", "type": ["null", {
        "type": "record", "name": "Node", "fields": [
            {"name": "v", "type": "int"},
            {"name": "next", "type": ["null", "Node"]}]}]},
    {"name": "gu", "type": ["int", "string", "null", "E"]},
]}


def records(n):
    out = []
    for k in range(n):
        out.append({
            "b": k % 2 == 0, "i": -5 * k, "l": (1 << 40) * k - 3,
            "f": 1.5 * k, "d": 2.25 / (k + 1), "s": "héllo %d" % k,
            "by": bytes([k % 256, 255, 0]), "n": None if k % 3 else "x",
            "e": "AB"[k % 2], "fx": b"abc",
            "a": list(range(k % 5)), "m": {"x%d" % j: j for j in range(k % 3)},
            "dec": decimal.Decimal("-12.34") * k,
            "decf": decimal.Decimal("1.500") - k,
            "date": datetime.date(2024, 1, 2) + datetime.timedelta(days=k),
            "tm": datetime.time(3, 4, 5, 6000),
            "tu": datetime.time(3, 4, 5, 123456),
            "tsm": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000,
                                     tzinfo=UTC),
            "tsu": datetime.datetime(1960, 1, 2, 3, 4, 5, 678901,
                                     tzinfo=UTC),
            "ltm": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000),
            "ltu": datetime.datetime(2024, 1, 2, 3, 4, 5, 678901),
            "u": str(uuid.UUID(int=k)),
            "rec": None if k % 2 else {"v": k, "next": {"v": 2,
                                                        "next": None}},
            "gu": [7, "str", None, "B"][k % 4],
        })
    return out


def plain(v):
    """A value as fastavro and the typed JSON alike give it."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.datetime) and v.tzinfo is not None:
        return v.astimezone(UTC).replace(tzinfo=None)
    return v


def parse_time(s):
    return datetime.time.fromisoformat(s)


def untyped(t):
    """The value of a typed JSON field (sdc-convert --to json --typed),
    without its field attributes (a decimal's precision and scale)."""
    (typ, v), = ((k, x) for k, x in t.items() if k != "attributes")
    if v is None:
        return None
    if typ == "LIST_MAP" or typ == "MAP":
        return {k: untyped(x) for k, x in v.items()}
    if typ == "LIST":
        return [untyped(x) for x in v]
    if typ == "BYTE_ARRAY":
        return base64.b64decode(v)
    if typ == "DECIMAL":
        return decimal.Decimal(v)
    if typ == "DATE":
        return datetime.date.fromisoformat(v)
    if typ == "TIME":
        return parse_time(v)
    if typ == "DATETIME":
        return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")) \
            .astimezone(UTC).replace(tzinfo=None)
    return v


def shell(cmd):
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd],
                       capture_output=True, check=False)
    return p.returncode, p.stdout, p.stderr.decode()


results = []


def ok(cond, desc, *detail):
    results.append((bool(cond), desc, detail))


def same(got, want, desc):
    if got == want:
        ok(True, desc)
        return
    detail = [f"{len(got)} values, want {len(want)}"]
    for g, w in zip(got, want):
        if g != w:
            for k in w if isinstance(w, dict) else []:
                if g.get(k) != w[k]:
                    detail.append(f"{k}: got {g.get(k)!r} want {w[k]!r}")
            break
    ok(False, desc, *detail)


def read_typed(cmd):
    rc, out, err = shell(cmd)
    return rc, [untyped(json.loads(line)["value"])
                for line in out.decode().splitlines()], err


def test_read(tmp):
    recs = records(50)
    for codec in CODECS:
        path = os.path.join(tmp, f"in-{codec}.avro")
        with open(path, "wb") as fo:
            fastavro.writer(fo, SCHEMA, recs, codec=codec, sync_interval=600)
        with open(path, "rb") as fo:
            want = [plain(r) for r in fastavro.reader(fo)]
        rc, got, err = read_typed(f"'{PROG}' --from avro '{path}' | "
                                  f"'{PROG}' --to json --typed")
        ok(rc == 0 and err == "", f"{codec}: sdc-convert reads fastavro's "
           "file", err)
        same(got, want, f"{codec}: every type reads as fastavro reads it")


def test_write(tmp):
    recs = records(50)
    src = os.path.join(tmp, "src.avro")
    with open(src, "wb") as fo:
        fastavro.writer(fo, SCHEMA, recs)
    with open(src, "rb") as fo:
        want = [plain(r) for r in fastavro.reader(fo)]
    schema = os.path.join(tmp, "s.avsc")
    with open(schema, "w") as f:
        json.dump(SCHEMA, f)
    for codec in CODECS:
        out = os.path.join(tmp, f"out-{codec}.avro")
        rc, _, err = shell(f"'{PROG}' --from avro '{src}' | '{PROG}' --to "
                           f"avro --avro-schema '{schema}' --avro-codec "
                           f"{codec} --avro-block-records 7 > '{out}'")
        ok(rc == 0 and err == "", f"{codec}: sdc-convert writes with the "
           "schema", err)
        try:
            with open(out, "rb") as fo:
                got = [plain(r) for r in fastavro.reader(fo)]
        except Exception as e:
            ok(False, f"{codec}: fastavro reads sdc-convert's file", str(e))
            continue
        same(got, want, f"{codec}: fastavro reads back every value")


def test_datums(tmp):
    recs = records(20)
    src = os.path.join(tmp, "src-datums.avro")
    with open(src, "wb") as fo:
        fastavro.writer(fo, SCHEMA, recs)
    with open(src, "rb") as fo:
        want = [plain(r) for r in fastavro.reader(fo)]
    schema = os.path.join(tmp, "s.avsc")
    with open(schema, "w") as f:
        json.dump(SCHEMA, f)
    parsed = fastavro.parse_schema(SCHEMA)
    for framing in ("--avro-datums", "--avro-confluent --avro-schema-id 9"):
        rc, out, err = shell(f"'{PROG}' --from avro '{src}' | '{PROG}' "
                             f"--to avro {framing} --avro-schema '{schema}'")
        ok(rc == 0 and err == "", f"{framing}: written", err)
        fo = io.BytesIO(out)
        got = []
        try:
            while fo.tell() < len(out):
                if "confluent" in framing and fo.read(5) != b"\0\0\0\0\x09":
                    raise ValueError("bad framing")
                got.append(plain(fastavro.schemaless_reader(fo, parsed)))
        except Exception as e:
            ok(False, f"{framing}: fastavro reads the datums", str(e))
            continue
        same(got, want, f"{framing}: fastavro reads every value")


def test_derived(tmp):
    lines = [
        '{"i":{"INTEGER":1},"l":{"LONG":2},"d":{"DOUBLE":0.5},'
        '"s":{"STRING":"x"},"b":{"BOOLEAN":true},"y":{"BYTE_ARRAY":"AAE="},'
        '"t":{"DATETIME":"2024-01-02T03:04:05.678Z"},'
        '"day":{"DATE":"2024-01-02"},"dec":{"DECIMAL":"1.25"},'
        '"n":{"STRING":null},"list":{"LIST":[{"LONG":1},{"LONG":2}]},'
        '"sub":{"LIST_MAP":{"a":{"STRING":"z"}}}}',
        '{"i":{"INTEGER":3},"l":{"LONG":null},"d":{"DOUBLE":1.5},'
        '"s":{"STRING":null},"b":{"BOOLEAN":false},"y":{"BYTE_ARRAY":""},'
        '"t":{"DATETIME":"1969-12-31T23:59:59.999Z"},'
        '"day":{"DATE":"1969-12-31"},"dec":{"DECIMAL":"-3.10"},'
        '"n":{"STRING":"now"},"list":{"LIST":[]},'
        '"sub":{"LIST_MAP":{"a":{"STRING":null}}}}',
    ]
    src = os.path.join(tmp, "derive.ndjson")
    with open(src, "w") as f:
        for line in lines:
            f.write(json.dumps({"kind": "data", "id": "x", "stages": [],
                                "attributes": {},
                                "value": {"LIST_MAP": json.loads(line)}})
                    + "\n")
    out = os.path.join(tmp, "derived.avro")
    rc, _, err = shell(f"'{PROG}' --from json --typed '{src}' | '{PROG}' "
                       f"--to avro --avro-codec deflate > '{out}'")
    ok(rc == 0 and err == "", "a schema derived from the first record", err)
    want = [plain(untyped({"LIST_MAP": json.loads(line)})) for line in lines]
    try:
        with open(out, "rb") as fo:
            got = [plain(r) for r in fastavro.reader(fo)]
    except Exception as e:
        ok(False, "fastavro reads the derived file", str(e))
        return
    same(got, want, "fastavro reads the values of the derived schema")


class Registry(http.server.BaseHTTPRequestHandler):
    """GET /schemas/ids/ID as a Confluent schema registry answers it."""
    schemas = {}

    def do_GET(self):
        prefix = "/schemas/ids/"
        key = self.path[len(prefix):] if self.path.startswith(prefix) else ""
        if key not in self.schemas:
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b'{"error_code":40403,"message":"not found"}')
            return
        body = json.dumps({"schema": json.dumps(self.schemas[key])})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def test_registry(tmp):
    small = {"type": "record", "name": "S", "fields": [
        {"name": "id", "type": "long"}, {"name": "when", "type": {
            "type": "long", "logicalType": "timestamp-millis"}}]}
    Registry.schemas = {"21": small, "22": SCHEMA}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    buf = io.BytesIO()
    want = []
    rec = records(3)
    for k in range(3):
        r = {"id": k, "when": datetime.datetime(2024, 1, 1, k, tzinfo=UTC)}
        buf.write(b"\0\0\0\0\x15")
        fastavro.schemaless_writer(buf, small, r)
        want.append(plain(r))
        buf.write(b"\0\0\0\0\x16")
        fastavro.schemaless_writer(buf, SCHEMA, rec[k])
        want.append(plain(rec[k]))
    buf.write(b"\0\0\0\0\x17\0")
    path = os.path.join(tmp, "framed.bin")
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    rc, out, err = shell(f"'{PROG}' --from avro --avro-confluent "
                         f"--avro-registry {url}/ '{path}' | '{PROG}' "
                         "--to json --typed")
    server.shutdown()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    got = [plain(untyped(x["value"])) for x in lines if x["kind"] == "data"]
    errors = [x["error"]["message"] for x in lines if x["kind"] == "error"]
    ok(rc == 0 and err == "", "framed datums read through the registry", err)
    same(got, want, "each datum read with the schema of its id")
    ok(len(errors) == 1 and "HTTP status 404" in errors[0] and
       "/schemas/ids/23" in errors[0],
       "an id the registry does not know is an error record", *errors)


def main():
    if not os.access(PROG, os.X_OK):
        print("1..0 # SKIP sdc-convert is not built")
        return 0
    register_zstd()
    with tempfile.TemporaryDirectory() as tmp:
        for test in (test_read, test_write, test_datums, test_derived,
                     test_registry):
            try:
                test(tmp)
            except Exception as e:
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
