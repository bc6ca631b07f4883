#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "compile/compile.h"
#include "compile/compile_test_util.h"
#include "compile/context.h"
#include "compile/resources.h"
#include "compile/topology.h"

using namespace foobar;
using namespace foobar::compile;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* const k_stacks[] = {"stacks/0-simple-web-stack.yaml", "stacks/1-distributed.yaml",
                                "stacks/2-secured-monitored.yaml", "stacks/3-scale-up.yaml"};

stack::Stack load(int i) {
  auto s = stack::load_stack(k_stacks[i]);
  REQUIRE_MESSAGE(s.ok(), s.diagnostics().front().to_string());
  return std::move(*s);
}

using testing::compiled;

const Resource& res(const Graph& g, const std::string& id) {
  const Resource* r = g.find(id);
  REQUIRE_MESSAGE(r, "no resource " << id);
  return *r;
}

bool has_dep(const Graph& g, const std::string& id, const std::string& dep) {
  const auto& d = res(g, id).deps;
  return std::find(d.begin(), d.end(), dep) != d.end();
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

using testing::file;

}  // namespace

TEST_CASE("contexts of the reference stacks equal the sample contexts") {
  for (int i = 0; i < 4; ++i) {
    auto s = load(i);
    fs::path dir = fs::path("tests/render/contexts") / ("stack" + std::to_string(i));
    std::size_t samples = 0;
    for (const auto& h : s.hosts) {
      json actual = host_context(s, h.name.value);
      fs::path sample = dir / (h.name.value + ".json");
      REQUIRE_MESSAGE(fs::exists(sample), sample.string());
      json expected = read_json(sample);
      // FOOBAR_CONTEXT_OUT=DIR writes what the compiler produced, to review a change.
      if (const char* out = std::getenv("FOOBAR_CONTEXT_OUT"); out && actual != expected) {
        fs::create_directories(fs::path(out) / dir.filename());
        std::ofstream(fs::path(out) / dir.filename() / (h.name.value + ".json")) << actual.dump(2) << "\n";
      }
      CHECK_MESSAGE(actual == expected, sample.string() << ": " << json::diff(expected, actual).dump());
      ++samples;
    }
    CHECK(samples == static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator())));
  }
}

TEST_CASE("derived values: backends, upstreams, server ids, VRRP, scrape targets") {
  auto s = load(3);
  auto t = derive_topology(s);
  REQUIRE(t.backends.size() == 2);
  CHECK(t.backends[0].address == "10.77.0.21");
  CHECK(t.backends[1].port == 443);  // stack 3 re-encrypts to the web tier
  REQUIRE(t.upstreams.size() == 2);
  CHECK(t.upstreams[1].address == "10.77.0.32");
  CHECK(t.upstreams[1].port == 8000);
  CHECK(t.server_id.at("db-01") == 1);
  CHECK(t.server_id.at("db-02") == 2);
  CHECK(t.vrrp_priority.at("lb-01") == 150);
  CHECK(t.vrrp_priority.at("lb-02") == 100);
  auto ctx = host_context(s, "lb-02");
  CHECK(ctx["keepalived"]["state"] == "BACKUP");
  CHECK(ctx["keepalived"]["peers"] == json{"10.77.0.11"});
  CHECK(ctx["firewall"]["vrrp_peers"] == json{"10.77.0.11"});
  auto node = std::find_if(t.jobs.begin(), t.jobs.end(), [](const auto& j) { return j.job == "node"; });
  REQUIRE(node != t.jobs.end());
  CHECK(node->targets.size() == s.hosts.size());

  auto one = derive_topology(load(0));
  CHECK(one.single_host);
  CHECK(one.upstreams.at(0).address == "127.0.0.1");
  CHECK(one.backends.at(0).port == 80);
  CHECK(one.vrrp_priority.empty());
}

