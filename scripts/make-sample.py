#!/usr/bin/env python3
"""Write sample/sightings.csv: WiFi and BLE sightings of shoppers' devices
by the sensors of one mall, in time order, the same bytes on every run.

Usage: scripts/make-sample.py [ROWS] > sample/sightings.csv
"""
import hashlib
import random
import sys
from datetime import datetime, timedelta, timezone

WIFI_CHANNELS = [1, 6, 11, 36, 40, 44, 48, 149, 153, 157]
BLE_CHANNELS = [37, 38, 39]


def device_ids(rng, n):
    """Hashed MAC addresses: stable per device, nothing personal kept."""
    ids = []
    for _ in range(n):
        mac = bytes(rng.randrange(256) for _ in range(6))
        ids.append(hashlib.sha256(b"mall1" + mac).hexdigest()[:16])
    return ids


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rng = random.Random(20260314)
    devices = device_ids(rng, 40)
    sensors = ["mall1-s%03d" % i for i in range(1, 25)]
    t = datetime(2026, 3, 14, 9, 0, 0, tzinfo=timezone.utc)
    print("ts,sensor_id,device_id,rssi,radio,channel")
    for _ in range(rows):
        t += timedelta(milliseconds=rng.randrange(50, 4000))
        radio = "wifi" if rng.random() < 0.65 else "ble"
        channel = rng.choice(WIFI_CHANNELS if radio == "wifi"
                             else BLE_CHANNELS)
        print("%s,%s,%s,%d,%s,%d" % (
            t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond
                                                        // 1000),
            rng.choice(sensors), rng.choice(devices),
            rng.randint(-95, -30), radio, channel))


if __name__ == "__main__":
    main()
