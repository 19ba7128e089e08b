#!/usr/bin/env python3
"""The netflow format against softflowd, a NetFlow exporter.

A capture file of known flows (TCP and UDP, both directions, written
here as a pcap) is read by softflowd (Debian's softflowd, -r), which
exports its flows as NetFlow v5 and as v9 to a UDP port on 127.0.0.1
where a listener here (a Python socket) keeps each datagram.
sdc-convert --from netflow must read from them every flow of the
capture with its addresses, ports, protocol, packets, bytes and
duration, from one file of all datagrams and from a file per datagram
(as the UDP origin hands them over, templates remembered across).  The
same datagrams are sent to nfcapd (Debian's nfdump), a collector of
its own, and what nfdump reads from its file must be what we read.
Every process is bounded by timeout and stopped by its pid.  Prints
TAP.
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("top_builddir") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
CONVERT = os.path.join(BUILD, "sdc-convert")

# (src, sport, dst, dport, proto, payload sizes, seconds between packets)
FLOWS = [
    ("10.1.0.1", 40001, "10.2.0.1", 80, 6, [0, 100, 1400, 10], 0.25),
    ("10.2.0.1", 80, "10.1.0.1", 40001, 6, [0, 1200, 1200], 0.5),
    ("10.1.0.7", 5353, "10.3.0.9", 53, 17, [30, 31, 32, 33, 34], 0.125),
    ("192.168.7.20", 123, "192.168.7.1", 123, 17, [48], 0),
]
# and enough one-packet flows for several export packets
FLOWS += [("10.9.%d.%d" % (k // 200, k % 200 + 1), 20000 + k, "10.8.0.1",
           9000, 17, [k % 50], 0) for k in range(70)]
BASE = 1700000000

count = 0
failures = 0


def ok(cond, what):
    global count, failures
    count += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (count, what))
    if not cond:
        failures += 1
    sys.stdout.flush()


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip_packet(src, sport, dst, dport, proto, size, seq):
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4,
                         0x18 if size else 0x02, 65535, 0, 0)
    else:
        l4 = struct.pack("!HHHH", sport, dport, 8 + size, 0)
    body = l4 + b"x" * size
    head = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), seq & 0xffff,
                       0, 64, proto, 0, socket.inet_aton(src),
                       socket.inet_aton(dst))
    head = head[:10] + struct.pack("!H", checksum(head)) + head[12:]
    return head + body


def write_pcap(path):
    """The capture, in time order; the packets, IP bytes and duration
    (in milliseconds) of each flow.  softflowd follows a flow both ways
    and gives each direction the start and end of the two."""
    packets, truth, span = [], {}, {}
    for i, (src, sport, dst, dport, proto, sizes, gap) in enumerate(FLOWS):
        key = (src, sport, dst, dport, proto)
        both = tuple(sorted([(src, sport), (dst, dport)])) + (proto,)
        truth[key] = [0, 0, both]
        for j, size in enumerate(sizes):
            ip = ip_packet(src, sport, dst, dport, proto, size, j + 1)
            t = BASE + i * 0.01 + j * gap
            packets.append((t, ip))
            truth[key][0] += 1
            truth[key][1] += len(ip)
            first, last = span.get(both, (t, t))
            span[both] = (min(first, t), max(last, t))
    for key, v in truth.items():
        first, last = span[v[2]]
        v[2] = round((last - first) * 1000)
    packets.sort(key=lambda p: p[0])
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t, ip in packets:
            frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip
            f.write(struct.pack("<IIII", int(t), round((t % 1) * 1e6),
                                len(frame), len(frame)))
            f.write(frame)
    return truth


def export(tmp, pcap, version):
    # softflowd keeps 15 bytes of the capture's name: a relative one
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.3)
    port = sock.getsockname()[1]
    proc = subprocess.Popen(
        ["timeout", "20", "softflowd", "-D", "-r", os.path.basename(pcap),
         "-v", str(version), "-n", "127.0.0.1:%d" % port, "-p", "pid",
         "-c", "ctl"], cwd=tmp,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    grams = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            grams.append(sock.recv(65536))
        except socket.timeout:
            if proc.poll() is not None:
                break
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    sock.close()
    return grams


def convert(paths, *opts):
    read = subprocess.run(["timeout", "20", CONVERT, "--from", "netflow"] +
                          list(opts) + paths, capture_output=True)
    out = subprocess.run(["timeout", "20", CONVERT, "--to", "json"],
                         input=read.stdout, capture_output=True)
    recs = [json.loads(line) for line in out.stdout.decode().splitlines()]
    return read.returncode, recs


def v5_flows(recs):
    return {(r["srcaddr_s"], r["srcport"], r["dstaddr_s"], r["dstport"],
             r["proto"]): [r["dPkts"], r["dOctets"],
                           r["raw_last"] - r["raw_first"]] for r in recs}


def v9_flows(recs):
    flows = {}
    for r in recs:
        if r.get("flowKind") != "FLOWSET":
            continue
        v = r["values"]
        if "IPV4_SRC_ADDR" not in v:
            continue
        flows[(v["IPV4_SRC_ADDR"], v["L4_SRC_PORT"], v["IPV4_DST_ADDR"],
               v["L4_DST_PORT"], v["PROTOCOL"])] = [
            int(v["IN_PKTS"]), int(v["IN_BYTES"]),
            v["LAST_SWITCHED"] - v["FIRST_SWITCHED"]]
    return flows


PROTOCOLS = {"TCP": 6, "UDP": 17}


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_bound(port, proc):
    """Until proc has bound port (we no longer can), for 10 s at most."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return
        finally:
            s.close()
        time.sleep(0.05)


