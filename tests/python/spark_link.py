#!/usr/bin/env python3
"""Play the C side of sdc-spark-eval, to test the Python driver alone.

    spark_link.py check [NAME...]   run the driver's checks, print TAP
    spark_link.py bench [SIZES]     records/s through an identity
                                    transformer, and a plain PySpark job

As a module, DriverLink starts `python -m sdc_spark.driver` as C does
(its own process group, the input link on its stdin, the output link on
fd 3, stdout and stderr to a log file), writes batches in the record
stream of sdc-record(5) and reads each batch's output back.  The input
is made with sdcrecord.py, the reference implementation, not with the
codec under test.  The driver's python is $SDC_SPARK_PYTHON, else the
venv of scripts/bootstrap.  Every run is bounded by a timeout, after
which the driver's process group is killed.

The transformers of the checks are the classes at the end of this file,
which the driver loads by path ("spark_link.py:Identity").
"""

import datetime
import io
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
LIB = os.path.abspath(os.path.join(TOP, "lib", "spark"))
sys.dont_write_bytecode = True  # keep the source tree clean
if LIB not in sys.path:
    sys.path.insert(0, LIB)

from sdc_spark import sdcrecord as sr  # noqa: E402

VENV_PYTHON = os.path.expanduser("~/.cache/sdc-tools/venv/bin/python")
THIS = os.path.abspath(__file__)
EXAMPLES = os.path.join(TOP, "lib", "spark", "examples")
STAGE = "sdc-spark-eval"


def driver_python() -> str:
    return os.environ.get("SDC_SPARK_PYTHON") or VENV_PYTHON


# ------------------------------------------------------------ the link

def data_frame(record: sr.Record) -> bytes:
    return sr.encode_frame(record)


def stream(frames) -> bytes:
    return sr.stream_header() + b"".join(frames)


def frames_of(data: bytes, pos: int = 0):
    """(kind, payload, end) of each whole frame of data from pos, no CRC
    check (check() verifies the whole output with sdcrecord)."""
    while pos + 9 <= len(data):
        kind = data[pos]
        end = pos + 9 + int.from_bytes(data[pos + 1:pos + 5], "little")
        if end > len(data):
            return
        yield kind, data[pos + 9:end], end
        pos = end


class LinkError(Exception):
    pass


