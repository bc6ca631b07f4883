#include "review/review.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace foobar::review {
namespace {

using stack::Stack;

// A good design (stack 3 with the app's health route and re-encryption): the only
// thing left to say about it is the single write primary.
const char* kGood = R"(
stack: good
domain: foobar.com
hosts:
  lb-01:  { address: 10.77.0.11 }
  lb-02:  { address: 10.77.0.12 }
  web-01: { address: 10.77.0.21 }
  web-02: { address: 10.77.0.22 }
  app-01: { address: 10.77.0.31 }
  app-02: { address: 10.77.0.32 }
  db-01:  { address: 10.77.0.41 }
  db-02:  { address: 10.77.0.42 }
  mon-01: { address: 10.77.0.51 }
dns:
  nameserver: lb-01
  secondaries: [lb-02]
  transfer_key: { secret: DNS_TRANSFER_KEY }
  records:
    - { name: www, type: A, value: vip }
tiers:
  lb:
    hosts: [lb-01, lb-02]
    health_check: { path: /healthz }
    vip: { address: 10.77.0.10, router_id: 51 }
    tls: { enabled: true, certificate: { secret: TLS_CERTIFICATE }, redirect_http: true, reencrypt: true }
  web:
    hosts: [web-01, web-02]
    static: [/static]
  app:
    hosts: [app-01, app-02]
    source: examples/app
    command: /usr/bin/python3 app.py
  db:
    primary: db-01
    replicas: [db-02]
    databases: [foobar]
    replication: { user: repl, password: { secret: DB_REPL_PASSWORD } }
firewall:
  enabled: true
  admin_cidrs: [10.77.0.1/32]
monitoring:
  collector: mon-01
  exporters: [node, nginx, haproxy, mysqld]
  alerts:
    - { name: HighWebQPS, expr: "sum(rate(haproxy_frontend_http_requests_total[1m])) > 100" }
  alerts_to:
    - { webhook: "https://hooks.foobar.com/alerts" }
)";

Stack parse(const std::string& text) {
  auto r = stack::parse_stack(text, "test.yaml");
  if (!r.ok())
    for (const auto& d : r.diagnostics()) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  return std::move(r).value();
}

// kGood with one line replaced (the text must occur).
Stack variant(const std::string& from, const std::string& to) {
  std::string text = kGood;
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return parse(text);
}

// The review of a stack, its Topology derived as `foobarctl check` derives it.
Findings check(const Stack& s) { return check_stack(compile::derive_topology(s)); }

Findings across(const std::vector<const Stack*>& stacks) {
  std::vector<compile::Topology> topologies;
  for (const Stack* s : stacks) topologies.push_back(compile::derive_topology(*s));
  std::vector<const compile::Topology*> all;
  for (const auto& t : topologies) all.push_back(&t);
  return check_across(all);
}

std::vector<std::string> codes(const Findings& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(x.code);
  std::sort(out.begin(), out.end());
  return out;
}

bool has(const Findings& f, const std::string& code) {
  return std::any_of(f.begin(), f.end(), [&](const Finding& x) { return x.code == code; });
}

const Finding& get(const Findings& f, const std::string& code) {
  auto it = std::find_if(f.begin(), f.end(), [&](const Finding& x) { return x.code == code; });
  REQUIRE(it != f.end());
  return *it;
}

}  // namespace

TEST_CASE("check: a redundant, secured, monitored stack only has its single write primary") {
  auto f = check(parse(kGood));
  CHECK(codes(f) == std::vector<std::string>{"DB-SINGLE-PRIMARY"});
  CHECK(get(f, "DB-SINGLE-PRIMARY").hosts == std::vector<std::string>{"db-01"});
  CHECK(exit_code(f) == 0);
}

