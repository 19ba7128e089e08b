"""The retail pipeline's daily report: a PySpark batch application.

    spark-submit sample/retail/report.py --site SITE --state DIR --out DIR
        [--promotions FILE] FILE...

Each FILE is a file that sdc-sink file closed: JSON lines, one record of
sdc-locate(1)'s output a line (kind position, zone, visit, traffic or
device; records of any other kind, or without one, are counted and
otherwise left alone).  One Spark job per file turns its lines into the
facts of each day its records belong to; one Spark job per day touched
merges them with the day's state (DIR/YYYY-MM-DD.json, report_state.py)
and computes its aggregates; the state is written back and
report_html.py rewrites OUT/index.html, the report of the newest day
there is.  sdc-sparkjob runs it once per closed file:

    sdc-sparkjob spark-submit --master 'local[1]' sample/retail/report.py \\
        --site sample/mall.json --state report/state --out report \\
        --promotions promotions.log '${/filepath}'

The driver imports report_html.py and report_state.py from beside it
(in cluster mode, give them with --py-files) and reads the files itself,
so any file name works; it needs nothing but PySpark.

A file is known by the SHA-256 of its bytes: one given again, on the same
command line or in a later run, is not merged twice.  A file that cannot
be read, or has a line that is not a JSON object, is reported with its
line and not merged; the others are, and the exit status is then 1.
Usage errors exit 2, a state file that cannot be read or written 3.

A record's day is the site's local date ("hours"."utc_offset" of the
site, else UTC) of its time: "ts" for positions and zone changes,
"start" for visits, "interval_start" for traffic, "last_seen" for device
summaries, "ts" for promotions.

The aggregates of a day, each exact, from every record of the day:

  foot traffic   per zone, the distinct devices that entered it (zone
                 records with event enter); the state keeps the devices.
  dwell          per store (and food court), the visits that were
                 visitors and passersby, and the median and 90th
                 percentile of the visitors' dwell in seconds, with
                 linear interpolation between the closest ranks (as
                 sdc-locate's traffic records and Spark's percentile do);
                 the state keeps every visit's zone, class and dwell.
  transitions    A -> B: an exit from zone A and an enter into zone B of
                 the same device at the same time; the ten most frequent,
                 ties by A then B.  An exit or enter whose other half is
                 not yet merged (a file boundary) waits in the state.
  shoppers       distinct devices of the day's visit and device records:
                 returning when one of its records says "returning": true,
                 new otherwise.
  promotions     the promotions of the day: their number, per store, and
                 the last five.

The promotions log is written by the app backend that sdc-sink http
delivers to: JSON lines, one object per promotion pushed,

    {"ts": "2026-03-02T10:14:05Z", "device": "a03f14bb...",
     "zone": "z-g-store-07", "zone_name": "Phone Shop", "offer": "..."}

"ts" an ISO-8601 time or milliseconds since 1970 (shown in UTC with its
milliseconds), "device" the keyed device id, "zone" the store's zone id;
other members are ignored.  It is
read whole at each run (a last line without its newline is still being
written and waits for the next run); its promotions are merged into the
state of their day, one promotion being its (ts, device, zone).
"""

import argparse
import hashlib
import json
import os
import sys

from pyspark.sql import DataFrame, SparkSession, functions as F, types as T

import report_html
import report_state

