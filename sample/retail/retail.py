"""The retail pipeline's transformer: foot traffic and anomalous devices
in one SparkContext: FootTraffic through its transform(), and
AnomalousDevices' features and scores() (its transform() would tag every
record, which this one does once for both).

    sdc-spark-eval -T sample/retail/retail.py:Retail --batch-ms 2000 \\
        [--param k=3 --param n=3 ...]

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
header attribute sdc-locate.kind, as sdc-locate's records do.  The params go to AnomalousDevices (k=, n=, share=, seed=);
examples=DIR says where the two example transformers are (default
lib/spark/examples of this source tree).  Nothing is an error record:
records that are not positions pass through untouched.
"""

import os
import sys

from sdc_spark import Record, Transformer
from sdc_spark.transformer import results_and_errors

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "lib", "spark", "examples")


def is_position(record) -> bool:
    return record.get("kind") == "position"


def as_zone_sighting(record):
    """A position as FootTraffic's sighting (zone may be null)."""
    return Record({"zone": record.get("zone"),
                   "device_id": record.get("device")})


def as_radio_sighting(record):
    """A position as AnomalousDevices' sighting."""
    u = record.get("uncertainty")
    return Record({"device_id": record.get("device"), "ts": record.get("ts"),
                   "rssi": float(u) if isinstance(u, (int, float)) else None,
                   "sensor_id": record.get("zone") or ""})


def tagger(scores, flagged):
    def tag(record):
        if is_position(record):
            device = record.get("device")
            record["anomaly"] = device in flagged
            record["anomaly_score"] = float(scores.get(device, 0.0))
        return record
    return tag


def added(value):
    return Record(value, attributes={"sdc-locate.kind": value["kind"]})


class Retail(Transformer):
    def init(self, sc, params):
        super().init(sc, params)
        examples, own = EXAMPLES, []
        for p in params:
            if p.startswith("examples="):
                examples = p.split("=", 1)[1]
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
        self.batch = 0

    def transform(self, rdd):
        self.batch += 1
        rdd = rdd.cache()
        positions = rdd.filter(is_position)
        zones, _ = results_and_errors(
            self.traffic.transform(positions.map(as_zone_sighting)))
        scores = self.device_scores(positions)
        flagged = {d for d, s in scores.items() if s > self.threshold}
        latest = positions.map(lambda r: r.get("ts")) \
            .filter(lambda t: t is not None).top(1)
        ts = latest[0] if zones is not None and latest else None
        extra = [added({"kind": "foot_traffic", "ts": ts, "zone": z["zone"],
                        "positions": z["sightings"],
                        "total_positions": z["total_sightings"],
                        "devices": z["devices"], "batch": self.batch})
                 for z in (zones.collect() if zones is not None else [])]
        extra += [added({"kind": "anomaly", "ts": ts, "device": d,
                         "score": float(scores[d]), "batch": self.batch})
                  for d in sorted(flagged)]
        out = rdd.map(tagger(scores, flagged))
        if extra:
            out = out.union(self.sc.parallelize(extra, 1))
        return out, None

    def device_scores(self, positions):
        """AnomalousDevices' score of each device, from its features: the
        same as its transform() gives, without tagging every record
        there (this transformer tags them itself)."""
        m = self.model
        per_device = positions.map(as_radio_sighting).filter(m.usable) \
            .map(m.device_sighting).reduceByKey(m.add_sightings) \
            .mapValues(m.features).collect()
        if len(per_device) < self.anomalies.options["k"]:
            return {}
        return self.anomalies.scores(per_device)