TEST_CASE("check: a single nameserver is a DNS-SPOF, fixed by a secondary") {
  auto f = check(variant("  secondaries: [lb-02]\n  transfer_key: { secret: DNS_TRANSFER_KEY }\n", ""));
  const auto& spof = get(f, "DNS-SPOF");
  CHECK(spof.severity == FindingSeverity::warning);
  CHECK(spof.hosts == std::vector<std::string>{"lb-01"});
  CHECK(spof.pos.line == 15);  // dns.nameserver
  CHECK(spof.fix.find("dns.secondaries") != std::string::npos);
  CHECK_FALSE(has(check(parse(kGood)), "DNS-SPOF"));
}

TEST_CASE("check: standby hosts are an active-passive trade-off") {
  auto f = check(variant("    hosts: [web-01, web-02]\n", "    hosts: [web-01, web-02]\n    standby: [web-02]\n"));
  const auto& ap = get(f, "ACTIVE-PASSIVE");
  CHECK(ap.severity == FindingSeverity::info);
  CHECK(ap.tier == "web");
  CHECK(ap.hosts == std::vector<std::string>{"web-02"});
  CHECK(ap.message.find("web-01 takes every request") != std::string::npos);
  CHECK(ap.why.find("capacity") != std::string::npos);
  CHECK(exit_code(f) == 0);
  CHECK_FALSE(has(check(parse(kGood)), "ACTIVE-PASSIVE"));
}

TEST_CASE("check: sshd left with password logins") {
  auto f = check(variant("firewall:\n", "security: { ssh: false }\nfirewall:\n"));
  CHECK(get(f, "SSH-PASSWORDS").severity == FindingSeverity::warning);
  CHECK_FALSE(has(check(parse(kGood)), "SSH-PASSWORDS"));
}

TEST_CASE("check: one host carrying every tier") {
  auto s = parse(R"(
stack: one
domain: foobar.com
hosts: { web-01: { address: 10.77.0.10 } }
tiers:
  web: { hosts: [web-01] }
  app: { hosts: [web-01], source: a, command: b }
  db: { primary: web-01 }
)");
  auto f = check(s);
  for (const char* code : {"SPOF-SITE", "MAINT-DOWNTIME", "SCALE-COLOCATED", "DB-NO-REPLICA", "FW-NONE",
                           "TLS-NONE", "MON-NONE"})
    CHECK_MESSAGE(has(f, code), code);
  CHECK_FALSE(has(f, "SPOF-TIER"));  // said once by SPOF-SITE
  CHECK_FALSE(has(f, "IDENTICAL-SERVERS"));
  CHECK(get(f, "SPOF-SITE").hosts == std::vector<std::string>{"web-01"});
  CHECK(get(f, "FW-NONE").severity == FindingSeverity::error);
  CHECK(f.front().severity == FindingSeverity::error);  // errors come first
  CHECK(exit_code(f) == 3);
}

TEST_CASE("check: a jump host carries no tier, so one host still carries the whole site") {
  auto s = parse(R"(
stack: one
domain: foobar.com
hosts:
  web-01: { address: 10.77.0.10, ssh: { jump: bastion } }
  bastion: { address: 10.77.0.2 }
tiers:
  web: { hosts: [web-01] }
  app: { hosts: [web-01], source: a, command: b }
  db: { primary: web-01 }
)");
  CHECK_FALSE(compile::derive_topology(s).single_host);  // two hosts are listed
  auto f = check(s);
  CHECK(get(f, "SPOF-SITE").hosts == std::vector<std::string>{"web-01"});
  CHECK(get(f, "FW-NONE").hosts == std::vector<std::string>{"web-01"});
}

TEST_CASE("check: load balancer without floating IP") {
  auto s = parse(kGood);
  s.tiers.lb->vip.reset();  // built in code: the DNS record still names the vip
  s.dns.reset();
  auto f = check(s);
  CHECK(get(f, "SPOF-LB").message.find("share no floating IP") != std::string::npos);
  s.tiers.lb->hosts.pop_back();
  f = check(s);
  CHECK(has(f, "SPOF-LB"));
  CHECK(get(f, "SPOF-LB").hosts == std::vector<std::string>{"lb-01"});
  CHECK(get(f, "SPOF-LB").tier == "lb");
}

