#include <doctest/doctest.h>
#include "util/build_info.h"

#include <fstream>

#include "stack/stack_test_util.h"

using namespace foobar;
using namespace foobar::stack;
using namespace foobar::stack::testing;

TEST_CASE("stack: the base test stack is valid and fully typed") {
  auto r = parse_stack(kBase, "t.yaml");
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  const Stack& s = *r;
  CHECK(s.file == "t.yaml");
  CHECK(*s.name == "t");
  CHECK(s.name.pos == SourcePos{1, 8});
  CHECK(*s.domain == "foobar.com");
  REQUIRE(s.hosts.size() == 6);
  CHECK(*s.hosts[0].name == "lb-01");
  CHECK(s.hosts[0].pos == SourcePos{4, 3});
  CHECK(*s.hosts[0].address == "10.77.0.11");
  CHECK(s.hosts[0].address.pos == SourcePos{4, 21});
  // ssh: built-in defaults, overridden per host
  CHECK(*s.hosts[0].ssh.user == "root");
  CHECK(*s.hosts[0].ssh.port == 22);
  CHECK(*s.find_host("web-01")->ssh.user == "admin");
  CHECK(*s.find_host("web-01")->ssh.port == 2222);
  CHECK(s.find_host("nope") == nullptr);

  CHECK(s.tier_names() == std::vector<std::string>{"lb", "web", "app", "db"});
  CHECK(s.hosts_of_tier(Tier::db) == std::vector<std::string>{"db-01", "db-02"});
  CHECK(s.tiers_of_host("web-01") == std::vector<std::string>{"web", "app"});
  CHECK(s.tiers_of_host("mon-01").empty());

  const LbTier& lb = *s.tiers.lb;
  CHECK(*lb.balance == Balance::roundrobin);
  CHECK(*lb.port == 80);
  CHECK(*lb.health_check.path == "/healthz");
  CHECK(*lb.health_check.interval == Duration{2000});
  REQUIRE(lb.vip);
  CHECK(*lb.vip->address == "10.77.0.10");
  CHECK(*lb.vip->router_id == 51);
  CHECK(*lb.vip->interface == "eth0");
  REQUIRE(lb.tls);
  CHECK(s.tls_enabled());
  CHECK(lb.tls->certificate.self_signed);
  CHECK(*lb.tls->redirect_http);
  CHECK_FALSE(*lb.tls->reencrypt);
  CHECK(*lb.tls->port == 443);

  const WebTier& web = *s.tiers.web;
  CHECK(*web.port == 80);
  CHECK(*web.root == "/var/www/foobar");
  const AppTier& app = *s.tiers.app;
  CHECK(*app.source == "examples/app");
  CHECK(*app.path == "/opt/foobar");
  CHECK(*app.port == 8000);
  CHECK(*app.user == "www-data");
  REQUIRE(app.environment.size() == 1);
  CHECK(*app.environment[0].first == "DB_PASSWORD");
  REQUIRE(app.environment[0].second.secret);
  CHECK(app.environment[0].second.secret->name == "DB_APP");
  CHECK(app.environment[0].second.secret->pos == SourcePos{19, 121});

  const DbTier& db = *s.tiers.db;
  CHECK(*db.engine == DbEngine::mariadb);
  CHECK(*db.port == 3306);
  REQUIRE(db.users.size() == 1);
  CHECK(db.users[0].password.name == "DB_APP");
  CHECK(db.users[0].password.file == "t.yaml");
  CHECK(*db.users[0].from == "10.77.0.0/24");
  REQUIRE(db.replication);
  CHECK(db.replication->password.name == "DB_REPL");

  REQUIRE(s.firewall);
  CHECK(s.firewall_enabled());
  REQUIRE(s.firewall->rules.size() == 1);
  CHECK(*s.firewall->rules[0].proto == Proto::tcp);
  CHECK(*s.firewall->rules[0].port == 9113);

  REQUIRE(s.monitoring);
  CHECK(s.monitoring->exporters.size() == 4);
  CHECK(*s.monitoring->scrape_interval == Duration{15000});
  REQUIRE(s.monitoring->alerts.size() == 1);
  CHECK(*s.monitoring->alerts[0].for_ == Duration{120000});
  CHECK(*s.monitoring->alerts[0].severity == AlertSeverity::warning);

  REQUIRE(s.dns);
  CHECK(*s.dns->ttl == 300);
  REQUIRE(s.dns->records.size() == 1);
  CHECK(s.dns->records[0].target == RecordTarget::vip);
  CHECK(s.dns->records[0].resolved == "10.77.0.10");
}