TEST_CASE("alerts: Alertmanager on the collector, its receivers, replicas and the floating IP as targets") {
  auto s = testing::reference_variant("stacks/2-secured-monitored.yaml", "  alerts:\n",
                             "  alerts_to:\n    - { webhook: \"http://10.77.0.1:9099/hook\" }\n"
                             "    - { email: ops@foobar.com, smarthost: \"smtp.foobar.com:587\" }\n  alerts:\n");
  auto mon = host_context(s, "mon-01");
  const auto& am = mon["monitoring"]["alertmanager"];
  CHECK(am["address"] == "10.77.0.51");
  CHECK(am["receivers"]["webhooks"] == json::parse(R"([{"url": "http://10.77.0.1:9099/hook"}])"));
  CHECK(am["receivers"]["emails"][0]["from"] == "alertmanager@foobar.com");
  CHECK(host_context(s, "web-01")["monitoring"]["alertmanager"].is_null());
  CHECK(derive_topology(s).host("mon-01").has(Role::alertmanager));
  auto g = compiled(s);
  CHECK(g.find("mon-01:service:prometheus-alertmanager"));
  CHECK_FALSE(g.find("web-01:service:prometheus-alertmanager"));

  for (const auto& j : mon["monitoring"]["jobs"])
    if (j["job"] == "mysqld")
      for (const auto& tg : j["targets"]) CHECK(tg["role"] == (tg["host"] == "db-01" ? "primary" : "replica"));

  auto t3 = derive_topology(load(3));
  auto vip = std::find_if(t3.jobs.begin(), t3.jobs.end(), [](const auto& j) { return j.job == "vip"; });
  REQUIRE(vip != t3.jobs.end());
  CHECK(vip->up_only);
  CHECK(vip->targets.at(0).address == "10.77.0.10");
  CHECK(host_context(load(3), "lb-01")["lb"]["stats"]["bind_address"] == "*");
  auto t2 = derive_topology(s);
  CHECK(std::none_of(t2.jobs.begin(), t2.jobs.end(), [](const auto& j) { return j.job == "vip"; }));
}

TEST_CASE("firewall flows follow the tier edges") {
  auto s = load(3);
  auto t = derive_topology(s);
  auto flow = [&](const std::string& host, int port) {
    const auto& fl = t.host(host).inbound;
    auto it = std::find_if(fl.begin(), fl.end(), [&](const Flow& f) { return f.port == port; });
    REQUIRE_MESSAGE(it != fl.end(), host << " has no flow to port " << port);
    return *it;
  };
  CHECK(flow("lb-01", 443).sources.empty());
  CHECK(flow("web-01", 443).sources == std::vector<std::string>{"10.77.0.11", "10.77.0.12"});
  CHECK(flow("app-02", 8000).sources == std::vector<std::string>{"10.77.0.21", "10.77.0.22"});
  CHECK(flow("db-01", 3306).sources == std::vector<std::string>{"10.77.0.31", "10.77.0.32", "10.77.0.42"});
  CHECK(flow("db-02", 3306).sources == std::vector<std::string>{"10.77.0.31", "10.77.0.32"});
  CHECK(flow("mon-01", 9090).sources == std::vector<std::string>{"10.77.0.1/32"});
  CHECK(flow("db-02", 9104).sources == std::vector<std::string>{"10.77.0.51"});
  // The stack's own rule comes after the derived flows.
  CHECK(t.host("web-01").inbound.back().comment.find("stack rule") == 0);
  // Without re-encryption the web tier is reached on its plain port.
  CHECK(derive_topology(load(2)).host("web-02").inbound.front().port == 80);
}

TEST_CASE("MySQL account host patterns") {
  CHECK(mysql_host_pattern("10.77.0.0/24") == "10.77.0.%");
  CHECK(mysql_host_pattern("127.0.0.1/32") == "127.0.0.1");
  CHECK(mysql_host_pattern("10.0.0.0/8") == "10.%");
  CHECK(mysql_host_pattern("10.77.0.0/25") == "10.77.0.0/255.255.255.128");
  CHECK(mysql_host_pattern("0.0.0.0/0") == "%");
}

TEST_CASE("the DNS serial changes with the records only") {
  auto a = load(2), b = load(2);
  CHECK(derive_topology(a).dns_serial == derive_topology(b).dns_serial);
  b.hosts.back().address.value = "10.77.0.59";
  CHECK(derive_topology(a).dns_serial != derive_topology(b).dns_serial);
  CHECK(derive_topology(a, 2024060101u).dns_serial == 2024060101u);
}

TEST_CASE("resource ids, files and handlers") {
  auto s = load(3);
  auto g = compiled(s);
  const auto& site = res(g, "web-01:file:/etc/nginx/sites-available/foobar");
  REQUIRE(site.notify.size() == 1);
  CHECK(site.notify[0].target == "web-01:service:nginx");
  CHECK(site.notify[0].action == OnChange::reload);
  CHECK(file(g, site.id()).validate == "nginx -t");
  CHECK(file(g, site.id()).content.find("server 10.77.0.31:8000") != std::string::npos);
  CHECK(file(g, "lb-01:file:/etc/haproxy/haproxy.cfg").validate == "haproxy -c -f {}");
  // The zone and NSD live on the stack's nameserver (mon-01), which answers DNS from anywhere.
  CHECK(file(g, "mon-01:file:/etc/foobar/dns/foobar.com.zone").validate == "nsd-checkzone foobar.com {}");
  CHECK(res(g, "mon-01:file:/etc/foobar/dns/foobar.com.zone").notify.at(0).action == OnChange::reload);
  CHECK(res(g, "mon-01:file:/etc/nsd/nsd.conf").notify.at(0).action == OnChange::restart);
  CHECK(file(g, "mon-01:file:/etc/nsd/nsd.conf").content.find("ip-address: 10.77.0.51") != std::string::npos);
  CHECK(file(g, "mon-01:file:/etc/nftables.conf").content.find("udp dport 53 accept") != std::string::npos);
  CHECK(!g.find("lb-01:file:/etc/foobar/dns/foobar.com.zone"));
  CHECK(!g.find("lb-01:service:nsd"));
  CHECK(res(g, "db-01:file:/etc/mysql/mariadb.conf.d/60-foobar.cnf").notify.at(0).action == OnChange::restart);
  CHECK(res(g, "app-01:file:/opt/foobar/app.py").notify.at(0).target == "app-01:service:foobar-app");
  // No secret in app.env (they are in app.secret.env): the app reads it at a switchover.
  CHECK(file(g, "app-01:file:/etc/foobar/app.env").mode == "0644");
  CHECK(file(g, "app-01:file:/etc/foobar/app.env").content.find("\nFOOBAR_ENV_FILE='/etc/foobar/app.env'\n") !=
        std::string::npos);
  CHECK(file(g, "lb-01:file:/etc/nftables.conf").mode == "0755");
  CHECK(res(g, "mon-01:file:/etc/default/prometheus").notify.at(0).action == OnChange::restart);
  CHECK(res(g, "mon-01:file:/etc/prometheus/prometheus.yml").notify.at(0).action == OnChange::reload);
  // Both LBs get the same certificate bundle from the secret, checked with HAProxy's config.
  CHECK(file(g, "lb-01:file:" + std::string(k_haproxy_pem)).sensitive);
  CHECK(file(g, "lb-02:file:" + std::string(k_haproxy_pem)).content == file(g, "lb-01:file:" + std::string(k_haproxy_pem)).content);
  CHECK(!g.find("lb-01:command:tls-self-signed"));
  // With `certificate: self-signed` each LB makes its own, once (`creates:`).
  auto gs = compiled(testing::stack3_self_signed());
  CHECK(std::get<CommandState>(res(gs, "lb-01:command:tls-self-signed").state).creates == k_haproxy_pem);
  CHECK(!gs.find("lb-01:file:" + std::string(k_haproxy_pem)));
  CHECK(g.find("web-01:command:tls-self-signed"));  // re-encryption: nginx has its own certificate
  CHECK(g.find("app-01:package:python3-flask"));
  CHECK(!g.find("app-01:package:nginx"));
  CHECK(!g.find("web-01:file:/etc/keepalived/keepalived.conf"));
  // Only sensitive files name secrets, and only as placeholders (secrets_test.cc).
  for (const auto& r : g.resources())
    if (r.kind == ResourceKind::file && !file(g, r.id()).sensitive)
      CHECK(file(g, r.id()).content.find("PASSWORD=") == std::string::npos);
}

TEST_CASE("dependencies within and across hosts") {
  auto g = compiled(load(3));
  CHECK(has_dep(g, "web-01:file:/etc/nginx/sites-available/foobar", "web-01:package:nginx"));
  CHECK(has_dep(g, "web-01:service:nginx", "web-01:file:/etc/nginx/sites-available/foobar"));
  CHECK(has_dep(g, "web-01:service:nginx", "web-01:firewall:nftables"));
  CHECK(has_dep(g, "web-01:service:nginx", "app-02:service:foobar-app"));
  CHECK(has_dep(g, "lb-02:service:haproxy", "web-02:service:nginx"));
  CHECK(has_dep(g, "lb-01:file:/etc/haproxy/haproxy.cfg", "lb-01:file:" + std::string(k_haproxy_pem)));
  CHECK(has_dep(g, "lb-01:service:keepalived", "lb-01:service:haproxy"));
  CHECK(has_dep(g, "mon-01:service:prometheus", "db-02:service:prometheus-mysqld-exporter"));
  CHECK(has_dep(g, "db-02:replication:db-01", "db-01:db_user:repl@10.77.0.42"));
  CHECK(has_dep(g, "db-02:replication:db-01", "db-01:service:mariadb"));
  CHECK(has_dep(g, "db-01:db_user:foobar@10.77.0.%", "db-01:database:foobar"));
  CHECK(!g.find("db-02:database:foobar"));  // replicas get it through replication
  const auto& u = std::get<DbUserState>(res(g, "db-01:db_user:foobar@10.77.0.%").state);
  CHECK(u.password_secret == "DB_APP_PASSWORD");
  auto layers = g.layers();
  REQUIRE(layers.ok());
  auto layer = [&](const std::string& id) {
    for (std::size_t l = 0; l < layers->size(); ++l)
      for (auto i : (*layers)[l])
        if (g.resources()[i].id() == id) return l;
    FAIL("not in a layer: " << id);
    return std::size_t{0};
  };
  CHECK(layer("app-01:service:foobar-app") < layer("web-01:service:nginx"));
  CHECK(layer("web-01:service:nginx") < layer("lb-01:service:haproxy"));
}

TEST_CASE("every reference stack compiles cycle-free and deterministically") {
  for (int i = 0; i < 4; ++i) {
    auto s = load(i);
    CompileOptions one_thread;
    one_thread.threads = 1;
    auto a = compiled(s);
    auto b_result = compile_stack(s, one_thread);  // thread count must not matter
    REQUIRE(b_result.ok());
    const Graph& b = *b_result;
    CHECK(a.layers().ok());
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      const auto &x = a.resources()[k], &y = b.resources()[k];
      CHECK(x.id() == y.id());
      CHECK(x.deps == y.deps);
      if (x.kind == ResourceKind::file)
        CHECK(std::get<FileState>(x.state).content == std::get<FileState>(y.state).content);
    }
  }
}

TEST_CASE("a missing app source directory is reported at the stack's source key") {
  auto s = load(1);
  CompileOptions o;
  o.source_base = "/nonexistent-foobar";
  auto g = compile_stack(s, o);
  REQUIRE(!g.ok());
  CHECK(g.error().where == "stacks/1-distributed.yaml");
  CHECK(g.error().pos.line > 0);
  CHECK(g.error().message.find("examples/foobar-app") != std::string::npos);
}

TEST_CASE("a template index with an unknown role is refused") {
  fs::path dir = fs::temp_directory_path() / "foobar-compile-index-test";
  fs::create_directories(dir);
  std::ofstream(dir / "index.json") << R"({"templates": [{"template": "x.j2", "dest": "/x", "owner": "root",
      "group": "root", "mode": "0644", "role": "nope", "when": []}]})";
  auto idx = load_template_index(dir);
  fs::remove_all(dir);
  REQUIRE(!idx.ok());
  CHECK(idx.error().message.find("unknown role 'nope'") != std::string::npos);
}