TEST_CASE("check: a tier with one host, web and app on the same servers") {
  auto one = variant("hosts: [app-01, app-02]", "hosts: [app-01]");
  CHECK(get(check(one), "SPOF-TIER").hosts == std::vector<std::string>{"app-01"});
  auto same = variant("hosts: [app-01, app-02]", "hosts: [web-01, web-02]");
  auto f = check(same);
  CHECK(has(f, "IDENTICAL-SERVERS"));
  CHECK(get(f, "IDENTICAL-SERVERS").hosts == std::vector<std::string>{"web-01", "web-02"});
  CHECK_FALSE(has(f, "SCALE-COLOCATED"));
}

TEST_CASE("check: database without replica") {
  auto s = parse(kGood);
  s.tiers.db->replicas.clear();
  auto f = check(s);
  CHECK(has(f, "DB-NO-REPLICA"));
  CHECK_FALSE(has(f, "DB-SINGLE-PRIMARY"));
}

TEST_CASE("check: replicas without a replication user (stack built in code)") {
  auto s = parse(kGood);
  s.tiers.db->replication.reset();
  CHECK_FALSE(stack::validate_stack(s).empty());  // the loader would refuse it
  auto f = check(s);
  CHECK(get(f, "DB-REPL-USER-MISSING").severity == FindingSeverity::error);
  CHECK(exit_code(f) == 3);
  s = parse(kGood);
  s.tiers.db->replication->user.value.clear();
  CHECK(has(check(s), "DB-REPL-USER-MISSING"));
}

TEST_CASE("check: firewall missing, disabled, or blocking SSH and VRRP") {
  auto none = parse(kGood);
  none.firewall.reset();
  CHECK(get(check(none), "FW-NONE").severity == FindingSeverity::error);
  auto off = variant("  enabled: true\n  admin", "  enabled: false\n  admin");
  CHECK(get(check(off), "FW-NONE").message.find("disabled") != std::string::npos);

  auto s = parse(kGood);
  s.firewall->admin_cidrs.clear();
  CHECK(get(check(s), "FW-SSH-BLOCKED").severity == FindingSeverity::error);
  s.firewall->admin_cidrs.push_back({"2001:db8::/64", {}});
  CHECK(has(check(s), "FW-SSH-BLOCKED"));

  auto jump = variant("  db-02:  { address: 10.77.0.42 }",
                      "  db-02:  { address: 10.77.0.42, ssh: { jump: mon-01 } }");
  auto f = check(jump);
  CHECK(get(f, "FW-SSH-BLOCKED").hosts == std::vector<std::string>{"db-02"});
  auto jump_ok = variant("admin_cidrs: [10.77.0.1/32]", "admin_cidrs: [10.77.0.1/32, 10.77.0.51/32]");
  jump_ok.hosts[7].ssh.jump = stack::Located<std::string>{"mon-01", {}};
  CHECK_FALSE(has(check(jump_ok), "FW-SSH-BLOCKED"));

  auto v6 = parse(kGood);
  v6.hosts[1].address.value = "2001:db8::12";
  CHECK(get(check(v6), "FW-VRRP-BLOCKED").severity == FindingSeverity::error);
}