TEST_CASE("stack: defaults.ssh applies to every host unless the host overrides") {
  auto r = parse_stack(with("domain: foobar.com\n", "domain: foobar.com\ndefaults: { ssh: { user: ops, key: ~/.ssh/k, jump: lb-01 } }\n"), "t.yaml");
  REQUIRE(r.ok());
  CHECK(*r->find_host("lb-02")->ssh.user == "ops");
  CHECK(**r->find_host("lb-02")->ssh.key == "~/.ssh/k");
  CHECK(**r->find_host("lb-02")->ssh.jump == "lb-01");
  CHECK(*r->find_host("web-01")->ssh.user == "admin");
  CHECK(**r->find_host("web-01")->ssh.key == "~/.ssh/k");
}

TEST_CASE("stack: dns records resolve hosts and literal addresses") {
  auto r = parse_stack(with("    - { name: www, type: A, value: vip }",
                            "    - { name: www, type: A, value: vip }\n"
                            "    - { name: db, type: A, value: db-01 }\n"
                            "    - { name: ext, type: A, value: 192.0.2.1 }\n"
                            "    - { name: '@', type: TXT, value: hello }"),
                       "t.yaml");
  REQUIRE(r.ok());
  const auto& rec = r->dns->records;
  REQUIRE(rec.size() == 4);
  CHECK(rec[1].target == RecordTarget::host);
  CHECK(rec[1].resolved == "10.77.0.41");
  CHECK(rec[2].target == RecordTarget::address);
  CHECK(rec[3].target == RecordTarget::text);
}

TEST_CASE("stack: certificate from a secret and durations in several units") {
  auto r = parse_stack(with("tls: { certificate: self-signed }", "tls: { certificate: { secret: TLS_PEM }, reencrypt: true }"), "t.yaml");
  REQUIRE(r.ok());
  CHECK_FALSE(r->tiers.lb->tls->certificate.self_signed);
  CHECK(r->tiers.lb->tls->certificate.bundle->name == "TLS_PEM");
  auto d = parse_stack(with("for: 2m", "for: 1m30s"), "t.yaml");
  REQUIRE(d.ok());
  CHECK(*d->monitoring->alerts[0].for_ == Duration{90000});
  CHECK(format_duration(Duration{90000}) == "90s");
  CHECK(format_duration(Duration{120000}) == "2m");
  CHECK(format_duration(Duration{500}) == "500ms");
  CHECK(format_duration(Duration{7200000}) == "2h");
}

TEST_CASE("stack: load_stack reads files and reports unreadable ones") {
  auto missing = load_stack("/nonexistent/stack.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().where == "/nonexistent/stack.yaml");
  CHECK(missing.error().message.find("cannot open") != std::string::npos);
  auto dir = load_stack("/tmp");
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.error().message.find("directory") != std::string::npos);
}

