#!/usr/bin/env python3
"""Tests of scripts/mall-sim and the bound of scripts/locate-metrics.py.

Prints TAP; exits 1 when any test failed.  The simulator must give the
same bytes for a seed, write a site with the fields of sdc-locate's site
file, and sightings that obey the sensitivity and, on average, the
log-distance model of the interface with each device's transmit offset;
the Cramer-Rao bound must be the textbook value for sensors on a square
around the point.  Needs numpy: run by a python3 without it, the test runs
itself again with the project's virtual environment, and skips when there
is none.
"""

import csv
import filecmp
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
TOP = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
SIM = os.path.join(TOP, "scripts", "mall-sim")
METRICS = os.path.join(TOP, "scripts", "locate-metrics.py")

try:
    import numpy as np
except ImportError:
    for py in (os.environ.get("SDC_SPARK_PYTHON"),
               os.path.join(os.environ.get("SDC_CACHE_DIR") or
                            os.path.expanduser("~/.cache/sdc-tools"),
                            "venv", "bin", "python")):
        if py and os.access(py, os.X_OK) and \
                os.path.realpath(py) != os.path.realpath(sys.executable):
            os.execv(py, [py] + sys.argv)
    print("1..0 # SKIP numpy is missing")
    sys.exit(0)

results = []


def ok(cond, desc, *detail):
    results.append((bool(cond), desc, detail))


def sim(out, *args):
    subprocess.run([sys.executable, SIM] + list(args), check=True, cwd=out)


def load_metrics():
    spec = importlib.util.spec_from_file_location("locate_metrics", METRICS)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


SMALL = ("--days", "2", "--shoppers", "4", "--duration", "40")


def test_deterministic(tmp):
    for d, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        os.mkdir(os.path.join(tmp, d))
        sim(os.path.join(tmp, d), "--seed", seed, *SMALL,
            "--site-out", "site.json", "--sightings-out", "s.csv",
            "--truth-out", "truth")
    a, b, c = (os.path.join(tmp, d) for d in "abc")
    names = ["site.json", "s.csv"] + [os.path.join("truth", f) for f in (
        "devices.csv", "trajectories.csv", "visits.csv", "presence.csv",
        "sightings.npz")]
    same = [n for n in names if filecmp.cmp(os.path.join(a, n),
                                            os.path.join(b, n), False)]
    ok(same == names, "the same seed writes the same bytes",
       "differ: %s" % sorted(set(names) - set(same)))
    ok(not filecmp.cmp(os.path.join(a, "s.csv"), os.path.join(c, "s.csv"),
                       False), "another seed writes other sightings")
    os.mkdir(os.path.join(tmp, "d"))
    sim(os.path.join(tmp, "d"), "--seed", "3", *SMALL, "--shadowing", "8",
        "--sightings-out", "s-{day}.csv", "--truth-out", "truth")
    d = os.path.join(tmp, "d")
    ok(filecmp.cmp(os.path.join(a, "truth", "trajectories.csv"),
                   os.path.join(d, "truth", "trajectories.csv"), False),
       "the motion does not depend on the shadowing")
    days = [sum(1 for _ in open(os.path.join(d, "s-%d.csv" % k))) - 1
            for k in (1, 2)]
    ok(all(days) and os.path.exists(os.path.join(d, "s-2.csv")),
       "{day} in --sightings-out: a file a day", "rows: %s" % days)


def polygon_area(p):
    return abs(sum(p[i][0] * p[i - 1][1] - p[i - 1][0] * p[i][1]
                   for i in range(len(p)))) / 2


