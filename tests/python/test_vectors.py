#!/usr/bin/env python3
"""Check the test vectors of sdc-record(5) against both implementations.

Prints TAP.  For every vector listed in tests/vectors/VECTORS it checks
the Python reader and writer (sdcrecord.py), then the C program
$top_builddir/sdc-convert; the C checks are reported as skipped when
that program has not been built.  Exits 1 when any check failed.
"""

import difflib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib", "spark"))

from sdc_spark import sdcrecord as sr  # noqa: E402


def vectors_dir() -> str:
    top = os.environ.get("top_srcdir")
    if top:
        return os.path.join(top, "tests", "vectors")
    return os.path.join(HERE, "..", "vectors")


VDIR = vectors_dir()


def c_program() -> str:
    build = os.environ.get("top_builddir")
    path = os.path.join(build, "sdc-convert") if build else ""
    return path if path and os.access(path, os.X_OK) else ""


# ------------------------------------------------------------ comparing

def _norm(v):
    """A value in which true != 1, 1 != 1.0 and key order counts."""
    if isinstance(v, dict):
        return ("object", tuple((k, _norm(x)) for k, x in v.items()))
    if isinstance(v, list):
        return ("array", tuple(_norm(x) for x in v))
    return (type(v).__name__, v)


def _norm_field(f):
    """As _norm, but FLOAT and DOUBLE numbers compared by their bits."""
    if not isinstance(f, dict) or len(f) != 1:
        return _norm(f)
    (t, v), = f.items()
    if t in ("FLOAT", "DOUBLE") and type(v) in (int, float):
        try:
            return (t, struct.pack("<f" if t == "FLOAT" else "<d", v))
        except OverflowError:
            return _norm(f)
    if t == "LIST" and isinstance(v, list):
        return (t, tuple(_norm_field(x) for x in v))
    if t in ("MAP", "LIST_MAP") and isinstance(v, dict):
        return (t, tuple((k, _norm_field(x)) for k, x in v.items()))
    return _norm(f)


def bad_frame_view(obj):
    """What SDC_BAD_FRAME records are compared by; other frames whole."""
    error = obj.get("error") if isinstance(obj, dict) else None
    if isinstance(error, dict) and error.get("code") == "SDC_BAD_FRAME":
        return {"kind": obj.get("kind"), "code": error.get("code"),
                "message": error.get("message"), "value": obj.get("value")}
    return obj


def norm_frame(obj):
    if not isinstance(obj, dict):
        return _norm(obj)
    return tuple((k, _norm_field(v) if k == "value" else _norm(v))
                 for k, v in obj.items())


def _keep_repeated_keys(pairs):
    obj = {}
    for key, value in pairs:
        while key in obj:
            key += " (repeated key)"
        obj[key] = value
    return obj


_LENIENT = json.JSONDecoder(object_pairs_hook=_keep_repeated_keys)


def parse_lines(text):
    """The JSON values of text, or an error message."""
    values, pos = [], 0
    try:
        while True:
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
            if pos == len(text):
                return values, None
            value, pos = _LENIENT.raw_decode(text, pos)
            values.append(value)
    except ValueError as e:
        return None, f"output is not JSON: {e}"


def compare_json(got_text, want_text, malformed=False):
    """None when equal, else diff lines."""
    got, err = parse_lines(got_text)
    want, _ = parse_lines(want_text)
    if err:
        return [err] + got_text.splitlines()[:5]
    if malformed:
        got = [bad_frame_view(o) for o in got]
        want = [bad_frame_view(o) for o in want]
    if [norm_frame(o) for o in got] == [norm_frame(o) for o in want]:
        return None
    g = [json.dumps(o, ensure_ascii=False) for o in got]
    w = [json.dumps(o, ensure_ascii=False) for o in want]
    diff = list(difflib.unified_diff(w, g, "expected", "got", lineterm=""))
    return diff or ["same text, different values (number types or bits)"]


def compare_bytes(got, want):
    if got == want:
        return None
    at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
              min(len(got), len(want)))
    return [f"got {len(got)} bytes, expected {len(want)}; first difference "
            f"at byte {at}",
            f"expected: {want[max(0, at - 8):at + 16].hex(' ')}",
            f"got:      {got[max(0, at - 8):at + 16].hex(' ')}"]


# ------------------------------------------------------------ the Python side

def read(name, mode="rb"):
    with open(os.path.join(VDIR, name), mode) as f:
        return f.read()


def py_decode(name):
    items = sr.read_stream(io.BytesIO(read(name + ".sdc")), name + ".sdc",
                           "sdc-convert")
    return "".join(sr.dumps(sr.to_typed(i)) + "\n" for i in items)


def py_encode(name):
    out = io.BytesIO()
    items = [sr.from_typed(o)
             for o in sr.loads_all(read(name + ".json").decode("utf-8"))]
    writer = sr.StreamWriter(out)
    for item in items:
        writer.write(item)
    writer.close()
    return out.getvalue()


