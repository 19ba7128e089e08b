"""Transformers for the tests of sdc-spark-eval (tests/spark/*.test)."""
import os
import signal

from sdc_spark import Record, Transformer


class Identity(Transformer):
    def transform(self, rdd):
        return rdd


class StrongSignal(Transformer):
    """Only the sightings stronger than the first param (dBm)."""

    def init(self, sc, params):
        super().init(sc, params)
        self.floor = int(params[0]) if params else -70

    def transform(self, rdd):
        floor = self.floor
        return rdd.filter(lambda r: r["rssi"] > floor)


class CountBySensor(Transformer):
    """A shuffle: sightings per sensor in each batch."""

    def transform(self, rdd):
        return (rdd.map(lambda r: (r["sensor_id"], 1))
                .reduceByKey(lambda a, b: a + b, 2)
                .sortByKey()
                .map(lambda kv: Record({"sensor_id": kv[0],
                                        "sightings": kv[1]})))


class WeakAreErrors(Transformer):
    """Sightings weaker than -80 dBm come back as the transformer's errors."""

    def transform(self, rdd):
        good = rdd.filter(lambda r: r["rssi"] >= -80)
        bad = rdd.filter(lambda r: r["rssi"] < -80).map(
            lambda r: (r, "signal too weak: %d dBm" % r["rssi"]))
        return good, bad


class FailsOnBoom(Transformer):
    """transform raises for a batch holding a record with boom set."""

    def transform(self, rdd):
        if rdd.filter(lambda r: r.get("boom")).count():
            raise ValueError("boom in this batch")
        return rdd


class FailsInTask(Transformer):
    """A Spark task raises: the job fails, the batch with it."""

    def transform(self, rdd):
        def check(r):
            if r.get("boom"):
                raise KeyError("no such sensor")
            return r
        return rdd.map(check)


class BadValue(Transformer):
    """Results whose values records cannot hold."""

    def transform(self, rdd):
        def spoil(r):
            if r.get("spoil"):
                r["oops"] = object()
            return r
        return rdd.map(spoil)


class InitFails(Transformer):
    def init(self, sc, params):
        raise RuntimeError("the model file is missing")

    def transform(self, rdd):
        return rdd


class KillsDriver(Transformer):
    """The driver dies in the middle of a batch."""

    def transform(self, rdd):
        os.kill(os.getpid(), signal.SIGKILL)


class Batches(Transformer):
    """One record per batch: its number and its size."""

    def init(self, sc, params):
        super().init(sc, params)
        self.n = 0

    def transform(self, rdd):
        self.n += 1
        return self.sc.parallelize([Record({"batch": self.n,
                                            "records": rdd.count()})], 1)


class MarksBatchSlowly(Transformer):
    """Each record with the number of its batch, from state that
    transform() changes in place, read by the tasks after a second's
    pause; and whether the tasks of the batch before were still at work
    when transform() was called (the marker file they leave in the
    first param's directory was not there yet)."""

    def init(self, sc, params):
        super().init(sc, params)
        self.state = {"batch": 0}
        self.markers = params[0]

    def transform(self, rdd):
        self.state["batch"] += 1
        n, state, markers = self.state["batch"], self.state, self.markers
        before = None if n == 1 else \
            not os.path.exists(os.path.join(markers, f"done-{n - 1}"))
        return rdd.mapPartitions(
            lambda records: _marked_later(records, state, before, markers))


def _marked_later(records, state, before_at_work, markers):
    import time
    time.sleep(1)
    for r in records:
        r["batch"] = state["batch"]
        r["before_at_work"] = before_at_work
        yield r
    open(os.path.join(markers, f"done-{state['batch']}"), "w").close()


class Slow(Transformer):
    """Half a second a batch: a transformer slower than its input."""

    def transform(self, rdd):
        import time
        time.sleep(0.5)
        return rdd


class RddSize(Transformer):
    """Each record with the size of the RDD it came in, and one record of
    no producer's saying that size (the cluster mode's union)."""

    def transform(self, rdd):
        n = rdd.count()

        def tag(r):
            r["rdd_size"] = n
            return r
        return rdd.map(tag).union(
            self.sc.parallelize([Record({"rdd_records": n})], 1))


class Sleeps(Transformer):
    """An identity that sleeps the first param's seconds (3) a batch, so
    that a batch is in Spark for a while."""

    def init(self, sc, params):
        super().init(sc, params)
        self.seconds = float(params[0]) if params else 3

    def transform(self, rdd):
        import time
        time.sleep(self.seconds)
        return rdd


class MarksDecimals(Transformer):
    """Reads each DECIMAL's scale attribute and adds one of its own."""

    def transform(self, rdd):
        def mark(r):
            for path, attributes in r.field_attributes.items():
                attributes["seen_scale"] = attributes.get("scale", "none")
            return r
        return rdd.map(mark)


class WhereRun(Transformer):
    """Each record with the YARN container its task ran in (YARN sets
    CONTAINER_ID in a container's environment), after a shuffle, so
    that executors exchange data through YARN's node manager too."""

    def transform(self, rdd):
        def tag(r):
            r["container"] = os.environ.get("CONTAINER_ID", "")
            return r
        return (rdd.map(lambda r: (r["sensor_id"], r))
                .groupByKey(2)
                .flatMap(lambda kv: kv[1])
                .map(tag))