KINDS = ("position", "zone", "visit", "traffic", "device")
RECORD_SCHEMA = T.StructType([
    T.StructField("kind", T.StringType()),
    T.StructField("device", T.StringType()),
    T.StructField("ts", T.StringType()),
    T.StructField("zone", T.StringType()),
    T.StructField("event", T.StringType()),
    T.StructField("start", T.StringType()),
    T.StructField("dwell", T.DoubleType()),
    T.StructField("class", T.StringType()),
    T.StructField("returning", T.BooleanType()),
    T.StructField("interval_start", T.StringType()),
    T.StructField("last_seen", T.StringType()),
    T.StructField("_corrupt_record", T.StringType()),
])
PROMOTION_SCHEMA = T.StructType([
    T.StructField("ts", T.StringType()),
    T.StructField("device", T.StringType()),
    T.StructField("zone", T.StringType()),
    T.StructField("_corrupt_record", T.StringType()),
])
# A fact of a day: what it is and up to three keys and a number.  The
# state's lists and a file's records both become facts; a day's job
# turns them into rows of the same shape, its outputs.
FACT = "fact string, a string, b string, c string, x double"
EXIT_INPUT, EXIT_USAGE, EXIT_STATE = 1, 2, 3


class InputError(Exception):
    """An input that is not merged; the message names the file and line."""


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="report.py", description="Merge sdc-locate records into the "
        "daily state and write the HTML report.")
    p.add_argument("--site", required=True, help="the site (mall.json)")
    p.add_argument("--state", required=True, help="the daily state folder")
    p.add_argument("--out", required=True, help="where index.html goes")
    p.add_argument("--promotions", help="the app backend's promotions log")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="files of JSON lines that sdc-sink closed")
    return p.parse_args(argv)


def load_site(path):
    with open(path, encoding="utf-8") as f:
        site = json.load(f)
    offset = (site.get("hours") or {}).get("utc_offset", "+00:00")
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset.lstrip("+-").split(":")
    site["_offset_seconds"] = sign * (int(hours) * 3600 + int(minutes) * 60)
    return site


def read_lines(path, complete_only=False):
    """The file's SHA-256 and its (line number, text) pairs, blanks left out."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}") from e
    if complete_only and not data.endswith(b"\n"):
        data = data[:data.rfind(b"\n") + 1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not UTF-8") from e
    lines = [(n, line) for n, line in enumerate(text.split("\n"), 1)
             if line.strip()]
    return hashlib.sha256(data).hexdigest(), lines


def parse_json_lines(spark, lines, schema):
    """The lines as (line, r), r null or with _corrupt_record when bad."""
    raw = spark.createDataFrame(lines, "line long, text string")
    return raw.select("line", F.from_json(
        "text", schema, {"mode": "PERMISSIVE",
                         "columnNameOfCorruptRecord": "_corrupt_record"})
        .alias("r"))


def bad_lines(parsed):
    """One fact per line that is not a JSON object, its number as x."""
    bad = parsed.where(F.col("r").isNull() |
                       F.col("r._corrupt_record").isNotNull())
    return bad.select(F.lit(None).cast("string").alias("day"),
                      F.lit("bad").alias("fact"),
                      *[F.lit(None).cast("string").alias(k) for k in "abc"],
                      F.col("line").cast("double").alias("x"))


def local_day(column, offset_seconds):
    """The site's local date of an ISO-8601 time or of milliseconds."""
    seconds = F.when(column.rlike(r"^[0-9]+$"),
                     (column.cast("long") / 1000).cast("long")) \
        .otherwise(F.unix_timestamp(F.try_to_timestamp(column)))
    return F.from_unixtime(seconds + F.lit(offset_seconds), "yyyy-MM-dd")


def record_time():
    return F.when(F.col("kind") == "visit", F.col("start")) \
        .when(F.col("kind") == "traffic", F.col("interval_start")) \
        .when(F.col("kind") == "device", F.col("last_seen")) \
        .otherwise(F.col("ts"))


def fact(records, name, a=None, b=None, c=None, x=None):
    def key(col):
        return F.lit(None).cast("string") if col is None else F.col(col)
    number = F.lit(None).cast("double") if x is None else x.cast("double")
    return records.select("day", F.lit(name).alias("fact"), key(a).alias("a"),
                          key(b).alias("b"), key(c).alias("c"),
                          number.alias("x"))


