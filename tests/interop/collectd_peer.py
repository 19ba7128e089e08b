#!/usr/bin/env python3
"""The collectd format against collectd itself.

collectd (Debian's collectd-core) runs with its exec plugin putting
values we chose, its network plugin sending them to a UDP port on
127.0.0.1 and its csv plugin writing what it dispatched.  A listener
here (a Python socket) keeps each datagram.  sdc-convert --from
collectd must read from them exactly the values the exec plugin put,
at the times the csv plugin wrote, plain, signed and encrypted, from
one file of all datagrams and from a file per datagram (as the UDP
origin hands them over); a wrong password and a missing auth file must
give error records.  Every process is bounded by timeout.  Prints TAP.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("top_builddir") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
CONVERT = os.path.join(BUILD, "sdc-convert")
TYPES_DB = "/usr/share/collectd/types.db"

# What the exec plugin puts each second, and what each must read as.
PUTS = [
    ("gauge-temp", "42.5", {"value": 42.5}),
    ("if_octets-eth0", "1000:2000", {"rx": 1000, "tx": 2000}),
    ("counter-c", "18446744073709551615",
     {"value": 18446744073709551615}),
    ("load", "0.5:1.25:-2", {"shortterm": 0.5, "midterm": 1.25,
                             "longterm": -2.0}),
]

count = 0
failures = 0


def ok(cond, what):
    global count, failures
    count += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (count, what))
    if not cond:
        failures += 1
    sys.stdout.flush()


def conf(tmp, port, security):
    script = os.path.join(tmp, "put.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nwhile :; do\n")
        for ident, values, _ in PUTS:
            f.write('echo "PUTVAL \\"sdc-test/exec-test/%s\\" '
                    'interval=1 N:%s"\n' % (ident, values))
        f.write("sleep 1\ndone\n")
    os.chmod(script, 0o755)
    server = ""
    if security != "none":
        server = ('SecurityLevel "%s"\nUsername "sdcuser"\n'
                  'Password "s3cret"\n' % security)
    path = os.path.join(tmp, "collectd.conf")
    with open(path, "w") as f:
        f.write("""Hostname "sdc-test"
FQDNLookup false
BaseDir "%(tmp)s"
PIDFile "%(tmp)s/collectd.pid"
TypesDB "%(types)s"
Interval 1
LoadPlugin exec
LoadPlugin network
LoadPlugin csv
<Plugin exec>
  Exec "nobody:nogroup" "%(script)s"
</Plugin>
<Plugin csv>
  DataDir "%(tmp)s/csv"
  StoreRates false
</Plugin>
<Plugin network>
  MaxPacketSize 1024
  <Server "127.0.0.1" "%(port)d">