def test_site(tmp):
    path = os.path.join(tmp, "a", "site.json")
    site = json.load(open(path))
    lm = load_metrics()
    num = (int, float)
    floors = {f["id"]: f for f in site["floors"]}
    ok(len(floors) == 2 and all(isinstance(f["name"], str) and
                                isinstance(f["height"], num) and
                                len(f["outline"]) >= 3 for f in floors.values())
       and floors[1]["height"] - floors[0]["height"] == 5.0,
       "two floors with id, name, height and outline, 5 m apart")
    radios = site["radios"]
    ok(set(radios) == {"wifi", "ble"} and all(
        set(r) == {"rssi_1m", "path_loss_exponent", "shadowing_db",
                   "sensitivity", "miss_probability"} and
        all(isinstance(v, num) for v in r.values()) for r in radios.values()),
       "radios wifi and ble with their five fields")
    ok(isinstance(site["floor_loss_db"], num), "floor_loss_db")
    sensors = site["sensors"]
    ids = [s["id"] for s in sensors]

    def radio_ok(r):
        rs = r if isinstance(r, list) else [r]
        return bool(rs) and all(v in radios for v in rs)
    ok(len(set(ids)) == len(ids) and all(
        isinstance(s["x"], num) and isinstance(s["y"], num) and
        s["floor"] in floors and radio_ok(s["radio"]) and
        all(isinstance(s.get(k, 0), num)
            for k in ("rssi_1m", "path_loss_exponent")) for s in sensors),
       "sensors: unique ids, x, y, a floor, known radios")
    ok(30 <= len(sensors) <= 45 and
       any(isinstance(s["radio"], list) for s in sensors),
       "30 to 45 sensors, some of them BLE too", "%d" % len(sensors))
    spacing = lm.Site(site).spacing()
    ok(15 <= spacing <= 20, "sensors 15-20 m apart", "%.1f m" % spacing)
    zones = site["zones"]
    zid = [z["id"] for z in zones]
    kinds = {z["kind"] for z in zones}
    ok(len(set(zid)) == len(zid) and
       kinds == {"store", "corridor", "entrance", "food_court"} and
       all(isinstance(z["name"], str) and z["floor"] in floors and
           len(z["polygon"]) >= 3 for z in zones),
       "zones: unique ids, names, the four kinds, a floor and a polygon")
    per_floor = [sum(1 for z in zones if z["kind"] == "store" and
                     z["floor"] == f) for f in floors]
    ok(all(12 <= n <= 16 for n in per_floor), "12-16 stores a floor",
       "%s" % per_floor)
    ok(any(z["kind"] == "entrance" and z["floor"] == 0 for z in zones) and
       not any(z["kind"] == "entrance" and z["floor"] != 0 for z in zones),
       "entrances on the ground floor")
    gx, gy = np.meshgrid(np.arange(0.25, 120, 0.5), np.arange(0.25, 60, 0.5))
    gx, gy = gx.ravel(), gy.ravel()
    worst = 0
    covered = True
    for f in floors:
        inside = sum(lm.point_in_polygon(gx, gy, z["polygon"]).astype(int)
                     for z in zones if z["floor"] == f)
        worst = max(worst, int(inside.max()))
        covered &= bool(inside.min() == 1)
    ok(worst == 1, "zones of one floor do not overlap")
    ok(covered, "the zones cover each floor")
    ok(re.fullmatch(r"\d\d:\d\d", site["hours"]["open"]) and
       re.fullmatch(r"\d\d:\d\d", site["hours"]["close"]), "hours")
    sample = os.path.join(TOP, "sample", "mall.json")
    if os.path.exists(sample):
        ok(json.load(open(sample)) == site,
           "sample/mall.json is the site mall-sim writes")