def file_facts(parsed, offset_seconds):
    """The facts of one file's records, each with its day, and its bad lines."""
    records = parsed.where(F.col("r").isNotNull() &
                           F.col("r._corrupt_record").isNull()).select("r.*")
    records = records.withColumn("day", local_day(record_time(),
                                                  offset_seconds))
    kind = F.coalesce(F.col("kind"), F.lit(""))
    counted = records.withColumn(
        "kind", F.when(kind.isin(*KINDS), kind).otherwise(F.lit("other"))) \
        .groupBy("day", "kind").count()
    zone = records.where((F.col("kind") == "zone") &
                         F.col("device").isNotNull() &
                         F.col("zone").isNotNull())
    visits = records.where((F.col("kind") == "visit") &
                           F.col("zone").isNotNull() &
                           F.col("dwell").isNotNull())
    shoppers = records.where(F.col("kind").isin("visit", "device")) \
        .groupBy("day", "device").agg(
            F.max(F.coalesce("returning", F.lit(False)).cast("int"))
            .alias("r"))
    parts = [
        fact(counted, "record", "kind", x=F.col("count")),
        fact(zone.where(F.col("event") == "enter"), "entry", "zone", "device"),
        fact(zone.where(F.col("event") == "exit"), "exit", "device", "ts",
             "zone"),
        fact(zone.where(F.col("event") == "enter"), "enter", "device", "ts",
             "zone"),
        fact(visits, "visit", "zone", "class", x=F.col("dwell")),
        fact(shoppers, "shopper", "device", x=F.col("r")),
        bad_lines(parsed),
    ]
    return union(parts)


