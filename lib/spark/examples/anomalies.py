"""Devices that behave unlike the others: k-means over a batch (MLlib).

    sdc-spark-eval --transformer anomalies.py:AnomalousDevices \
        --param k=3 --param n=3 --param errors

Per device of the batch, from its sightings (records with "device_id",
a numeric "rssi" and "ts" as a DATETIME or epoch milliseconds), the
features are: the number of sightings, the RSSI spread (max - min), the
RSSI standard deviation and the number of distinct sensors ("sensor_id").
They are standardized and clustered with pyspark.mllib's KMeans, trained
anew on each batch (so the model follows the traffic of the day; the
seed is fixed, so a batch always gives the same model).  A device's score
is how many standard deviations its distance to the nearest center of a
large cluster (one holding at least the share of the devices, so that a
few odd devices cannot make a cluster of their own and hide there) lies
above the mean distance; above n, the device is anomalous.

Every record goes out with "anomaly" (BOOLEAN) and "anomaly_score"
(DOUBLE) added, and with the param "errors" the records of anomalous
devices also go out as error records "anomalous device ID: score S".
A batch of fewer than k devices, and a record without those fields, go
out with anomaly false and score 0.

Params: k=K (default 3), n=N (default 3), share=F (default 0.05),
seed=S (default 1), errors.
"""

import datetime

import numpy as np
from pyspark.mllib.clustering import KMeans

from sdc_spark import Transformer


def usable(record) -> bool:
    rssi, ts = record.get("rssi"), record.get("ts")
    return (isinstance(record.get("device_id"), str)
            and isinstance(rssi, (int, float)) and not isinstance(rssi, bool)
            and (isinstance(ts, datetime.datetime)
                 or (isinstance(ts, int) and not isinstance(ts, bool))))


def device_sighting(record):
    """(device, (count, min, max, sum, sum of squares, {sensor}))."""
    rssi = float(record["rssi"])
    sensor = record.get("sensor_id")
    return record["device_id"], (1, rssi, rssi, rssi, rssi * rssi,
                                 {sensor} if sensor is not None else set())


def add_sightings(a, b):
    return (a[0] + b[0], min(a[1], b[1]), max(a[2], b[2]), a[3] + b[3],
            a[4] + b[4], a[5] | b[5])


def features(acc):
    n, low, high, total, squares, sensors = acc
    mean = total / n
    std = max(0.0, squares / n - mean * mean) ** 0.5
    return [float(n), high - low, std, float(len(sensors))]


def parse_params(params):
    options = {"k": 3, "n": 3.0, "seed": 1, "share": 0.05, "errors": False}
    for param in params:
        key, sep, value = param.partition("=")
        if key == "errors" and not sep:
            options["errors"] = True
        elif key in ("k", "seed") and sep:
            options[key] = int(value)
        elif key in ("n", "share") and sep:
            options[key] = float(value)
        else:
            raise ValueError(f"unknown param {param!r}: expected k=K, n=N, "
                             f"share=F, seed=S or errors")
    if options["k"] < 1:
        raise ValueError("k must be at least 1")
    return options


def tagger(scores, threshold):
    """The function that adds anomaly and anomaly_score to a record."""
    def tag(record):
        score = scores.get(record.get("device_id"), 0.0) \
            if usable(record) else 0.0
        record["anomaly"] = score > threshold
        record["anomaly_score"] = score
        return record
    return tag


class AnomalousDevices(Transformer):
    def init(self, sc, params):
        super().init(sc, params)
        self.options = parse_params(params)

    def transform(self, rdd):
        o = self.options
        per_device = rdd.filter(usable).map(device_sighting) \
            .reduceByKey(add_sightings).mapValues(features).collect()
        scores = self.scores(per_device) if len(per_device) >= o["k"] else {}
        results = rdd.map(tagger(scores, o["n"]))
        if not o["errors"]:
            return results
        flagged = {d: s for d, s in scores.items() if s > o["n"]}
        errors = rdd.filter(lambda r: usable(r)
                            and r["device_id"] in flagged) \
            .map(lambda r: (r, f"anomalous device {r['device_id']}: "
                               f"score {flagged[r['device_id']]:.2f}"))
        return results, errors

    def scores(self, per_device):
        """device -> standard deviations of its distance above the mean."""
        return score(self.fit(per_device), per_device)

    def fit(self, per_device):
        """The model of a batch's devices ((device, features) pairs):
        MLlib's KMeans over their standardized features, and what scoring
        with it needs (the standardization, the centers of the large
        clusters, the mean and spread of the devices' distances to them).
        score() applies it to these devices or to later ones."""
        x = np.array([f for _, f in per_device])
        mean, spread = x.mean(axis=0), x.std(axis=0)
        spread = np.where(spread > 0, spread, 1.0)
        x = (x - mean) / spread
        model = KMeans.train(self.sc.parallelize(list(x), 2),
                             self.options["k"], maxIterations=50,
                             seed=self.options["seed"])
        centers = np.array(model.clusterCenters)
        nearest = np.array([model.predict(v) for v in x])
        # A handful of odd devices make a cluster of their own: distances
        # are to the clusters that hold a fair share of the devices.
        sizes = np.bincount(nearest, minlength=len(centers))
        large = sizes >= max(2.0, self.options["share"] * len(per_device))
        reference = centers[large] if large.any() else centers
        distance = distances(x, reference)
        return {"mean": mean, "spread": spread, "reference": reference,
                "distance_mean": distance.mean(),
                "distance_sd": distance.std()}


def distances(x, reference):
    """Each row's distance to its nearest reference center."""
    return np.linalg.norm(x[:, None, :] - reference[None, :, :],
                          axis=2).min(axis=1)


def score(model, per_device):
    """device -> standard deviations of its distance (under the model of
    fit()) above the mean distance of the devices the model was fit on."""
    if not per_device:
        return {}
    x = (np.array([f for _, f in per_device]) - model["mean"]) \
        / model["spread"]
    distance = distances(x, model["reference"])
    sd = model["distance_sd"]
    z = (distance - model["distance_mean"]) / sd if sd > 0 else \
        np.zeros_like(distance)
    return {d: float(s) for (d, _), s in zip(per_device, z)}
