#!/usr/bin/env python3
"""The figures of scripts/bench-locate: sdc-locate's output against the
ground truth of scripts/mall-sim.

Usage:
  locate-metrics.py eval --site SITE --truth DIR --key KEY --sigma DB
                         --estimator NAME [--out FILE] OUTPUT.jsonl...
      OUTPUT.jsonl: sdc-locate's records rendered by sdc-convert --to json,
      every day's; writes the figures as JSON (to FILE or stdout).
  locate-metrics.py report [--rate SIGHTINGS SECONDS] [--peer SECONDS]
                           FIGURES.json...
      the table, each figure next to its target with ok/MISSED; the
      figures of gain among them print as the recurring-visit gain.
  locate-metrics.py gain --truth DIR --key KEY --sigma DB [--first S]
                         --with WITH.jsonl... --without WITHOUT.jsonl...
                         [--oracle ORACLE.jsonl...]
                         [--after SECONDS WITH.jsonl WITHOUT.jsonl]...
                         [--out FILE]
      the returning devices (non-random MACs on a later day than their
      first) located with the --state carried (WITH, every day's records)
      and without it (WITHOUT, the later days run again on the same
      sightings; ORACLE, with a state of the true tx offsets): position
      error over a center visit's first S seconds (120) and the whole
      day, on the windows all the runs have; the rssi_offset error when
      the device appears (the offset its previous device record left, 0
      for a new one) and as its visit ends (its device record); and, for
      each --after, as the runs on the visit's first SECONDS of sightings
      (cut) end it.  Writes the figures as JSON.
  locate-metrics.py oracle --truth DIR --key KEY [--var DB2]
      a state file rendered by sdc-convert --to json --typed (stdin to
      stdout), every device's rssi_offset set to its true tx_offset.
  locate-metrics.py cut --truth DIR --after S1,S2,... --out PATTERN CSV
      the sightings of each center visit's first S seconds (from the
      truth's arrival), one CSV per S: PATTERN with {after} replaced.
  locate-metrics.py peer --site SITE --window MS SIGHTINGS.csv
      a plain Python weighted centroid per device and window, the peer of
      the throughput figure; prints the sightings it read and its seconds.

The Cramer-Rao bound of a window is that of the log-distance model at the
true position (the window's midpoint) with the sightings each sensor
reported in it: F = sum_i k_i b_i (p - s_i)(p - s_i)^T / d_i^4 over the
sensors of the device's floor and the adjacent ones, with
b_i = (10 n_i / (sigma ln 10))^2, d_i the 3-D distance, (p - s_i) its
horizontal part; the bound is sqrt(tr F^-1), the tx offset taken as known.
"""

import os
import sys

try:
    import numpy as np
except ImportError:  # the project's venv has numpy
    for py in (os.environ.get("SDC_SPARK_PYTHON"),
               os.path.join(os.environ.get("SDC_CACHE_DIR") or
                            os.path.expanduser("~/.cache/sdc-tools"),
                            "venv", "bin", "python")):
        if py and os.access(py, os.X_OK) and \
                os.path.realpath(py) != os.path.realpath(sys.executable):
            os.execv(py, [py] + sys.argv)
    sys.exit("locate-metrics: numpy is needed")

import argparse
import csv
import datetime
import hashlib
import hmac
import json
import math
import time

LN10 = math.log(10)
HIGH_INFO = 0.15          # bound under this share of the sensor spacing
BOUNDARY = 2.0            # metres from another zone, for zone accuracy
IOU = 0.5
SIM_RADIOS = ("wifi", "ble")   # the radio codes of mall-sim's sightings.npz


# ---------------------------------------------------------------- the site