def duration_ms(text):
    h, m, sec = text.split(":")
    return round(((int(h) * 60 + int(m)) * 60 + float(sec)) * 1000)


def nfdump_flows(tmp, grams, version):
    """The flows nfcapd collected from the datagrams, as nfdump reads
    them."""
    out = os.path.join(tmp, "nfcapd-v%d" % version)
    os.mkdir(out)
    port = free_port()
    proc = subprocess.Popen(["timeout", "20", "nfcapd", "-b", "127.0.0.1",
                             "-p", str(port), "-w", out],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_bound(port, proc)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for g in grams:
        sock.sendto(g, ("127.0.0.1", port))
        time.sleep(0.01)
    sock.close()
    time.sleep(0.5)
    proc.terminate()
    proc.wait()
    dump = subprocess.run(["timeout", "20", "nfdump", "-R", out, "-q", "-o",
                           "fmt:%sa|%sp|%da|%dp|%pr|%pkt|%byt|%td"],
                          capture_output=True, text=True)
    flows = {}
    for line in dump.stdout.splitlines():
        f = [x.strip() for x in line.split("|")]
        if len(f) == 8 and f[4] in PROTOCOLS:
            flows[(f[0], int(f[1]), f[2], int(f[3]), PROTOCOLS[f[4]])] = [
                int(f[5]), int(f[6]), duration_ms(f[7])]
    return flows


def check(tmp, pcap, truth, version, flows_of):
    grams = export(tmp, pcap, version)
    ok(len(grams) > 2, "v%d: softflowd sent %d datagrams" %
       (version, len(grams)))
    whole = os.path.join(tmp, "v%d.bin" % version)
    with open(whole, "wb") as f:
        f.write(b"".join(grams))
    singles = []
    for i, g in enumerate(grams):
        singles.append(os.path.join(tmp, "v%d-%03d.bin" % (version, i)))
        with open(singles[-1], "wb") as f:
            f.write(g)
    status, recs = convert([whole])
    errors = [r for r in recs if "@error" in r]
    ok(status == 0 and not errors, "v%d: %d records, no errors %s" %
       (version, len(recs), errors[:1]))
    got = flows_of(recs)
    ok(set(got) == set(truth), "v%d: the flows of the capture" % version)
    ok(got == truth, "v%d: their packets, bytes and durations" % version)
    _, one_by_one = convert(singles)
    ok(flows_of(one_by_one) == got,
       "v%d: a file per datagram reads the same" % version)
    theirs = nfdump_flows(tmp, grams, version)
    ok(theirs == got, "v%d: nfcapd and nfdump read the same %d flows" %
       (version, len(theirs)))
    return recs


def main():
    for tool in ("softflowd", "nfcapd", "nfdump"):
        if shutil.which(tool) is None:
            print("1..1")
            ok(False, "%s is not installed (scripts/bootstrap)" % tool)
            return 1
    print("1..13")
    tmp = tempfile.mkdtemp(prefix="sdc-netflow-")
    os.chmod(tmp, 0o755)  # softflowd may read it as another user
    try:
        pcap = os.path.join(tmp, "flows.pcap")
        truth = write_pcap(pcap)
        recs = check(tmp, pcap, truth, 5, v5_flows)
        ok(all(r["version"] == 5 and r["count"] >= 1 for r in recs),
           "v5: the header's version and count in every record")
        check(tmp, pcap, truth, 9, v9_flows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("# %d passed, %d failed" % (count - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
