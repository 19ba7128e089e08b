#!/usr/bin/env python3
"""The retail pipeline's "app backend": takes the promotions that
sdc-sink http delivers and logs what it would push to the shopper's app.

    sample/retail/app-backend.py --listen 127.0.0.1:PORT --log FILE
        [--port-file FILE]

Each POST body holds records of sdc-locate (visit records, as the
pipeline's --when lets through) as JSON lines or one JSON array.  For
each, one line is appended to --log, the promotions log that
sample/retail/report.py reads (--promotions):

    {"ts": "2026-03-02T10:14:05Z", "device": "a03f14bb...",
     "zone": "z-g-store-07", "zone_name": "Phone Shop",
     "offer": "Welcome back to Phone Shop: 10% off today"}

"ts" is the visit's start (ISO-8601 UTC, or as the record gave it),
"device" the keyed device id, "zone" the store's zone id.  A promotion
is one (ts, device, zone): one delivered again (sdc-sink http is at
least once: a batch whose answer was lost comes again) is not logged
twice, in this run or a later one with the same log.  The lines are
written and fsynced before the answer, 200 with {"pushed": N}; a body
that is not JSON, or a record without device, zone and start, is
answered 400 naming it, and nothing of that body is logged.  Port 0
picks a free port; --port-file gets the port once listening.  SIGTERM
or SIGINT ends it.
"""

import argparse
import http.server
import json
import os
import signal
import sys
import threading


def parse_body(body):
    """The records of a body: a JSON array, or JSON values one a line."""
    text = body.decode("utf-8")
    stripped = text.strip()
    if stripped.startswith("["):
        records = json.loads(stripped)
    else:
        records = [json.loads(line) for line in text.splitlines()
                   if line.strip()]
    for n, r in enumerate(records, 1):
        if not isinstance(r, dict) or not all(
                isinstance(r.get(k), str) for k in ("device", "zone")) \
                or r.get("start") is None:
            raise ValueError("record %d: no device, zone and start" % n)
    return records


def promotion(r):
    name = r.get("zone_name") or r["zone"]
    return {"ts": r["start"], "device": r["device"], "zone": r["zone"],
            "zone_name": name,
            "offer": "Welcome back to %s: 10%% off today" % name}


class Log:
    """The promotions log, appended under a lock, each key once."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.seen = set()
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    if line.endswith("\n"):
                        p = json.loads(line)
                        self.seen.add((p["ts"], p["device"], p["zone"]))
        self.f = open(path, "a")

    def push(self, records):
        with self.lock:
            pushed = 0
            for r in records:
                p = promotion(r)
                key = (p["ts"], p["device"], p["zone"])
                if key in self.seen:
                    continue
                self.seen.add(key)
                self.f.write(json.dumps(p) + "\n")
                pushed += 1
            self.f.flush()
            os.fsync(self.f.fileno())
            return pushed


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            records = parse_body(body)
        except (ValueError, UnicodeDecodeError) as e:
            return self.answer(400, {"error": str(e)})
        self.answer(200, {"pushed": self.server.log.push(records)})

    do_PUT = do_POST

    def do_OPTIONS(self):
        self.answer(200, {})

    def answer(self, status, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--log", required=True, help="the promotions log")
    ap.add_argument("--port-file", help="write the port here once listening")
    args = ap.parse_args()
    host, port = args.listen.rsplit(":", 1)
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    server.log = Log(args.log)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.replace(tmp, args.port_file)

    def stop(*_):
        threading.Thread(target=server.shutdown).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.log.f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