TEST_CASE("stack: the reference stacks are valid and have the promised shape") {
  const std::string dir = util::source_dir() + "/stacks/";
  auto s0 = load_stack(dir + "0-simple-web-stack.yaml");
  REQUIRE_MESSAGE(s0.ok(), (s0.ok() ? "" : s0.error().to_string()));
  CHECK(s0->hosts.size() == 1);
  CHECK(s0->tiers_of_host("web-01") == std::vector<std::string>{"web", "app", "db"});
  CHECK(s0->dns->records[0].resolved == "10.77.0.10");

  auto s1 = load_stack(dir + "1-distributed.yaml");
  REQUIRE(s1.ok());
  CHECK(s1->hosts_of_tier(Tier::lb) == std::vector<std::string>{"lb-01"});
  CHECK(s1->tiers_of_host("web-02") == std::vector<std::string>{"web", "app"});
  CHECK_FALSE(s1->firewall);
  CHECK_FALSE(s1->tls_enabled());
  CHECK_FALSE(s1->monitoring);

  auto s2 = load_stack(dir + "2-secured-monitored.yaml");
  REQUIRE(s2.ok());
  CHECK(s2->firewall_enabled());
  CHECK(s2->tls_enabled());
  CHECK(*s2->monitoring->collector == "mon-01");

  auto s3 = load_stack(dir + "3-scale-up.yaml");
  REQUIRE(s3.ok());
  CHECK(s3->hosts.size() == 9);
  CHECK(*s3->tiers.lb->vip->address == "10.77.0.10");
  CHECK(*s3->tiers.lb->vip->router_id == 51);
  for (const auto* s : {&*s0, &*s1, &*s2, &*s3})
    for (const auto& h : s->hosts) CHECK(h.address->rfind("10.77.0.", 0) == 0);
}

TEST_CASE("stack: `protected` defaults to false and is read with its position") {
  auto plain = parse_stack(kBase, "t.yaml");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->protected_.value);
  auto guarded = parse_stack(with("domain: foobar.com\n", "domain: foobar.com\nprotected: true\n"), "t.yaml");
  REQUIRE(guarded.ok());
  CHECK(guarded->protected_.value);
  CHECK(guarded->protected_.pos.line > 0);
  auto wrong = parse_stack(with("domain: foobar.com\n", "domain: foobar.com\nprotected: maybe\n"), "t.yaml");
  CHECK_FALSE(wrong.ok());
}

TEST_CASE("stack: rolling.batch per tier: a number of hosts or a percentage, checked at load") {
  auto r = parse_stack(with("  web: { hosts: [web-01] }", "  web: { hosts: [web-01], rolling: { batch: \"50%\" } }"),
                       "t.yaml");
  REQUIRE(r.ok());
  REQUIRE(r->tiers.web->rolling);
  CHECK(r->tiers.web->rolling->batch.value == "50%");
  CHECK(r->tiers.web->rolling->batch.pos.line == 18);
  CHECK_FALSE(r->tiers.app->rolling);
  auto n = parse_stack(with("    hosts: [lb-01, lb-02]\n", "    hosts: [lb-01, lb-02]\n    rolling: { batch: 2 }\n"),
                       "t.yaml");
  REQUIRE(n.ok());
  CHECK(n->tiers.lb->rolling->batch.value == "2");
  // A value that would be something else where it lands is refused with its place.
  auto bad = parse_stack(with("  web: { hosts: [web-01] }", "  web: { hosts: [web-01], rolling: { batch: \"1; reboot\" } }"),
                         "t.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.diagnostics()[0].to_string().find("t.yaml:18:45: error: tiers.web.rolling.batch '1; reboot' must be") == 0);
  auto key = parse_stack(with("  web: { hosts: [web-01] }", "  web: { hosts: [web-01], rolling: { size: 1 } }"),
                         "t.yaml");
  CHECK_FALSE(key.ok());

  CHECK(batch_size("1", 4) == 1u);
  CHECK(batch_size("3", 2) == 2u);      // never more than the tier
  CHECK(batch_size("50%", 4) == 2u);
  CHECK(batch_size("10%", 4) == 1u);    // at least one host
  CHECK(batch_size("100%", 3) == 3u);
  CHECK_FALSE(batch_size("0", 3));
  CHECK_FALSE(batch_size("150%", 3));
}
