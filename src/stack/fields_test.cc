#include "stack/fields.h"

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "stack/stack.h"

using namespace foobar::stack;

namespace {

const FieldSpec& field(const ObjectSpec& o, const char* key) {
  const FieldSpec* f = o.find(key);
  REQUIRE_MESSAGE(f != nullptr, key);
  return *f;
}

template <class E>
void check_enum_order(const FieldSpec& f) {
  for (std::size_t i = 0; i < f.values.size(); ++i)
    CHECK_MESSAGE(f.values[i] == to_string(static_cast<E>(i)), f.key);
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

TEST_CASE("field table: enumeration names are in the order of the C++ enums") {
  check_enum_order<RecordType>(field(spec::record(), "type"));
  check_enum_order<Balance>(field(spec::lb(), "balance"));
  check_enum_order<DbEngine>(field(spec::db(), "engine"));
  check_enum_order<Proto>(field(spec::rule(), "proto"));
  check_enum_order<Exporter>(field(spec::monitoring(), "exporters"));
  check_enum_order<AlertSeverity>(field(spec::alert(), "severity"));
}

TEST_CASE("field table: the documented defaults are the loader's defaults") {
  const SshConfig ssh;
  CHECK(field(spec::ssh(), "user").default_json == quoted(ssh.user.value));
  CHECK(field(spec::ssh(), "port").default_json == std::to_string(ssh.port.value));
  const HealthCheck hc;
  CHECK(field(spec::health_check(), "path").default_json == quoted(hc.path.value));
  CHECK(field(spec::health_check(), "interval").default_json == quoted(format_duration(hc.interval.value)));
  CHECK(field(spec::health_check(), "rise").default_json == std::to_string(hc.rise.value));
  CHECK(field(spec::health_check(), "fall").default_json == std::to_string(hc.fall.value));
  const LbTier lb;
  CHECK(field(spec::lb(), "balance").default_json == quoted(to_string(lb.balance.value)));
  CHECK(field(spec::lb(), "port").default_json == std::to_string(lb.port.value));
  CHECK(field(spec::vip(), "interface").default_json == quoted(Vip{}.interface.value));
  const Tls tls;
  CHECK(field(spec::tls(), "port").default_json == std::to_string(tls.port.value));
  CHECK(field(spec::tls(), "enabled").default_json == (tls.enabled.value ? "true" : "false"));
  CHECK(field(spec::tls(), "redirect_http").default_json == (tls.redirect_http.value ? "true" : "false"));
  CHECK(field(spec::tls(), "reencrypt").default_json == (tls.reencrypt.value ? "true" : "false"));
  const WebTier web;
  CHECK(field(spec::web(), "port").default_json == std::to_string(web.port.value));
  CHECK(field(spec::web(), "root").default_json == quoted(web.root.value));
  const AppTier app;
  CHECK(field(spec::app(), "path").default_json == quoted(app.path.value));
  CHECK(field(spec::app(), "port").default_json == std::to_string(app.port.value));
  CHECK(field(spec::app(), "user").default_json == quoted(app.user.value));
  const DbTier db;
  CHECK(field(spec::db(), "engine").default_json == quoted(to_string(db.engine.value)));
  CHECK(field(spec::db(), "port").default_json == std::to_string(db.port.value));
  CHECK(field(spec::dns(), "ttl").default_json == std::to_string(Dns{}.ttl.value));
  CHECK(field(spec::rule(), "proto").default_json == quoted(to_string(FirewallRule{}.proto.value)));
  CHECK(field(spec::firewall(), "enabled").default_json == (Firewall{}.enabled.value ? "true" : "false"));
  const Monitoring mon;
  CHECK(field(spec::monitoring(), "scrape_interval").default_json ==
        quoted(format_duration(mon.scrape_interval.value)));
  const Alert alert;
  CHECK(field(spec::alert(), "for").default_json == quoted(format_duration(alert.for_.value)));
  CHECK(field(spec::alert(), "severity").default_json == quoted(to_string(alert.severity.value)));
  CHECK(field(spec::root(), "protected").default_json == (Stack{}.protected_.value ? "true" : "false"));
}

TEST_CASE("field table: the loader reports each required key of the table as missing") {
  // Each case leaves a mapping empty; every key the table calls required must be reported.
  const std::string base =
      "stack: s\ndomain: foobar.com\nhosts:\n  h1: { address: 10.77.0.11 }\ntiers:\n  web: { hosts: [h1] }\n";
  const std::vector<std::pair<const ObjectSpec*, std::string>> cases = {
      {&spec::root(), "{}\n"},
      {&spec::host(), "stack: s\ndomain: foobar.com\nhosts:\n  h1: {}\ntiers:\n  web: { hosts: [h1] }\n"},
      {&spec::app(), base + "  app: {}\n"},
      {&spec::db(), base + "  db: {}\n"},
      {&spec::vip(), base + "  lb: { hosts: [h1], vip: {} }\n"},
      {&spec::record(), base + "dns: { records: [ {} ] }\n"},
      {&spec::record(), base + "dns: { records: [ { type: A } ] }\n"},  // no type: value is not looked at
      {&spec::rule(), base + "firewall: { admin_cidrs: [10.0.0.0/8], rules: [ {} ] }\n"},
      {&spec::monitoring(), base + "monitoring: {}\n"},
      {&spec::alert(), base + "monitoring: { collector: h1, alerts: [ {} ] }\n"},
      {&spec::db_user(), base + "  db: { primary: h1, users: [ {} ] }\n"},
      {&spec::replication(), base + "  db: { primary: h1, replication: {} }\n"},
  };
  std::map<const ObjectSpec*, std::set<std::string>> reported_by_spec;
  for (const auto& [spec, text] : cases) {
    auto r = parse_stack(text, "t.yaml");
    REQUIRE_FALSE(r.ok());
    auto& reported = reported_by_spec[spec];
    for (const auto& d : r.diagnostics()) {
      const std::string m = d.message;
      const std::string marker = "missing required key '";
      auto at = m.find(marker);
      if (at == std::string::npos) continue;
      at += marker.size();
      reported.insert(m.substr(at, m.find('\'', at) - at));
    }
  }
  for (const auto& entry : reported_by_spec) {
    const auto* spec = entry.first;  // named: CHECK_MESSAGE captures it, which clang 14 cannot do for a binding
    const auto& reported = entry.second;
    for (const auto& f : spec->fields)
      if (f.required) CHECK_MESSAGE(reported.count(f.key), (spec->path + "." + f.key));
  }
}