class Site:
    def __init__(self, site):
        self.site = site
        self.heights = {f["id"]: f["height"] for f in site["floors"]}
        self.zones = site["zones"]
        self.zone_ids = [z["id"] for z in self.zones]
        radios = site["radios"]
        self.radio_names = sorted(radios)
        # One row per (sensor, radio) it hears.
        rows = []
        for i, s in enumerate(site["sensors"]):
            has = s["radio"] if isinstance(s["radio"], list) else [s["radio"]]
            for name in has:
                r = radios[name]
                own = len(has) == 1
                rows.append((i, self.radio_names.index(name), s["x"], s["y"],
                             s["floor"], self.heights[s["floor"]],
                             s.get("path_loss_exponent",
                                   r["path_loss_exponent"]) if own
                             else r["path_loss_exponent"],
                             s.get("rssi_1m", r["rssi_1m"]) if own
                             else r["rssi_1m"],
                             r["shadowing_db"]))
        a = np.array(rows, dtype=float)
        self.sensor_ids = [s["id"] for s in site["sensors"]]
        nr = len(self.radio_names)
        self.row_of = np.full(len(site["sensors"]) * nr, -1, dtype=np.int64)
        self.row_of[a[:, 0].astype(int) * nr + a[:, 1].astype(int)] = \
            np.arange(len(a))
        self.sx, self.sy = a[:, 2], a[:, 3]
        self.sfloor, self.sh = a[:, 4].astype(int), a[:, 5]
        self.sn, self.sp0, self.ssigma = a[:, 6], a[:, 7], a[:, 8]

    def spacing(self):
        """Median distance from a sensor to its nearest on the floor."""
        xs = np.array([s["x"] for s in self.site["sensors"]])
        ys = np.array([s["y"] for s in self.site["sensors"]])
        fs = np.array([s["floor"] for s in self.site["sensors"]])
        d = np.hypot(xs[:, None] - xs, ys[:, None] - ys)
        d[(fs[:, None] != fs) | (d == 0)] = np.inf
        return float(np.median(d.min(axis=1)))

    def zone_of(self, x, y, floor):
        out = np.full(len(x), -1, dtype=np.int64)
        for k, z in enumerate(self.zones):
            sel = (floor == z["floor"]) & (out < 0)
            if sel.any():
                idx = np.flatnonzero(sel)
                out[idx[point_in_polygon(x[idx], y[idx], z["polygon"])]] = k
        return out

    def boundary_distance(self, x, y, floor, zone):
        """Distance from each point to the nearest zone other than its own
        on its floor (0 outside every zone)."""
        best = np.full(len(x), np.inf)
        for k, z in enumerate(self.zones):
            sel = (floor == z["floor"]) & (zone != k)
            if sel.any():
                idx = np.flatnonzero(sel)
                d = edge_distance(x[idx], y[idx], z["polygon"])
                d[point_in_polygon(x[idx], y[idx], z["polygon"])] = 0
                best[idx] = np.minimum(best[idx], d)
        best[zone < 0] = 0
        return best


def point_in_polygon(x, y, poly):
    inside = np.zeros(len(x), dtype=bool)
    for i in range(len(poly)):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % len(poly)]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        inside ^= crosses & (x < x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return inside


def edge_distance(x, y, poly):
    best = np.full(len(x), np.inf)
    for i in range(len(poly)):
        ax, ay = poly[i]
        bx, by = poly[(i + 1) % len(poly)]
        dx, dy = bx - ax, by - ay
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy),
                    0, 1)
        best = np.minimum(best, np.hypot(x - ax - t * dx, y - ay - t * dy))
    return best


# ---------------------------------------------------------------- the bound

def fisher(px, py, ph, sx, sy, sh, n, sigma, k=1.0):
    """The 2x2 Fisher information of one position from sensors at
    (sx, sy, sh) with k sightings each (arrays; broadcast)."""
    dx, dy = px - sx, py - sy
    d2 = dx * dx + dy * dy + (ph - sh) ** 2
    w = k * (10 * n / (sigma * LN10)) ** 2 / np.maximum(d2, 1.0) ** 2
    w = np.where(d2 < 1.0, 0.0, w)  # d = max(1, ...): no gradient there
    return (np.sum(w * dx * dx), np.sum(w * dx * dy), np.sum(w * dy * dy))


def crlb(fxx, fxy, fyy):
    """sqrt(tr F^-1), inf when F is singular (arrays or scalars)."""
    fxx, fxy, fyy = (np.asarray(v, dtype=float) for v in (fxx, fxy, fyy))
    det = fxx * fyy - fxy * fxy
    tr = fxx + fyy
    ok = (det > 1e-9 * np.maximum(tr * tr, 1e-300)) & (tr > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, np.sqrt(np.where(ok, tr / det, 1.0)), np.inf)


def window_bounds(site, sight, wdev, wlo, whi, px, py, pfloor):
    """The bound of each window (device index, [lo, hi) ms) at the true
    position, from the sightings each sensor reported in it."""
    shift = np.int64(1) << 42
    key = sight["device"].astype(np.int64) * shift + sight["ts"]
    order = np.argsort(key, kind="stable")
    key = key[order]
    lo = np.searchsorted(key, wdev * shift + wlo, "left")
    hi = np.searchsorted(key, wdev * shift + whi, "left")
    nwin = len(wdev)
    length = hi - lo
    total = int(length.sum())
    win = np.repeat(np.arange(nwin), length)
    first = np.repeat(np.cumsum(length) - length, length)
    elem = order[np.repeat(lo, length) + np.arange(total) - first]
    nr = len(site.radio_names)
    code = np.array([site.radio_names.index(r) if r in site.radio_names
                     else 0 for r in SIM_RADIOS])
    row = site.row_of[sight["sensor"][elem].astype(np.int64) * nr +
                      code[sight["radio"][elem].astype(np.int64)]]
    keep = (row >= 0) & (np.abs(site.sfloor[np.maximum(row, 0)] -
                                pfloor[win]) <= 1)
    win, row = win[keep], row[keep]
    ph = np.array([site.heights.get(int(f), 0.0) for f in range(
        int(pfloor.max()) + 1 if nwin else 1)])[pfloor[win]]
    dx, dy = px[win] - site.sx[row], py[win] - site.sy[row]
    d2 = dx * dx + dy * dy + (ph - site.sh[row]) ** 2
    w = (10 * site.sn[row] / (site.ssigma[row] * LN10)) ** 2 / \
        np.maximum(d2, 1.0) ** 2
    w[d2 < 1.0] = 0
    f = [np.bincount(win, w * a * b, minlength=nwin)
         for a, b in ((dx, dx), (dx, dy), (dy, dy))]
    return crlb(*f)