def test_sightings(tmp):
    site = json.load(open(os.path.join(tmp, "a", "site.json")))
    radios = site["radios"]
    truth = os.path.join(tmp, "a", "truth")
    devices = {d["mac"]: d for d in csv.DictReader(
        open(os.path.join(truth, "devices.csv")))}
    rows = list(csv.DictReader(open(os.path.join(tmp, "a", "s.csv"))))
    ok(rows and list(rows[0]) == ["ts", "sensor_id", "device_id", "rssi",
                                  "radio"], "the CSV's header")
    mac = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
    ok(all(mac.fullmatch(r["device_id"]) for r in rows), "MAC device ids")
    ok(all(r["device_id"] in devices for r in rows),
       "every device is in the truth")
    ok(all((int(d["mac"][:2], 16) & 2 == 2) == (d["random_mac"] == "1")
           for d in devices.values()),
       "randomised MACs, and only they, are locally administered")
    ok(all(d["returning"] == "0" for d in devices.values()
           if d["random_mac"] == "1"), "randomised MACs never return")
    below = [r for r in rows if int(r["rssi"]) <
             radios[r["radio"]]["sensitivity"]]
    ok(not below, "no sighting under the radio's sensitivity",
       "%d under" % len(below))
    ts = np.array([int(r["ts"]) for r in rows])
    back = float((np.maximum.accumulate(ts) - ts).max())
    ok(0 < back < 10000, "rows out of order, by less than 10 s",
       "%.0f ms" % back)
    ok(ts.min() > 1.7e12, "ts in epoch milliseconds")


def model_mean(site, sensor, radio, x, y, floor):
    """The interface's mean rssi without the device's offset."""
    r = site["radios"][radio]
    own = not isinstance(sensor["radio"], list)
    p0 = sensor.get("rssi_1m", r["rssi_1m"]) if own else r["rssi_1m"]
    n = sensor.get("path_loss_exponent", r["path_loss_exponent"]) if own \
        else r["path_loss_exponent"]
    h = {f["id"]: f["height"] for f in site["floors"]}
    d = np.maximum(1, np.sqrt((x - sensor["x"]) ** 2 +
                              (y - sensor["y"]) ** 2 +
                              (h[floor] - h[sensor["floor"]]) ** 2))
    return p0 - 10 * n * np.log10(d) - \
        site["floor_loss_db"] * abs(floor - sensor["floor"])


def test_physics(tmp):
    out = os.path.join(tmp, "p")
    os.mkdir(out)
    sim(out, "--seed", "5", "--days", "1", "--shoppers", "6",
        "--duration", "30", "--site-out", "site.json",
        "--sightings-out", "s.csv", "--truth-out", "truth")
    site = json.load(open(os.path.join(out, "site.json")))
    sensors = {s["id"]: s for s in site["sensors"]}
    devices = {d["mac"]: d for d in csv.DictReader(
        open(os.path.join(out, "truth", "devices.csv")))}
    traj = {}
    for r in csv.DictReader(open(os.path.join(out, "truth",
                                              "trajectories.csv"))):
        traj.setdefault(r["mac"], []).append(
            (int(r["ts"]), float(r["x"]), float(r["y"]), int(r["floor"])))
    traj = {m: np.array(v) for m, v in traj.items()}
    res = {}
    sigma = site["radios"]["wifi"]["shadowing_db"]
    sens = site["radios"]["wifi"]["sensitivity"]
    for r in csv.DictReader(open(os.path.join(out, "s.csv"))):
        t = traj[r["device_id"]]
        ts = int(r["ts"])
        if ts < t[0, 0] or ts > t[-1, 0]:
            continue
        k = min(np.searchsorted(t[:, 0], ts), len(t) - 1)
        x = np.interp(ts, t[:, 0], t[:, 1])
        y = np.interp(ts, t[:, 0], t[:, 2])
        s = sensors[r["sensor_id"]]
        m = model_mean(site, s, r["radio"], x, y, int(t[k, 3]))
        tx = float(devices[r["device_id"]]["tx_offset"])
        # Far above the sensitivity, where dropping weak ones biases nothing.
        if r["radio"] == "wifi" and m + tx > sens + 3 * sigma:
            res.setdefault(r["device_id"], []).append(int(r["rssi"]) - m - tx)
    # Each device's mean residual less its offset is 0 within 4 standard
    # errors, and so is the pooled mean.
    worst = 0.0
    spread = []
    pooled = []
    for v in res.values():
        v = np.array(v)
        if len(v) < 100:
            continue
        worst = max(worst, abs(v.mean()) / (sigma / math.sqrt(len(v))))
        spread.append(v.std())
        pooled.extend(v)
    ok(len(spread) >= 4, "enough devices heard well", "%d" % len(spread))
    ok(worst < 4, "mean residual of rssi vs the model = the tx offset",
       "worst %.1f standard errors" % worst)
    z = abs(np.mean(pooled)) / (sigma / math.sqrt(len(pooled)))
    ok(z < 4, "pooled over the devices too", "%.1f standard errors" % z)
    ok(all(abs(s / sigma - 1) < 0.1 for s in spread),
       "residuals spread by the shadowing sigma",
       "%s vs %.1f" % (["%.2f" % s for s in spread], sigma))


