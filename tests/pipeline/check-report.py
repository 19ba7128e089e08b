"""Checks the report page that Chromium rendered against the sink's files.

    check-report.py --site SITE --promotions LOG --dom DOM --png PNG
        --state STATE FILE...

It computes the day's aggregates itself from the sink's files and the
promotions log (the definitions of sample/retail/report.py's docstring,
not its code), reads every element with data-metric in the DOM that
Chromium dumped, and says in TAP lines (unnumbered, report.sh numbers
them) whether each number is there and right, every zone of the site is
drawn, and the screenshot is a picture of the plan: many colours, each
zone's fill among them, and fills darker as traffic grows.
"""

import argparse
import datetime
import html.parser
import json
import struct
import sys
import zlib


def ok(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    return bool(cond)


def quantile(values, q):
    """Linear interpolation between closest ranks."""
    v = sorted(values)
    pos = q * (len(v) - 1)
    i = int(pos)
    if i + 1 >= len(v):
        return v[-1]
    return v[i] + (v[i + 1] - v[i]) * (pos - i)


def iso_ms(ts):
    if isinstance(ts, (int, float)) or str(ts).isdigit():
        t = datetime.datetime.fromtimestamp(int(ts) / 1000, datetime.timezone.utc)
    else:
        t = datetime.datetime.fromisoformat(str(ts).replace("Z", "+00:00"))
    t = t.astimezone(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def expected(files, promotions_log):
    records = []
    for path in dict.fromkeys(files):
        with open(path, encoding="utf-8") as f:
            records += [json.loads(line) for line in f if line.strip()]
    kinds = {}
    entered, exits, enters, visits, returning, seen = {}, {}, {}, {}, set(), set()
    for r in records:
        kind = r.get("kind")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "zone":
            key = (r["device"], r["ts"])
            if r["event"] == "enter":
                entered.setdefault(r["zone"], set()).add(r["device"])
                enters[key] = r["zone"]
            else:
                exits[key] = r["zone"]
        elif kind == "visit":
            visits.setdefault(r["zone"], []).append((r["class"], r["dwell"]))
        if kind in ("visit", "device"):
            seen.add(r["device"])
            if r.get("returning"):
                returning.add(r["device"])
    moves = {}
    for key, a in exits.items():
        if key in enters:
            moves[(a, enters[key])] = moves.get((a, enters[key]), 0) + 1
    promotions = set()
    with open(promotions_log, encoding="utf-8") as f:
        text = f.read()
    for line in text[:text.rfind("\n") + 1].splitlines():
        if line.strip():
            p = json.loads(line)
            promotions.add((iso_ms(p["ts"]), p["device"], p["zone"]))
    per_store = {}
    for _, _, zone in promotions:
        per_store[zone] = per_store.get(zone, 0) + 1
    return {
        "records": kinds,
        "traffic": {z: len(d) for z, d in entered.items()},
        "visits": visits,
        "transitions": sorted(((a, b, n) for (a, b), n in moves.items()),
                              key=lambda t: (-t[2], t[0], t[1]))[:10],
        "returning": len(returning), "new": len(seen - returning),
        "promotions": sorted(promotions, reverse=True),
        "per_store": per_store,
    }


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Elements(html.parser.HTMLParser):
    """Every element's attributes and text, and the ids."""

    def __init__(self):
        super().__init__()
        self.elements, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data


def metric_values(site, want):
    """{(metric, keys...): (value, text)} that the page must show."""
    names = {z["id"]: z for z in site["zones"]}
    out = {}
    for z in names:
        out[("traffic", z)] = want["traffic"].get(z, 0)
    out[("traffic-max",)] = max(want["traffic"].values(), default=0)
    for z, zone in names.items():
        if zone["kind"] not in ("store", "food_court"):
            continue
        v = want["visits"].get(z, [])
        dwell = [d for c, d in v if c == "visitor"]
        out[("visitors", z)] = len(dwell)
        out[("passersby", z)] = sum(1 for c, _ in v if c == "passerby")
        out[("dwell-median", z)] = quantile(dwell, 0.5) if dwell else None
        out[("dwell-p90", z)] = quantile(dwell, 0.9) if dwell else None
    for a, b, count in want["transitions"]:
        out[("transition", a, b)] = count
    out[("returning",)] = want["returning"]
    out[("new",)] = want["new"]
    out[("shoppers",)] = want["returning"] + want["new"]
    out[("promotions",)] = len(want["promotions"])
    for z, count in want["per_store"].items():
        out[("promotions-store", z)] = count
    for kind, count in want["records"].items():
        out[("records", kind if kind in
             ("position", "zone", "visit", "traffic", "device") else "other")] = count
    return out


def element_key(e):
    a = e["attrs"]
    keys = [a.get(k) for k in ("data-zone", "data-from", "data-to", "data-kind")]
    return (a["data-metric"],) + tuple(k for k in keys if k is not None)


def shown(value):
    if value is None:
        return "–", ""
    if isinstance(value, float):
        return f"{value:.1f}", None
    return str(value), str(value)


def check_numbers(site, want, elements, files_merged, nfiles):
    must = metric_values(site, want)
    must[("files",)] = nfiles
    found = {}
    good = True
    for e in (e for e in elements if "data-metric" in e["attrs"]):
        key = element_key(e)
        found.setdefault(key, []).append(e)
        if key not in must:
            good &= ok(False, f"the page's {key} is a number the test knows")
            continue
        value = must[key]
        text, data = shown(value)
        got = e["attrs"].get("data-value")
        if isinstance(value, float):
            right = got not in (None, "") and abs(float(got) - value) < 1e-9
        else:
            right = got == data
        right = right and e["text"].strip() == text
        if not right:
            good &= ok(False, f"{key}: the page says {got!r} "
                       f"({e['text'].strip()!r}), the sink's files {value!r}")
    missing = [k for k in must if k not in found]
    good &= ok(not missing, f"every aggregate is on the page ({len(must)}); "
               f"missing: {missing[:5]}")
    ok(good, f"every number of the page ({sum(map(len, found.values()))} "
       "elements) equals the aggregate computed from the sink's files")
    ok(files_merged == nfiles, f"the state lists each file once "
       f"({files_merged} of {nfiles})")


def check_promotions(want, elements):
    rows = [(e["attrs"]["data-ts"], e["attrs"]["data-device"],
             e["attrs"]["data-zone"]) for e in elements
            if e["attrs"].get("class") == "promotion"]
    ok(rows == want["promotions"][:5],
       f"the last five promotions, newest first: {rows[:1]}")


def check_plan(site, elements):
    ids = {e["attrs"].get("id") for e in elements}
    missing = [z["id"] for z in site["zones"] if z["id"] not in ids]
    ok(not missing, f"every zone of the site is in the rendered DOM "
       f"({len(site['zones'])}); missing: {missing}")
    floors = [e for e in elements if e["tag"] == "svg" and
              "plan" in e["attrs"].get("class", "")]
    ok(len(floors) == len(site["floors"]), f"one plan per floor ({len(floors)})")
    zones = [e for e in elements if e["tag"] == "g" and "data-zone" in e["attrs"]]
    return {e["attrs"]["data-zone"]: (int(e["attrs"]["data-traffic"]),
                                      e["attrs"]["data-fill"]) for e in zones}


def decode_png(path):
    """(width, height, bytes per pixel, rows of unfiltered bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + size
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise ValueError(f"PNG of depth {depth}, colour type {colour_type}")
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev, rows = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        rows.append(unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]),
                             prev, bpp))
        prev = rows[-1]
    return width, height, bpp, rows


def unfilter(kind, line, prev, bpp):
    if kind == 2:
        return bytearray((a + b) & 255 for a, b in zip(line, prev))
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        if kind == 1:
            line[i] = (line[i] + a) & 255
        elif kind == 3:
            line[i] = (line[i] + ((a + b) >> 1)) & 255
        elif kind == 4:
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[i] = (line[i] + pred) & 255
    return line


def luminance(hex_colour):
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def check_png(path, fills):
    try:
        width, height, bpp, rows = decode_png(path)
    except (OSError, ValueError, zlib.error, TypeError) as e:
        ok(False, f"the screenshot decodes: {e}")
        return
    colours = {}
    for row in rows:
        for i in range(0, len(row), bpp):
            px = bytes(row[i:i + 3])
            colours[px] = colours.get(px, 0) + 1
    ok(width == 1400 and height == 1800, f"the screenshot is 1400x1800 "
       f"({width}x{height})")
    ok(len(colours) >= 100, f"the screenshot is not blank: {len(colours)} colours")
    wanted = {bytes.fromhex(fill[1:]) for _, fill in fills.values()}
    absent = sorted(c.hex() for c in wanted if colours.get(c, 0) < 50)
    ok(not absent, f"each of the {len(wanted)} zone colours fills pixels of the "
       f"screenshot; absent: {absent}")
    by_traffic = sorted(fills.values())
    darker = all(luminance(f1) >= luminance(f2) for (t1, f1), (t2, f2)
                 in zip(by_traffic, by_traffic[1:]) if t1 < t2)
    ok(darker and by_traffic[0][1] != by_traffic[-1][1],
       "busier zones are darker on the plan")


def main():
    p = argparse.ArgumentParser()
    for option in ("--site", "--promotions", "--dom", "--png", "--state"):
        p.add_argument(option, required=True)
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    with open(args.site, encoding="utf-8") as f:
        site = json.load(f)
    with open(args.state, encoding="utf-8") as f:
        state = json.load(f)
    parser = Elements()
    with open(args.dom, encoding="utf-8") as f:
        parser.feed(f.read())
    want = expected(args.files, args.promotions)
    fills = check_plan(site, parser.elements)
    check_numbers(site, want, parser.elements, len(state["files"]),
                  len(set(args.files)))
    check_promotions(want, parser.elements)
    check_png(args.png, fills)
    print("ok - all checked")


if __name__ == "__main__":
    sys.exit(main())