# ---------------------------------------------------------------- loading

def iso_ms(text):
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return int(text)
    return int(round(datetime.datetime.fromisoformat(
        text.replace("Z", "+00:00")).timestamp() * 1000))


def load_truth(path):
    devices = list(csv.DictReader(open(os.path.join(path, "devices.csv"))))
    for d in devices:
        d["device"] = int(d["device"])
        d["random_mac"] = d["random_mac"] == "1"
        d["returning"] = d["returning"] == "1"
        d["days"] = [int(v) for v in d["days"].split(";")]
    traj = {}
    with open(os.path.join(path, "trajectories.csv")) as f:
        r = csv.reader(f)
        next(r)
        for mac, day, ts, x, y, fl, zone in r:
            traj.setdefault(mac, []).append(
                (int(ts), float(x), float(y), int(fl), int(day)))
    traj = {m: np.array(sorted(v)) for m, v in traj.items()}
    visits = list(csv.DictReader(open(os.path.join(path, "visits.csv"))))
    for v in visits:
        v["start"], v["end"] = int(v["start"]), int(v["end"])
        v["dwell"] = float(v["dwell"])
    npz = np.load(os.path.join(path, "sightings.npz"))
    sight = {k: npz[k] for k in npz.files}
    return devices, traj, visits, sight


def load_output(paths):
    out = {"position": [], "visit": [], "device": []}
    for p in paths:
        with open(p) as f:
            for line in f:
                rec = json.loads(line)
                kind = rec.get("kind")
                if kind in out:
                    out[kind].append(rec)
    return out


def read_key(path):
    with open(path, "rb") as f:
        key = f.read()
    return key[:-1] if key.endswith(b"\n") else key


def hmac_map(key, devices):
    return {hmac.new(key, d["mac"].encode(), hashlib.sha256).hexdigest():
            d["mac"] for d in devices}


# ---------------------------------------------------------------- figures

def pct(a, q):
    return float(np.percentile(a, q)) if len(a) else None


def match_windows(truth, outputs, ids):
    """sdc-locate's position windows next to the truth: a dict of arrays
    (mac, lo, hi, mid, est_x, est_y, est_f, est_zone, tx, ty, tf, tday,
    err), or None when no window is of a known device; and the count of
    windows of unknown devices."""
    _, traj, _, _ = truth
    unknown = 0
    rows = []
    for p in outputs["position"]:
        mac = ids.get(p["device"])
        if mac is None or mac not in traj:
            unknown += 1
            continue
        rows.append((mac, iso_ms(p["ts"]), iso_ms(p["window_end"]),
                     float(p["x"]), float(p["y"]), int(p["floor"]),
                     p.get("zone")))
    n = len(rows)
    if n == 0:
        return None, unknown
    w = {"mac": [r[0] for r in rows],
         "est_x": np.array([r[3] for r in rows]),
         "est_y": np.array([r[4] for r in rows]),
         "est_f": np.array([r[5] for r in rows]),
         "est_zone": np.array([r[6] for r in rows], dtype=object),
         "lo": np.array([r[1] for r in rows], dtype=np.int64),
         "hi": np.array([r[2] for r in rows], dtype=np.int64)}
    mid = w["mid"] = (w["lo"] + w["hi"]) / 2
    tx, ty = np.empty(n), np.empty(n)
    tf, tday = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    by_mac = {}
    for i, r in enumerate(rows):
        by_mac.setdefault(r[0], []).append(i)
    for mac, idx in by_mac.items():
        idx = np.array(idx)
        t = traj[mac]
        m = mid[idx]
        tx[idx] = np.interp(m, t[:, 0], t[:, 1])
        ty[idx] = np.interp(m, t[:, 0], t[:, 2])
        k = np.clip(np.searchsorted(t[:, 0], m), 0, len(t) - 1)
        k0 = np.clip(k - 1, 0, len(t) - 1)
        near = np.where(np.abs(t[k0, 0] - m) < np.abs(t[k, 0] - m), k0, k)
        tf[idx] = t[near, 3].astype(np.int64)
        tday[idx] = t[near, 4].astype(np.int64)
    w.update(tx=tx, ty=ty, tf=tf, tday=tday,
             err=np.hypot(w["est_x"] - tx, w["est_y"] - ty))
    return w, unknown


