#!/usr/bin/env python3
"""The plain PySpark job that scripts/bench-spark-eval compares with: the
same sightings as JSON lines, in files of BATCH lines, each read with
textFile, parsed with json.loads and collected, in one SparkContext with
the settings sdc-spark-eval uses.  Prints the seconds the batches took,
Spark's start not counted.

With "strong", only the sightings of an rssi above -60 dBm are kept
(bench-spark-eval's Strong transformer).

Usage: bench-spark-peer.py DIR PARALLELISM [strong]
(DIR holds batch-*.jsonl)
"""
import json
import os
import sys
import time

from pyspark import SparkConf, SparkContext


def main():
    directory, parallelism = sys.argv[1], int(sys.argv[2])
    strong = sys.argv[3:] == ["strong"]
    conf = (SparkConf().setMaster("local[*]").setAppName("bench-peer")
            .set("spark.serializer",
                 "org.apache.spark.serializer.KryoSerializer")
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false"))
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    files = sorted(os.path.join(directory, f) for f in os.listdir(directory)
                   if f.startswith("batch-"))
    started = time.perf_counter()
    records = 0
    for path in files:
        rdd = sc.textFile(path, parallelism).map(json.loads)
        if strong:
            rdd = rdd.filter(lambda r: r["rssi"] > -60)
        records += len(rdd.collect())
    elapsed = time.perf_counter() - started
    sc.stop()
    print("%.3f %d" % (elapsed, records))


if __name__ == "__main__":
    main()