TEST_CASE("central logs: every host ships to the log collector, which alone stores and rotates") {
  auto s = load(2);
  auto g = compiled(s);
  for (const auto& h : s.hosts) {
    const std::string& n = h.name.value;
    CHECK(res(g, n + ":service:rsyslog").kind == ResourceKind::service);
    CHECK(g.find(n + ":package:rsyslog-relp"));
    CHECK(has_dep(g, n + ":file:/etc/rsyslog.d/10-foobar.conf", n + ":file:" + k_monitoring_pem));
    CHECK(has_dep(g, n + ":service:rsyslog", n + ":file:/etc/init.d/rsyslog"));
    CHECK(bool(g.find(n + ":file:/etc/logrotate.d/foobar-logs")) == (n == "mon-01"));
  }
  const auto& web = file(g, "web-01:file:/etc/rsyslog.d/10-foobar.conf").content;
  CHECK(web.find("target=\"10.77.0.51\" port=\"2514\"") != std::string::npos);
  CHECK(web.find("tls.permittedPeer=[\"mon-01\"]") != std::string::npos);
  CHECK(web.find("file=\"/var/log/nginx/foobar.access.log\" tag=\"nginx:\"") != std::string::npos);
  CHECK(web.find("action.resumeRetryCount=\"-1\"") != std::string::npos);
  const auto& mon = file(g, "mon-01:file:/etc/rsyslog.d/10-foobar.conf").content;
  CHECK(mon.find("if $fromhost-ip == \"10.77.0.42\" then set $.host = \"db-02\";") != std::string::npos);
  CHECK(mon.find("omrelp") == std::string::npos);  // the collector stores, it does not forward
  // The collector admits the logs port from the other hosts only.
  auto t = derive_topology(s);
  const auto& in = t.host("mon-01").inbound;
  auto f = std::find_if(in.begin(), in.end(), [](const Flow& x) { return x.port == k_logs_port; });
  REQUIRE(f != in.end());
  CHECK(f->sources == std::vector<std::string>{"10.77.0.11", "10.77.0.21", "10.77.0.22", "10.77.0.41", "10.77.0.42"});

  // monitoring.logs.collector moves the logs, not the metrics.
  auto moved = testing::reference_variant(k_stacks[2], "  scrape_interval: 15s", "  scrape_interval: 15s\n  logs: { collector: db-01 }");
  auto g2 = compiled(moved);
  CHECK(g2.find("db-01:file:/etc/logrotate.d/foobar-logs"));
  CHECK(!g2.find("mon-01:file:/etc/logrotate.d/foobar-logs"));
  CHECK(file(g2, "mon-01:file:/etc/rsyslog.d/10-foobar.conf").content.find("target=\"10.77.0.41\"") != std::string::npos);
  CHECK(g2.find("mon-01:file:/etc/prometheus/prometheus.yml"));
}

