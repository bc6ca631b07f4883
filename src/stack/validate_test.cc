// One row per validation rule: break the valid base stack in one place and
// expect exactly that diagnostic, on that line.
#include <doctest/doctest.h>

#include <algorithm>

#include "stack/stack_test_util.h"

using namespace foobar;
using namespace foobar::stack;
using namespace foobar::stack::testing;

namespace {

struct Case {
  const char* from;
  const char* to;
  int line;
  const char* needle;
};

const Case kCases[] = {
    // structure and types
    {"stack: t\n", "stack: t\nzzzzzz: 1\n", 2, "unknown key 'zzzzzz' at the top level; expected 'stack'"},
    {"    hosts: [lb-01, lb-02]", "    hots: [lb-01, lb-02]", 15, "unknown key 'hots' in 'tiers.lb'; did you mean 'hosts'?"},
    {"{ certificate: self-signed }", "{ certificat: self-signed }", 17, "did you mean 'certificate'?"},
    {"domain: foobar.com", "domain: [a]", 2, "'domain' must be a string, got a list"},
    {"router_id: 51", "router_id: abc", 16, "'tiers.lb.vip.router_id' must be an integer, got 'abc'"},
    {"router_id: 51", "router_id: \"51\"", 16, "must be an integer"},
    {"router_id: 51", "router_id: 99999999999", 16, "out of range"},
    {"{ certificate: self-signed }", "{ enabled: yes, certificate: self-signed }", 17, "'tiers.lb.tls.enabled' must be true or false, got 'yes'"},
    {"for: 2m", "for: 2", 27, "must be a duration such as 500ms"},
    {"for: 2m", "for: 2 minutes", 27, "must be a duration"},
    {"tiers:\n  lb:\n", "tiers:\n  lb:\n    balance: roundrobinn\n", 15, "did you mean 'roundrobin'?"},
    {"databases: [foobar]", "databases: foobar", 23, "'tiers.db.databases' must be a list, got 'foobar'"},
    {"web: { hosts: [web-01] }", "web: 5", 18, "'tiers.web' must be a mapping, got '5'"},
    {"    primary: db-01\n", "", 21, "missing required key 'primary' in 'tiers.db'"},
    {"  lb-01: { address: 10.77.0.11 }", "  lb-01: { }", 4, "missing required key 'address' in 'hosts.lb-01'"},
    {"stack: t\n", "stack: t\nstack: u\n", 2, "duplicate key 'stack' at the top level (first defined at line 1)"},
    {"  mon-01: { address: 10.77.0.51 }", "  mon-01: { address: 10.77.0.51 }\n  lb-01: { address: 10.77.0.13 }", 10, "duplicate host name 'lb-01' in 'hosts' (first defined at line 4)"},
    {"hosts:\n", "hosts: {}\nx:\n", 3, "'hosts' is empty"},
    {"stack: t\n", "stack: t\n---\nstack: u\n", 2, "a second one starts here"},
    {"stack: t\n", "stack: t\n  bad: [\n", 2, "YAML syntax error"},
    {"tiers:\n", "tiers: {}\nnothing:\n", 14, "unknown key 'nothing'"},
    // names and addresses
    {"stack: t", "stack: Foo_Bar", 1, "stack name 'Foo_Bar' must use only a-z, 0-9 and '-'"},
    {"domain: foobar.com", "domain: foobar", 2, "domain 'foobar' is not a DNS name"},
    {"  mon-01: {", "  Mon_01: {", 9, "host name 'Mon_01' must use only a-z"},
    {"address: 10.77.0.12", "address: 10.77.0.11", 5, "address 10.77.0.11 of host 'lb-02' is already used by host 'lb-01' (line 4)"},
    {"address: 10.77.0.12", "address: 10.77.0.256", 5, "address '10.77.0.256' of host 'lb-02' is not a valid IPv4 or IPv6 address"},
    {"address: 10.77.0.12", "address: fe80::1::2", 5, "'fe80::1::2' of host 'lb-02' is not a valid"},
    {"address: 10.77.0.12", "address: lb-02.foobar.com", 5, "is not a valid IPv4 or IPv6 address"},
    {"admin_cidrs: [10.77.0.1/32]", "admin_cidrs: [10.77.0.1/33]", 26, "admin CIDR '10.77.0.1/33' is not a valid CIDR: the prefix length must be a number from 0 to 32"},
    {"from: 10.77.0.0/24", "from: 10.77.0.5/24", 24, "host bits are set below the /24 prefix; did you mean 10.77.0.0/24?"},
    {"from: [10.77.0.51/32]", "from: [10.77.0.x/32]", 26, "firewall rule source '10.77.0.x/32' is not a valid CIDR"},
    {"port: 2222", "port: 70000", 6, "hosts.web-01.ssh.port 70000 is not a valid port; use 1 to 65535"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], port: 0 }", 18, "tiers.web.port 0 is not a valid port"},
    {"port: 9113", "port: -1", 26, "firewall rule port -1 is not a valid port"},
    // references between hosts and tiers
    {"web: { hosts: [web-01] }", "web: { hosts: [web-09] }", 18, "host 'web-09' is not a host defined under 'hosts'; did you mean 'web-01'?"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01, web-01] }", 18, "host 'web-01' is listed twice in tier 'web'"},
    {"web: { hosts: [web-01] }", "web: { hosts: [] }", 18, "tier 'web' has no hosts; list at least one host under 'hosts'"},
    {"web: { hosts: [web-01] }", "web: { port: 80 }", 18, "tier 'web' has no hosts"},
    {"primary: db-01", "primary: db-03", 21, "db primary 'db-03' is not a host defined"},
    {"replicas: [db-02]", "replicas: [db-01]", 22, "db replica 'db-01' is also the primary"},
    {"replicas: [db-02]", "replicas: [db-02, db-02]", 22, "db replica 'db-02' is listed twice"},
    {"    replication: { user: repl, password: { secret: DB_REPL } }\n", "", 20, "has replicas but no 'replication' settings"},
    {"collector: mon-01", "collector: mon-1", 27, "monitoring collector 'mon-1' is not a host defined under 'hosts'; did you mean 'mon-01'?"},
    {"rules: [ { hosts: [web-01]", "rules: [ { hosts: [web-02]", 26, "firewall rule host 'web-02' is not a host"},
    {"domain: foobar.com\n", "domain: foobar.com\ndefaults: { ssh: { jump: bastion } }\n", 3, "ssh jump host 'bastion' is not a host"},
    {"ssh: { user: admin, port: 2222 }", "ssh: { jump: web-01 }", 6, "host 'web-01' cannot be its own ssh jump host"},
    {"dns:\n", "dns:\n  nameserver: ns-01\n", 11, "dns nameserver 'ns-01' is not a host"},
    {"tiers:\n  lb:\n", "tiers: {}\nx:\n  lb:\n", 13, "the stack has no tiers"},
    // lb, vip, tls
    {"address: 10.77.0.10, router_id", "address: 10.77.0.21, router_id", 16, "vip address 10.77.0.21 is the address of host 'web-01'; a floating IP must be an unused address"},
    {"address: 10.77.0.10, router_id", "address: 10.77.0, router_id", 16, "vip address '10.77.0' is not a valid IPv4 or IPv6 address"},
    {"hosts: [lb-01, lb-02]", "hosts: [lb-01]", 16, "a floating IP (vip) needs at least 2 hosts in tier 'lb'"},
    {"router_id: 51", "router_id: 0", 16, "vip router_id 0 is out of range; VRRP router ids are 1 to 255"},
    {"router_id: 51", "router_id: 256", 16, "vip router_id 256 is out of range"},
    {"router_id: 51", "router_id: 51, interface: 'eth 0'", 16, "vip interface 'eth 0' is not a network interface name"},
    {"    tls: {", "    health_check: { path: health }\n    tls: {", 17, "health check path 'health' must start with '/'"},
    {"    tls: {", "    health_check: { rise: 0 }\n    tls: {", 17, "health check rise must be from 1 to 100, got 0"},
    {"    tls: {", "    health_check: { interval: 10ms }\n    tls: {", 17, "health check interval must be at least 100ms"},
    {"{ certificate: self-signed }", "{ certificate: self-signed, port: 80 }", 17, "lb tls port 80 on host 'lb-01' is already used by lb"},
    // web, app, db details
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], root: var/www }", 18, "tiers.web.root 'var/www' must be an absolute path"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], static: [static] }", 18, "static location 'static' must start with '/'"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], server_name: 'bad name' }", 18, "server_name 'bad name' is not a DNS name"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], port: 8000 }", 19, "app port 8000 on host 'web-01' is already used by web"},
    {"source: examples/app, ", "source: examples/app, path: opt, ", 19, "tiers.app.path 'opt' must be an absolute path"},
    {"source: examples/app, ", "", 19, "missing required key 'source' in 'tiers.app'"},
    {"environment: { DB_PASSWORD", "environment: { 1X: a, DB_PASSWORD", 19, "environment variable name '1X'"},
    {"databases: [foobar]", "databases: [foo-bar]", 23, "database name 'foo-bar' must use only letters, digits and _"},
    {"databases: [foobar]", "databases: [foobar, foobar]", 23, "database 'foobar' is listed twice"},
    {"grants: [\"ALL PRIVILEGES ON foobar.*\"]", "grants: [\"ALL PRIVILEGES foobar\"]", 24, "grant 'ALL PRIVILEGES foobar' must look like 'PRIVILEGE[, PRIVILEGE...] ON database.table'"},
    {"users: [ { name: foobar,", "users: [ { name: repl,", 24, "db user 'repl' is also the replication user"},
    {"grants: [\"ALL PRIVILEGES ON foobar.*\"] } ]", "grants: [] }, { name: foobar, password: { secret: X }, from: 10.0.0.0/8 } ]", 24, "db user 'foobar' is defined twice"},
    // secrets
    {"password: { secret: DB_APP }", "password: hunter2", 24, "'tiers.db.users[0].password' holds a literal secret; secrets never go into the stack file: use { secret: NAME }"},
    {"password: { secret: DB_REPL }", "password: s3cret", 25, "'tiers.db.replication.password' holds a literal secret"},
    {"certificate: self-signed", "certificate: \"-----BEGIN CERTIFICATE-----\"", 17, "'tiers.lb.tls.certificate' holds a literal secret"},
    {"DB_PASSWORD: { secret: DB_APP }", "DB_PASSWORD: hunter2", 19, "'tiers.app.environment.DB_PASSWORD' looks like a secret but holds a literal value"},
    {"DB_PASSWORD: { secret: DB_APP }", "API_TOKEN: abc", 19, "'tiers.app.environment.API_TOKEN' looks like a secret"},
    {"DB_PASSWORD: { secret: DB_APP }", "SSH_KEY: abc", 19, "'tiers.app.environment.SSH_KEY' looks like a secret"},
    {"password: { secret: DB_APP }", "password: { secret: db-app }", 24, "secret name 'db-app' must use only A-Z, 0-9 and _"},
    {"password: { secret: DB_APP }", "password: { secrte: DB_APP }", 24, "did you mean 'secret'?"},
    {"  web: { hosts: [web-01] }", "\tweb: { hosts: [web-01] }", 18, "a tab indents this line"},
    {"password: { secret: DB_APP }", "password: [DB_APP]", 24, "must be { secret: NAME }, got a list"},
    // dns
    {"value: vip }", "value: vip }\n    - { name: www, type: A, value: 10.77.0.11 }", 13, "duplicate A record 'www' (first at line 12)"},
    {"value: vip }", "value: vip }\n    - { name: www, type: CNAME, value: lb-01 }", 13, "record 'www' has a CNAME and other records"},
    {"type: A, value: vip", "type: A, value: nowhere", 12, "A record value 'nowhere' must be an address, a host name or 'vip'"},
    {"type: A, value: vip", "type: A, value: fe80::1", 12, "A record value 'fe80::1' must be an IPv4 address"},
    {"type: A, value: vip", "type: AAAA, value: db-01", 12, "AAAA record points at host 'db-01', whose address is not IPv6"},
    {"type: A, value: vip", "type: MX, value: mail", 12, "MX record value 'mail' must be 'PRIORITY NAME'"},
    {"type: A, value: vip", "type: MX, value: '10 '", 12, "MX record value '10 ' must be"},
    {"type: A, value: vip", "type: MX, value: 70000 mail", 12, "MX record value '70000 mail' must be"},
    {"type: A, value: vip", "type: CNAME, value: 'a b'", 12, "CNAME record value 'a b' is not a DNS name"},
    {"type: A, value: vip", "type: SRV, value: vip", 12, "'dns.records[0].type' must be one of 'A', 'AAAA', 'CNAME', 'TXT' or 'MX', got 'SRV'"},
    {"name: www, type", "name: 'w w', type", 12, "record name 'w w' must be '@' or a name relative to the domain"},
    {"dns:\n", "dns:\n  ttl: 0\n", 11, "dns ttl 0 must be from 1 to 604800 seconds"},
    {"    vip: { address: 10.77.0.10, router_id: 51 }\n", "", 12, "record value 'vip' needs a floating IP: define tiers.lb.vip"},
    // firewall, monitoring
    {"admin_cidrs: [10.77.0.1/32], ", "", 26, "the firewall is enabled but 'admin_cidrs' is empty"},
    {"exporters: [node, nginx, haproxy, mysqld]", "exporters: [node, node]", 27, "exporter 'node' is listed twice"},
    {"exporters: [node, nginx, haproxy, mysqld]", "exporters: [node, apache]", 27, "'monitoring.exporters[1]' must be one of 'node', 'nginx', 'haproxy' or 'mysqld', got 'apache'"},
    {"  web: { hosts: [web-01] }\n", "", 26, "exporter 'nginx' needs a 'web' tier to run on"},
    {"{ name: HighQPS, expr: \"x > 1\", for: 2m }", "{ name: HighQPS, expr: \"x > 1\" }, { name: HighQPS, expr: y }", 27, "alert 'HighQPS' is defined twice"},
    {"name: HighQPS", "name: High-QPS", 27, "alert name 'High-QPS' must use only letters, digits and _"},
    {"name: HighQPS, expr: \"x > 1\"", "name: HighQPS", 27, "missing required key 'expr'"},
    {"monitoring: { collector: mon-01,", "monitoring: { scrape_interval: 500ms, collector: mon-01,", 27, "scrape_interval must be at least 1s"},
    {"firewall: { admin_cidrs", "firewall: { enabled: false, log_drops: true, admin_cidrs", 26, "firewall.log_drops needs the firewall enabled"},
    {"firewall: { admin_cidrs", "firewall: { log_drops: yes, admin_cidrs", 26, "'firewall.log_drops' must be true or false, got 'yes'"},
    {"firewall: { admin_cidrs", "firewall: { log_drops: 'x\" accept; #', admin_cidrs", 26, "'firewall.log_drops' must be true or false"},
    // standby hosts
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], standby: [web-01] }", 18, "every host of tier 'web' is standby, so none takes traffic"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], standby: [db-01] }", 18, "standby host 'db-01' is not listed in tiers.web.hosts"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], standby: [web-09] }", 18, "standby host 'web-09' is not a host defined under 'hosts'"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], standby: [\"web-01 backup; server evil\"] }", 18, "standby host 'web-01 backup; server evil' is not a host defined"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], standby: web-01 }", 18, "'tiers.web.standby' must be a list, got 'web-01'"},
    {"web: { hosts: [web-01] }", "web: { hosts: [{ host: web-01, standby: true }] }", 18, "every host of tier 'web' is standby"},
    {"web: { hosts: [web-01] }", "web: { hosts: [{ host: web-01, standby: yes }] }", 18, "'tiers.web.hosts[0].standby' must be true or false, got 'yes'"},
    {"web: { hosts: [web-01] }", "web: { hosts: [{ standby: true }] }", 18, "missing required key 'host' in 'tiers.web.hosts[0]'"},
    {"web: { hosts: [web-01] }", "web: { hosts: [{ host: web-01, backup: true }] }", 18, "unknown key 'backup' in 'tiers.web.hosts[0]'"},
    {"web: { hosts: [web-01] }", "web: { hosts: [{ host: \"web-01 backup\", standby: true }, web-01] }", 18, "host 'web-01 backup' is not a host defined"},
    {"web: { hosts: [web-01] }", "web: { hosts: [{ host: web-01, standby: true }, db-02], standby: [web-01] }", 18, "standby host 'web-01' is listed twice"},
    {"app: { hosts: [web-01], ", "app: { hosts: [web-01], standby: [web-01], ", 19, "every host of tier 'app' is standby"},
    // secondary nameservers
    {"dns:\n", "dns:\n  secondaries: [db-01]\n", 11, "dns secondaries need a TSIG key to sign the zone transfers"},
    {"dns:\n", "dns:\n  secondaries: [lb-01]\n  transfer_key: { secret: XFR }\n", 11, "dns secondary 'lb-01' is the primary nameserver"},
    {"dns:\n", "dns:\n  secondaries: [db-01, db-01]\n  transfer_key: { secret: XFR }\n", 11, "dns secondary 'db-01' is listed twice"},
    {"dns:\n", "dns:\n  secondaries: [\"db-01\\nallow-notify: 0.0.0.0/0 NOKEY\"]\n  transfer_key: { secret: XFR }\n", 11, "is not a host defined under 'hosts'"},
    {"dns:\n", "dns:\n  secondaries: [db-01]\n  transfer_key: c2VjcmV0\n", 12, "'dns.transfer_key' holds a literal secret"},
    {"dns:\n", "dns:\n  secondaries: [db-01]\n  transfer_key: { secret: 'X\"; secret: \"' }\n", 12, "secret name 'X\"; secret: \"' must use only A-Z, 0-9 and _"},
    // security
    {"stack: t\n", "stack: t\nsecurity: { ssh: maybe }\n", 2, "'security.ssh' must be true or false, got 'maybe'"},
    {"stack: t\n", "stack: t\nsecurity: { shh: false }\n", 2, "unknown key 'shh' in 'security'; did you mean 'ssh'?"},
};

}  // namespace

