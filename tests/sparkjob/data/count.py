"""A Spark application that sdc-sparkjob's tests launch: count.py INPUT OUT.

It reads the file INPUT (a file that sdc-sink closed, one record a line),
counts its lines with Spark and writes to OUT, as JSON, the path it was
given and the count.  The file is read by the driver, not through a
Hadoop path, so that any name (spaces, quotes, newlines) reaches it as
it is; a file that is missing makes it fail.
"""
import json
import sys

from pyspark.sql import SparkSession


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: count.py INPUT OUT")
    source, out = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        lines = f.read().splitlines()
    spark = SparkSession.builder.getOrCreate()
    try:
        count = spark.sparkContext.parallelize(lines, 2).count()
        app_id = spark.sparkContext.applicationId
    finally:
        spark.stop()
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"input": source, "count": count, "app": app_id}, f)


if __name__ == "__main__":
    main()
