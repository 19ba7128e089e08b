"""mall-sim --live: the simulated sightings published as the sensors
would, in accelerated real time (imported by scripts/mall-sim).

Every sighting is one MQTT 3.1.1 PUBLISH at QoS 1, topic
mall/<floor>/<sensor>, payload one JSON object {ts, sensor_id, device_id,
rssi, radio}; the BLE sightings of the sensors of floor --http-sensors
are POSTed to --http instead, as JSON lines, by the floor's gateway: a
request per round (20 ms of real time).
A sighting counts as published once the broker acknowledged it (PUBACK)
or the HTTP server answered 2xx.  Sightings go out in the order they
arrive at their sensors, at (arrival - first) / --speed seconds after the
start, closed hours skipped (a gap of more than --max-gap simulated
seconds shrinks to it).

--progress-file FILE keeps, written atomically, the count of sightings
published from the start ("next": all before it were acknowledged) and
totals; a new run with the same file and the same simulation options
publishes from "next" on.  SIGINT or SIGTERM stops publishing, waits
for the acknowledgements of what was sent (at most 10 s), writes the
file and exits 0.  The MQTT client speaks the protocol itself (CONNECT,
PUBLISH, PUBACK, PINGREQ, DISCONNECT): no library needed.
"""

import http.client
import json
import os
import select
import signal
import socket
import struct
import sys
import time
import urllib.parse

import numpy as np

TICK = 0.02          # seconds of real time between two rounds
WINDOW = 2000        # MQTT messages sent and not yet acknowledged


def remaining_length(n):
    out = bytearray()
    while True:
        b, n = n % 128, n // 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_string(s):
    b = s.encode()
    return struct.pack("!H", len(b)) + b


class Mqtt:
    """A QoS 1 publisher: messages sent in order, acknowledged in order."""

    def __init__(self, hostport, client_id, keepalive=30):
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.keepalive = keepalive
        body = mqtt_string("MQTT") + bytes([4, 0x02]) + \
            struct.pack("!H", keepalive) + mqtt_string(client_id)
        self.sock.sendall(b"\x10" + remaining_length(len(body)) + body)
        ack = self._read_exact(4)
        if ack[0] != 0x20 or ack[3] != 0:
            raise OSError("mqtt: connection refused (code %d)" % ack[3])
        self.sock.setblocking(False)
        self.inflight = {}      # packet id -> message index
        self.next_pid = 1
        self.buf = b""
        self.out = bytearray()
        self.last_sent = time.monotonic()

    def _read_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise OSError("mqtt: the broker closed the connection")
            data += chunk
        return data

    def publish(self, index, topic, payload):
        pid = self.next_pid
        self.next_pid = pid % 65535 + 1
        body = mqtt_string(topic) + struct.pack("!H", pid) + payload
        self.out += b"\x32" + remaining_length(len(body)) + body
        self.inflight[pid] = index

    def pump(self, wait=0.0):
        """Send what is queued, read acknowledgements: the indexes acked."""
        acked = []
        want_write = bool(self.out)
        r, w, _ = select.select([self.sock], [self.sock] if want_write
                                else [], [], wait)
        if w:
            try:
                n = self.sock.send(self.out)
                del self.out[:n]
                self.last_sent = time.monotonic()
            except BlockingIOError:
                pass
        if r:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("mqtt: the broker closed the connection")
            self.buf += chunk
            acked = self._parse()
        if time.monotonic() - self.last_sent > self.keepalive / 2 \
                and not self.out:
            self.out += b"\xc0\x00"
        return acked

    def _parse(self):
        acked, buf, i = [], self.buf, 0
        while len(buf) - i >= 2:
            kind, n, k, mult = buf[i], 0, i + 1, 1
            while k < len(buf):
                n += (buf[k] & 0x7F) * mult
                mult *= 128
                k += 1
                if not buf[k - 1] & 0x80:
                    break
            else:
                break
            if len(buf) - k < n:
                break
            if kind >> 4 == 4 and n == 2:         # PUBACK
                pid = struct.unpack_from("!H", buf, k)[0]
                if pid in self.inflight:
                    acked.append(self.inflight.pop(pid))
            i = k + n
        self.buf = buf[i:]
        return acked

    def close(self):
        try:
            self.sock.setblocking(True)
            self.sock.sendall(bytes(self.out) + b"\xe0\x00")
            self.sock.close()
        except OSError:
            pass


class HttpPoster:
    """POSTs of JSON lines; a batch counts once answered 2xx."""

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.path = u.path or "/"
        self.conn = None

    def post(self, body):
        for attempt in range(50):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(
                        self.host, self.port, timeout=30)
                self.conn.request("POST", self.path, body, {
                    "Content-Type": "application/x-ndjson"})
                resp = self.conn.getresponse()
                resp.read()
                if 200 <= resp.status < 300:
                    return True
            except (OSError, http.client.HTTPException):
                pass
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            time.sleep(min(0.1 * (attempt + 1), 1.0))
        return False


