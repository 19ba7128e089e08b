"""The retail pipeline's transformer: foot traffic and anomalous devices
in one SparkContext, with FootTraffic's state (its update()) and
AnomalousDevices' features, fit() and score() (their transform()s would
each take the batch's records again, which this one does once for both).

    sdc-spark-eval -T sample/retail/retail.py:Retail --batch-ms 2000 \\
        [--param k=3 --param n=3 --param retrain=300 ...]

Its input is sdc-locate's output.  Every record goes out as it came,
except that each position gets "anomaly" (BOOLEAN) and "anomaly_score"
(DOUBLE); two kinds of records are added per batch:

  foot_traffic  one per zone with positions in the batch, from
                FootTraffic (lib/spark/examples/foot_traffic.py) fed
                the positions as sightings {zone, device_id}: "zone",
                "positions" (of the batch), "total_positions" and
                "devices" (distinct, since the start), "batch"
  anomaly       one per device that AnomalousDevices
                (lib/spark/examples/anomalies.py) flags in the batch,
                fed the positions as sightings {device_id, ts, rssi,
                sensor_id}: the position's uncertainty stands for the
                RSSI and its zone for the sensor, so that the features
                are the device's windows, the spread of its uncertainty
                and the zones it went through: "device", "score",
                "batch"

Both also carry "ts", the latest position time of the batch, and the
header attribute sdc-locate.kind, as sdc-locate's records do.

A batch costs two Spark jobs: one pass over it gathers, per partition,
what both need (the zones' positions and devices, the devices' features,
the latest time), merged on the driver; the other tags the records.  The
batch is not cached between them: decoding it again costs less than
caching its decoded records, which would then be written out from their
fields rather than from their bytes, and would fill Spark's storage with
batches that are done with.  The
anomaly model (MLlib's KMeans, AnomalousDevices.fit) is trained on the
first batch of k devices or more and again on the first batch at least
retrain=SECONDS (default 300; 0: every batch) of position time after the
last training, so that it follows the traffic of the day; every batch in
between is scored with it on the driver (a few hundred devices, no job).

The params go to AnomalousDevices (k=, n=, share=, seed=), but retrain=
and examples=DIR, which says where the two example transformers are
(default lib/spark/examples of this source tree).  Nothing is an error
record: records that are not positions pass through untouched.
"""

import datetime
import os
import sys

from sdc_spark import Record, Transformer

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "lib", "spark", "examples")


def is_position(record) -> bool:
    return record.get("kind") == "position"


def tagger(scores, flagged, extra):
    """The function that tags a partition's positions, the records of
    the batch added after the first partition's own (a union with them
    would cost Spark another pass over the batch)."""
    def tag(index, records):
        for record in records:
            if is_position(record):
                device = record.get("device")
                record["anomaly"] = device in flagged
                record["anomaly_score"] = float(scores.get(device, 0.0))
            yield record
        if index == 0:
            yield from extra
    return tag


def summarise(records):
    """A partition's one summary: the zones' [positions, {device}], the
    devices' [positions, min, max, sum, sum of squares of the
    uncertainty, {zone}] (AnomalousDevices' accumulator of a device's
    sightings, folded in place: building its sightings as records costs
    more than the rest of the batch) and the latest position time."""
    zones, devices, latest = {}, {}, None
    for record in records:
        if record.get("kind") != "position":
            continue
        device, zone = record.get("device"), record.get("zone")
        if isinstance(zone, str) and zone:
            entry = zones.get(zone)
            if entry is None:
                entry = zones[zone] = [0, set()]
            entry[0] += 1
            if isinstance(device, str):
                entry[1].add(device)
        at = timed(record.get("ts"))
        u = record.get("uncertainty")
        if at is not None and isinstance(device, str) and \
                isinstance(u, (int, float)) and not isinstance(u, bool):
            fold_device(devices, device, float(u), zone or "")
        latest = later(latest, at)
    yield zones, devices, latest


