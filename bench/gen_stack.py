#!/usr/bin/env python3
"""Writes a synthetic stack file with N hosts, for benchmarks.

Usage: gen_stack.py N > stack.yaml

Hosts are split across the tiers like a large stack 3: 2 load balancers with a
floating IP, then web, app and db hosts (one primary, the rest replicas), and one
monitoring collector. Addresses come from 10.0.0.0/8 (never contacted: compile and
render do no I/O).
"""
import sys


def address(i):
    # 250 usable addresses per /24 (.1 to .250), so every host gets its own.
    block, low = divmod(i, 250)
    return f"10.{(block >> 8) & 255}.{block & 255}.{low + 1}"


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    if n < 6:
        sys.exit("gen_stack.py: need at least 6 hosts")
    rest = n - 3  # 2 lb + 1 monitoring
    web = rest * 4 // 10
    app = rest * 4 // 10
    db = rest - web - app
    names = {"lb": [f"lb-{i:04d}" for i in range(1, 3)],
             "web": [f"web-{i:04d}" for i in range(1, web + 1)],
             "app": [f"app-{i:04d}" for i in range(1, app + 1)],
             "db": [f"db-{i:04d}" for i in range(1, db + 1)],
             "mon": ["mon-0001"]}
    out = ["stack: bench", "domain: bench.example", "hosts:"]
    i = 10
    for group in ("lb", "web", "app", "db", "mon"):
        for h in names[group]:
            out.append(f"  {h}: {{ address: {address(i)} }}")
            i += 1
    def hostlist(key):
        return "[" + ", ".join(names[key]) + "]"
    out += [
        "dns:",
        "  records:",
        "    - { name: www, type: A, value: vip }",
        "tiers:",
        "  lb:",
        f"    hosts: {hostlist('lb')}",
        "    balance: roundrobin",
        "    health_check: { path: /healthz }",
        f"    vip: {{ address: {address(5)}, router_id: 51 }}",
        "    tls: { enabled: true, certificate: self-signed, redirect_http: true }",
        "  web:",
        f"    hosts: {hostlist('web')}",
        "  app:",
        f"    hosts: {hostlist('app')}",
        "    source: examples/foobar-app",
        "    command: /usr/bin/gunicorn app:app",
        "    port: 8000",
        "  db:",
        "    engine: mariadb",
        f"    primary: {names['db'][0]}",
        "    replicas: [" + ", ".join(names["db"][1:]) + "]",
        "    databases: [foobar]",
        "    users:",
        "      - { name: foobar, password: { secret: DB_APP_PASSWORD }, from: 10.0.0.0/8,"
        " grants: [\"ALL PRIVILEGES ON foobar.*\"] }",
        "    replication: { user: repl, password: { secret: DB_REPL_PASSWORD } }",
        "firewall:",
        "  enabled: true",
        "  admin_cidrs: [10.0.0.1/32]",
        "monitoring:",
        "  collector: mon-0001",
        "  exporters: [node, nginx, haproxy, mysqld]",
    ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