TEST_CASE("validate: every rule reports its problem on its line") {
  for (const Case& c : kCases) {
    if (c.line == 0) continue;
    std::string text = with(c.from, c.to);
    auto errors = errors_of(text);
    std::string all;
    for (const auto& e : errors) all += "\n  " + e;
    INFO("rule: " << std::string(c.needle) << "\nreported:" << all);
    CHECK(has_error(errors, c.line, c.needle));
  }
}

TEST_CASE("validate: an app standby needs nginx in front") {
  std::string text = with("  web: { hosts: [web-01] }\n", "", with("app: { hosts: [web-01], ", "app: { hosts: [web-01, db-02], standby: [db-02], "));
  CHECK(has_error(errors_of(text), 18, "tiers.app.standby needs a 'web' tier"));
}

TEST_CASE("stack: standby hosts, secondaries, log_drops and security.ssh are read") {
  std::string text = with("web: { hosts: [web-01] }", "web: { hosts: [web-01, db-02], standby: [db-02] }",
                          with("dns:\n", "dns:\n  secondaries: [mon-01]\n  transfer_key: { secret: XFR }\n",
                               with("firewall: { admin_cidrs", "firewall: { log_drops: true, admin_cidrs")));
  auto s = parse_stack(text, "t.yaml");
  REQUIRE(s.ok());
  CHECK(s->is_standby("web", "db-02"));
  auto marked = parse_stack(with("web: { hosts: [web-01] }", "web: { hosts: [web-01, { host: db-02, standby: true }] }"), "t.yaml");
  REQUIRE(marked.ok());
  CHECK(marked->tiers.web->hosts.size() == 2);
  CHECK(marked->tiers.web->hosts[1].pos.line == 18);
  CHECK(marked->is_standby("web", "db-02"));
  CHECK_FALSE(marked->is_standby("web", "web-01"));
  CHECK_FALSE(s->is_standby("web", "web-01"));
  CHECK_FALSE(s->is_standby("app", "db-02"));
  REQUIRE(s->dns->secondaries.size() == 1);
  CHECK(s->dns->secondaries[0].value == "mon-01");
  CHECK(s->dns->transfer_key->name == "XFR");
  CHECK(s->nameserver_host() == "lb-01");
  CHECK(s->firewall->log_drops.value);
  CHECK(s->security.ssh.value);  // on unless turned off
  auto refs = secret_refs(*s);
  CHECK(std::any_of(refs.begin(), refs.end(), [](const SecretRef& r) { return r.name == "XFR"; }));
  auto off = parse_stack(with("stack: t\n", "stack: t\nsecurity: { ssh: false }\n"), "t.yaml");
  REQUIRE(off.ok());
  CHECK_FALSE(off->security.ssh.value);
}

