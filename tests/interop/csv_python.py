#!/usr/bin/env python3
"""sdc-convert's CSV against Python's csv module, an independent reader
and writer of the same dialects.

For each dialect, random rows of awkward cells (delimiters, quotes, line
breaks, spaces at the ends, non-ASCII text, empty cells) are written by
Python and read by sdc-convert, and written by sdc-convert and read by
Python; the values must be the same both ways.  Where both quote every
cell the bytes must be the same too.  Prints TAP.
"""

import csv
import io
import json
import os
import random
import subprocess
import sys

BUILD = os.environ.get("top_builddir") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
CONVERT = os.path.join(BUILD, "sdc-convert")

ALPHABET = ["a", "b", "Z", "0", "7", " ", ",", ";", "\t", '"', "'", "\n",
            "\r\n", "\\", "é", "漢", "|", "-", "."]

# name, Python's dialect options, sdc-convert's options for the same
DIALECTS = [
    ("RFC 4180 / excel", dict(delimiter=",", quotechar='"',
                              lineterminator="\r\n"), []),
    ("excel-tab", dict(delimiter="\t", quotechar='"', lineterminator="\n"),
     ["--tsv"]),
    ("semicolons and single quotes",
     dict(delimiter=";", quotechar="'", lineterminator="\n"),
     ["--delimiter", ";", "--quote", "'"]),
    ("pipes, LF", dict(delimiter="|", quotechar='"', lineterminator="\n"),
     ["-d", "|"]),
]

failures = 0
count = 0


def ok(cond, what):
    global failures, count
    count += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (count, what))
    if not cond:
        failures += 1


def cell(rng):
    n = rng.choice([0, 1, 2, 5, 12])
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def table(rng, ncols, nrows):
    header = ["c%d" % i for i in range(ncols)]
    rows = [[cell(rng) for _ in range(ncols)] for _ in range(nrows)]
    # A row of one empty cell is written as "" by Python: keep it.
    return header, rows


def convert(args, data):
    p = subprocess.run([CONVERT] + args, input=data, capture_output=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def python_writes(header, rows, opts):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, **opts)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def read_back(header, out):
    got = []
    for line in out.decode("utf-8").splitlines():
        rec = json.loads(line)
        got.append([rec.get(k) for k in header])
    return got


def check_read(name, header, rows, opts, flags):
    data = python_writes(header, rows, opts)
    rc, out, err = convert(["--from", "csv"] + flags + ["--to", "json"],
                           data)
    got = read_back(header, out) if rc == 0 else None
    ok(rc == 0 and got == rows, "%s: what Python writes, sdc-convert reads "
       "(%d rows)%s" % (name, len(rows), "" if rc == 0 else ": " + err))
    if got is not None and got != rows:
        for want, have in zip(rows, got):
            if want != have:
                print("# want %r\n# got  %r" % (want, have))
                break


def check_write(name, header, rows, opts, flags):
    lines = "".join(json.dumps(dict(zip(header, r)), ensure_ascii=False) +
                    "\n" for r in rows).encode("utf-8")
    rc, out, err = convert(["--from", "json", "--to", "csv"] + flags, lines)
    parsed = list(csv.reader(io.StringIO(out.decode("utf-8"), newline=""),
                             **{k: v for k, v in opts.items()
                                if k != "lineterminator"}))
    ok(rc == 0 and parsed == [header] + rows, "%s: what sdc-convert writes, "
       "Python reads%s" % (name, "" if rc == 0 else ": " + err))


def check_quote_all(header, rows):
    opts = dict(delimiter=",", quotechar='"', lineterminator="\r\n",
                quoting=csv.QUOTE_ALL)
    lines = "".join(json.dumps(dict(zip(header, r)), ensure_ascii=False) +
                    "\n" for r in rows).encode("utf-8")
    rc, out, _ = convert(["--from", "json", "--to", "csv", "--quote-mode",
                          "all", "--crlf"], lines)
    ok(rc == 0 and out == python_writes(header, rows, opts),
       "quote-mode all with CR LF: the bytes of Python's QUOTE_ALL")


def check_escaped(rng):
    """Python's QUOTE_NONE with a backslash, as --dialect mysql reads."""
    header = ["id", "text"]
    rows = [[str(i), "".join(rng.choice(["a", "\t", "\\", "x", " "])
                             for _ in range(rng.randrange(1, 8)))]
            for i in range(200)]
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter="\t", quoting=csv.QUOTE_NONE,
               escapechar="\\", lineterminator="\n").writerows(
        [header] + rows)
    rc, out, err = convert(["--from", "csv", "--dialect", "mysql", "--to",
                            "json"], buf.getvalue().encode("utf-8"))
    got = read_back(header, out) if rc == 0 else None
    ok(got == rows, "QUOTE_NONE with a backslash escape: --dialect mysql "
       "reads it%s" % ("" if rc == 0 else ": " + err))


def main():
    if not os.access(CONVERT, os.X_OK):
        print("1..0 # SKIP no sdc-convert in %s" % BUILD)
        return 0
    rng = random.Random(20260314)
    for name, opts, flags in DIALECTS:
        header, rows = table(rng, 5, 400)
        check_read(name, header, rows, opts, flags)
        check_write(name, header, rows, opts, flags)
    header, rows = table(rng, 4, 300)
    check_quote_all(header, rows)
    check_escaped(rng)
    print("1..%d" % count)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
