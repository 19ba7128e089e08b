#!/usr/bin/env python3
"""The summary of a run of scripts/demo, from each stage's --metrics.

    sample/retail/summary.py --dir DIR --run DIR/runs/N [--started T]

Prints what each stage took in and gave out, checks that the counts
balance (sdc-ingest: in = out + errors, a sink's in = delivered +
failed + skipped; every link: what a stage wrote is what the next one
read; the files closed hold what the file sink delivered; sdc-convert
makes a record per sighting of a payload, sdc-locate and sdc-spark-eval
records of their own) and says where the report is.  Exits 1 when a check fails.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time
from collections import Counter


def metrics(run, stage):
    try:
        with open(os.path.join(run, stage + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def closed_files(run):
    """The files the file sink closed in this run (its file-closed events)."""
    path = os.path.join(run, "events.sdc")
    if not os.path.exists(path):
        return []
    out = subprocess.run(["sdc-convert", "--to", "json", path],
                         capture_output=True, text=True).stdout
    files = []
    for line in out.splitlines():
        ev = json.loads(line).get("@event")
        if ev and ev.get("type") == "file-closed":
            files.append(ev["record"])
    return files


def count_records(path):
    out = subprocess.run(["sdc-convert", "--to", "json", path],
                         capture_output=True, text=True).stdout
    return len(out.splitlines())


def kinds(files):
    c = Counter()
    for f in files:
        with open(f["filepath"]) as fp:
            for line in fp:
                c[json.loads(line).get("kind")] += 1
    return c


class Checks:
    def __init__(self):
        self.failed = []

    def __call__(self, what, left, right):
        ok = left == right
        if not ok:
            self.failed.append("%s: %s != %s" % (what, left, right))
        return "ok" if ok else "MISMATCH (%s != %s)" % (left, right)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--started", type=float)
    a = ap.parse_args()
    check = Checks()
    m = {s: metrics(a.run, s) for s in ("ingest", "convert", "locate",
                                         "spark", "push", "files", "report")}
    missing = [s for s in ("ingest", "locate", "spark", "push", "files")
               if m[s] is None]
    print("\nsummary of run %s%s" % (os.path.basename(a.run), "" if
          a.started is None else ", %.1f s" % (time.time() - a.started)))
    if missing:
        print("  no metrics from %s (see the lines above)"
              % ", ".join(missing))
        return 1
    try:
        with open(os.path.join(a.dir, "sim.json")) as f:
            sim = json.load(f)
        print("  mall-sim   %d of %d sightings published so far (MQTT %d, "
              "HTTP %d)" % (sim["next"], sim["total"], sim["mqtt"],
                            sim["http"]))
    except (OSError, ValueError):
        pass
    ing = m["ingest"]
    origins = ", ".join("%s %d" % (o["name"], o["messages"])
                        for o in ing.get("origins", []))
    print("  ingest     %d payloads in (%s), %d records out, %d errors: "
          "in = out + errors %s" % (
              ing["records_in"], origins or "one origin", ing["records_out"],
              ing["errors"], check("ingest", ing["records_in"],
                                   ing["records_out"] + ing["errors"])))
    upstream = ing["records_out"]
    if m["convert"] is not None:
        c = m["convert"]
        print("  convert    %d payloads in, %d sightings out (an HTTP body "
              "holds several), %d errors (a payload that does not parse)"
              % (c["records_in"], c["records_out"], c["errors"]))
        print("             ingest -> convert %s" % check(
            "ingest -> convert", upstream, c["records_in"]))
        upstream = c["records_out"]
    lo = m["locate"]
    print("  locate     %d sightings in, %d errors, %d records out"
          % (lo["records_in"], lo["errors"], lo["records_out"]))
    print("             -> locate %s" % check("-> locate", upstream,
                                              lo["records_in"]))
    sp = m["spark"]
    print("  spark      %d in, %d out (the records in, and foot traffic and "
          "anomalies), %d errors" % (sp["records_in"], sp["records_out"],
                                     sp["errors"]))
    print("             locate -> spark %s" % check(
        "locate -> spark", lo["records_out"], sp["records_in"]))
    for name, label in (("files", "file sink"), ("push", "push sink")):
        s = m[name]
        print("  %-10s %d in = %d delivered + %d failed + %d skipped %s" % (
            name, s["records_in"], s["delivered"], s["failed"],
            s.get("skipped", 0), check(name, s["records_in"],
                                       s["delivered"] + s["failed"] +
                                       s.get("skipped", 0))))
        print("             spark -> %s %s" % (label, check(
            "spark -> " + name, sp["records_out"], s["records_in"])))
    files = closed_files(a.run)
    k = kinds(files)
    print("  files      %d hourly files closed, %d records: positions %d, "
          "zone changes %d, visits %d, traffic %d, devices %d, foot "
          "traffic %d, anomalies %d" % (
              len(files), sum(k.values()), k["position"], k["zone"],
              k["visit"], k["traffic"], k["device"], k["foot_traffic"],
              k["anomaly"]))
    print("             delivered = records in the files %s" % check(
        "files", m["files"]["delivered"], sum(f["records"] for f in files)))
    promos = 0
    if os.path.exists(os.path.join(a.dir, "promotions.log")):
        with open(os.path.join(a.dir, "promotions.log")) as f:
            promos = sum(1 for _ in f)
    print("  promotions %d returning shoppers' visits delivered this run; "
          "%d in the backend's log" % (m["push"]["delivered"], promos))
    rep = m["report"]
    if rep is not None:
        extra = {k: v for k, v in rep.items() if k not in (
            "program", "records_in", "records_out", "errors", "passed",
            "bytes_in", "bytes_out", "elapsed_seconds", "startup_seconds")}
        print("  report     %s" % ", ".join("%s %s" % kv for kv in
                                             sorted(extra.items())))
    for path in sorted(glob.glob(os.path.join(a.run, "*-errors.sdc"))):
        n = count_records(path)
        if n:
            print("  %d error records in %s" % (n, path))
    index = os.path.join(a.dir, "report", "index.html")
    if os.path.exists(index):
        print("\nThe report: %s" % index)
    if check.failed:
        print("\nCOUNTS DO NOT BALANCE: %s" % "; ".join(check.failed))
        return 1
    print("Every count balances: what each stage read is what the one "
          "before wrote, and is out + errors (delivered + failed + skipped).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
