#!/usr/bin/env python3
"""Write the hand-made sightings of the sdc-locate golden tests, from the
site room.json: noise-free RSSI, so that every answer is exact.

Usage: cd tests/cli/data/locate && python3 make-cases.py
"""
import json
import math

SITE = json.load(open("room.json"))
T0 = 1772445600000          # 2026-03-02T10:00:00Z
WINDOW = 5000


def rssi(sensor, x, y):
    radio = SITE["radios"]["wifi"]
    d = max(1.0, math.hypot(x - sensor["x"], y - sensor["y"]))
    return radio["rssi_1m"] - 10 * radio["path_loss_exponent"] * \
        math.log10(d)


def window(out, device, index, x, y, sensors=None):
    """One sighting per sensor in window index, 1 s into it."""
    for k, s in enumerate(SITE["sensors"]):
        if sensors is None or s["id"] in sensors:
            out.append({"ts": T0 + index * WINDOW + 1000 + 10 * k,
                        "sensor_id": s["id"], "device_id": device,
                        "rssi": round(rssi(s, x, y), 6), "radio": "wifi"})


def write(name, rows):
    with open(name, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def walk(device, xs, y, first=0):
    rows = []
    for i, x in enumerate(xs):
        window(rows, device, first + i, x, y)
    return rows


def main():
    rows = []
    window(rows, "00:11:22:33:44:55", 0, 12.0, 7.0)
    write("noise-free.json", rows)

    rows = []
    for k, s in enumerate(("a", "c")):
        rows.append({"ts": T0 + 1000 + k, "sensor_id": s,
                     "device_id": "00:11:22:33:44:66", "rssi": -60.0,
                     "radio": "wifi"})
    write("two-sensors.json", rows)

    xs = [14, 16, 18, 19.5, 20.5, 19.6, 20.4, 19.8, 20.6, 21.5, 23, 25,
          27, 29, 31]
    write("crossing.json", walk("00:11:22:33:44:77", xs, 10.0))

    # 30 windows in the left store, 4 walking, 20 in the right one.
    xs = [8.0] * 30 + [12, 16, 24, 28] + [32.0] * 20
    write("dwell.json", walk("00:11:22:33:44:88", xs, 10.0))

    # A randomised MAC (locally administered bit) and a plain one.
    rows = walk("02:11:22:33:44:99", [8.0] * 3, 10.0)
    rows += walk("00:11:22:33:44:aa", [30.0] * 3, 10.0)
    rows.sort(key=lambda r: r["ts"])
    write("random-mac.json", rows)


if __name__ == "__main__":
    main()
