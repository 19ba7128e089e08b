#!/usr/bin/env python3
"""A stand-in for the instance metadata service (IMDSv2) on loopback,
for the tests of sdc-sink's s3 credentials, since no real one is here:
imds.py PORTFILE ROLE KEY SECRET.  PUT /latest/api/token gives a token;
the role's name and keys are answered only with it (401 without, as
IMDSv2 does).  Each request is logged on stderr; it serves until
killed."""
import http.server
import json
import sys

port_file, role, key, secret = sys.argv[1:5]
TOKEN = "sdc-test-imds-token"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path == "/latest/api/token" and \
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.answer(200, TOKEN)
        else:
            self.answer(400, "bad token request")

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            self.answer(401, "no token")
        elif self.path == ROLE_PATH:
            self.answer(200, role + "\n")
        elif self.path == ROLE_PATH + role:
            self.answer(200, json.dumps({
                "Code": "Success", "Type": "AWS-HMAC",
                "AccessKeyId": key, "SecretAccessKey": secret,
                "Token": "", "Expiration": "2099-01-01T00:00:00Z"}))
        else:
            self.answer(404, "not found")


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
import os  # noqa: E402
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