def position_figures(site, truth, outputs, ids, sigma):
    devices = truth[0]
    sight = truth[3]
    dev_index = {d["mac"]: d["device"] for d in devices}
    first_day = {d["mac"]: d["days"][0] for d in devices}
    random_mac = {d["mac"]: d["random_mac"] for d in devices}
    w, unknown = match_windows(truth, outputs, ids)
    if w is None:
        return {"windows": 0, "unknown_devices": unknown}
    n = len(w["mac"])
    macs, lo, hi, est_f, est_zone, tx, ty, tf, tday, err = (
        w[k] for k in ("mac", "lo", "hi", "est_f", "est_zone", "tx", "ty",
                       "tf", "tday", "err"))
    wdev = np.array([dev_index[m] for m in macs], dtype=np.int64)
    bound = window_bounds(site, sight, wdev, lo, hi, tx, ty, tf)
    limit = HIGH_INFO * site.spacing()
    hi_info = bound < limit
    tz = site.zone_of(tx, ty, tf)
    truth_zone = np.array([site.zone_ids[k] if k >= 0 else None for k in tz],
                          dtype=object)
    zone_ok = truth_zone == est_zone
    away = site.boundary_distance(tx, ty, tf, tz) > BOUNDARY
    returning = np.array([not random_mac[m] and d > first_day[m]
                          for m, d in zip(macs, tday)])
    first = np.array([d == first_day[m] for m, d in zip(macs, tday)])
    finite = np.isfinite(bound)
    return {
        "windows": n,
        "unknown_devices": unknown,
        "rmse": float(np.sqrt(np.mean(err ** 2))),
        "median": pct(err, 50),
        "p90": pct(err, 90),
        "floor_ok": float(np.mean(est_f == tf)),
        "crlb_all": float(np.sqrt(np.mean(bound[finite] ** 2)))
        if finite.any() else None,
        "crlb_median": pct(bound[finite], 50),
        "hi_info_windows": int(hi_info.sum()),
        "hi_info_limit": limit,
        "rmse_hi": float(np.sqrt(np.mean(err[hi_info] ** 2)))
        if hi_info.any() else None,
        "crlb_hi": float(np.sqrt(np.mean(bound[hi_info] ** 2)))
        if hi_info.any() else None,
        "zone_ok": float(np.mean(zone_ok)),
        "zone_ok_away": float(np.mean(zone_ok[away])) if away.any() else None,
        "away_windows": int(away.sum()),
        "median_returning": pct(err[returning], 50),
        "median_first_day": pct(err[first], 50),
        "returning_windows": int(returning.sum()),
    }


def iou(a0, a1, b0, b1):
    inter = min(a1, b1) - max(a0, b0)
    if inter <= 0:
        return 0.0
    return inter / (max(a1, b1) - min(a0, b0))


def match(truth, est):
    """One-to-one matches per device and zone at IoU >= 0.5, best first:
    a list of (truth index, estimate index)."""
    groups = {}
    for i, v in enumerate(truth):
        groups.setdefault((v["mac"], v["zone"]), ([], []))[0].append(i)
    for j, v in enumerate(est):
        groups.setdefault((v["mac"], v["zone"]), ([], []))[1].append(j)
    pairs = []
    for ti, ej in groups.values():
        cand = []
        for i in ti:
            for j in ej:
                o = iou(truth[i]["start"], truth[i]["end"],
                        est[j]["start"], est[j]["end"])
                if o >= IOU:
                    cand.append((-o, i, j))
        used_t, used_e = set(), set()
        for _, i, j in sorted(cand):
            if i not in used_t and j not in used_e:
                used_t.add(i)
                used_e.add(j)
                pairs.append((i, j))
    return pairs


def visit_figures(site, truth, outputs, ids):
    devices, _, tvisits, _ = truth
    stores = {z["id"] for z in site.zones if z["kind"] == "store"}
    est = []
    unknown = other = 0
    for v in outputs["visit"]:
        mac = ids.get(v["device"])
        if mac is None:
            unknown += 1
            continue
        if v["zone"] not in stores:
            other += 1      # visits are of stores (man sdc-locate)
            continue
        est.append({"mac": mac, "zone": v["zone"],
                    "start": iso_ms(v["start"]), "end": iso_ms(v["end"]),
                    "dwell": float(v["dwell"]), "class": v["class"]})
    tv = [v for v in tvisits if v["class"] == "visitor"]
    ev = [v for v in est if v["class"] == "visitor"]
    pairs = match(tv, ev)
    prec = len(pairs) / len(ev) if ev else 0.0
    rec = len(pairs) / len(tv) if tv else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    dwell = [abs(ev[j]["dwell"] - tv[i]["dwell"]) / tv[i]["dwell"]
             for i, j in pairs]
    both = match(tvisits, est)
    cls = [tvisits[i]["class"] == est[j]["class"] for i, j in both]
    flagged = set()
    for kind in ("visit", "device"):
        for r in outputs[kind]:
            if r.get("returning") and r["device"] in ids:
                flagged.add(ids[r["device"]])
    true_ret = {d["mac"] for d in devices if d["returning"]}
    return {
        "truth_visitor_visits": len(tv), "visitor_visits": len(ev),
        "visit_precision": prec, "visit_recall": rec, "visit_f1": f1,
        "class_ok": float(np.mean(cls)) if cls else None,
        "class_matched": len(both),
        "dwell_error": pct(dwell, 50),
        "returning_true": len(true_ret), "returning_flagged": len(flagged),
        "returning_correct": len(flagged & true_ret),
        "returning_error": abs(len(flagged) - len(true_ret)) / len(true_ret)
        if true_ret else None,
        "unknown_visit_devices": unknown,
        "visits_not_of_stores": other,
    }


