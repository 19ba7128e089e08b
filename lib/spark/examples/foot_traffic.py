"""Foot traffic per zone, kept across batches: a stateful transformer.

    sdc-spark-eval --transformer foot_traffic.py:FootTraffic

Each input record is a sighting with "zone" and "device_id" (and maybe
"store").  The driver keeps, per zone, the sightings so far and the set
of distinct devices seen so far; each batch is counted in Spark
(reduceByKey over the zone), merged into that state, and gives one
record per zone it touched:

    {"zone": "food", "sightings": 12, "total_sightings": 140,
     "devices": 37, "batch": 4}

sightings counts this batch, total_sightings and devices all batches so
far.  A record without a zone is an error record "no zone".
"""

from sdc_spark import Record, Transformer


def has_zone(record) -> bool:
    zone = record.get("zone")
    return isinstance(zone, str) and zone != ""


def lacks_zone(record) -> bool:
    return not has_zone(record)


def zone_sighting(record):
    """(zone, (1 sighting, {its device})) for reduceByKey."""
    device = record.get("device_id")
    devices = {device} if isinstance(device, str) else set()
    return record["zone"], (1, devices)


def add_sightings(a, b):
    return a[0] + b[0], a[1] | b[1]


def no_zone(record):
    return record, "no zone"


class FootTraffic(Transformer):
    def init(self, sc, params):
        super().init(sc, params)
        self.zones = {}   # zone -> (sightings so far, set of devices)
        self.batch = 0

    def transform(self, rdd):
        counts = rdd.filter(has_zone).map(zone_sighting) \
            .reduceByKey(add_sightings).collect()
        results = self.sc.parallelize(self.update(counts), 1)
        errors = rdd.filter(lacks_zone).map(no_zone)
        return results, errors

    def update(self, counts):
        """The state merged with a batch's (zone, (sightings, devices))
        pairs; the record of each zone they touch, in zone order."""
        self.batch += 1
        touched = []
        for zone, (sightings, devices) in sorted(counts):
            total, seen = self.zones.get(zone, (0, set()))
            seen |= devices
            self.zones[zone] = (total + sightings, seen)
            touched.append(Record({
                "zone": zone, "sightings": sightings,
                "total_sightings": total + sightings, "devices": len(seen),
                "batch": self.batch}, id=f"zone:{zone}"))
        return touched
