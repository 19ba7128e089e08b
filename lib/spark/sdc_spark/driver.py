"""The Spark driver of sdc-spark-eval: python -m sdc_spark.driver.

sdc-spark-eval (the C program) starts this process and talks to it over
two record streams of sdc-record(5).  The input link, on fd 0: a stream
header, then per batch its data frames and one BATCH frame; C closes the
pipe at the end, maybe after an END frame.  The output link, on fd 3: a
stream header, one EVENT frame "sdc-spark-eval.ready" once Spark runs and
the transformer's init() returned, then per input batch its result and
error frames and one BATCH frame, in order, and an END frame.  Standard
output and error are a log that C keeps.

A batch is one Spark job: its frames are cut into --parallelism pieces,
decoded into Records on the executors, given to transform(), and the
results and errors encoded there, each task sending back one blob of
whole frames.  When transform() or the job fails, the batch's output is
one SPARK_BATCH_FAILED error frame, and the next batch goes on.  The job
that collects a batch's output runs in a thread of its own, so that the
next batch, when C has sent it, is read and given to transform() in the
meantime: two batches in the works, their output written in order.

A transformer java:CLASS runs in the JVM instead (sdc_spark.jvm): the
frames of each batch go to its Bridge, which does the same with the Java
codec, and the Python path above is not used.

Exit status: 0 at the end of the input; 1 when the transformer or Spark
cannot start, or the links break; 2 on a usage error.
"""

import argparse
import atexit
import collections
import concurrent.futures
import importlib
import importlib.util
import os
import pathlib
import shutil
import signal
import sys
import tempfile
import time
import traceback

from . import codec, jvm
from .record import Record
from .transformer import results_and_errors

PROG = "sdc-spark-eval"
READY_EVENT = "sdc-spark-eval.ready"
OUTPUT_FD = 3
READ_SIZE = 1 << 20
LOG4J_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "log4j2.properties")
SPARK_DEFAULTS = {
    "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}
# Executors of local masters import sdc_spark from the PYTHONPATH they
# inherit, so its daemon can start their Python workers (sdc_spark.daemon).
LOCAL_DEFAULTS = {
    "spark.python.daemon.module": "sdc_spark.daemon",
}
LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"  # see java_options()
MESSAGE_MAX = 1000


class StartError(Exception):
    """The transformer cannot be loaded: a message, no traceback."""


def log(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- options

def conf_pair(text: str) -> tuple:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"not KEY=VALUE: {text!r}")
    return key, value


def parse_args(argv) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m sdc_spark.driver",
        description="The Spark driver of sdc-spark-eval: record batches "
                    "in on fd 0, results out on fd 3.")
    p.add_argument("--transformer", required=True, metavar="SPEC",
                   help="module:Class, path/to/file.py:Class or java:CLASS")
    p.add_argument("--jar", action="append", default=[], metavar="FILE",
                   help="a jar for the class path of the driver and the "
                        "executors (repeatable)")
    p.add_argument("--sdc-jar", metavar="FILE",
                   help="sdc-spark.jar, for java:CLASS transformers")
    p.add_argument("--master", default="local[*]", metavar="URL")
    p.add_argument("--app-name", default=PROG, metavar="NAME")
    p.add_argument("--parallelism", type=int, default=4, metavar="N",
                   help="pieces each batch is cut into (default 4)")
    p.add_argument("--conf", type=conf_pair, action="append", default=[],
                   metavar="K=V", help="a Spark setting (repeatable)")
    p.add_argument("--param", action="append", default=[], metavar="ARG",
                   help="an argument of the transformer's init()")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.parallelism < 1:
        p.error("--parallelism must be at least 1")
    return args


# ---------------------------------------------------------------- loading

def load_transformer(spec: str):
    """The transformer class named by SPEC, and the file to ship, if any."""
    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name:
        raise StartError(f"bad transformer {spec!r}: expected module:Class "
                         f"or path/to/file.py:Class")
    if target.endswith(".py") or os.sep in target:
        module, path = _module_from_file(target), os.path.abspath(target)
    else:
        module = importlib.import_module(target)
        path = _single_file(module)
    cls = getattr(module, name, None)
    if cls is None:
        raise StartError(f"{target} has no {name}")
    if not isinstance(cls, type) or not callable(getattr(cls, "transform",
                                                         None)):
        raise StartError(f"{spec} is not a class with a transform() method")
    return cls, path