def fold_device(devices, device, u, zone):
    acc = devices.get(device)
    if acc is None:
        devices[device] = [1, u, u, u, u * u, {zone}]
        return
    acc[0] += 1
    acc[1] = min(acc[1], u)
    acc[2] = max(acc[2], u)
    acc[3] += u
    acc[4] += u * u
    acc[5].add(zone)


def add_zone(zones, zone, n, seen):
    entry = zones.setdefault(zone, [0, set()])
    entry[0] += n
    entry[1] |= seen


def timed(ts):
    """(seconds, ts) for a position time (DATETIME or epoch
    milliseconds), None for anything else."""
    if isinstance(ts, datetime.datetime):
        return ts.timestamp(), ts
    if isinstance(ts, int) and not isinstance(ts, bool):
        return ts / 1000.0, ts
    return None


def later(a, b):
    return a if b is None or (a is not None and a[0] >= b[0]) else b


def merged(summaries, add_sightings):
    """The partitions' summaries as one; add_sightings is AnomalousDevices'
    sum of two accumulators."""
    zones, devices, latest = {}, {}, None
    for z, d, t in summaries:
        for zone, (n, seen) in z.items():
            add_zone(zones, zone, n, seen)
        for device, acc in d.items():
            mine = devices.get(device)
            devices[device] = acc if mine is None else \
                add_sightings(mine, acc)
        latest = later(latest, t)
    return zones, devices, latest


def added(value):
    return Record(value, attributes={"sdc-locate.kind": value["kind"]})


class Retail(Transformer):
    def init(self, sc, params):
        super().init(sc, params)
        examples, own, self.retrain = EXAMPLES, [], 300.0
        for p in params:
            if p.startswith("examples="):
                examples = p.split("=", 1)[1]
            elif p.startswith("retrain="):
                self.retrain = float(p.split("=", 1)[1])
                if not self.retrain >= 0:
                    raise ValueError("retrain must be 0 or more seconds")
            else:
                own.append(p)
        examples = os.path.abspath(examples)
        if examples not in sys.path:
            sys.path.insert(0, examples)
        for name in ("foot_traffic.py", "anomalies.py"):
            sc.addPyFile(os.path.join(examples, name))
        from foot_traffic import FootTraffic
        import anomalies
        from anomalies import AnomalousDevices
        self.traffic = FootTraffic()
        self.traffic.init(sc, [])
        self.anomalies = AnomalousDevices()
        self.anomalies.init(sc, own)
        self.threshold = self.anomalies.options["n"]
        self.model = anomalies
        self.fitted = None      # the anomaly model, and when it was fit
        self.fitted_at = None
        self.batch = 0

    def transform(self, rdd):
        self.batch += 1
        zones, devices, latest = merged(
            rdd.mapPartitions(summarise).collect(), self.model.add_sightings)
        touched = self.traffic.update(sorted(zones.items())) if zones else []
        scores = self.device_scores(devices, latest)
        ts = latest[1] if latest is not None else None
        flagged = {d for d, s in scores.items() if s > self.threshold}
        extra = [added({"kind": "foot_traffic", "ts": ts, "zone": z["zone"],
                        "positions": z["sightings"],
                        "total_positions": z["total_sightings"],
                        "devices": z["devices"], "batch": self.batch})
                 for z in touched]
        extra += [added({"kind": "anomaly", "ts": ts, "device": d,
                         "score": float(scores[d]), "batch": self.batch})
                  for d in sorted(flagged)]
        return rdd.mapPartitionsWithIndex(tagger(scores, flagged, extra)), \
            None

    def device_scores(self, devices, latest):
        """Each device's score under the anomaly model, fit again first
        when it is due and the batch has k devices or more."""
        per_device = [(d, self.model.features(acc))
                      for d, acc in sorted(devices.items())]
        if self.refit_due(latest) and \
                len(per_device) >= self.anomalies.options["k"]:
            self.fitted = self.anomalies.fit(per_device)
            self.fitted_at = latest[0]
        if self.fitted is None:
            return {}
        return self.model.score(self.fitted, per_device)

    def refit_due(self, latest) -> bool:
        if self.fitted is None or self.retrain == 0:
            return True
        return latest is not None and \
            latest[0] - self.fitted_at >= self.retrain