def cmd_eval(args):
    site = Site(json.load(open(args.site)))
    truth = load_truth(args.truth)
    ids = hmac_map(read_key(args.key), truth[0])
    outputs = load_output(args.outputs)
    fig = {"sigma": args.sigma, "estimator": args.estimator}
    fig.update(position_figures(site, truth, outputs, ids, args.sigma))
    fig.update(visit_figures(site, truth, outputs, ids))
    text = json.dumps(fig, indent=1, sort_keys=True) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


# ---------------------------------------------------------------- the gain

# A center visit's sightings may start a little before the truth's
# arrival (sensor clock jitter); its records may run past its end (the
# last window).
SLACK_MS = 10000


def load_presence(path):
    """The center visits of each MAC: {mac: [(start, end, day), ...]}."""
    out = {}
    with open(os.path.join(path, "presence.csv")) as f:
        for v in csv.DictReader(f):
            out.setdefault(v["mac"], []).append(
                (int(v["start"]), int(v["end"]), int(v["day"])))
    return {m: sorted(v) for m, v in out.items()}


def visit_of(presence, mac, ms):
    """The truth's center visit (start, end, day) of mac at ms, or None."""
    for v in presence.get(mac, ()):
        if v[0] - SLACK_MS <= ms <= v[1] + SLACK_MS:
            return v
    return None


def offset_errors(outputs, ids, presence, tx, keep):
    """From the device records (one per center visit, written as it ends):
    {(mac, visit start): (|offset at appearance - tx|, |offset at the
    end - tx|)} for the visits keep(mac, day) accepts; the offset at
    appearance is the one the run carried from the device's previous
    record (its state), 0 for a device it never saw."""
    recs = []
    for r in outputs["device"]:
        mac = ids.get(r["device"])
        if mac is None or r.get("rssi_offset") is None:
            continue
        recs.append((mac, iso_ms(r["first_seen"]), float(r["rssi_offset"])))
    recs.sort()
    out = {}
    prev_mac, prior = None, 0.0
    for mac, first, off in recs:
        if mac != prev_mac:
            prev_mac, prior = mac, 0.0
        v = visit_of(presence, mac, first)
        if v is not None and keep(mac, v[2]):
            out[(mac, v[0])] = (abs(prior - tx[mac]), abs(off - tx[mac]))
        prior = off
    return out