TEST_CASE("validate: an enum value outside the list names the choices") {
  auto errors = errors_of(with("    primary: db-01", "    engine: postgres\n    primary: db-01"));
  CHECK(has_error(errors, 21, "'tiers.db.engine' must be one of 'mariadb' or 'mysql', got 'postgres'"));
}

TEST_CASE("validate: an lb needs a web or app tier behind it") {
  std::string text = with("  web: { hosts: [web-01] }\n", "");
  text = with("  app: {", "  # no app\n  x: {", text);
  auto errors = errors_of(text);
  CHECK(has_error(errors, 14, "tier 'lb' has nothing to balance to; add a 'web' or 'app' tier"));
}

TEST_CASE("validate: all problems are reported at once, sorted by position") {
  std::string text = with("router_id: 51", "router_id: 0");
  text = with("address: 10.77.0.12", "address: 10.77.0.999", text);
  text = with("password: { secret: DB_APP }", "password: hunter2", text);
  text = with("stack: t", "stack: T", text);
  auto r = parse_stack(text, "t.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diagnostics().size() == 4);
  CHECK(r.diagnostics()[0].pos.line == 1);
  CHECK(r.diagnostics()[1].pos.line == 5);
  CHECK(r.diagnostics()[2].pos.line == 16);
  CHECK(r.diagnostics()[3].pos.line == 24);
  for (const auto& d : r.diagnostics()) CHECK(d.where == "t.yaml");
}

TEST_CASE("validate: a wrongly typed value is reported once, not also as out of range") {
  auto errors = errors_of(with("router_id: 51", "router_id: abc"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("must be an integer") != std::string::npos);
}

TEST_CASE("validate: literal secrets are never echoed") {
  auto errors = errors_of(with("password: { secret: DB_APP }", "password: hunter2"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("hunter2") == std::string::npos);
}

TEST_CASE("validate: whole-file problems") {
  CHECK(has_error(errors_of(""), 1, "the stack file is empty"));
  CHECK(has_error(errors_of("# only a comment\n"), 1, "the stack file is empty"));
  CHECK(has_error(errors_of("- a\n- b\n"), 1, "a stack file must be a mapping"));
  CHECK(has_error(errors_of("just text"), 1, "a stack file must be a mapping"));
  auto utf = errors_of("stack: t\ndomain: f\xC3\x28o.com\n");
  REQUIRE(utf.size() == 1);
  CHECK(utf[0] == "2:10: the stack file is not valid UTF-8 (byte 0xC3); save it as UTF-8");
  auto ctl = errors_of("stack: t\x01\n");
  REQUIRE(ctl.size() == 1);
  CHECK(ctl[0] == "1:9: the stack file contains the control character 0x01; remove it");
  auto syntax = errors_of("stack: t\nhosts: [a,\n");
  REQUIRE(syntax.size() == 1);
  CHECK(syntax[0].find("YAML syntax error") != std::string::npos);
  CHECK(syntax[0].rfind("3:", 0) == 0);
  CHECK(has_error(errors_of(","), 1, "YAML syntax error"));
  // valid UTF-8 outside ASCII is fine
  CHECK(errors_of(std::string(kBase) + "# caf\xC3\xA9\n").empty());
}

TEST_CASE("validate: validate_stack checks a stack built in code") {
  Stack s;
  s.file = "code";
  s.name = {"ok", {}};
  s.domain = {"foobar.com", {}};
  Host h;
  h.name = {"h1", {}};
  h.address = {"10.0.0.1", {}};
  s.hosts.push_back(h);
  h.name = {"h2", {}};
  s.hosts.push_back(h);
  s.tiers.web.emplace();
  s.tiers.web->hosts.push_back({"h1", {}});
  s.tiers.web->hosts.push_back({"h3", {}});
  auto d = validate_stack(s);
  REQUIRE(d.size() == 2);
  CHECK(d[0].message.find("already used by host 'h1'") != std::string::npos);
  CHECK(d[1].message.find("'h3' is not a host") != std::string::npos);
}

namespace {

// A hostile value put into the base stack where `from` was; `marker` is how the
// value is written (its first character is where the diagnostic must point).
struct Hostile {
  const char* from;
  const char* to;
  const char* marker;
  const char* needle;
};

// The values that, before the grammar, rendered into configs and root scripts.
const Hostile kHostile[] = {
    {"source: examples/app, ", R"(source: examples/app, path: "/opt/foobar\nExecStartPre=+/bin/sh -c 'id > /tmp/x'", )",
     R"("/opt/foobar\n)", R"(tiers.app.path '/opt/foobar\nExecStartPre=+/bin/sh -c 'id > /tmp/x'' contains a newline; a path may use only letters, digits)"},
    {"source: examples/app, ", R"(source: examples/app, path: "/opt/X=1;id>/tmp/x", )", R"("/opt/X=1)",
     "tiers.app.path '/opt/X=1;id>/tmp/x' contains '='; a path may use only"},
    {"source: examples/app, ", R"(source: examples/app, path: "X=1;id>/tmp/x", )", R"("X=1;id)",
     "tiers.app.path 'X=1;id>/tmp/x' must be an absolute path"},
    {"DB_PASSWORD: { secret: DB_APP }", R"(DB_PASSWORD: { secret: DB_APP }, LOG_LEVEL: "info'; id > /tmp/x; : '")",
     R"("info')", "tiers.app.environment.LOG_LEVEL 'info'; id > /tmp/x; : '' contains a single quote; an environment value may not hold"},
    {"DB_PASSWORD: { secret: DB_APP }", R"x(DB_PASSWORD: { secret: DB_APP }, GREETING: "$(id)")x", R"x("$(id)")x",
     "tiers.app.environment.GREETING '$(id)' contains '$'"},
    {"web: { hosts: [web-01] }",
     R"(web: { hosts: [web-01], static: ["/static { return 404; } location /etc/ { alias /etc/; autoindex on; } location /z"] })",
     R"("/static {)", "static location '/static { return 404; } location /etc/ { alias /etc/; aut...' contains a space; a URL path here may use only"},
    {"web: { hosts: [web-01] }", R"(web: { hosts: [web-01], static: ["/s{x}"] })", R"("/s{x}")",
     "static location '/s{x}' contains '{'"},
    {"web: { hosts: [web-01] }", R"(web: { hosts: [web-01], root: "/var/www/foobar;\n location /etc/ { alias /etc/; }" })",
     R"("/var/www/foobar;)", "tiers.web.root '/var/www/foobar;\\n location /etc/ { alias /etc/; }' contains ';'"},
    {"web: { hosts: [web-01] }", R"(web: { hosts: [web-01], root: "/var/www/foobar\n" })", R"("/var/www/foobar\n")",
     "tiers.web.root '/var/www/foobar\\n' contains a newline"},
    {"    tls: {", R"(    health_check: { path: "/healthz\nlisten admin\n  bind :9999\n  stats socket /tmp/x level admin" }
    tls: {)",
     R"("/healthz\n)", "health check path '/healthz\\nlisten admin\\n  bind :9999\\n  stats socket /tmp...' contains a newline"},
    {"value: vip }", R"(value: vip }
    - { name: www, type: TXT, value: "v=spf1 -all\"\nevil 60 IN A 10.0.0.66\n; \"" })",
     R"("v=spf1)", "TXT record value 'v=spf1 -all\"\\nevil 60 IN A 10.0.0.66\\n; \"' contains a newline; TXT text must be printable ASCII"},
    {"router_id: 51", R"(router_id: 51, interface: "eth0\nnopreempt")", R"("eth0\n)",
     "vip interface 'eth0\\nnopreempt' is not a network interface name: it contains a newline"},
    {"router_id: 51", R"(router_id: 51, interface: "eth0\vnopreempt")", R"("eth0\v)",
     "vip interface 'eth0\\x0bnopreempt' is not a network interface name: it contains the control character \\x0b"},
    {"source: examples/app, ", R"(source: examples/app, path: "/../../../tmp/escaped", )", R"("/../)",
     "tiers.app.path '/../../../tmp/escaped' contains a '..' segment; write the normalized path"},
    {"web: { hosts: [web-01] }", "web: { hosts: [web-01], root: /tmp }", "/tmp }",
     "tiers.web.root '/tmp' is the system directory /tmp; foobarctl owns this directory"},
    {"source: examples/app, ", "source: examples/app, path: /etc, ", "/etc, ",
     "tiers.app.path '/etc' is the system directory /etc"},
    {"source: examples/app, ", "source: examples/app, path: /usr/local/foobar, ", "/usr/local",
     "tiers.app.path '/usr/local/foobar' is inside the system directory /usr"},
    {"domain: foobar.com", R"(domain: "foo\e[2J\e]0;pwned\abar.com")", R"("foo\e)",
     "domain 'foo\\x1b[2J\\x1b]0;pwned\\x07bar.com' is not a DNS name such as foobar.com: it contains the control character \\x1b"},
    {"command: /usr/bin/python3 app.py", R"(command: "/usr/bin/python3 app.py\nExecStartPre=/bin/id")", R"("/usr/bin/python3)",
     "tiers.app.command '/usr/bin/python3 app.py\\nExecStartPre=/bin/id' contains a newline; it must be one line"},
    {"ssh: { user: admin, port: 2222 }", R"(ssh: { user: "admin -oProxyCommand=id", port: 2222 })", R"("admin -o)",
     "hosts.web-01.ssh.user 'admin -oProxyCommand=id' contains a space; a user name uses only"},
    {"grants: [\"ALL PRIVILEGES ON foobar.*\"]", R"(grants: ["ALL PRIVILEGES ON foobar.* TO x; DROP DATABASE foobar"])",
     R"("ALL PRIVILEGES ON foobar.* TO)", "grant 'ALL PRIVILEGES ON foobar.* TO x; DROP DATABASE foobar' must look like"},
    {"expr: \"x > 1\"", R"(expr: "x > 1\n  - alert: Injected")", R"("x > 1\n)",
     "alert expr 'x > 1\\n  - alert: Injected' contains a newline"},
};