TEST_CASE("check: extra firewall rules that undo the ruleset's restrictions") {
  auto ssh = variant("  admin_cidrs: [10.77.0.1/32]\n",
                     "  admin_cidrs: [10.77.0.1/32]\n  rules:\n    - { hosts: [web-01], port: 22 }\n");
  CHECK(get(check(ssh), "FW-RULE-CONFLICT").hosts == std::vector<std::string>{"web-01"});
  auto db = variant("  admin_cidrs: [10.77.0.1/32]\n",
                    "  admin_cidrs: [10.77.0.1/32]\n  rules:\n    - { hosts: [db-01], port: 3306 }\n");
  CHECK(has(check(db), "FW-RULE-CONFLICT"));
  auto fine = variant("  admin_cidrs: [10.77.0.1/32]\n",
                      "  admin_cidrs: [10.77.0.1/32]\n  rules:\n"
                      "    - { hosts: [web-01], port: 9113, from: [10.77.0.51/32] }\n");
  CHECK_FALSE(has(check(fine), "FW-RULE-CONFLICT"));
  auto admin_ssh = variant("  admin_cidrs: [10.77.0.1/32]\n",
                           "  admin_cidrs: [10.77.0.0/24]\n  rules:\n"
                           "    - { hosts: [web-01], port: 22, from: [10.77.0.8/29] }\n");
  CHECK_FALSE(has(check(admin_ssh), "FW-RULE-CONFLICT"));  // inside the admin network
  auto wide_ssh = variant("  admin_cidrs: [10.77.0.1/32]\n",
                          "  admin_cidrs: [10.77.0.1/32]\n  rules:\n"
                          "    - { hosts: [web-01], port: 22, from: [10.77.0.0/24] }\n");
  CHECK(has(check(wide_ssh), "FW-RULE-CONFLICT"));
}

TEST_CASE("check: HTTPS missing, terminated at the LB, not redirected") {
  auto plain = parse(kGood);
  plain.tiers.lb->tls.reset();
  CHECK(has(check(plain), "TLS-NONE"));
  auto term = variant("reencrypt: true", "reencrypt: false");
  auto f = check(term);
  CHECK(has(f, "TLS-PLAIN-BACKEND"));
  CHECK(get(f, "TLS-PLAIN-BACKEND").pos.line > 0);
  CHECK_FALSE(has(f, "TLS-NONE"));
  CHECK(get(check(variant("redirect_http: true", "redirect_http: false")), "TLS-NO-REDIRECT").severity ==
        FindingSeverity::info);
}

TEST_CASE("check: monitoring missing, host without exporter, no QPS alert, no receiver") {
  auto none = parse(kGood);
  none.monitoring.reset();
  CHECK(has(check(none), "MON-NONE"));
  auto nginx_only = variant("exporters: [node, nginx, haproxy, mysqld]", "exporters: [nginx, haproxy]");
  auto f = check(nginx_only);
  std::vector<std::string> bare;
  for (const auto& x : f)
    if (x.code == "MON-NO-EXPORTER") bare.push_back(x.hosts.at(0));
  CHECK(bare == std::vector<std::string>{"app-01", "app-02", "db-01", "db-02", "mon-01"});
  auto no_qps = variant("haproxy_frontend_http_requests_total", "node_load1");
  CHECK(has(check(no_qps), "MON-NO-QPS-ALERT"));
  auto silent = parse(kGood);
  silent.monitoring->alerts_to.clear();
  CHECK(get(check(silent), "MON-NO-RECEIVER").severity == FindingSeverity::info);
  CHECK(expr_mentions_request_rate("sum(rate(nginx_http_requests_total[5m]))"));
  CHECK_FALSE(expr_mentions_request_rate("up == 0"));
}

TEST_CASE("check: exporters as compile deploys them: an empty list still runs node everywhere") {
  const auto none_listed = variant("exporters: [node, nginx, haproxy, mysqld]", "exporters: []");
  REQUIRE(compile::derive_topology(none_listed).has_exporter(stack::Exporter::node));
  auto f = check(none_listed);
  CHECK_FALSE(has(f, "MON-NO-EXPORTER"));
  f = check(variant("exporters: [node, nginx, haproxy, mysqld]", "exporters: [mysqld]"));
  std::vector<std::string> bare;
  for (const auto& x : f)
    if (x.code == "MON-NO-EXPORTER") bare.push_back(x.hosts.at(0));
  CHECK(bare == std::vector<std::string>{"lb-01", "lb-02", "web-01", "web-02", "app-01", "app-02", "mon-01"});
}

