#!/usr/bin/env python3
"""Check the file-closed events of sdc-sink file against the files.

stdin: sdc-sink's output as `sdc-convert --to json` renders it.
argv: ROOT [UNPACK]: every file must be under ROOT; UNPACK is the shell
command reading a file on stdin and writing its records as JSON lines
(default cat).  For each event: sdc.event.type is file-closed,
filepath exists under ROOT and is no temp file, filename is its base
name, length its size on disk, records the JSON lines it holds (each
one parsed).  Prints "files N records M errors E" and, one a line,
"error CODE" for each error record, then each problem."""
import json
import os
import subprocess
import sys


def lines_of(path, unpack):
    with open(path, "rb") as f:
        data = subprocess.run(unpack, shell=True, stdin=f, check=True,
                              stdout=subprocess.PIPE).stdout
    rows = data.decode().splitlines()
    for row in rows:
        json.loads(row)
    return len(rows)


def check(event, root, unpack, problems):
    rec = event["record"]
    path = rec["filepath"]
    real = os.path.realpath(path)
    if event["type"] != "file-closed":
        problems.append("event type %s" % event["type"])
    if not real.startswith(os.path.realpath(root) + os.sep):
        problems.append("%s is not under %s" % (path, root))
    if os.path.basename(path) != rec["filename"]:
        problems.append("%s: filename %s" % (path, rec["filename"]))
    if rec["filename"].startswith("."):
        problems.append("%s: a temp file was announced" % path)
    if os.path.getsize(path) != rec["length"]:
        problems.append("%s: length %d, on disk %d" %
                        (path, rec["length"], os.path.getsize(path)))
    n = lines_of(path, unpack)
    if n != rec["records"]:
        problems.append("%s: records %d, holds %d" % (path, rec["records"], n))
    return rec["records"]


def main():
    root = sys.argv[1]
    unpack = sys.argv[2] if len(sys.argv) > 2 else "cat"
    files = records = 0
    errors, problems, seen = [], [], set()
    for line in sys.stdin:
        obj = json.loads(line)
        if "@event" in obj:
            files += 1
            records += check(obj["@event"], root, unpack, problems)
            seen.add(os.path.realpath(obj["@event"]["record"]["filepath"]))
        elif "@error" in obj:
            errors.append(obj["@error"].get("code", "?"))
    for d, _, names in os.walk(root):
        for name in names:
            p = os.path.realpath(os.path.join(d, name))
            if not name.startswith(".") and p not in seen:
                problems.append("%s was published without an event" % p)
    print("files %d records %d errors %d" % (files, records, len(errors)))
    for code in sorted(set(errors)):
        print("error %s" % code)
    for p in problems:
        print("problem: " + p)


main()