// "line:col" of the first character of `marker` in `text`.
std::string position_of(const std::string& text, const std::string& marker) {
  auto at = text.find(marker);
  REQUIRE_MESSAGE(at != std::string::npos, "marker not in the stack: " << marker);
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  auto line_start = text.rfind('\n', at);
  int col = static_cast<int>(line_start == std::string::npos ? at + 1 : at - line_start);
  return std::to_string(line) + ":" + std::to_string(col);
}

bool has_raw_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

}  // namespace

TEST_CASE("validate: hostile values are refused where they are written, and echoed escaped") {
  for (const Hostile& h : kHostile) {
    std::string text = with(h.from, h.to);
    std::string at = position_of(text, h.marker);
    auto r = parse_stack(text, "t.yaml");
    REQUIRE_FALSE(r.ok());
    std::string all;
    int hits = 0;
    for (const auto& d : r.diagnostics()) {
      std::string line = std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + ": " + d.message;
      all += "\n  " + line;
      CHECK_FALSE(has_raw_control(d.to_string()));
      if (line.rfind(at + ": ", 0) == 0 && d.message.find(h.needle) != std::string::npos) ++hits;
    }
    INFO("expected at " << at << ": " << std::string(h.needle) << "\nreported:" << all);
    CHECK(hits == 1);
  }
}

TEST_CASE("validate: every problem with hostile values at once, sorted") {
  std::string text = with("source: examples/app, ", R"(source: examples/app, path: "/opt/a\nb", )");
  text = with("router_id: 51", R"(router_id: 51, interface: "eth0\nnopreempt")", text);
  text = with("web: { hosts: [web-01] }", "web: { hosts: [web-01], root: /tmp }", text);
  auto r = parse_stack(text, "t.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diagnostics().size() == 3);
  CHECK(r.diagnostics()[0].pos.line == 16);
  CHECK(r.diagnostics()[1].pos.line == 18);
  CHECK(r.diagnostics()[2].pos.line == 19);
}
