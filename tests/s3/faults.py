#!/usr/bin/env python3
"""A proxy in front of S3Proxy that fails requests on demand, for the
retry tests of sdc-sink's s3 destination: faults.py PORTFILE UPSTREAM
MODE, where MODE is one of
  503xN    the first N PUTs answered 503 Slow Down
  429xN    the first N PUTs answered 429 with Retry-After: 1
  part2    every PUT of part 2 of a multipart upload answered 503
Everything else goes to 127.0.0.1:UPSTREAM unchanged (the Host header
too, so that S3Proxy checks the signature made for this proxy).  Each
request is logged on stderr as "METHOD PATH -> STATUS"."""
import http.client
import http.server
import os
import sys
import threading

port_file, upstream, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
left = int(mode[4:]) if mode[:4] in ("503x", "429x") else 0
ERROR = (b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code>"
         b"<Message>injected by faults.py</Message></Error>")


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def fault(self):
        global left
        if self.command != "PUT":
            return None
        if mode == "part2":
            return 503 if "partNumber=2&" in self.path else None
        with lock:
            if left <= 0:
                return None
            left -= 1
        return int(mode[:3])

    def relay(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        status = self.fault()
        if status is not None:
            data = ERROR % (b"SlowDown" if status == 503 else b"TooManyRequests")
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            up = http.client.HTTPConnection("127.0.0.1", upstream, timeout=60)
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("connection", "expect")}
            up.request(self.command, self.path, body=body, headers=headers)
            r = up.getresponse()
            data = r.read()
            status = r.status
            self.send_response(status)
            for k, v in r.getheaders():
                if k.lower() not in ("content-length", "transfer-encoding",
                                     "connection", "server", "date"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            up.close()
        sys.stderr.write("%s %s -> %d\n" % (self.command, self.path, status))
        sys.stderr.flush()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = relay


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