def py_bad(name):
    expect = read(name + ".expect").decode("utf-8").splitlines()
    try:
        for _ in sr.read_stream(io.BytesIO(read(name + ".sdc")),
                                name + ".sdc"):
            pass
    except sr.StreamError as e:
        got = (e.describe(name + ".sdc") if isinstance(e, sr.NotAStream)
               else str(e))
        return None if got == expect[1] else [f"expected: {expect[1]}",
                                              f"got:      {got}"]
    return [f"no error; expected: {expect[1]}"]


# ------------------------------------------------------------ the C side

def run_c(prog, args):
    return subprocess.run([prog] + args, cwd=VDIR, capture_output=True,
                          timeout=60)


def status_diff(proc, want=0):
    if proc.returncode == want:
        return None
    return [f"exit status {proc.returncode}, expected {want}"] + \
        proc.stderr.decode("utf-8", "replace").splitlines()[:5]


def c_decode(prog, name, malformed=False):
    proc = run_c(prog, ["--to", "json", "--typed", name + ".sdc"])
    diff = None if malformed else status_diff(proc)
    return diff or compare_json(proc.stdout.decode("utf-8", "replace"),
                                read(name + ".json").decode("utf-8"),
                                malformed)


def c_encode(prog, name):
    proc = run_c(prog, ["--from", "json", "--typed", name + ".json"])
    return status_diff(proc) or compare_bytes(proc.stdout,
                                              read(name + ".sdc"))


def c_bad(prog, name):
    status, message = read(name + ".expect").decode("utf-8").splitlines()
    proc = run_c(prog, ["--to", "json", "--typed", name + ".sdc"])
    lines = proc.stderr.decode("utf-8", "replace").splitlines()
    got = lines[0] if lines else "(no message)"
    if message.startswith(name + ".sdc is not"):
        want = f"sdc-convert: {message}"
    else:
        want = f"sdc-convert: {name}.sdc: {message}"
    diff = []
    if proc.returncode != int(status):
        diff.append(f"exit status {proc.returncode}, expected {status}")
    if got != want:
        diff += [f"expected: {want}", f"got:      {got}"]
    return diff or None


# ------------------------------------------------------------ the suite

def load_index():
    index = []
    for line in read("VECTORS", "r").splitlines():
        name, mode, desc = line.split(" ", 2)
        index.append((name, mode, desc))
    return index


def check_listed(index):
    names = {n for n, _, _ in index}
    stray = sorted(e for e in os.listdir(VDIR)
                   if os.path.splitext(e)[1] in (".sdc", ".json", ".expect")
                   and os.path.splitext(e)[0] not in names)
    return [f"not in VECTORS: {e}" for e in stray] or None


def check_generated():
    """The committed vectors are what make-vectors.py writes today."""
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(VDIR, "make-vectors.py")
        proc = subprocess.run([sys.executable, script, tmp],
                              capture_output=True, timeout=120)
        if proc.returncode:
            return proc.stderr.decode("utf-8", "replace").splitlines()
        diff = []
        for entry in sorted(os.listdir(tmp)):
            with open(os.path.join(tmp, entry), "rb") as f:
                fresh = f.read()
            try:
                same = fresh == read(entry)
            except FileNotFoundError:
                same = False
            if not same:
                diff.append(f"{entry} differs from make-vectors.py output")
        return diff or None


def tests():
    """(description, check or None for a skip, skip reason)."""
    index = load_index()
    prog = c_program()
    skip = "sdc-convert not built"
    out = [("VECTORS lists every vector file", lambda: check_listed(index)),
           ("vectors are up to date with make-vectors.py", check_generated)]
    for name, mode, _desc in index:
        def bind(f, *a):
            return lambda: f(*a)
        if mode == "bad":
            out.append((f"python: {name}", bind(py_bad, name)))
            out.append((f"sdc-convert: {name}",
                        bind(c_bad, prog, name) if prog else skip))
            continue
        malformed = mode == "malformed"
        out.append((f"python: decode {name}",
                    bind(lambda n, m: compare_json(
                        py_decode(n), read(n + ".json").decode("utf-8"), m),
                        name, malformed)))
        out.append((f"sdc-convert: decode {name}",
                    bind(c_decode, prog, name, malformed) if prog else skip))
        if mode == "roundtrip":
            out.append((f"python: encode {name}",
                        bind(lambda n: compare_bytes(py_encode(n),
                                                     read(n + ".sdc")),
                             name)))
            out.append((f"sdc-convert: encode {name}",
                        bind(c_encode, prog, name) if prog else skip))
    return out


def main():
    cases = tests()
    print(f"1..{len(cases)}")
    failed = 0
    for n, (desc, check) in enumerate(cases, 1):
        if isinstance(check, str):
            print(f"ok {n} - {desc} # SKIP {check}")
            continue
        try:
            diff = check()
        except Exception as e:  # a crash is a failure of this case only
            diff = [f"{type(e).__name__}: {e}"]
        if diff:
            failed += 1
            print(f"not ok {n} - {desc}")
            for line in diff:
                print(f"# {line}")
        else:
            print(f"ok {n} - {desc}")
    print(f"# {len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