def cmd_gain(args):
    """The returning devices on the later days, located with the state
    carried from the earlier days and without it, on the same sightings
    (and, with --oracle, with a state holding their true tx offsets)."""
    truth = load_truth(args.truth)
    devices = truth[0]
    ids = hmac_map(read_key(args.key), devices)
    presence = load_presence(args.truth)
    first_day = {d["mac"]: d["days"][0] for d in devices}
    random_mac = {d["mac"]: d["random_mac"] for d in devices}
    tx = {d["mac"]: float(d["tx_offset"]) for d in devices}

    def returning(mac, day):
        return not random_mac[mac] and day > first_day[mac]

    sides = [("with", args.with_state), ("without", args.without)]
    if args.oracle:
        sides.append(("oracle", args.oracle))
    runs = {}
    for side, paths in sides:
        out = load_output(paths)
        w, _ = match_windows(truth, out, ids)
        win = {}
        for i in range(len(w["mac"]) if w else 0):
            mac, day = w["mac"][i], int(w["tday"][i])
            if not returning(mac, day):
                continue
            v = visit_of(presence, mac, w["mid"][i])
            if v is not None:   # error, seconds since the visit began
                win[(mac, int(w["lo"][i]))] = (
                    float(w["err"][i]), (w["lo"][i] - v[0]) / 1000)
        runs[side] = (win, offset_errors(out, ids, presence, tx, returning))
    # The same windows and visits on every side.
    both = set(runs["with"][0])
    visits = set(runs["with"][1])
    for side, _ in sides[1:]:
        both &= set(runs[side][0])
        visits &= set(runs[side][1])
    both, visits = sorted(both), sorted(visits)
    since = np.array([runs["with"][0][k][1] for k in both])
    first = since < args.first
    early = since < args.first / 4
    macs = np.array([k[0] for k in both], dtype=object)
    fig = {"kind": "gain", "sigma": args.sigma, "first_s": args.first,
           "returning_devices": len(set(macs)), "windows": len(both),
           "windows_first": int(first.sum()),
           "windows_early": int(early.sum()),
           "windows_dropped": {side: len(runs[side][0]) - len(both)
                               for side, _ in sides},
           "visits": len(visits)}
    errs = {}
    for side, _ in sides:
        win, offs = runs[side]
        err = errs[side] = np.array([win[k][0] for k in both])
        fig[side] = {
            "median_early": pct(err[early], 50),
            "median_first": pct(err[first], 50),
            "p90_first": pct(err[first], 90),
            "median_all": pct(err, 50),
            "p90_all": pct(err, 90),
            "offset_mae_start": float(np.mean([offs[k][0] for k in visits]))
            if visits else None,
            "offset_mae_end": float(np.mean([offs[k][1] for k in visits]))
            if visits else None,
        }
    if args.oracle:
        fig["oracle"]["offset_mae_start"] = 0.0   # its state: the truth
    # How sure the first-minutes ratio is: a bootstrap over the devices.
    if first.any():
        rng = np.random.default_rng(1)
        devs = sorted(set(macs[first]))
        rows = {m: np.flatnonzero(first & (macs == m)) for m in devs}
        ratios = []
        for _ in range(args.bootstrap):
            pick = np.concatenate([rows[devs[j]] for j in
                                   rng.integers(0, len(devs), len(devs))])
            ratios.append(np.median(errs["with"][pick]) /
                          np.median(errs["without"][pick]))
        fig["ratio_first_ci"] = [pct(ratios, 2.5), pct(ratios, 97.5)]
    # The offset after the visit's first seconds: the runs on the
    # sightings cut there (cmd_cut).
    fig["after"] = []
    for secs, with_path, without_path in args.after or ():
        row = {"seconds": float(secs)}
        for side, path in (("with", with_path), ("without", without_path)):
            offs = offset_errors(load_output([path]), ids, presence, tx,
                                 returning)
            common = [k for k in visits if k in offs]
            row[side] = float(np.mean([offs[k][1] for k in common])) \
                if common else None
            row[side + "_visits"] = len(common)
        fig["after"].append(row)
    fig["after"].sort(key=lambda r: r["seconds"])
    text = json.dumps(fig, indent=1, sort_keys=True) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_oracle(args):
    """sdc-locate's state file, as sdc-convert --to json --typed renders
    it, with every device's rssi_offset set to the truth's tx_offset."""
    devices = list(csv.DictReader(open(os.path.join(args.truth,
                                                    "devices.csv"))))
    key = read_key(args.key)
    tx = {hmac.new(key, d["mac"].encode(), hashlib.sha256).hexdigest():
          float(d["tx_offset"]) for d in devices}
    for line in sys.stdin:
        rec = json.loads(line)
        v = rec.get("value", {}).get("LIST_MAP")
        dev = v and v.get("device", {}).get("STRING")
        if dev in tx:
            v["rssi_offset"] = {"DOUBLE": tx[dev]}
            v["rssi_offset_var"] = {"DOUBLE": args.var}
        sys.stdout.write(json.dumps(rec) + "\n")
    return 0


def cmd_cut(args):
    """The sightings of each center visit's first SECONDS (the truth's
    arrival), one file per value of --after: OUT with {after} replaced."""
    presence = load_presence(args.truth)
    cuts = sorted({int(v) for v in args.after.split(",")})
    starts = {m: [v[0] for v in vs] for m, vs in presence.items()}
    outs = [open(args.out.replace("{after}", str(c)), "w") for c in cuts]
    with open(args.sightings) as f:
        header = f.readline()
        for o in outs:
            o.write(header)
        for line in f:
            ts, _, rest = line.partition(",")
            mac = rest.split(",", 2)[1]
            t = int(ts)
            since = None
            for st in starts.get(mac, ()):
                if st - SLACK_MS <= t:
                    since = t - st
            if since is None:
                continue
            for c, o in zip(cuts, outs):
                if since < c * 1000:
                    o.write(line)
    for o in outs:
        o.close()
    return 0


# ---------------------------------------------------------------- report

# name, key, unit, better (-1 lower, +1 higher, 0 not compared with the
# peers), target (op, value, the sigma it holds at or None for all)
FIGURES = [
    ("position RMSE", "rmse", "m", -1, None),
    ("median error", "median", "m", -1, ("<=", 3.0, 6.0)),
    ("p90 error", "p90", "m", -1, ("<=", 7.0, 6.0)),
    ("floor correct", "floor_ok", "%", 1, None),
    ("CRLB, median window", "crlb_median", "m", 0, None),
    ("RMSE, high-info windows", "rmse_hi", "m", 0, None),
    ("CRLB, high-info windows", "crlb_hi", "m", 0, None),
    ("RMSE/CRLB, high-info", "ratio_hi", "", -1, ("<=", 1.1, None)),
    ("zone accuracy", "zone_ok", "%", 1, None),
    ("zone accuracy > 2 m", "zone_ok_away", "%", 1, (">=", 0.90, None)),
    ("visit F1", "visit_f1", "", 1, (">=", 0.9, None)),
    ("  precision", "visit_precision", "", 0, None),
    ("  recall", "visit_recall", "", 0, None),
    ("passerby/visitor acc.", "class_ok", "%", 1, None),
    ("median dwell error", "dwell_error", "%", -1, ("<", 0.10, None)),
    ("returning count error", "returning_error", "%", -1, ("<", 0.05, None)),
    ("median err, returning", "median_returning", "m", -1, None),
    ("median err, first day", "median_first_day", "m", -1, None),
]


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "%":
        return "%.1f%%" % (100 * v)
    return "%.2f" % v


