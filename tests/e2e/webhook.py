#!/usr/bin/env python3
"""A test receiver for Alertmanager's webhook: appends each POST body as one line to
LOG. Usage: webhook.py ADDRESS PORT LOG"""
import http.server
import json
import sys

address, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(log, "a") as f:
            f.write(json.dumps(json.loads(body)) + "\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer((address, port), Hook).serve_forever()