def union(frames):
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def promotion_facts(parsed, offset_seconds):
    rows = parsed.where(F.col("r").isNotNull() &
                        F.col("r._corrupt_record").isNull() &
                        F.col("r.ts").isNotNull()).select("r.*")
    ts = F.col("ts")
    time = F.when(ts.rlike(r"^[0-9]+$"), F.timestamp_millis(ts.cast("long"))) \
        .otherwise(F.try_to_timestamp(ts))
    iso = F.date_format(time, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
    rows = rows.select(local_day(ts, offset_seconds).alias("day"),
                       iso.alias("ts"), "device", "zone")
    return union([fact(rows, "promotion", "ts", "device", "zone"),
                  bad_lines(parsed)])


def collect_by_day(frame, path):
    """{day: [(fact, a, b, c, x)]}; InputError at the first bad line."""
    by_day, bad = {}, []
    for r in frame.collect():
        if r["fact"] == "bad":
            bad.append(int(r["x"]))
        elif r["day"] is not None:
            by_day.setdefault(r["day"], []).append(
                (r["fact"], r["a"], r["b"], r["c"], r["x"]))
    if bad:
        raise InputError(f"{path}:{min(bad)}: not a JSON object")
    return by_day


def state_facts(state):
    """The day's state as facts, to merge with new ones."""
    rows = [("record", k, None, None, float(n))
            for k, n in state["records"].items()]
    rows += [("entry", z, d, None, None) for z, d in state["entries"]]
    rows += [("visit", z, c, None, float(x)) for z, c, x in state["visits"]]
    rows += [("exit", d, t, z, None) for d, t, z in state["unmatched_exits"]]
    rows += [("enter", d, t, z, None) for d, t, z in state["unmatched_enters"]]
    rows += [("transition", a, b, None, float(n))
             for a, b, n in state["transitions"]]
    rows += [("shopper", d, None, None, float(r)) for d, r in state["shoppers"]]
    rows += [("promotion", t, d, z, None) for t, d, z in state["promotions"]]
    return rows


def day_outputs(facts: DataFrame) -> DataFrame:
    """The merged state and the aggregates of a day, as one frame of facts."""
    def only(name):
        return facts.where(F.col("fact") == name)

    def out(frame, name, a=None, b=None, c=None, x=None):
        return fact(frame.withColumn("day", F.lit(None).cast("string")),
                    name, a, b, c, x).drop("day")

    entries = only("entry").select("a", "b").distinct()
    visits = only("visit")
    dwell = F.when(F.col("b") == "visitor", F.col("x"))
    per_store = visits.groupBy("a").agg(
        F.count(dwell).alias("visitors"),
        F.sum((F.col("b") == "passerby").cast("double")).alias("passersby"),
        F.percentile(dwell, 0.5).alias("median"),
        F.percentile(dwell, 0.9).alias("p90"))
    ex, en = only("exit").alias("ex"), only("enter").alias("en")
    same = (F.col("ex.a") == F.col("en.a")) & (F.col("ex.b") == F.col("en.b"))
    moves = ex.join(en, same).select(F.col("ex.c").alias("a"),
                                     F.col("en.c").alias("b"),
                                     F.lit(1.0).alias("x")) \
        .unionByName(only("transition").select("a", "b", "x")) \
        .groupBy("a", "b").agg(F.sum("x").alias("x"))
    shoppers = only("shopper").groupBy("a").agg(F.max("x").alias("x"))
    promotions = only("promotion").select("a", "b", "c").distinct()
    return union([
        out(only("record").groupBy("a").agg(F.sum("x").alias("x")),
            "record", "a", x=F.col("x")),
        out(entries, "entry", "a", "b"),
        out(entries.groupBy("a").agg(F.countDistinct("b").alias("x")),
            "traffic", "a", x=F.col("x")),
        out(visits, "visit", "a", "b", x=F.col("x")),
        *[out(per_store, name, "a", x=F.col(name))
          for name in ("visitors", "passersby", "median", "p90")],
        out(moves, "transition", "a", "b", x=F.col("x")),
        out(ex.join(en, same, "left_anti"), "exit", "a", "b", "c"),
        out(en.join(ex, same, "left_anti"), "enter", "a", "b", "c"),
        out(shoppers, "shopper", "a", x=F.col("x")),
        out(shoppers.groupBy(F.col("x").cast("string").alias("a")).count(),
            "shoppers", "a", x=F.col("count")),
        out(promotions, "promotion", "a", "b", "c"),
        out(promotions.groupBy("c").count(), "promotions-store", "c",
            x=F.col("count")),
    ])


def merge_day(spark, state, new_facts):
    """The day's state merged with new facts, and the day's aggregates."""
    frame = spark.createDataFrame(state_facts(state) + new_facts, FACT)
    rows = day_outputs(frame).collect()

    def pick(name):
        return [r for r in rows if r["fact"] == name]

    state.update({
        "records": {r["a"]: int(r["x"]) for r in pick("record")},
        "entries": sorted([r["a"], r["b"]] for r in pick("entry")),
        "visits": sorted([r["a"], r["b"], r["x"]] for r in pick("visit")),
        "unmatched_exits": sorted([r["a"], r["b"], r["c"]]
                                  for r in pick("exit")),
        "unmatched_enters": sorted([r["a"], r["b"], r["c"]]
                                   for r in pick("enter")),
        "transitions": sorted([r["a"], r["b"], int(r["x"])]
                              for r in pick("transition")),
        "shoppers": sorted([r["a"], int(r["x"])] for r in pick("shopper")),
        "promotions": sorted([r["a"], r["b"], r["c"]]
                             for r in pick("promotion")),
    })
    return aggregates(state, rows, pick)


def aggregates(state, rows, pick):
    """The day's numbers, for the page, from the day's job."""
    dwell = {}
    for name in ("visitors", "passersby", "median", "p90"):
        for r in pick(name):
            value = r["x"] if name in ("median", "p90") else int(r["x"])
            dwell.setdefault(r["a"], {})[name] = value
    shoppers = {float(r["a"]) > 0: int(r["x"]) for r in pick("shoppers")}
    transitions = sorted(state["transitions"], key=lambda t: (-t[2], t[0], t[1]))
    return {
        "day": state["day"],
        "files": len(state["files"]),
        "records": state["records"],
        "traffic": {r["a"]: int(r["x"]) for r in pick("traffic")},
        "dwell": dwell,
        "transitions": transitions[:10],
        "shoppers": {"returning": shoppers.get(True, 0),
                     "new": shoppers.get(False, 0)},
        "promotions": {
            "total": len(state["promotions"]),
            "per_store": {r["a"]: int(r["x"]) for r in pick("promotions-store")},
            "last": sorted(state["promotions"], reverse=True)[:5]},
    }


def gather_file(spark, site, path, states, pending):
    """Adds the facts of one file to each of its days, unless merged before."""
    digest, lines = read_lines(path)
    if not lines:
        return
    parsed = parse_json_lines(spark, lines, RECORD_SCHEMA)
    by_day = collect_by_day(file_facts(parsed, site["_offset_seconds"]), path)
    for day, facts in sorted(by_day.items()):
        state = states[day] if day in states else states.setdefault(
            day, report_state.load(site["_state"], day))
        todo = pending.setdefault(day, {"facts": [], "files": []})
        merged = state["files"] + todo["files"]
        if any(f["sha256"] == digest for f in merged):
            continue
        todo["facts"] += facts
        todo["files"].append({"sha256": digest, "path": path,
                              "lines": len(lines)})


def gather_promotions(spark, site, path, states, pending):
    _, lines = read_lines(path, complete_only=True)
    if not lines:
        return
    parsed = parse_json_lines(spark, lines, PROMOTION_SCHEMA)
    by_day = collect_by_day(promotion_facts(parsed, site["_offset_seconds"]),
                            path)
    for day, facts in sorted(by_day.items()):
        if day not in states:
            states[day] = report_state.load(site["_state"], day)
        pending.setdefault(day, {"facts": [], "files": []})["facts"] += facts


def run(spark, args, site):
    failed = False
    states, pending = {}, {}
    inputs = [(path, gather_file) for path in args.files]
    if args.promotions:
        inputs.append((args.promotions, gather_promotions))
    for path, gather in inputs:
        try:
            gather(spark, site, path, states, pending)
        except InputError as e:
            print(f"report.py: {e}", file=sys.stderr)
            failed = True
    days = sorted(set(report_state.days(args.state)) | set(pending))
    numbers = None
    for day in days[-1:] if days else []:
        pending.setdefault(day, {"facts": [], "files": []})
    for day, todo in sorted(pending.items()):
        state = states.get(day) or report_state.load(args.state, day)
        numbers = merge_day(spark, state, todo["facts"])
        state["files"] += todo["files"]
        numbers["files"] = len(state["files"])
        if todo["facts"] or todo["files"]:
            report_state.save(args.state, day, state)
    if days:
        numbers = numbers if numbers["day"] == days[-1] else None
    os.makedirs(args.out, exist_ok=True)
    report_state.write_atomically(os.path.join(args.out, "index.html"),
                                  report_html.page(site, numbers))
    return EXIT_INPUT if failed else 0


def spark_session():
    spark = SparkSession.builder.appName("sdc-retail-report") \
        .config("spark.sql.session.timeZone", "UTC").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    if not spark.sparkContext.getConf().contains("spark.sql.shuffle.partitions"):
        spark.conf.set("spark.sql.shuffle.partitions", "1")
    return spark


def main(argv):
    args = parse_args(argv)
    try:
        site = load_site(args.site)
    except (OSError, ValueError, KeyError, AttributeError) as e:
        print(f"report.py: {args.site}: {e}", file=sys.stderr)
        return EXIT_USAGE
    site["_state"] = args.state
    # Spark starts before the lock is taken, so that runs launched
    # together overlap their start; the state's read-merge-write is
    # theirs in turn.
    spark = spark_session()
    try:
        with report_state.lock(args.state):
            return run(spark, args, site)
    except report_state.StateError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return EXIT_STATE
    except OSError as e:
        print(f"report.py: {e.filename or args.state}: {e.strerror}",
              file=sys.stderr)
        return EXIT_STATE
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
