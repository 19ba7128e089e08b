#!/usr/bin/env python3
"""Run the golden CLI tests and print TAP.

Each tests/cli/NAME.test file is one case:

    # what the case checks (first line, required)
    $ sdc-convert --from csv sightings.csv | sdc-convert --to json
    ? 0
    < a line given on standard input
    > a line expected on standard output
    ! a line expected on standard error

The command ("$ ", exactly one) runs with `bash -o pipefail -c` in
tests/cli/data, with the built programs first on PATH.  "? N" is the
expected exit status (required).  "< ", "> " and "! " lines are standard
input, expected standard output and expected standard error, each line
ending in a newline; a lone "<", ">" or "!" is an empty line.  Without
"<" lines standard input is /dev/null; without "!" lines standard error
must be empty.  Blank lines and further "#" lines are ignored.

The data directory may be read-only (make distcheck): a case that needs
to write files writes them under "$T", a fresh directory of its own.

Environment: top_srcdir and top_builddir (default: the tree this file is
in, and the current directory); VALGRIND_CMD, when set, wraps every
program.  Arguments: the .test files to run (default: all of them).
"""

import difflib
import os
import shutil
import signal
import subprocess
import sys
import tempfile

# Seconds a case may take; the Spark cases, which start JVMs, set more
# (tests/spark/run.sh) so that a loaded machine does not fail them.
TIMEOUT = int(os.environ.get("SDC_CASE_TIMEOUT", "60"))


class CaseError(Exception):
    pass


def parse_case(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].startswith("#"):
        raise CaseError("first line must be a '#' description")
    case = {"title": lines[0][1:].strip(), "cmd": None, "status": None,
            "stdin": None, "stdout": b"", "stderr": b""}
    streams = {"<": [], ">": [], "!": []}
    for n, line in enumerate(lines[1:], 2):
        parse_line(case, streams, line, n)
    if case["cmd"] is None:
        raise CaseError("no '$' command line")
    if case["status"] is None:
        raise CaseError("no '?' exit status line")
    if streams["<"]:
        case["stdin"] = "".join(streams["<"]).encode()
    case["stdout"] = "".join(streams[">"]).encode()
    case["stderr"] = "".join(streams["!"]).encode()
    return case


def parse_line(case, streams, line, n):
    if line == "" or line.startswith("#"):
        return
    tag, rest = line[0], line[1:]
    if rest and not rest.startswith(" "):
        raise CaseError("line %d: expected a space after '%s'" % (n, tag))
    rest = rest[1:]
    if tag in streams:
        streams[tag].append(rest + "\n")
    elif tag == "$":
        if case["cmd"] is not None:
            raise CaseError("line %d: a second '$' command line" % n)
        case["cmd"] = rest
    elif tag == "?":
        if case["status"] is not None or not rest.strip().isdigit():
            raise CaseError("line %d: bad '?' exit status line" % n)
        case["status"] = int(rest)
    else:
        raise CaseError("line %d: unknown line type '%s'" % (n, tag))


def valgrind_bin(builddir, tmp):
    """A directory of wrappers running each program under VALGRIND_CMD."""
    vg = os.environ.get("VALGRIND_CMD", "").strip()
    if not vg:
        return None
    wrap = os.path.join(tmp, "bin")
    os.mkdir(wrap)
    for name in sorted(os.listdir(builddir)):
        prog = os.path.join(builddir, name)
        if name.startswith("sdc-") and os.access(prog, os.X_OK) \
                and os.path.isfile(prog):
            with open(os.path.join(wrap, name), "w") as f:
                f.write('#!/bin/sh\nexec %s "%s" "$@"\n' % (vg, prog))
            os.chmod(os.path.join(wrap, name), 0o755)
    return wrap


def run_case(case, datadir, env, tmp):
    casedir = tempfile.mkdtemp(dir=tmp)
    env = dict(env, T=casedir)
    stdin = subprocess.PIPE if case["stdin"] is not None \
        else subprocess.DEVNULL
    p = subprocess.Popen(["bash", "-o", "pipefail", "-c", case["cmd"]],
                         cwd=datadir, env=env, stdin=stdin,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        out, err = p.communicate(case["stdin"], timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise CaseError("timed out after %d seconds" % TIMEOUT)
    finally:
        shutil.rmtree(casedir, ignore_errors=True)
    return p.returncode, out, err


def diff(name, want, got):
    a = want.decode("utf-8", "backslashreplace").splitlines(True)
    b = got.decode("utf-8", "backslashreplace").splitlines(True)
    lines = difflib.unified_diff(a, b, "expected " + name, "actual " + name)
    return ["# " + line.rstrip("\n") +
            ("" if line.endswith("\n") else "  (no newline at end)")
            for line in lines]


def check(case, status, out, err):
    problems = []
    if status != case["status"]:
        problems.append("# exit status %d, expected %d"
                        % (status, case["status"]))
    if out != case["stdout"]:
        problems += diff("stdout", case["stdout"], out)
    if err != case["stderr"]:
        problems += diff("stderr", case["stderr"], err)
    return problems


def environment(srcdir, builddir, wrapdir):
    env = dict(os.environ)
    path = ([wrapdir] if wrapdir else []) + [builddir]
    env["PATH"] = os.pathsep.join(path + [env.get("PATH", "/usr/bin:/bin")])
    env["LC_ALL"] = "C"
    env["TZ"] = "UTC"
    env["top_srcdir"] = srcdir
    env["top_builddir"] = builddir
    return env


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    srcdir = os.path.abspath(os.environ.get("top_srcdir") or
                             os.path.join(here, "..", ".."))
    builddir = os.path.abspath(os.environ.get("top_builddir") or ".")
    testdir = os.path.join(srcdir, "tests", "cli")
    datadir = os.path.join(testdir, "data")
    files = argv[1:] or sorted(os.path.join(testdir, f)
                               for f in os.listdir(testdir)
                               if f.endswith(".test"))
    print("1..%d" % len(files))
    failed = 0
    with tempfile.TemporaryDirectory(prefix="sdc-cli-") as tmp:
        env = environment(srcdir, builddir, valgrind_bin(builddir, tmp))
        for n, path in enumerate(files, 1):
            failed += not report(n, path, datadir, env, tmp)
    return 1 if failed else 0


def report(n, path, datadir, env, tmp):
    name = os.path.basename(path)
    case, title = None, ""
    try:
        case = parse_case(path)
        title = ": " + case["title"].replace("#", "\\#")
        problems = check(case, *run_case(case, datadir, env, tmp))
    except (CaseError, OSError) as e:
        problems = ["# " + str(e)]
    print("%s %d - %s%s" % ("not ok" if problems else "ok", n, name, title))
    if problems:
        if case:
            print("# $ " + case["cmd"])
        print("\n".join(problems))
    sys.stdout.flush()
    return not problems


if __name__ == "__main__":
    sys.exit(main(sys.argv))
