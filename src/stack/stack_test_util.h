// Helpers for the stack module's tests: a valid base stack and ways to break it.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "stack/stack.h"

namespace foobar::stack::testing {

// Line numbers matter: tests point at them.
inline const char* const kBase = R"(stack: t
domain: foobar.com
hosts:
  lb-01: { address: 10.77.0.11 }
  lb-02: { address: 10.77.0.12 }
  web-01: { address: 10.77.0.21, ssh: { user: admin, port: 2222 } }
  db-01: { address: 10.77.0.41 }
  db-02: { address: 10.77.0.42 }
  mon-01: { address: 10.77.0.51 }
dns:
  records:
    - { name: www, type: A, value: vip }
tiers:
  lb:
    hosts: [lb-01, lb-02]
    vip: { address: 10.77.0.10, router_id: 51 }
    tls: { certificate: self-signed }
  web: { hosts: [web-01] }
  app: { hosts: [web-01], source: examples/app, command: /usr/bin/python3 app.py, environment: { DB_PASSWORD: { secret: DB_APP } } }
  db:
    primary: db-01
    replicas: [db-02]
    databases: [foobar]
    users: [ { name: foobar, password: { secret: DB_APP }, from: 10.77.0.0/24, grants: ["ALL PRIVILEGES ON foobar.*"] } ]
    replication: { user: repl, password: { secret: DB_REPL } }
firewall: { admin_cidrs: [10.77.0.1/32], rules: [ { hosts: [web-01], port: 9113, from: [10.77.0.51/32] } ] }
monitoring: { collector: mon-01, exporters: [node, nginx, haproxy, mysqld], alerts: [ { name: HighQPS, expr: "x > 1", for: 2m } ] }
)";

// kBase with the first occurrence of `from` replaced by `to` (which must exist).
inline std::string with(const std::string& from, const std::string& to, std::string text = kBase) {
  auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "base stack lacks: " << from);
  return text.replace(at, from.size(), to);
}

// "line:col: message" for each diagnostic; empty when the stack is valid.
inline std::vector<std::string> errors_of(const std::string& text) {
  auto r = parse_stack(text, "t.yaml");
  std::vector<std::string> out;
  if (r.ok()) return out;
  for (const auto& d : r.diagnostics())
    out.push_back(std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + ": " +
                  d.message);
  return out;
}

// True when exactly one diagnostic starts at `line` and contains `needle`.
inline bool has_error(const std::vector<std::string>& errors, int line, const std::string& needle) {
  int hits = 0;
  for (const auto& e : errors)
    if (e.rfind(std::to_string(line) + ":", 0) == 0 && e.find(needle) != std::string::npos) ++hits;
  return hits == 1;
}

}  // namespace foobar::stack::testing