def meets(v, target):
    op, value, _ = target
    if v is None:
        return False
    return v <= value if op == "<=" else v >= value if op == ">=" \
        else v < value


GAIN_FIGURES = [
    ("median err, first %s", "median_first", "m"),
    ("p90 err, first %s", "p90_first", "m"),
    ("median err, first %s", "median_early", "m"),
    ("median err, whole day", "median_all", "m"),
    ("p90 err, whole day", "p90_all", "m"),
    ("offset err, appearing", "offset_mae_start", "dB"),
]


def span(seconds):
    return "%g s" % seconds if seconds < 60 else "%g min" % (seconds / 60)


def report_gain(g):
    """The recurring-visit gain of one sigma; 1 when its target is missed."""
    oracle = "oracle" in g
    print("\nrecurring-visit gain, ml, sigma = %g dB: %d returning devices "
          "on the later days, %d windows (%d in a center visit's first %s), "
          "%d visits; the same sightings located with the --state carried "
          "and without it%s" % (
              g["sigma"], g["returning_devices"], g["windows"],
              g["windows_first"], span(g["first_s"]), g["visits"],
              "; true offsets: a state holding the simulator's tx_offset"
              if oracle else ""))
    print("%-34s %10s %10s %7s%s" % ("figure", "with state", "without",
                                      "ratio",
                                      " %12s" % "true offsets" if oracle
                                      else ""))

    def row(name, a, b, c, unit):
        ratio = "%.3f" % (a / b) if a is not None and b else "-"
        print("%-34s %10s %10s %7s%s" % (
            name, fmt(a, unit), fmt(b, unit), ratio,
            " %12s" % fmt(c, unit) if oracle else ""))

    for name, key, unit in GAIN_FIGURES:
        secs = g["first_s"] / 4 if key == "median_early" else g["first_s"]
        name = name % span(secs) if "%s" in name else name
        if unit == "dB":
            name = "|rssi_offset - tx|, " + name[len("offset err, "):]
        row(name + (" (dB)" if unit == "dB" else " (m)"),
            g["with"].get(key), g["without"].get(key),
            g.get("oracle", {}).get(key), unit)
    for a in g.get("after", ()):
        row("|rssi_offset - tx|, %s (dB)" % span(a["seconds"]),
            a["with"], a["without"], None, "dB")
    row("|rssi_offset - tx|, visit end (dB)",
        g["with"].get("offset_mae_end"), g["without"].get("offset_mae_end"),
        g.get("oracle", {}).get("offset_mae_end"), "dB")
    a, b = g["with"].get("median_first"), g["without"].get("median_first")
    good = a is not None and b is not None and a < b
    ci = g.get("ratio_first_ci")
    print("returning devices located better with the state: %s (median, "
          "first %s: %s m with, %s m without%s)" % (
              "ok" if good else "MISSED", span(g["first_s"]), fmt(a, "m"),
              fmt(b, "m"), "; ratio's 95%% interval over the devices "
              "%.3f-%.3f" % tuple(ci) if ci else ""))
    return not good