def _module_from_file(target: str):
    """Import a file by path, under its own name, so that the executors
    import the same name from the copy that addPyFile ships them."""
    path = os.path.abspath(target)
    if not os.path.isfile(path):
        raise StartError(f"{target}: no such file")
    name = os.path.splitext(os.path.basename(path))[0]
    known = sys.modules.get(name)
    if known is not None:
        if os.path.abspath(getattr(known, "__file__", "") or "") == path:
            return known
        raise StartError(f"{target}: the module name {name!r} is taken "
                         f"by {known!r}; rename the file")
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _single_file(module):
    """The file of a top-level one-file module, which the executors may
    not find on their path; None for packages and their modules."""
    path = getattr(module, "__file__", None)
    top_level = "." not in module.__name__
    is_package = hasattr(module, "__path__")
    if path and path.endswith(".py") and top_level and not is_package:
        return path
    return None


# ---------------------------------------------------------------- Spark

def prepare_environment() -> None:
    """What the JVM and the Python workers it starts must inherit.

    The workers run PYSPARK_PYTHON, "python3" by default: this python,
    with the packages it has (crc32c, numpy), is the one to run.  They
    must import sdc_spark, so its directory goes on their PYTHONPATH.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
             if p]
    if here not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([here] + paths)


def spark_conf(args, jars=()):
    from pyspark import SparkConf
    settings = dict(SPARK_DEFAULTS)
    if is_local(args.master):
        settings.update(LOCAL_DEFAULTS)
    user = dict(args.conf)
    options = java_options(args)
    if options:
        extra = user.get("spark.driver.extraJavaOptions")
        user["spark.driver.extraJavaOptions"] = \
            " ".join(options + ([extra] if extra else []))
    settings.update(user)
    jvm.add_class_path(settings, list(jars))
    conf = SparkConf()
    conf.setMaster(args.master).setAppName(args.app_name)
    for key, value in settings.items():
        conf.set(key, value)
    return conf


def java_options(args) -> list:
    """Options of the driver's JVM, ahead of the user's, which win.

    Spark logs before the SparkContext exists, so the quiet log
    configuration must reach the JVM's command line.  The JVM of a local
    master with a Python transformer mostly schedules tasks and moves
    bytes, which C1 compiles within a few batches; C2 would take a core
    for it through hundreds of batches, some 30 ms of each.
    """
    options = []
    if not args.verbose:
        options.append("-Dlog4j2.configurationFile=" +
                       pathlib.Path(LOG4J_CONFIG).as_uri())
    if is_local(args.master) and jvm.class_name(args.transformer) is None:
        options.append(LOCAL_JAVA_OPTIONS)
    return options


def is_local(master: str) -> bool:
    return master.startswith("local")


def start_spark(args, jars=()):
    from pyspark import SparkContext
    prepare_environment()
    sc = SparkContext(conf=spark_conf(args, jars))
    sc.setLogLevel("WARN" if args.verbose else "ERROR")
    return sc


def stop_spark(sc, verbose: bool) -> None:
    """Stop the SparkContext and wait for its JVM, which keeps our log's
    pipe open until it exits."""
    try:
        sc.stop()
    except Exception as e:  # the JVM may be gone already (SIGTERM)
        if verbose:
            log(f"stopping spark: {type(e).__name__}: {e}")
    proc = getattr(getattr(sc, "_gateway", None), "proc", None)
    if proc is None:
        return
    try:
        proc.stdin.close()  # the JVM exits when its stdin ends
        proc.wait(timeout=30)
    except Exception as e:
        if verbose:
            log(f"waiting for the JVM: {type(e).__name__}: {e}")


def ready_event(sc) -> bytes:
    value = {"spark_version": sc.version, "master": sc.master,
             "default_parallelism": sc.defaultParallelism,
             "app_id": sc.applicationId}
    event = (READY_EVENT, 1, time.time_ns() // 1_000_000)
    record = Record(value, stages=[PROG], event=event)
    return codec.frame(codec.KIND_EVENT, codec.encode(record,
                                                      codec.KIND_EVENT))


# ---------------------------------------------------------------- links

class Stopped(Exception):
    """SIGTERM or SIGINT came while waiting for input."""


class Signals:
    """SIGTERM and SIGINT end the run as the end of the input does.

    A signal interrupts a wait for input at once; during a batch it only
    takes note, so that the batch and its output are finished first.
    """

    def __init__(self):
        self.stopping = False
        self.waiting = False

    def install(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)

    def _handle(self, signum, _frame):
        self.stopping = True
        if self.waiting:
            raise Stopped(signal.Signals(signum).name)


class InputLink:
    """The batches of the input link, each the bytes of its data frames.

    Frames are found by their 9-byte headers; their checksums were
    checked by C and their payloads are decoded by the executors.
    """

    def __init__(self, fd: int, signals: Signals):
        self.fd = fd
        self.signals = signals
        self.buf = bytearray()
        self.eof = False

    def _fill(self) -> bool:
        """Read more; False at the end of the input."""
        if self.eof:
            return False
        self.signals.waiting = True
        try:
            if self.signals.stopping:
                raise Stopped("stopping")
            data = os.read(self.fd, READ_SIZE)
        finally:
            self.signals.waiting = False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def read_header(self) -> bool:
        """Check the stream header; False when the input is empty."""
        while len(self.buf) < 10 and self._fill():
            pass
        if not self.buf:
            return False
        header = bytes(self.buf[:10])
        if header != codec.stream_header():
            raise ValueError(f"the input link does not start with a "
                             f"record stream header: {header.hex(' ')}")
        del self.buf[:10]
        return True

    def batches(self):
        """Yield the bytes of each batch, up to the end of the input."""
        buf = self.buf
        start = pos = 0
        while True:
            while pos + 9 <= len(buf):
                kind = buf[pos]
                end = pos + 9 + int.from_bytes(buf[pos + 1:pos + 5], "little")
                if end > len(buf):
                    break
                if kind == codec.KIND_END:
                    self._left_over(pos - start)
                    return
                if kind == codec.KIND_BATCH:
                    batch = bytes(buf[start:pos])
                    start = pos = end
                    yield batch
                else:
                    pos = end
            del buf[:start]
            pos -= start
            start = 0
            if not self._fill():
                self._left_over(len(buf))
                return

    @staticmethod
    def _left_over(n: int) -> None:
        if n:
            log(f"the input link ends with {n} bytes after the last "
                f"batch: ignored")


class OutputLink:
    """The output link on fd 3: whole messages, one write each."""

    def __init__(self, fd: int):
        self.fd = fd
        self.frames = 0
        self.iov_max = _iov_max()

    def write(self, parts, frames: int) -> None:
        views = [memoryview(p) for p in parts if len(p)]
        while views:
            n = os.writev(self.fd, views[:self.iov_max])
            while views and n >= len(views[0]):
                n -= len(views[0])
                views.pop(0)
            if n:
                views[0] = views[0][n:]
        self.frames += frames

    def end(self) -> None:
        end = codec.frame(codec.KIND_END, codec._uvarint(self.frames))
        self.write([end], 0)
        os.close(self.fd)


def _iov_max() -> int:
    try:
        return max(1, os.sysconf("SC_IOV_MAX"))
    except (ValueError, OSError):
        return 16


def claim_output_fd() -> int:
    """fd 3, kept from the JVM and the workers; print() goes to the log."""
    try:
        os.fstat(OUTPUT_FD)
    except OSError:
        raise StartError(f"fd {OUTPUT_FD} is not open: this program is "
                         f"run by sdc-spark-eval") from None
    os.set_inheritable(OUTPUT_FD, False)
    sys.stdout = sys.stderr
    return OUTPUT_FD


# ---------------------------------------------------------------- batches

BATCH_FRAME = codec.frame(codec.KIND_BATCH, b"")


class Runner:
    """Runs the batches through the transformer, two Spark jobs at most
    at a time: while one batch's output is collected, the next one's
    transform() may run.  The output goes out in batch order."""

    def __init__(self, sc, transformer, args):
        self.sc = sc
        self.transformer = transformer
        self.parallelism = args.parallelism
        self.verbose = args.verbose
        self.number = 0

    def submit(self, data: bytes):
        """Start one batch: a function that waits for its output, as
        (parts, frame count) with the BATCH frame last."""
        self.number += 1
        number, started = self.number, time.perf_counter()
        if not data:
            return lambda: ([BATCH_FRAME], 1)
        try:
            collect = self._start(data)
        except Exception as e:  # the batch fails, the run goes on
            output = self._failed(e, number)
            return lambda: output
        return lambda: self._finish(collect, number, len(data), started)

    def _finish(self, collect, number: int, size: int, started: float):
        try:
            blobs = collect()
        except Exception as e:
            return self._failed(e, number)
        parts = [blob for _, blob in blobs] + [BATCH_FRAME]
        frames = sum(n for n, _ in blobs) + 1
        if self.verbose:
            log(f"batch {number}: {size} bytes in, {frames - 1} frames "
                f"out, {time.perf_counter() - started:.3f} s")
        return parts, frames

    def _failed(self, e: BaseException, number: int):
        message = self._describe(e)
        log(f"batch {number} failed: {message}")
        if self.verbose:
            traceback.print_exc()
        return [_failure_frame(message), BATCH_FRAME], 2

    def _start(self, data: bytes):
        """transform() of the batch: what collects its output.

        The output RDD's functions are pickled here (_jrdd), before the
        next batch's transform() runs, so that they capture the
        transformer's state as it was for this batch."""
        pieces = codec.chunks(data, self.parallelism)
        rdd = self.sc.parallelize(pieces, len(pieces)) \
            .flatMap(codec.decode_chunk)
        results, errors = results_and_errors(self.transformer.transform(rdd))
        tagged = None
        if results is not None:
            tagged = results.mapPartitions(codec.encode_results)
        if errors is not None:
            tagged_errors = errors.mapPartitions(codec.encode_errors)
            tagged = tagged_errors if tagged is None \
                else tagged.union(tagged_errors)
        if tagged is None:
            return list
        tagged._jrdd  # noqa: B018 (pickles the lineage now)
        return tagged.collect

    def _describe(self, e: BaseException) -> str:
        return failure_message(e)


