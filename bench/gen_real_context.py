#!/usr/bin/env python3
"""Writes one context for the real templates/nginx-site.conf.j2 and
templates/haproxy.cfg.j2 with N web/app hosts (default 100), as JSON to stdout.

It starts from the compiler's sample contexts of stack 3 (lb-01 for the `lb`
section, web-01 for the `web` section) and grows the backend and upstream lists
to N members, the shape a 100-host stack gives those templates.
"""
import json
import os
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
here = os.path.join(os.path.dirname(__file__), "..", "tests", "render", "contexts", "stack3")
with open(os.path.join(here, "lb-01.json")) as f:
    ctx = json.load(f)
with open(os.path.join(here, "web-01.json")) as f:
    ctx["web"] = json.load(f)["web"]


def address(i):
    return f"10.{(i // 250) + 1}.0.{i % 250 + 1}"


def grown(sample, prefix, first):
    """N members shaped as the sample's first (every key the templates read)."""
    return [dict(sample[0], name=f"{prefix}-{i:03d}", address=address(first + i)) for i in range(n)]


ctx["lb"]["backends"] = grown(ctx["lb"]["backends"], "web", 0)
ctx["web"]["upstreams"] = grown(ctx["web"]["upstreams"], "app", n)
print(json.dumps(ctx))