def test_crlb(tmp):
    lm = load_metrics()
    n, sigma, h = 2.8, 6.0, 10.0
    b = (10 * n / (sigma * math.log(10))) ** 2
    sx = np.array([h, -h, h, -h])
    sy = np.array([h, h, -h, -h])
    f = lm.fisher(0.0, 0.0, 0.0, sx, sy, np.zeros(4), n, sigma)
    d = h * math.sqrt(2)
    want = d / math.sqrt(b)     # F = (b / h^2) I, tr F^-1 = 2 h^2 / b
    got = float(lm.crlb(*f))
    ok(abs(got - want) < 1e-9 * want, "the bound of a point amid a square",
       "got %.6f want %.6f" % (got, want))
    f = lm.fisher(0.0, 0.0, 0.0, sx, sy, np.zeros(4), n, sigma, k=4.0)
    ok(abs(float(lm.crlb(*f)) - want / 2) < 1e-9,
       "four sightings each halve it")
    f = lm.fisher(0.0, 0.0, 0.0, np.array([5.0, 10.0]), np.zeros(2),
                  np.zeros(2), n, sigma)
    ok(math.isinf(float(lm.crlb(*f))), "sensors on a line: singular")
    # The per-window path of the benchmark gives the same.
    site = lm.Site({
        "floors": [{"id": 0, "name": "g", "height": 0.0,
                    "outline": [[-20, -20], [20, -20], [20, 20], [-20, 20]]}],
        "radios": {"wifi": {"rssi_1m": -45.0, "path_loss_exponent": n,
                            "shadowing_db": sigma, "sensitivity": -95.0,
                            "miss_probability": 0.1}},
        "floor_loss_db": 15.0, "zones": [],
        "sensors": [{"id": "s%d" % i, "x": float(x), "y": float(y),
                     "floor": 0, "radio": "wifi"}
                    for i, (x, y) in enumerate(zip(sx, sy))]})
    sight = {"ts": np.array([1000, 1100, 1200, 1300, 1400, 1500, 1600,
                             1700, 9000], dtype=np.int64),
             "sensor": np.array([0, 1, 2, 3, 0, 1, 2, 3, 0]),
             "device": np.zeros(9, dtype=np.int32),
             "radio": np.zeros(9, dtype=np.int8)}
    got = lm.window_bounds(site, sight, np.array([0, 0]),
                           np.array([0, 1000]), np.array([1400, 5000]),
                           np.zeros(2), np.zeros(2), np.zeros(2, dtype=int))
    ok(abs(got[0] - want) < 1e-9 and abs(got[1] - want / math.sqrt(2))
       < 1e-9, "window_bounds counts each sensor's sightings in the window",
       "got %s" % got)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for test in (test_deterministic, test_site, test_sightings,
                     test_physics, test_crlb):
            try:
                test(tmp)
            except Exception as e:  # a crash fails its group, not the run
                ok(False, f"{test.__name__} ran", f"{type(e).__name__}: {e}")
    print(f"1..{len(results)}")
    failed = 0
    for n, (passed, desc, detail) in enumerate(results, 1):
        print(f"{'ok' if passed else 'not ok'} {n} - {desc}")
        if not passed:
            failed += 1
            for line in detail:
                print(f"# {line}")
    print(f"# {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