class JvmRunner(Runner):
    """Runs the batches through a JVM transformer (sdc_spark.jvm), one
    at a time: its Bridge does the whole batch in one call."""

    def _start(self, data: bytes):
        blobs = self.transformer.run(codec.chunks(data, self.parallelism))
        return lambda: blobs

    def _describe(self, e: BaseException) -> str:
        line = jvm.java_message(e)
        if line is None:
            return failure_message(e)
        line = " ".join(line.split())
        return line if len(line) <= MESSAGE_MAX else \
            line[:MESSAGE_MAX - 3] + "..."


def _failure_frame(message: str) -> bytes:
    error = ("SPARK_BATCH_FAILED", message, PROG, time.time_ns() // 1_000_000)
    record = Record(None, stages=[PROG])
    payload = codec.encode(record, codec.KIND_ERROR, error=error)
    return codec.frame(codec.KIND_ERROR, payload)


def failure_message(e: BaseException) -> str:
    """One line: the exception, or for a failed Spark job the last line
    of the Python traceback of the executor, which names the cause."""
    line = _worker_error(str(e)) if _from_spark(e) else None
    if line is None:
        text = str(e)
        line = f"{type(e).__name__}: {text}" if text else type(e).__name__
    line = " ".join(line.split())
    return line if len(line) <= MESSAGE_MAX else line[:MESSAGE_MAX - 3] + \
        "..."


def _from_spark(e: BaseException) -> bool:
    module = type(e).__module__ or ""
    return module.startswith(("py4j", "pyspark"))


def _worker_error(text: str):
    at = text.rfind("Traceback (most recent call last):")
    if at < 0:
        return None
    for line in text[at:].splitlines()[1:]:
        if line and not line[0].isspace():
            return line
    return None


# ---------------------------------------------------------------- main

def ship_package(sc, master: str) -> None:
    """Executors elsewhere than on this machine import sdc_spark (the
    codec, the Record) from a zip of this package that Spark sends them;
    local ones have it on the PYTHONPATH they inherit."""
    if is_local(master):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    scratch = tempfile.mkdtemp(prefix="sdc-spark-")
    atexit.register(shutil.rmtree, scratch, True)
    zipped = shutil.make_archive(os.path.join(scratch, "sdc_spark"), "zip",
                                 os.path.dirname(here),
                                 os.path.basename(here))
    sc.addPyFile(zipped)


def start(args):
    """The SparkContext and the transformer, its init() done."""
    name = jvm.class_name(args.transformer)
    if name is not None:
        return start_jvm(args, name)
    cls, path = load_transformer(args.transformer)
    sc = start_spark(args, jvm.jar_paths(None, args.jar))
    try:
        ship_package(sc, args.master)
        if path:
            sc.addPyFile(path)
        transformer = cls()
        init = getattr(transformer, "init", None)
        if callable(init):
            init(sc, list(args.param))
        warm_up(sc, args.parallelism)
    except BaseException:
        stop_spark(sc, args.verbose)
        raise
    return sc, transformer


def warm_up(sc, parallelism: int) -> None:
    """Start Spark's Python workers, with the codec loaded, before the
    first batch, so that its time is its own (some 1.5 s otherwise);
    the time counts as Spark's start."""
    sc.parallelize([b""] * parallelism, parallelism) \
        .flatMap(codec.decode_chunk).count()


def start_jvm(args, name: str):
    """The SparkContext and a JVM transformer, its init() done."""
    if not name:
        raise StartError("bad transformer 'java:': expected java:CLASS")
    if args.sdc_jar is None:
        raise StartError("a java: transformer needs sdc-spark.jar "
                         "(--sdc-jar)")
    sc = start_spark(args, jvm.jar_paths(args.sdc_jar, args.jar))
    try:
        transformer = jvm.JvmTransformer(sc, name, args.param)
    except BaseException:
        stop_spark(sc, args.verbose)
        raise
    return sc, transformer


class Writer:
    """Writes the batches' output in order from a thread of its own, each
    as soon as it is ready, while the main thread reads the next batch
    and starts it.  sdc-spark-eval has two batches out at most, so at
    most two wait here."""

    def __init__(self, out: OutputLink):
        self.out = out
        self.pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="sdc-spark-output")
        self.pending = collections.deque()

    def put(self, wait_output) -> None:
        self.pending.append(self.pool.submit(self._write, wait_output))
        while self.pending and self.pending[0].done():
            self.pending.popleft().result()  # raises what the thread did

    def _write(self, wait_output) -> None:
        parts, frames = wait_output()
        self.out.write(parts, frames)

    def drain(self) -> None:
        """Wait until every output is written."""
        while self.pending:
            self.pending.popleft().result()
        self.pool.shutdown()