def cmd_report(args):
    figs = [json.load(open(p)) for p in args.figures]
    gains = {f["sigma"]: f for f in figs if f.get("kind") == "gain"}
    figs = [f for f in figs if f.get("kind") != "gain"]
    for f in figs:
        f["ratio_hi"] = f["rmse_hi"] / f["crlb_hi"] \
            if f.get("rmse_hi") is not None and f.get("crlb_hi") else None
    missed = lost = 0
    peers = ("centroid", "lls")
    for sigma in sorted({f["sigma"] for f in figs}):
        row = {f["estimator"]: f for f in figs if f["sigma"] == sigma}
        ml = row.get("ml", {})
        print("\nsigma = %g dB: %d windows, %d high-information "
              "(bound < %.2f m), %d > 2 m from a zone boundary" % (
                  sigma, ml.get("windows", 0), ml.get("hi_info_windows", 0),
                  ml.get("hi_info_limit", 0), ml.get("away_windows", 0)))
        print("%-25s %9s %9s %9s  %-8s %-7s %s" % (
            "figure", "ml", "centroid", "lls", "target", "", "vs peers"))
        for name, key, unit, better, target in FIGURES:
            vals = [row.get(e, {}).get(key) for e in ("ml",) + peers]
            tcol = status = ""
            if target and (target[2] is None or target[2] == sigma):
                tv = "%g%%" % (100 * target[1]) if unit == "%" \
                    else "%g" % target[1]
                tcol = "%s %s" % (target[0], tv)
                good = meets(vals[0], target)
                status = "ok" if good else "MISSED"
                missed += not good
            versus = ""
            if better and vals[0] is not None:
                # Within the last printed digit is a tie, not a loss.
                eps = 0.0005 if unit == "%" else 0.005
                diff = [(e, (vals[0] - v) * better) for e, v in
                        zip(peers, vals[1:]) if v is not None]
                worse = [e for e, dv in diff if dv < -eps]
                tied = [e for e, dv in diff if abs(dv) <= eps]
                versus = "MISSED (%s)" % ",".join(worse) if worse else \
                    "tie (%s)" % ",".join(tied) if tied else "ok"
                lost += bool(worse)
            print("%-25s %9s %9s %9s  %-8s %-7s %s" % (
                name, fmt(vals[0], unit), fmt(vals[1], unit),
                fmt(vals[2], unit), tcol, status, versus))
        r = ml
        print("ml: returning devices %s flagged, %s of them right, %s true;"
              " visits not of stores (left out) %s; records of unknown "
              "devices %s" % (
                  r.get("returning_flagged"), r.get("returning_correct"),
                  r.get("returning_true"), r.get("visits_not_of_stores"),
                  r.get("unknown_devices", 0) +
                  r.get("unknown_visit_devices", 0)))
        if sigma in gains:
            missed += report_gain(gains[sigma])
    if args.rate:
        n, t = int(args.rate[0]), float(args.rate[1])
        rate = n / t
        good = rate >= 1e6
        missed += not good
        print("\nthroughput, sdc-locate --estimator ml, one core: "
              "%d sightings in %.3f s = %.0f sightings/s   target >= "
              "1000000   %s" % (n, t, rate, "ok" if good else "MISSED"))
        if args.peer:
            print("peer, Python weighted centroid per window (csv module "
                  "and numpy): %.0f sightings/s (%.1fx slower)" % (
                      n / args.peer, args.peer / t))
    print("\n%d target(s) missed; %d figure(s) where a peer did better" % (
        missed, lost))
    return 0


# ---------------------------------------------------------------- the peer

def cmd_peer(args):
    """Weighted centroid per device and window, the way a user would
    write it in Python: the csv module, then numpy per window."""
    site = json.load(open(args.site))
    pos = {s["id"]: (s["x"], s["y"], s["floor"]) for s in site["sensors"]}
    t0 = time.perf_counter()
    groups = {}
    n = 0
    with open(args.sightings) as f:
        r = csv.reader(f)
        next(r)
        for ts, sensor, dev, rssi, radio in r:
            n += 1
            k = (dev, int(ts) // args.window)
            groups.setdefault(k, []).append((sensor, float(rssi)))
    out = 0
    for (dev, w), rows in groups.items():
        xyz = np.array([pos[s] for s, _ in rows])
        wt = 10 ** (np.array([v for _, v in rows]) / 10)
        x, y, fl = (xyz * wt[:, None]).sum(axis=0) / wt.sum()
        out += 1
    print(n, "%.3f" % (time.perf_counter() - t0), out)
    return 0


def main():
    ap = argparse.ArgumentParser(prog="locate-metrics.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("eval")
    e.add_argument("--site", required=True)
    e.add_argument("--truth", required=True)
    e.add_argument("--key", required=True)
    e.add_argument("--sigma", type=float, required=True)
    e.add_argument("--estimator", required=True)
    e.add_argument("--out")
    e.add_argument("outputs", nargs="+")
    r = sub.add_parser("report")
    r.add_argument("--rate", nargs=2)
    r.add_argument("--peer", type=float)
    r.add_argument("figures", nargs="+")
    p = sub.add_parser("peer")
    p.add_argument("--site", required=True)
    p.add_argument("--window", type=int, default=5000)
    p.add_argument("sightings")
    g = sub.add_parser("gain")
    g.add_argument("--truth", required=True)
    g.add_argument("--key", required=True)
    g.add_argument("--sigma", type=float, required=True)
    g.add_argument("--first", type=float, default=120)
    g.add_argument("--with", dest="with_state", nargs="+", required=True)
    g.add_argument("--without", nargs="+", required=True)
    g.add_argument("--oracle", nargs="+")
    g.add_argument("--bootstrap", type=int, default=500)
    g.add_argument("--after", nargs=3, action="append",
                   metavar=("SECONDS", "WITH", "WITHOUT"))
    g.add_argument("--out")
    o = sub.add_parser("oracle")
    o.add_argument("--truth", required=True)
    o.add_argument("--key", required=True)
    o.add_argument("--var", type=float, default=0.25)
    c = sub.add_parser("cut")
    c.add_argument("--truth", required=True)
    c.add_argument("--after", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("sightings")
    args = ap.parse_args()
    return {"eval": cmd_eval, "report": cmd_report, "peer": cmd_peer,
            "gain": cmd_gain, "oracle": cmd_oracle,
            "cut": cmd_cut}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
