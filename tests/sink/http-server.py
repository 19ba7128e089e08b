#!/usr/bin/env python3
"""A small HTTP(S) server for the tests of sdc-sink's http destination.

It plays a mobile app's push backend, a made-up service, so there is no
real one to test against: it takes batches of promotions by POST or PUT,
logs what it got, and fails on demand.  Python's standard library only.

Each request is one JSON line in --log, written before the answer goes
out (so a record the sink counts delivered is always in the log; one
logged may still be sent again after a crash, at least once): method,
path, headers (names lowercased), body (gunzipped under
Content-Encoding: gzip, as text), gzip (whether it was), status (the
answer), peer_cn (the client certificate's common name, under TLS).

  --port-file F      listen on a free port of 127.0.0.1 and write it to F
  --port N           or listen on N
  --log F            append the requests to F
  --tls-cert C --tls-key K [--tls-client-ca CA]  serve HTTPS, requiring
                     a client certificate signed by CA when given
  --basic USER:PASS  require basic authentication (401 otherwise)
  --bearer-file F    require a bearer token equal to F's content, read
                     at each request (so a test can rotate it)
  --fail N:STATUS[:RETRY_AFTER]  answer STATUS to the first N requests
                     (repeatable: one after the other), with Retry-After
  --reject MARKER    answer 400 (and a message) to bodies containing MARKER
  --delay S          wait S seconds before answering
"""
import argparse
import base64
import gzip
import http.server
import json
import os
import socket
import ssl
import sys
import threading
import time


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.requests = 0
        self.failures = []
        for spec in args.fail:
            parts = spec.split(":", 2)
            self.failures += [(int(parts[1]), parts[2] if len(parts) > 2
                               else None)] * int(parts[0])
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None

    def scheduled_failure(self):
        with self.lock:
            n = self.requests
            self.requests += 1
            return self.failures[n] if n < len(self.failures) else None

    def write(self, entry):
        if self.log is None:
            return
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "push-backend-test/1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # The headers and the body go out in two writes: without this,
        # Nagle holds the body until the client's delayed ACK (40 ms).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def read_body(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n) if n else b""
        packed = self.headers.get("Content-Encoding", "") == "gzip"
        return (gzip.decompress(raw) if packed else raw), packed

    def authorised(self):
        args = self.server.state.args
        got = self.headers.get("Authorization", "")
        if args.basic:
            want = "Basic " + base64.b64encode(args.basic.encode()).decode()
            return got == want
        if args.bearer_file:
            with open(args.bearer_file, encoding="utf-8") as f:
                return got == "Bearer " + f.read().strip()
        return True

    def peer_cn(self):
        try:
            cert = self.connection.getpeercert()
        except AttributeError:
            return None
        for rdn in (cert or {}).get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return None

    def answer(self, status, text="", retry_after=None):
        body = text.encode()
        self.send_response(status)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        state = self.server.state
        body, packed = self.read_body()
        status, text, retry_after = 200, "ok\n", None
        failure = state.scheduled_failure()
        if not self.authorised():
            status, text = 401, "who are you?\n"
        elif failure is not None:
            status, retry_after = failure
            text = "scheduled failure\n"
        elif state.args.reject and state.args.reject.encode() in body:
            status = 400
            text = "rejected: the body holds %s\n" % state.args.reject
        state.write({"method": self.command, "path": self.path,
                     "headers": {k.lower(): v for k, v in
                                 self.headers.items()},
                     "body": body.decode("utf-8", "replace"),
                     "gzip": packed, "status": status,
                     "peer_cn": self.peer_cn()})
        if state.args.delay:
            time.sleep(state.args.delay)
        self.answer(status, text, retry_after)

    do_POST = do_PUT = do_OPTIONS = do_HEAD = do_GET = handle_any


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--tls-client-ca")
    p.add_argument("--basic")
    p.add_argument("--bearer-file")
    p.add_argument("--fail", action="append", default=[])
    p.add_argument("--reject")
    p.add_argument("--delay", type=float, default=0)
    args = p.parse_args()
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port),
                                             Handler)
    server.daemon_threads = True
    server.state = State(args)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            ctx.load_verify_locations(args.tls_client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
