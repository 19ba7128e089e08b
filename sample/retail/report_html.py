"""The page of report.py: one standalone HTML file, inline CSS and SVG.

Nothing is fetched and no script runs.  Every number is in an element
with data-metric (what it is: traffic, traffic-max, visitors, passersby,
dwell-median, dwell-p90, transition, returning, new, shoppers,
promotions, promotions-store, files, records), data-value (the number,
exactly; empty when there is none) and the keys it is about (data-zone,
data-from, data-to, data-kind), so that a test reads them back.  Each
zone of the plan is a group whose id is the zone's id, with data-zone,
data-traffic and data-fill, its fill the colour of its foot traffic.
"""

from html import escape

# The colour scale of foot traffic, from no device to the busiest zone.
RAMP = [(0.0, (255, 246, 229)), (0.25, (253, 208, 140)),
        (0.5, (247, 140, 70)), (0.75, (214, 64, 36)), (1.0, (128, 12, 20))]
PLAN_WIDTH = 630
STYLE = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;
color:#222;background:#fafafa}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:24px 0 8px}
.meta{color:#555}.floors{display:flex;gap:24px;flex-wrap:wrap}
figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}
svg.plan{background:#fff;border:1px solid #ccc}
svg.plan text{font-family:system-ui,sans-serif;text-anchor:middle;
pointer-events:none}
.grid{display:flex;gap:28px;flex-wrap:wrap;align-items:flex-start}
table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eee}table+table{margin-top:12px}
"""


def colour(t):
    t = min(max(t, 0.0), 1.0)
    for (t0, c0), (t1, c1) in zip(RAMP, RAMP[1:]):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            rgb = [round(a + (b - a) * f) for a, b in zip(c0, c1)]
            return "#%02x%02x%02x" % tuple(rgb)
    return "#%02x%02x%02x" % RAMP[-1][1]


def number(metric, value, text=None, tag="td", cls="n", svg="", **keys):
    """An element showing value; svg holds the attributes that place it."""
    attrs = "".join(f' data-{k}="{escape(str(v))}"' for k, v in keys.items())
    shown = "–" if value is None else (text if text is not None else str(value))
    data = "" if value is None else repr(value)
    return (f'<{tag} class="{cls}"{svg} data-metric="{metric}"{attrs} '
            f'data-value="{data}">{escape(shown)}</{tag}>')


def seconds(value):
    return None if value is None else float(value)


def seconds_text(value):
    return None if value is None else f"{value:.1f}"


def zone_names(site):
    return {z["id"]: z.get("name") or z["id"] for z in site["zones"]}


def floor_plan(site, floor, traffic, busiest):
    xs = [p[0] for p in floor["outline"]]
    ys = [p[1] for p in floor["outline"]]
    x0, y0, w, h = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
    pad = 1.0
    height = round(PLAN_WIDTH * (h + 2 * pad) / (w + 2 * pad))
    parts = [f'<svg class="plan" xmlns="http://www.w3.org/2000/svg" '
             f'width="{PLAN_WIDTH}" height="{height}" '
             f'viewBox="{x0 - pad} {y0 - pad} {w + 2 * pad} {h + 2 * pad}" '
             f'role="img" aria-label="plan of floor {escape(str(floor["id"]))}">',
             f'<polygon points="{points(floor["outline"])}" fill="#f4f4f4" '
             f'stroke="#888" stroke-width="0.3"/>']
    for zone in site["zones"]:
        if zone.get("floor", floor["id"]) == floor["id"]:
            parts.append(zone_shape(zone, traffic.get(zone["id"], 0), busiest))
    parts.append("</svg>")
    return "".join(parts)


def points(polygon):
    return " ".join(f"{x:g},{y:g}" for x, y in polygon)


def zone_shape(zone, count, busiest):
    t = count / busiest if busiest else 0.0
    fill = colour(t)
    ink = "#fff" if t > 0.55 else "#222"
    xs = [p[0] for p in zone["polygon"]]
    ys = [p[1] for p in zone["polygon"]]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    name = zone.get("name") or zone["id"]
    size = min(2.2, width / (0.62 * max(len(name), 1)))
    turn = ""
    if size < 1.8 and height > width:
        size = min(2.2, height / (0.62 * max(len(name), 1)))
        turn = f' transform="rotate(-90 {cx:.2f} {cy:.2f})"'
    zid = escape(zone["id"])
    return (f'<g id="{zid}" data-zone="{zid}" data-traffic="{count}" '
            f'data-fill="{fill}"><title>{escape(name)}: {count} devices</title>'
            f'<polygon points="{points(zone["polygon"])}" fill="{fill}" '
            f'stroke="#555" stroke-width="0.25"/><g{turn}>'
            f'<text x="{cx:.2f}" y="{cy - 0.4:.2f}" font-size="{size:.2f}" '
            f'fill="{ink}">{escape(name)}</text>'
            + number("traffic", count, tag="text", cls="count",
                     svg=f' x="{cx:.2f}" y="{cy + 2.6:.2f}" font-size="2.4" '
                     f'font-weight="700" fill="{ink}"', zone=zone["id"])
            + "</g></g>")


def legend(busiest):
    stops = "".join(f'<stop offset="{t:g}" stop-color="{colour(t)}"/>'
                    for t, _ in RAMP)
    top = number("traffic-max", busiest, tag="text", cls="tick",
                 svg=' x="300" y="34" text-anchor="end" font-size="12"')
    return ('<svg class="legend" xmlns="http://www.w3.org/2000/svg" '
            'width="320" height="40" role="img" aria-label="colour scale">'
            f'<defs><linearGradient id="ramp">{stops}</linearGradient></defs>'
            '<rect x="0" y="2" width="300" height="16" fill="url(#ramp)" '
            'stroke="#888" stroke-width="0.5"/>'
            '<text x="0" y="34" font-size="12">0</text>'
            f'{top}</svg>'
            '<p class="meta">distinct devices that entered the zone</p>')


def traffic_table(site, traffic):
    names = zone_names(site)
    rows = sorted(names, key=lambda z: (-traffic.get(z, 0), z))
    body = "".join(f'<tr><td>{escape(names[z])}</td>'
                   + number("traffic", traffic.get(z, 0), zone=z) + "</tr>"
                   for z in rows)
    return ('<table id="traffic"><tr><th>zone</th><th>devices</th></tr>'
            f'{body}</table>')


def dwell_table(site, dwell):
    body = []
    for zone in site["zones"]:
        if zone.get("kind") not in ("store", "food_court"):
            continue
        d = dwell.get(zone["id"], {})
        median, p90 = seconds(d.get("median")), seconds(d.get("p90"))
        z = zone["id"]
        body.append(
            f'<tr><td>{escape(zone.get("name") or z)}</td>'
            + number("visitors", d.get("visitors", 0), zone=z)
            + number("passersby", d.get("passersby", 0), zone=z)
            + number("dwell-median", median, seconds_text(median), zone=z)
            + number("dwell-p90", p90, seconds_text(p90), zone=z) + "</tr>")
    return ('<table id="dwell"><tr><th>store</th><th>visitors</th>'
            '<th>passersby</th><th>median (s)</th>'
            f'<th>p90 (s)</th></tr>{"".join(body)}</table>')


def transitions_table(site, transitions):
    names = zone_names(site)
    body = "".join(
        f'<tr><td>{escape(names.get(a, a))}</td><td>{escape(names.get(b, b))}'
        f'</td>' + number("transition", n, **{"from": a, "to": b}) + "</tr>"
        for a, b, n in transitions)
    return ('<table id="transitions"><tr><th>from</th><th>to</th>'
            f'<th>moves</th></tr>{body}</table>')


def shoppers_block(shoppers):
    returning, new = shoppers["returning"], shoppers["new"]
    total = returning + new
    width = 300
    split = round(width * returning / total) if total else 0
    bar = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="18" '
           'role="img" aria-label="returning and new shoppers">'
           f'<rect x="0" y="0" width="{split}" height="18" fill="#2b6cb0"/>'
           f'<rect x="{split}" y="0" width="{width - split}" height="18" '
           'fill="#9ac2e6"/></svg>')
    return ('<table id="shoppers"><tr><th>returning</th><th>new</th>'
            '<th>all</th></tr><tr>' + number("returning", returning)
            + number("new", new) + number("shoppers", total)
            + f'</tr></table>{bar}')


def promotions_block(site, promotions):
    names = zone_names(site)
    per_store = promotions["per_store"]
    rows = "".join(f'<tr><td>{escape(names.get(z, z))}</td>'
                   + number("promotions-store", per_store[z], zone=z) + "</tr>"
                   for z in sorted(per_store, key=lambda z: (-per_store[z], z)))
    last = "".join(
        f'<tr class="promotion" data-ts="{escape(ts)}" '
        f'data-device="{escape(device)}" data-zone="{escape(zone)}">'
        f'<td>{escape(ts)}</td><td>{escape(names.get(zone, zone))}</td>'
        f'<td><code>{escape(device[:12])}…</code></td></tr>'
        for ts, device, zone in promotions["last"])
    return ('<p>' + number("promotions", promotions["total"], tag="span")
            + ' promotions sent</p>'
            '<table id="promotions-store"><tr><th>store</th><th>sent</th></tr>'
            f'{rows}</table><table id="promotions-last"><tr><th>last sent</th>'
            f'<th>store</th><th>device</th></tr>{last}</table>')


def records_line(numbers):
    kinds = sorted(numbers["records"].items())
    parts = ", ".join(number("records", n, tag="span", kind=k) + f" {escape(k)}"
                      for k, n in kinds)
    return (f'<p class="meta">{number("files", numbers["files"], tag="span")}'
            f' files merged: {parts} records</p>')


def page(site, numbers):
    title = escape(site.get("name") or "The mall")
    head = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<title>{title}: daily report</title><style>{STYLE}</style>'
            '</head><body>')
    if numbers is None:
        return (head + f'<h1>{title}</h1><p id="empty">No records merged '
                'yet.</p></body></html>\n')
    traffic = numbers["traffic"]
    busiest = max(traffic.values(), default=0)
    day = escape(numbers["day"])
    plans = "".join(
        f'<figure data-floor="{escape(str(f["id"]))}"><figcaption>'
        f'{escape(f.get("name") or str(f["id"]))} floor</figcaption>'
        f'{floor_plan(site, f, traffic, busiest)}</figure>'
        for f in site["floors"])
    return (head
            + f'<h1>{title}: daily report</h1><p class="meta">Day '
            f'<time id="day" datetime="{day}">{day}</time></p>'
            + records_line(numbers)
            + f'<h2>Foot traffic</h2><div class="floors">{plans}</div>'
            + legend(busiest)
            + '<div class="grid"><section><h2>Dwell per store</h2>'
            + dwell_table(site, numbers["dwell"]) + '</section>'
            + '<section><h2>Busiest transitions</h2>'
            + transitions_table(site, numbers["transitions"])
            + '<h2>Returning and new shoppers</h2>'
            + shoppers_block(numbers["shoppers"])
            + '<h2>Promotions</h2>'
            + promotions_block(site, numbers["promotions"]) + '</section>'
            + '<section><h2>Foot traffic per zone</h2>'
            + traffic_table(site, traffic) + '</section></div>'
            + '</body></html>\n')
