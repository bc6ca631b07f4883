#!/usr/bin/env python3
"""Writes a template context for N hosts (default 100) as JSON to stdout:
the shape the compiler hands to the nginx and HAProxy templates."""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
hosts = [
    {
        "name": f"web-{i:02d}",
        "address": f"10.77.{i // 250}.{i % 250 + 2}",
        "port": 8080 if i % 3 else 80,
        "weight": 1 + i % 4,
        "enabled": i % 7 != 0,
        "tags": ["web", "eu" if i % 2 else "us"],
        "maxconn": 100 * (1 + i % 5),
    }
    for i in range(n)
]
print(json.dumps({
    "site": {"name": "foobar", "domain": "foobar.com", "aliases": ["www.foobar.com", "foobar.com"],
             "root": "/var/www/foobar", "tls": True, "static_paths": ["/static", "/media", "/assets"]},
    "lb": {"name": "lb", "bind": "10.77.0.100", "stats_port": 8404, "balance": "roundrobin",
           "timeouts": {"connect": "5s", "client": "30s", "server": "30s"}},
    "hosts": hosts,
    "app": {"port": 8000, "workers": 4},
}, indent=1))