class DriverLink:
    """One driver process, fed batch by batch."""

    def __init__(self, spec, params=(), conf=(), parallelism=None,
                 timeout=120, extra=()):
        self.timeout = timeout
        self.log = tempfile.TemporaryFile()
        out_r, out_w = os.pipe()
        # fd 3 of the driver is the write end of our output pipe: a shell
        # moves it there, since subprocess keeps fds only where they are.
        argv = ["/bin/sh", "-c", 'eval "exec 3>&$0 $0>&-"; exec "$@"',
                str(out_w), driver_python(), "-m", "sdc_spark.driver",
                "--transformer", spec]
        for p in params:
            argv += ["--param", p]
        for c in conf:
            argv += ["--conf", c]
        if parallelism:
            argv += ["--parallelism", str(parallelism)]
        argv += list(extra)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [LIB] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                     if p])
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=self.log, stderr=self.log,
            env=env, start_new_session=True, pass_fds=(out_w,))
        os.close(out_w)
        self.out_fd = out_r
        self.output = bytearray()   # everything read from fd 3
        self.pos = 10               # where the next unread frame starts
        self.deadline = time.monotonic() + timeout
        self.writer = None
        self.proc.stdin.write(sr.stream_header())
        self.proc.stdin.flush()

    # -- reading

    def _read_more(self) -> bool:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise LinkError("timed out")
        ready, _, _ = select.select([self.out_fd], [], [], left)
        if not ready:
            raise LinkError("timed out")
        data = os.read(self.out_fd, 1 << 20)
        if not data:
            return False
        self.output += data
        return True

    def _next_frame(self):
        while True:
            for kind, payload, end in frames_of(self.output, self.pos):
                self.pos = end
                return kind, payload
            if not self._read_more():
                raise LinkError("the output link ended early")

    def ready(self):
        """The ready event's record (sdcrecord), after the stream header."""
        while len(self.output) < 10:
            if not self._read_more():
                raise LinkError("no output: " + self.log_text()[-2000:])
        kind, payload = self._next_frame()
        if kind != sr.KIND_EVENT:
            raise LinkError(f"first frame of kind {kind}, not an event")
        return sr.decode_record(kind, payload)

    def batch_output(self):
        """The (kind, payload) frames of the next batch's output."""
        frames = []
        while True:
            kind, payload = self._next_frame()
            if kind == sr.KIND_BATCH:
                return frames
            frames.append((kind, bytes(payload)))

    # -- writing

    def send(self, data: bytes) -> None:
        """Write in a thread, so that a large input cannot block us."""
        self.wait_sent()
        self.writer = threading.Thread(target=self._write, args=(data,))
        self.writer.start()

    def _write(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def wait_sent(self):
        if self.writer:
            self.writer.join(max(0, self.deadline - time.monotonic()))
            self.writer = None

    def run_batch(self, frames):
        """Send one batch (its data frames) and return its output."""
        self.send(b"".join(frames) + sr.frame_bytes(sr.KIND_BATCH, b""))
        return self.batch_output()

    def close(self, end_frame=False):
        """End the input; return the exit status once the driver is done."""
        self.wait_sent()
        try:
            if end_frame:
                self.proc.stdin.write(sr.frame_bytes(sr.KIND_END, b"\x00"))
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        while self._read_more():
            pass
        return self.wait()

    def wait(self):
        try:
            return self.proc.wait(max(1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            raise LinkError("the driver did not exit in time") from None

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
            self.proc.wait()

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        os.close(self.out_fd)
        self.log.close()


def decoded(frames):
    """The output frames as sdcrecord Records (kind names in .kind)."""
    return [sr.decode_record(k, p) for k, p in frames]


def check_stream(output: bytes) -> list:
    """The items of the whole output link, checked by sdcrecord (CRCs, the
    END count); raises StreamError if it is broken."""
    return list(sr.read_stream(io.BytesIO(bytes(output))))


# ------------------------------------------------------------ records

def rec(value: dict, i=0, **header) -> sr.Record:
    """A data record whose root is a MAP of plain values."""
    return sr.Record("data", field(value), id=header.pop("id", f"t:{i}"),
                     **header)


def field(v) -> sr.Field:
    if v is None:
        return sr.Field("STRING")
    if isinstance(v, bool):
        return sr.Field("BOOLEAN", v)
    if isinstance(v, int):
        return sr.Field("LONG", v)
    if isinstance(v, float):
        return sr.Field("DOUBLE", v)
    if isinstance(v, str):
        return sr.Field("STRING", v)
    if isinstance(v, list):
        return sr.Field("LIST", [field(x) for x in v])
    if isinstance(v, dict):
        return sr.Field("MAP", {k: field(x) for k, x in v.items()})
    raise TypeError(v)


def plain(record: sr.Record):
    return sr.to_plain(record) if record.kind == "data" else \
        sr.to_plain(record)


SIGHTING_START = 1_773_489_600_000_000   # 2026-03-14T12:00:00Z in us


def sighting(i: int) -> sr.Record:
    """A sensor sighting: a MAP of ts DATETIME and five more fields."""
    return sr.Record("data", sr.Field("MAP", {
        "ts": sr.Field("DATETIME", SIGHTING_START + i * 37_000),
        "sensor_id": sr.Field("STRING", f"s-{i % 50:03d}"),
        "device_id": sr.Field("STRING", f"d-{(i * 7919) % 3000:05d}"),
        "rssi": sr.Field("LONG", -40 - (i * 13) % 50),
        "radio": sr.Field("STRING", "ble" if i % 3 == 0 else "wifi"),
        "channel": sr.Field("LONG", 1 + i % 11),
    }), id=f"sightings.csv:{i + 2}", stages=["sdc-convert"])


def vector_frames():
    """The record frames of the round-trip test vectors: every type."""
    vdir = os.path.join(TOP, "tests", "vectors")
    frames = []
    with open(os.path.join(vdir, "VECTORS")) as f:
        names = [line.split()[0] for line in f if " roundtrip " in line]
    for name in names:
        with open(os.path.join(vdir, name + ".sdc"), "rb") as f:
            for fr in sr.FrameReader(f):
                if fr.kind == sr.KIND_DATA:
                    frames.append(sr.frame_bytes(fr.kind, fr.payload))
    return frames


# ------------------------------------------------------------ checks

results = []


def ok(cond, desc, *detail):
    results.append((bool(cond), desc, detail))
    return bool(cond)


def is_eq(got, want, desc):
    return ok(got == want, desc, f"got:  {got!r}"[:2000],
              f"want: {want!r}"[:2000])


def run(spec, batches, params=(), **kw):
    """Run the driver on batches (lists of frames): (ready, outputs, status,
    whole output, log)."""
    with DriverLink(spec, params, **kw) as link:
        try:
            ready = link.ready()
            outputs = [link.run_batch(b) for b in batches]
            status = link.close()
        except LinkError as e:
            raise LinkError(f"{e}; log:\n{link.log_text()[-3000:]}") from None
        return ready, outputs, status, bytes(link.output), link.log_text()


def spec(name):
    return f"{THIS}:{name}"


def finish_checks(status, output, log, what):
    ok(status == 0, f"{what}: exit status 0", f"status {status}",
       log[-2000:])
    try:
        items = check_stream(output)
        ok(True, f"{what}: the output link is a complete stream")
    except sr.StreamError as e:
        ok(False, f"{what}: the output link is a complete stream", str(e))
        return []
    return items


def check_identity():
    batches = [[data_frame(rec({"n": i, "s": f"x{i}"}, i)) for i in range(5)],
               [], [data_frame(rec({"n": 9}, 9))]]
    ready, outs, status, output, log = run(spec("Identity"), batches)
    is_eq(ready.event.type, "sdc-spark-eval.ready", "ready event type")
    root = ready.root.value
    is_eq(sorted(root), ["app_id", "default_parallelism", "master",
                         "spark_version"], "ready event fields")
    is_eq(root["default_parallelism"].type, "LONG",
          "default_parallelism is a LONG")
    got = [sr.to_plain(r) for r in decoded(outs[0])]
    is_eq(got, [{"n": i, "s": f"x{i}"} for i in range(5)],
          "identity: the records, in order")
    is_eq([r.stages for r in decoded(outs[0])], [[STAGE]] * 5,
          "identity: the stage is appended")
    is_eq(outs[1], [], "an empty batch gives only its BATCH frame")
    is_eq([r.id for r in decoded(outs[2])], ["t:9"], "the third batch")
    items = finish_checks(status, output, log, "identity")
    is_eq(sum(isinstance(i, sr.Batch) for i in items), 3,
          "one BATCH frame per batch")
    # The JVM's own notice of --add-modules=jdk.incubator.vector, which
    # Spark's launcher adds, cannot be turned off.
    log = "\n".join(line for line in log.splitlines()
                    if not line.startswith("WARNING: Using incubator"))
    ok("WARN" not in log and "INFO" not in log,
       "no Spark chatter in the log without --verbose", log[-2000:])


def check_filter_and_reduce():
    frames = [data_frame(rec({"n": i, "key": "abc"[i % 3]}, i))
              for i in range(30)]
    _, outs, status, output, log = run(spec("KeepEven"), [frames])
    is_eq([sr.to_plain(r)["n"] for r in decoded(outs[0])],
          list(range(0, 30, 2)), "filter: the even records, in order")
    finish_checks(status, output, log, "filter")
    _, outs, status, output, log = run(spec("CountByKey"), [frames, frames])
    for n, out in enumerate(outs, 1):
        got = sorted((r["key"], r["count"])
                     for r in map(sr.to_plain, decoded(out)))
        is_eq(got, [("a", 10), ("b", 10), ("c", 10)],
              f"reduceByKey: counts of batch {n}")
    finish_checks(status, output, log, "reduceByKey")


def check_errors():
    frames = [data_frame(rec({"n": i, "bad": i % 4 == 0}, i))
              for i in range(8)]
    frames.append(data_frame(rec({"n": 99, "tiny": 1}, 99)))
    _, outs, status, output, log = run(spec("SplitBad"), [frames])
    recs = decoded(outs[0])
    data = [r for r in recs if r.kind == "data"]
    errors = [r for r in recs if r.kind == "error"
              and r.error.code == "SPARK_ERROR_RECORD"]
    is_eq([sr.to_plain(r)["n"] for r in data], [1, 2, 3, 5, 6, 7],
          "error records: the good ones are results")
    is_eq([(r.error.code, r.error.message, r.error.stage, r.id)
           for r in errors[:2]],
          [("SPARK_ERROR_RECORD", "bad record 0", STAGE, "t:0"),
           ("SPARK_ERROR_RECORD", "bad record 4", STAGE, "t:4")],
          "error records: code, message, stage, id")
    ok(recs.index(errors[0]) > recs.index(data[-1]),
       "error records come after the results")
    bad = next((r for r in recs if r.kind == "error"
                and r.error.code == "SPARK_BAD_RESULT"), None)
    ok(bad is not None and bad.error.code == "SPARK_BAD_RESULT"
       and "/tiny" in bad.error.message and "SHORT" in bad.error.message
       and bad.id == "t:99" and bad.root.type == "STRING",
       "a result that cannot be encoded is SPARK_BAD_RESULT",
       bad and sr.to_typed(bad))
    ok(all(abs(r.error.timestamp - time.time() * 1000) < 600_000
           for r in errors), "error timestamps are now")
    finish_checks(status, output, log, "error records")


def check_failures():
    batches = [[data_frame(rec({"n": i}, i)) for i in range(3)]
               for _ in range(4)]
    _, outs, status, output, log = run(spec("FailSome"), batches)
    is_eq(len(decoded(outs[0])), 3, "failures: batch 1 is fine")
    for n, text in ((1, "ValueError: transform fails on batch 2"),
                    (2, "ZeroDivisionError: integer division or modulo "
                        "by zero")):
        recs = decoded(outs[n])
        ok(len(recs) == 1 and recs[0].kind == "error"
           and recs[0].error.code == "SPARK_BATCH_FAILED"
           and recs[0].error.message == text
           and recs[0].root == sr.Field("STRING"),
           f"failures: batch {n + 1} is one SPARK_BATCH_FAILED: {text}",
           [sr.to_typed(r) for r in recs])
    is_eq(len(decoded(outs[3])), 3, "failures: batch 4 is fine again")
    finish_checks(status, output, log, "failures")


def check_types():
    frames = vector_frames()
    _, outs, status, output, log = run(spec("Identity"), [frames],
                                       parallelism=3)
    want = []
    for f in frames:
        r = sr.decode_record(f[0], f[9:])
        if not r.stages or r.stages[-1] != STAGE:
            r.stages.append(STAGE)
        want.append(sr.encode_record(r))
    got = [p for _, p in outs[0]]
    is_eq(len(got), len(want), "all types: as many records out as in")
    bad = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
    ok(not bad, "all types: every record comes back byte for byte "
       "(nulls, DECIMAL text, LIST_MAP order, zones, header)",
       *[f"record {i}: {sr.to_typed(sr.decode_record(1, got[i]))}"
         for i in bad[:3]])
    finish_checks(status, output, log, "all types")


def check_params_and_end_frame():
    with DriverLink(spec("Params"), ["a", "b c"]) as link:
        link.ready()
        out = link.run_batch([data_frame(rec({"n": 1}))])
        status = link.close(end_frame=True)
        is_eq(sr.to_plain(decoded(out)[0]).get("params"), ["a", "b c"],
              "init() gets the --param list, in order")
        is_eq(status, 0, "an END frame on the input is accepted")


def check_sigterm():
    with DriverLink(spec("Identity")) as link:
        link.ready()
        link.run_batch([data_frame(rec({"n": 1}))])
        os.kill(link.proc.pid, 15)
        while link._read_more():
            pass
        status = link.wait()
        is_eq(status, 0, "SIGTERM: exit status 0")
        try:
            items = check_stream(link.output)
            ok(len(items) == 3, "SIGTERM: the output ends with its END frame")
        except sr.StreamError as e:
            ok(False, "SIGTERM: the output ends with its END frame", str(e))


def check_bad_start():
    with DriverLink(spec("FailInit")) as link:
        status = link.close()
        log = link.log_text()
        is_eq(status, 1, "init() raising: exit status 1")
        ok("RuntimeError: no init for you" in log and "Traceback" in log,
           "init() raising: its traceback is in the log", log[-1500:])
        is_eq(bytes(link.output), b"", "init() raising: no output")
    with DriverLink(f"{THIS}:NoSuchClass") as link:
        status = link.close()
        is_eq(status, 1, "a missing class: exit status 1")
        ok("has no NoSuchClass" in link.log_text(),
           "a missing class is named in the log", link.log_text()[-500:])


def check_foot_traffic():
    zones = ["entrance", "food", "entrance", "shoes"]

    def batch(lo, hi):
        return [data_frame(rec({"zone": zones[i % 4], "device_id":
                                f"d{i % 5}", "store": "m1"}, i))
                for i in range(lo, hi)]
    no_zone = data_frame(rec({"device_id": "x"}, 100))
    _, outs, status, output, log = run(
        os.path.join(EXAMPLES, "foot_traffic.py") + ":FootTraffic",
        [batch(0, 8) + [no_zone], batch(8, 12)])
    first = {r["zone"]: r for r in map(sr.to_plain,
                                       decoded(outs[0])[:-1])}
    is_eq(first.get("entrance"), {"zone": "entrance", "sightings": 4,
                                  "total_sightings": 4, "devices": 4,
                                  "batch": 1},
          "foot traffic: batch 1, entrance")
    err = decoded(outs[0])[-1]
    is_eq((err.kind, err.error.message), ("error", "no zone"),
          "foot traffic: a record without a zone is an error")
    second = {r["zone"]: r for r in map(sr.to_plain, decoded(outs[1]))}
    is_eq(second.get("entrance"), {"zone": "entrance", "sightings": 2,
                                   "total_sightings": 6, "devices": 5,
                                   "batch": 2},
          "foot traffic: batch 2 adds to the state")
    is_eq(sorted(second), ["entrance", "food", "shoes"],
          "foot traffic: one record per zone touched")
    finish_checks(status, output, log, "foot traffic")


def anomaly_batch():
    """Three groups of ordinary devices (few, some and many sightings,
    with RSSI spreads and sensors to match) and two odd devices: few
    sightings, a wide RSSI spread, a sensor each.  ts is a DATETIME or
    epoch milliseconds, in turn."""
    groups = [(20, 4, -70, 1, 1), (20, 12, -50, 5, 3), (20, 24, -60, 10, 5),
              (2, 6, -50, 20, 6)]   # devices, sightings, rssi, swing, sensors
    frames = []
    i = 0
    device = 0
    for devices, sightings, rssi, swing, sensors in groups:
        for _ in range(devices):
            for k in range(sightings):
                ts = (sr.Field("DATETIME", SIGHTING_START + i * 1000) if i % 2
                      else sr.Field("LONG", SIGHTING_START // 1000 + i))
                value = {"ts": ts,
                         "device_id": sr.Field("STRING", f"dev{device}"),
                         "sensor_id": sr.Field("STRING", f"s{k % sensors}"),
                         "rssi": sr.Field("LONG", rssi + swing * (
                             (k + device) % 3 - 1))}
                frames.append(data_frame(sr.Record(
                    "data", sr.Field("MAP", value), id=f"a:{i}")))
                i += 1
            device += 1
    return frames


def check_anomalies():
    frames = anomaly_batch()
    small = frames[:8]   # 2 devices: fewer than k
    _, outs, status, output, log = run(
        os.path.join(EXAMPLES, "anomalies.py") + ":AnomalousDevices",
        [frames, small], params=["k=3", "n=3", "errors"])
    recs = decoded(outs[0])
    data = [sr.to_plain(r) for r in recs if r.kind == "data"]
    errors = [r for r in recs if r.kind == "error"]
    is_eq(len(data), len(frames), "anomalies: every record passes through")
    ok(all(r.root.value["anomaly"].type == "BOOLEAN"
           and r.root.value["anomaly_score"].type == "DOUBLE"
           for r in recs if r.kind == "data"),
       "anomalies: anomaly BOOLEAN and anomaly_score DOUBLE added")
    flagged = sorted({r["device_id"] for r in data if r["anomaly"]})
    is_eq(flagged, ["dev60", "dev61"], "anomalies: the odd devices flagged")
    ok(errors and all(r.error.message.startswith("anomalous device dev6")
                      for r in errors),
       "anomalies: flagged records also go out as errors (param errors)",
       [r.error.message for r in errors[:3]])
    small_out = [r.root.value for r in decoded(outs[1])]
    ok(len(small_out) == 8 and all(r["anomaly"].value is False
                                    and r["anomaly_score"].value == 0.0
                                    for r in small_out),
       "anomalies: a batch of fewer than k devices passes untouched")
    finish_checks(status, output, log, "anomalies")


CHECKS = {
    "identity": check_identity, "filter": check_filter_and_reduce,
    "errors": check_errors, "failures": check_failures,
    "types": check_types, "params": check_params_and_end_frame,
    "sigterm": check_sigterm, "start": check_bad_start,
    "foot_traffic": check_foot_traffic, "anomalies": check_anomalies,
}


def main_check(names):
    for name in names or CHECKS:
        started = time.monotonic()
        try:
            CHECKS[name]()
        except Exception as e:  # a crash fails its group, not the run
            ok(False, f"{name} ran", f"{type(e).__name__}: {e}")
        print(f"# {name}: {time.monotonic() - started:.1f} s", flush=True)
    print(f"1..{len(results)}")
    failed = 0
    for n, (passed, desc, detail) in enumerate(results, 1):
        print(f"{'ok' if passed else 'not ok'} {n} - {desc}")
        if not passed:
            failed += 1
            for item in detail:
                for line in str(item).splitlines():
                    print(f"# {line}")
    print(f"# {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


# ------------------------------------------------------------ bench

def bench_driver(sizes, rounds, parallelism):
    """Seconds per batch of each size through Identity, lockstep."""
    frames = {n: [data_frame(sighting(i)) for i in range(n)] for n in sizes}
    figures = {}
    with DriverLink(spec("Identity"), parallelism=parallelism,
                    timeout=900) as link:
        link.ready()
        link.run_batch(frames[sizes[0]])  # warm the workers up
        for n in sizes:
            data = b"".join(frames[n]) + sr.frame_bytes(sr.KIND_BATCH, b"")
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                link.send(data)
                out = link.batch_output()
                times.append(time.perf_counter() - started)
                if len(out) != n:
                    raise LinkError(f"{len(out)} frames out of {n}")
            figures[n] = times
        link.close()
    return figures


def bench_plain(sizes, rounds, parallelism):
    """The same records as JSON lines: textFile, map(json.loads), collect."""
    from pyspark import SparkConf, SparkContext
    conf = SparkConf().setMaster("local[*]").setAppName("plain-bench") \
        .set("spark.ui.enabled", "false") \
        .set("spark.ui.showConsoleProgress", "false")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    figures = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in sizes:
                path = os.path.join(tmp, f"{n}.jsonl")
                with open(path, "w") as f:
                    for i in range(n):
                        f.write(json.dumps(sr.to_plain(sighting(i))) + "\n")
                sc.textFile(path, parallelism).map(json.loads).collect()
                times = []
                for _ in range(rounds):
                    started = time.perf_counter()
                    got = sc.textFile(path, parallelism) \
                        .map(json.loads).map(_touch).collect()
                    times.append(time.perf_counter() - started)
                    assert len(got) == n
                figures[n] = times
    finally:
        sc.stop()
    return figures


def _touch(d):
    d["seen"] = True
    return d


def main_bench(argv):
    sizes = [int(a) for a in argv if a.isdigit()] or [1, 1000, 10000, 100000]
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    parallelism = int(os.environ.get("BENCH_PARALLELISM", "4"))
    print(f"# {rounds} rounds, parallelism {parallelism}, "
          f"{os.cpu_count()} cores; median and best seconds per batch")
    for label, fn in (("sdc-spark-eval identity", bench_driver),
                      ("plain pyspark json lines", bench_plain)):
        figures = fn(sizes, rounds, parallelism)
        for n, times in figures.items():
            times.sort()
            med, best = times[len(times) // 2], times[0]
            print(f"{label:26s} {n:7d} records: median {med:.3f} s "
                  f"({n / med:9.0f} rec/s), best {best:.3f} s "
                  f"({n / best:9.0f} rec/s)", flush=True)
    return 0


# ------------------------------------------------------------ transformers
# The driver loads these by path; only the standard library and sdc_spark
# at module level, so that the workers import this file cheaply.

try:
    from sdc_spark import Record, Short, Transformer
except ImportError:  # an old tree: the checks fail, the module loads
    Record = Short = Transformer = object


class Identity(Transformer):
    def transform(self, rdd):
        return rdd


def _is_even(r):
    return r["n"] % 2 == 0


class KeepEven(Transformer):
    def transform(self, rdd):
        return rdd.filter(_is_even), None


def _add(a, b):
    return a + b


class CountByKey(Transformer):
    def transform(self, rdd):
        counts = rdd.map(lambda r: (r["key"], 1)).reduceByKey(_add)
        return counts.map(lambda kv: Record({"key": kv[0], "count": kv[1]}))


def _shrink(r):
    if "tiny" in r:
        r["tiny"] = Short(1 << 20)  # out of the SHORT range
    return r


class SplitBad(Transformer):
    def transform(self, rdd):
        good = rdd.filter(lambda r: not r.get("bad")).map(_shrink)
        bad = rdd.filter(lambda r: r.get("bad")) \
            .map(lambda r: (r, f"bad record {r['n']}"))
        return good, bad


def _divide(r):
    r["q"] = 1 // (r["n"] - r["n"])
    return r


class FailSome(Transformer):
    batch = 0

    def transform(self, rdd):
        self.batch += 1
        if self.batch == 2:
            raise ValueError("transform fails on batch 2")
        if self.batch == 3:
            return rdd.map(_divide)   # fails in the executors
        return rdd


class Params(Transformer):
    def transform(self, rdd):
        params = self.params
        return rdd.map(lambda r: Record({"params": params}, r.id))


class FailInit(Transformer):
    def init(self, sc, params):
        raise RuntimeError("no init for you")

    def transform(self, rdd):
        return rdd


def main(argv):
    if argv[:1] == ["check"]:
        return main_check(argv[1:])
    if argv[:1] == ["bench"]:
        return main_bench(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