TEST_CASE("check: health-check path the web tier does not serve") {
  auto bad = variant("path: /healthz", "path: /health");
  auto f = check(bad);
  CHECK(get(f, "HEALTH-PATH-UNSERVED").severity == FindingSeverity::error);
  CHECK(get(f, "HEALTH-PATH-UNSERVED").pos.line > 0);
  auto s = parse(kGood);
  CHECK(path_served(s, "/healthz"));
  CHECK(path_served(s, "/"));
  CHECK(path_served(s, "/healthz?full=1"));
  CHECK(path_served(s, "/static"));
  CHECK(path_served(s, "/static/logo.png"));
  CHECK(path_served(s, "/entries/42"));
  CHECK_FALSE(path_served(s, "/entries"));  // POST only: a GET gets 405
  CHECK_FALSE(path_served(s, "/entries/x"));
  CHECK_FALSE(path_served(s, "/staticfoo"));
  CHECK_FALSE(path_served(s, "/health"));
}

TEST_CASE("check: VRRP router ids shared by stacks on one network") {
  auto a = parse(kGood);
  auto b = parse(kGood);
  b.file = "other.yaml";
  b.tiers.lb->vip->address.value = "10.77.0.9";
  auto f = across({&a, &b});
  CHECK(codes(f) == std::vector<std::string>{"VRRP-ID-DUP"});
  CHECK(f[0].file == "other.yaml");
  b.tiers.lb->vip->router_id.value = 52;
  CHECK(across({&a, &b}).empty());
  b.tiers.lb->vip->router_id.value = 51;
  b.tiers.lb->vip->address.value = "10.78.0.10";  // another network
  CHECK(across({&a, &b}).empty());
}

TEST_CASE("check: MySQL server ids of stacks that share database hosts") {
  auto a = parse(kGood);
  auto b = parse(kGood);
  b.file = "other.yaml";
  // b replicates from a's replica: b's primary is a's db-02 (10.77.0.42).
  b.hosts[6].address.value = "10.77.0.42";
  b.hosts[7].address.value = "10.77.0.43";
  auto f = across({&a, &b});
  REQUIRE(has(f, "DB-SERVER-ID-DUP"));
  CHECK(get(f, "DB-SERVER-ID-DUP").severity == FindingSeverity::error);
  // Stacks on separate database hosts never replicate together.
  b.hosts[6].address.value = "10.77.0.61";
  CHECK_FALSE(has(across({&a, &b}), "DB-SERVER-ID-DUP"));
}

TEST_CASE("check: self-signed certificates on an LB pair differ per LB") {
  auto f = check(variant("certificate: { secret: TLS_CERTIFICATE }", "certificate: self-signed"));
  CHECK(get(f, "TLS-CERT-PER-LB").hosts == std::vector<std::string>{"lb-01", "lb-02"});
  CHECK(get(f, "TLS-CERT-PER-LB").fix.find("certificate: { secret: NAME }") != std::string::npos);
}

TEST_CASE("check: JSON output has stable fields and a summary") {
  auto s = variant("reencrypt: true", "reencrypt: false");
  auto doc = nlohmann::json::parse(format_json(check(s)));
  REQUIRE(doc["findings"].size() == 2);
  const auto& f = doc["findings"][0];
  for (const char* key : {"code", "severity", "file", "line", "column", "tier", "hosts", "message", "why", "fix"})
    CHECK_MESSAGE(f.contains(key), key);
  CHECK(doc["summary"]["warning"] == 2);
  CHECK(doc["summary"]["error"] == 0);
  std::string text = format_text(check(s));
  CHECK(text.find("warning [TLS-PLAIN-BACKEND]") != std::string::npos);
  CHECK(text.find("0 error(s), 2 warning(s)") != std::string::npos);
}

}  // namespace foobar::review