def serve(runner: Runner, link: InputLink, out: OutputLink,
          signals: Signals) -> int:
    """Answer the batches of the input link until its end or a signal."""
    writer = Writer(out)
    try:
        if not link.read_header():
            return 0
        for data in link.batches():
            writer.put(runner.submit(data))
            if signals.stopping:
                break
    except Stopped:
        pass
    except ValueError as e:  # a broken input link
        log(str(e))
        return 1
    finally:
        writer.drain()
    return 0


def shutdown(sc, transformer, out: OutputLink, verbose: bool) -> int:
    status = 0
    destroy = getattr(transformer, "destroy", None)
    if callable(destroy):
        try:
            destroy()
        except Exception:
            log("the transformer's destroy() failed:")
            traceback.print_exc()
            status = 1
    stop_spark(sc, verbose)
    out.end()
    return status


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        out_fd = claim_output_fd()
        sc, transformer = start(args)
    except (StartError, jvm.JvmStartError) as e:
        log(str(e))
        return 1
    except Exception:
        traceback.print_exc()
        return 1
    signals = Signals()
    signals.install()  # after SparkContext, which sets its own SIGINT
    out = OutputLink(out_fd)
    if args.verbose:
        log(f"Spark {sc.version}, master {sc.master}, "
            f"application {sc.applicationId}")
    try:
        out.write([codec.stream_header(), ready_event(sc)], 1)
        runner = JvmRunner if isinstance(transformer, jvm.JvmTransformer) \
            else Runner
        status = serve(runner(sc, transformer, args), InputLink(0, signals),
                       out, signals)
        return shutdown(sc, transformer, out, args.verbose) or status
    except BrokenPipeError:
        log("the output link was closed")
        stop_spark(sc, args.verbose)
        return 1


if __name__ == "__main__":
    sys.exit(main())