def live_rows(sight):
    """Every day's sightings in the order they reach their sensors:
    arrival (s since the epoch), ts (ms), sensor, device, rssi, radio."""
    arrive = np.concatenate([c[2] + c[3][2] for c in sight])
    ts = np.concatenate([c[3][1] for c in sight])
    sensor = np.concatenate([c[3][3] for c in sight])
    rssi = np.concatenate([c[3][4] for c in sight])
    radio = np.concatenate([c[3][5] for c in sight])
    dev = np.concatenate([np.full(len(c[3][0]), c[1]) for c in sight])
    order = np.lexsort((sensor, dev, arrive))
    return [a[order] for a in (arrive, ts, sensor, dev, rssi, radio)]


def schedule(arrive, speed, max_gap):
    """Seconds after the start at which each sighting goes out."""
    if len(arrive) == 0:
        return arrive
    gaps = np.minimum(np.diff(arrive, prepend=arrive[0]), max_gap)
    return np.cumsum(gaps) / speed


def read_progress(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"next": 0, "mqtt": 0, "http": 0, "http_failed": 0}


def write_progress(path, p):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(p, f)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Stop:
    def __init__(self):
        self.asked = False
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, self.ask)

    def ask(self, *_):
        self.asked = True


def run(args, site, devices, sight):
    macs = {d["device"]: mac for mac, d in devices.items()}
    sensors = site["sensors"]
    floor_of = {s["id"]: s["floor"] for s in sensors}
    # the BLE radios of the sensors of one floor post over HTTP
    via_http = set()
    if args.http_sensors is not None and args.http:
        via_http = {i for i, s in enumerate(sensors)
                    if s["floor"] == args.http_sensors}
    arrive, ts, sensor, dev, rssi, radio = live_rows(sight)
    when = schedule(arrive, args.speed, args.max_gap)
    total = len(ts)
    prog = read_progress(args.progress_file) if args.progress_file \
        else {"next": 0, "mqtt": 0, "http": 0, "http_failed": 0}
    start = prog["next"]
    prog["total"] = total
    stop = Stop()
    mqtt = Mqtt(args.mqtt, args.client_id) if args.mqtt else None
    poster = HttpPoster(args.http) if via_http else None
    radios = ("wifi", "ble")
    topics = ["mall/%d/%s" % (floor_of[s["id"]], s["id"]) for s in sensors]
    ids = [s["id"] for s in sensors]
    done = np.zeros(total, dtype=bool)
    done[:start] = True
    t0 = time.monotonic() - (when[start] if start < total else 0)
    i, frontier, last_note = start, start, 0.0
    tsl, sl, dl, rl, kl = (ts.tolist(), sensor.tolist(), dev.tolist(),
                           rssi.tolist(), radio.tolist())
    sys.stderr.write("mall-sim: %d sightings, %d to publish, from #%d\n"
                     % (total, total - start, start))

    def payload(k):
        return ('{"ts":%d,"sensor_id":"%s","device_id":"%s","rssi":%d,'
                '"radio":"%s"}' % (tsl[k], ids[sl[k]], macs[dl[k]], rl[k],
                                   radios[kl[k]])).encode()

    while (i < total or (mqtt and mqtt.inflight)) and not stop.asked:
        now = time.monotonic() - t0
        batches = {}
        while i < total and when[i] <= now and \
                (mqtt is None or len(mqtt.inflight) < WINDOW):
            s = sl[i]
            if kl[i] == 1 and s in via_http:
                batches.setdefault(s, []).append(i)
            elif mqtt is not None:
                mqtt.publish(i, topics[s], payload(i))
            i += 1
        if batches:     # the floor's gateway: one request a round
            idx = [k for ks in batches.values() for k in ks]
            body = b"\n".join(payload(k) for k in idx) + b"\n"
            if poster.post(body):
                done[idx] = True
                prog["http"] += len(idx)
            else:
                prog["http_failed"] += len(idx)
                done[idx] = True        # given up: counted, not resent
        if mqtt is not None:
            for k in mqtt.pump(TICK if i >= total or when[i] > now
                               else 0.0):
                done[k] = True
                prog["mqtt"] += 1
        else:
            time.sleep(TICK)
        while frontier < i and done[frontier]:
            frontier += 1
        prog["next"] = frontier
        if now - last_note > 2.0:
            if args.progress_file:
                write_progress(args.progress_file, prog)
            sys.stderr.write("mall-sim: %d of %d published, mall time %s\n"
                             % (frontier, total, time.strftime(
                                 "%a %H:%M", time.gmtime(
                                     arrive[max(i - 1, 0)]))))
            last_note = now
    deadline = time.monotonic() + 10
    while mqtt is not None and mqtt.inflight and \
            time.monotonic() < deadline:
        for k in mqtt.pump(0.1):
            done[k] = True
            prog["mqtt"] += 1
    while frontier < i and done[frontier]:
        frontier += 1
    prog["next"] = frontier
    if mqtt is not None:
        lost = len(mqtt.inflight)
        mqtt.close()
        if lost:
            sys.stderr.write("mall-sim: %d messages not acknowledged\n"
                             % lost)
    if args.progress_file:
        write_progress(args.progress_file, prog)
    sys.stderr.write("mall-sim: published %d of %d (mqtt %d, http %d)%s\n"
                     % (frontier, total, prog["mqtt"], prog["http"],
                        ", stopped" if stop.asked else ""))
    return 0
