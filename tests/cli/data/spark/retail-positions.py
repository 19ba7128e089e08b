#!/usr/bin/env python3
"""Positions as sdc-locate gives them, in upstream batches, for the retail
transformer's case (tests/spark/example-retail.test), as typed JSON lines
for sdc-convert --from json --typed.

Three batches, 30 and 60 s apart: the first holds 60 ordinary devices (in
three kinds: few, some and many positions, uncertainty spreads and zones
to match) and two odd ones (dev60, dev61: few positions, a wide spread,
a zone each); the second and the third only the odd two and ten devices
of the first kind, too few kinds for a model of their own.  Each batch
also holds a visit record, which is not a position.
"""

import datetime
import json

START = datetime.datetime(2026, 3, 14, 12, 0, tzinfo=datetime.timezone.utc)
KINDS = [(20, 4, 8.0, 0.5, 1), (20, 12, 4.0, 1.0, 3), (20, 24, 6.0, 2.0, 5),
         (2, 6, 4.0, 5.0, 6)]  # devices, positions, uncertainty, swing, zones


def typed(value):
    if isinstance(value, str):
        return {"STRING": value}
    if isinstance(value, float):
        return {"DOUBLE": value}
    if isinstance(value, datetime.datetime):
        return {"DATETIME": value.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return {"LONG": value}


def record(rid, value):
    return {"kind": "data", "id": rid, "stages": [], "attributes": {},
            "value": {"MAP": {k: typed(v) for k, v in value.items()}}}


def positions(device, kind, at):
    _, count, uncertainty, swing, zones = KINDS[kind]
    for k in range(count):
        yield {"kind": "position", "device": f"dev{device}",
               "ts": at + datetime.timedelta(seconds=k % 10),
               "zone": f"z{k % zones}",
               "uncertainty": uncertainty + swing * ((k + device) % 3 - 1)}


def batch(number, at, devices):
    lines = []
    for device, kind in devices:
        for p in positions(device, kind, at):
            lines.append(record(f"p:{number}:{len(lines)}", p))
    lines.append(record(f"v:{number}", {"kind": "visit", "device": "dev0",
                                        "ts": at}))
    return lines + [{"kind": "batch"}]


def main():
    every = [(d, d // 20) for d in range(62)]
    few = [(d, 0) for d in range(10)] + [(60, 3), (61, 3)]
    out = batch(1, START, every)
    out += batch(2, START + datetime.timedelta(seconds=30), few)
    out += batch(3, START + datetime.timedelta(seconds=90), few)
    for line in out:
        print(json.dumps(line))


if __name__ == "__main__":
    main()