%(server)s  </Server>
</Plugin>
""" % dict(tmp=tmp, types=TYPES_DB, script=script, port=port,
           server=server))
    return path


def capture(tmp, security):
    """collectd's datagrams: a full one, then what it flushes when it
    is stopped a second and a half later."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    path = conf(tmp, sock.getsockname()[1], security)
    proc = subprocess.Popen(["timeout", "20", "collectd", "-f", "-C",
                             path], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    grams = []
    stop = time.monotonic() + 12
    deadline = time.monotonic() + 18
    while time.monotonic() < deadline:
        if time.monotonic() > stop and proc.poll() is None:
            proc.terminate()
        try:
            grams.append(sock.recv(65536))
            if len(grams) == 1:
                stop = min(stop, time.monotonic() + 1.5)
        except socket.timeout:
            if proc.poll() is not None:
                break
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    sock.close()
    return grams


def convert(paths, *opts):
    read = subprocess.run(["timeout", "20", CONVERT, "--from", "collectd",
                           "--collectd-types-db", TYPES_DB] + list(opts) +
                          paths, capture_output=True)
    out = subprocess.run(["timeout", "20", CONVERT, "--to", "json"],
                         input=read.stdout, capture_output=True)
    recs = [json.loads(line) for line in out.stdout.decode().splitlines()]
    return read.returncode, recs, read.stderr.decode()


def csv_times(tmp):
    """(identifier, milliseconds) of every value the csv plugin wrote."""
    seen = set()
    top = os.path.join(tmp, "csv", "sdc-test", "exec-test")
    for name in os.listdir(top) if os.path.isdir(top) else []:
        ident = name.rsplit("-", 3)[0]
        with open(os.path.join(top, name)) as f:
            for line in f.read().splitlines()[1:]:
                seen.add((ident, round(float(line.split(",")[0]) * 1000)))
    return seen


def ident(rec):
    t = rec.get("type", "")
    return t + ("-" + rec["type_instance"] if "type_instance" in rec
                else "")


def values_right(recs):
    want = {ident_: v for ident_, _, v in PUTS}
    for r in recs:
        i = ident(r)
        if r.get("host") != "sdc-test" or r.get("plugin") != "exec" or \
           r.get("plugin_instance") != "test" or i not in want:
            return False
        for k, v in want[i].items():
            if r.get(k) != v:
                return False
    return len({ident(r) for r in recs}) == len(PUTS)


def times_right(recs, tmp):
    seen = csv_times(tmp)
    for r in recs:
        t = r.get("time")
        if not any((ident(r), t + d) in seen for d in (-1, 0, 1)):
            return False
    return len(recs) > 0


def check_mode(security, auth_opts):
    tmp = tempfile.mkdtemp(prefix="sdc-collectd-")
    os.chmod(tmp, 0o755)
    try:
        grams = capture(tmp, security)
        ok(len(grams) >= 2, "%s: collectd sent %d datagrams" %
           (security, len(grams)))
        whole = os.path.join(tmp, "all.bin")
        with open(whole, "wb") as f:
            f.write(b"".join(grams))
        singles = []
        for i, g in enumerate(grams):
            singles.append(os.path.join(tmp, "d%03d.bin" % i))
            with open(singles[-1], "wb") as f:
                f.write(g)
        status, recs, err = convert([whole], "--collectd-convert-time",
                                    *auth_opts)
        errors = [r for r in recs if "@error" in r]
        ok(status == 0 and not errors and len(recs) >= len(PUTS),
           "%s: %d records, no errors%s" % (security, len(recs),
                                            " " + err if err else ""))
        ok(values_right(recs), "%s: the values the exec plugin put" %
           security)
        ok(times_right(recs, tmp), "%s: at the times collectd's csv "
           "plugin wrote" % security)
        _, one_by_one, _ = convert(singles, "--collectd-convert-time",
                                   *auth_opts)
        ok(one_by_one == recs, "%s: a file per datagram reads the same" %
           security)
        return tmp, whole
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def main():
    if shutil.which("collectd") is None:
        print("1..1")
        ok(False, "collectd is not installed (scripts/bootstrap)")
        return 1
    auth = tempfile.NamedTemporaryFile("w", suffix=".auth", delete=False)
    auth.write("sdcuser: s3cret\n")
    auth.close()
    wrong = tempfile.NamedTemporaryFile("w", suffix=".auth", delete=False)
    wrong.write("sdcuser: other\n")
    wrong.close()
    print("1..19")
    try:
        tmp, _ = check_mode("none", [])
        shutil.rmtree(tmp)
        tmp, whole = check_mode("Sign", ["--collectd-auth-file", auth.name,
                                         "--collectd-security-level",
                                         "sign"])
        _, recs, _ = convert([whole], "--collectd-auth-file", wrong.name)
        ok(recs and all("signature of user 'sdcuser' does not match" in
                        r.get("@error", {}).get("message", "")
                        for r in recs),
           "Sign: a wrong password makes error records")
        _, recs, _ = convert([whole], "--collectd-security-level",
                             "encrypt", "--collectd-auth-file", auth.name)
        ok(recs and all("@error" in r for r in recs),
           "Sign: --collectd-security-level encrypt refuses them")
        shutil.rmtree(tmp)
        tmp, whole = check_mode("Encrypt", ["--collectd-auth-file",
                                            auth.name,
                                            "--collectd-security-level",
                                            "encrypt"])
        _, recs, _ = convert([whole])
        ok(recs and all("no --collectd-auth-file" in
                        r.get("@error", {}).get("message", "")
                        for r in recs),
           "Encrypt: without an auth file, error records")
        _, recs, _ = convert([whole], "--collectd-auth-file", wrong.name)
        ok(recs and all("SHA-1 mismatch" in
                        r.get("@error", {}).get("message", "")
                        for r in recs),
           "Encrypt: a wrong password makes error records")
        shutil.rmtree(tmp)
    finally:
        os.unlink(auth.name)
        os.unlink(wrong.name)
    print("# %d passed, %d failed" % (count - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