TEST_CASE("host model: every role has one name, a spec in resources and a place in the manifest") {
  for (int i = 0; i <= static_cast<int>(Role::ssh); ++i) {
    auto r = static_cast<Role>(i);
    CHECK_MESSAGE(role_spec(r).role == r, to_string(r));
    CHECK(parse_role(to_string(r)) == r);
  }
  CHECK_FALSE(parse_role("exporter"));
  auto t = derive_topology(load(3));
  const auto& mon = t.host("mon-01");
  CHECK(mon.collector);
  CHECK(mon.is_primary_nameserver());
  CHECK(manifest_roles(mon) == std::vector<std::string>{"monitoring", "firewall", "alertmanager", "node-exporter",
                                                         "logs", "log-store", "dns", "ssh"});
  const auto& db2 = t.host("db-02");
  CHECK(db2.server_id == 2);
  CHECK_FALSE(db2.db_primary);
  CHECK(db2.exporter(stack::Exporter::mysqld)->port == k_mysqld_exporter_port);
  CHECK(t.host("lb-01").vrrp_state == "MASTER");
  CHECK(t.host("lb-02").vrrp_state == "BACKUP");
  CHECK(t.host("lb-02").vrrp_peers == std::vector<std::string>{"10.77.0.11"});
  // The graph's resources come from the same roles.
  auto g = compiled(load(3));
  for (const auto& h : t.hosts)
    CHECK(bool(g.find(h.name + ":service:prometheus-node-exporter")) == h.has(Role::node_exporter));
  CHECK_THROWS_AS(t.host("nope"), std::out_of_range);
}
