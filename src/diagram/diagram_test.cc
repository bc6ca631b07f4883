#include "diagram/diagram.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace foobar::diagram {
namespace {

using stack::Stack;

Stack parse(const std::string& text) {
  auto r = stack::parse_stack(text, "test.yaml");
  if (!r.ok())
    for (const auto& d : r.diagnostics()) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  return std::move(r).value();
}

Diagram draw(const Stack& s) { return build_diagram(compile::derive_topology(s)); }

std::vector<std::string> inbound(const Stack& s, const std::string& host) {
  return allowed_inbound(compile::derive_topology(s).host(host));
}

const char* kPair = R"(
stack: pair
domain: example.org
hosts:
  lb-01:  { address: 10.77.0.11 }
  lb-02:  { address: 10.77.0.12 }
  web-01: { address: 10.77.0.21 }
  web-02: { address: 10.77.0.22 }
  db-01:  { address: 10.77.0.41 }
  db-02:  { address: 10.77.0.42 }
  mon-01: { address: 10.77.0.51 }
dns:
  records: [{ name: www, type: A, value: vip }]
tiers:
  lb:
    hosts: [lb-01, lb-02]
    vip: { address: 10.77.0.10, router_id: 7 }
    tls: { enabled: true, certificate: self-signed }
  web: { hosts: [web-01, web-02] }
  app: { hosts: [web-01, web-02], source: a, command: b }
  db:
    primary: db-01
    replicas: [db-02]
    replication: { user: repl, password: { secret: R } }
firewall: { enabled: true, admin_cidrs: [10.77.0.1/32] }
monitoring: { collector: mon-01, exporters: [node, haproxy] }
)";

const char* kSingle = R"(
stack: single
domain: example.org
hosts: { box: { address: 10.77.0.10 } }
tiers:
  web: { hosts: [box] }
  app: { hosts: [box], source: a, command: b }
  db: { primary: box }
)";

const DiagramNode* node(const Diagram& t, const std::string& id) {
  auto it = std::find_if(t.nodes.begin(), t.nodes.end(), [&](const auto& n) { return n.id == id; });
  return it == t.nodes.end() ? nullptr : &*it;
}

const DiagramEdge* edge(const Diagram& t, const std::string& from, const std::string& to) {
  auto it = std::find_if(t.edges.begin(), t.edges.end(),
                         [&](const auto& e) { return e.from == from && e.to == to; });
  return it == t.edges.end() ? nullptr : &*it;
}

bool has_line(const std::vector<std::string>& lines, const std::string& l) {
  return std::find(lines.begin(), lines.end(), l) != lines.end();
}

}  // namespace

TEST_CASE("diagram: front door, vip, tiers, replication and scrapes") {
  auto t = draw(parse(kPair));
  REQUIRE(node(t, "user"));
  REQUIRE(node(t, "dns"));
  CHECK(node(t, "dns")->lines[0] == "www.example.org");
  REQUIRE(node(t, "vip"));
  CHECK(has_line(node(t, "vip")->lines, "10.77.0.10"));
  CHECK(edge(t, "dns", "vip"));
  REQUIRE(edge(t, "vip", "h_lb_01"));
  CHECK(edge(t, "vip", "h_lb_01")->label == "MASTER");
  REQUIRE(edge(t, "vip", "h_lb_02"));
  CHECK(edge(t, "vip", "h_lb_02")->style == EdgeStyle::dashed);
  CHECK(has_line(node(t, "h_lb_01")->lines, "HAProxy (VRRP MASTER)"));
  // web and app share hosts: one node listing both, one box for the pair.
  const auto* web = node(t, "h_web_01");
  REQUIRE(web);
  CHECK(web->group == "web_app");
  CHECK(has_line(web->lines, "nginx :80"));
  CHECK(has_line(web->lines, "app (gunicorn) :8000"));
  CHECK_FALSE(edge(t, "h_web_01", "h_web_02"));
  REQUIRE(edge(t, "h_lb_01", "h_web_02"));
  CHECK(edge(t, "h_lb_01", "h_web_02")->label == "HTTP :80");
  REQUIRE(edge(t, "h_web_01", "h_db_01"));
  CHECK(edge(t, "h_web_01", "h_db_01")->label == "writes :3306");
  REQUIRE(edge(t, "h_web_01", "h_db_02"));
  CHECK(edge(t, "h_web_01", "h_db_02")->label == "reads");
  REQUIRE(edge(t, "h_db_01", "h_db_02"));
  CHECK(edge(t, "h_db_01", "h_db_02")->label == "replication");
  CHECK(edge(t, "h_db_01", "h_db_02")->style == EdgeStyle::bold);
  for (const char* h : {"h_lb_01", "h_lb_02", "h_web_01", "h_web_02", "h_db_01", "h_db_02"}) {
    const auto* e = edge(t, "h_mon_01", h);
    REQUIRE_MESSAGE(e, h);
    CHECK(e->style == EdgeStyle::dashed);
    CHECK_FALSE(e->layout);
  }
  CHECK(node(t, "h_mon_01")->kind == NodeKind::collector);
}

TEST_CASE("diagram: firewall boxes list the flows the ruleset admits") {
  auto s = parse(kPair);
  CHECK(inbound(s, "lb-01") ==
        std::vector<std::string>{"any: 80, 443, 53/udp, 53", "mon-01: 8404, 9100", "admin: ssh 22", "lb peers: vrrp"});
  // The primary also admits its replica (it replicates from there).
  CHECK(inbound(s, "db-01") == std::vector<std::string>{"app + replicas: 3306", "mon-01: 9100", "admin: ssh 22"});
  CHECK(inbound(s, "db-02") == std::vector<std::string>{"app: 3306", "mon-01: 9100", "admin: ssh 22"});
  // The collector: Prometheus and Alertmanager from the admin networks, every host's logs.
  CHECK(inbound(s, "mon-01") ==
        std::vector<std::string>{"admin: 9090, 9093, ssh 22", "all hosts: 2514", "mon-01: 9100"});
  auto t = draw(s);
  auto g = std::find_if(t.groups.begin(), t.groups.end(), [](const auto& x) { return x.id == "web_app"; });
  REQUIRE(g != t.groups.end());
  CHECK(g->firewalled);
  CHECK(has_line(g->lines, "lb: 80"));
  CHECK(has_line(g->lines, "web: 8000"));
  // Left to right in request order.
  std::vector<std::string> order;
  for (const auto& x : t.groups) order.push_back(x.id);
  CHECK(order == std::vector<std::string>{"lb", "web_app", "db", "monitoring"});
  s.firewall.reset();
  CHECK(inbound(s, "lb-01").empty());
  CHECK(draw(s).groups[0].lines == std::vector<std::string>{"lb (no firewall)"});
}

TEST_CASE("diagram: a single host is one node, no vip, no replication") {
  auto t = draw(parse(kSingle));
  REQUIRE(node(t, "h_box"));
  CHECK(node(t, "h_box")->group == "web_app_db");
  CHECK_FALSE(node(t, "vip"));
  CHECK(edge(t, "dns", "h_box"));
  CHECK(std::none_of(t.edges.begin(), t.edges.end(), [](const auto& e) { return e.label == "replication"; }));
  CHECK(std::none_of(t.edges.begin(), t.edges.end(), [](const auto& e) { return e.from == e.to; }));
}

TEST_CASE("diagram: dot and mermaid show the same nodes and edges") {
  auto t = draw(parse(kPair));
  std::string dot = to_dot(t);
  std::string mmd = to_mermaid(t);
  CHECK(dot.rfind("digraph ", 0) == 0);
  CHECK(dot.find("rankdir=LR") != std::string::npos);
  CHECK(mmd.rfind("flowchart LR\n", 0) == 0);
  for (const auto& n : t.nodes) {
    CHECK_MESSAGE(dot.find("  " + n.id + " [label=") != std::string::npos, n.id);
    bool in_mmd = mmd.find(" " + n.id + "[") != std::string::npos || mmd.find(" " + n.id + "(") != std::string::npos ||
                  mmd.find(" " + n.id + "{") != std::string::npos;
    CHECK_MESSAGE(in_mmd, n.id);
  }
  CHECK(dot.find("h_db_01 -> h_db_02 [label=\"replication\"") != std::string::npos);
  CHECK(mmd.find("h_db_01 ==>|\"replication\"| h_db_02") != std::string::npos);
  CHECK(dot.find("subgraph cluster_web_app") != std::string::npos);
  CHECK(mmd.find("subgraph tier_web_app") != std::string::npos);
  CHECK(dot.find("h_mon_01 -> h_lb_01 [style=dashed, constraint=false") != std::string::npos);
  CHECK(mmd.find("h_mon_01 -.->|\"scrape\"| h_lb_01") != std::string::npos);
  CHECK(dot.find("{ rank=same; h_mon_01; h_web_01; }") != std::string::npos);
}

TEST_CASE("diagram: labels are escaped for dot") {
  Diagram t;
  t.title = "a \"quoted\" title";
  t.nodes.push_back({"n", NodeKind::host, {"x\\y"}, ""});
  std::string dot = to_dot(t);
  CHECK(dot.find("digraph \"a \\\"quoted\\\" title\"") == 0);
  CHECK(dot.find("label=\"x\\\\y\"") != std::string::npos);
}

}  // namespace foobar::diagram

namespace foobar::diagram {

TEST_CASE("diagram: host names never clash with fixed nodes or mermaid keywords") {
  std::string text = kSingle;
  for (auto at = text.find("box"); at != std::string::npos; at = text.find("box")) text.replace(at, 3, "user");
  auto t = draw(parse(text));
  CHECK(std::count_if(t.nodes.begin(), t.nodes.end(), [](const auto& n) { return n.id == "user"; }) == 1);
  REQUIRE(node(t, "h_user"));
  CHECK(node_id("end") == "h_end");
  CHECK(to_mermaid(t).find("  h_user[\"user<br/>10.77.0.10") != std::string::npos);
}

}  // namespace foobar::diagram

namespace foobar::diagram {

TEST_CASE("diagram: a standby host and the arrows to it are dashed; nameservers are named") {
  auto s = stack::load_stack("tests/e2e/failover-stack.yaml");
  REQUIRE(s.ok());
  auto t = draw(*s);
  const auto* standby = node(t, "h_web_02");
  REQUIRE(standby);
  CHECK(standby->standby);
  CHECK(has_line(standby->lines, "nginx :80 (standby)"));
  CHECK(has_line(standby->lines, "NSD ns2 (secondary)"));
  CHECK_FALSE(node(t, "h_web_01")->standby);
  CHECK(has_line(node(t, "h_lb_01")->lines, "NSD ns1 (primary)"));
  REQUIRE(edge(t, "h_lb_01", "h_web_02"));
  CHECK(edge(t, "h_lb_01", "h_web_02")->style == EdgeStyle::dashed);
  CHECK(edge(t, "h_lb_01", "h_web_02")->label == "HTTP :80 (standby)");
  CHECK(edge(t, "h_lb_01", "h_web_01")->style == EdgeStyle::solid);
  CHECK(to_dot(t).find("h_web_02 [label=\"web-02") != std::string::npos);
  CHECK(to_dot(t).find("style=\"rounded,filled,dashed\"") != std::string::npos);
  CHECK(to_mermaid(t).find("style h_web_02 stroke-dasharray: 5 5") != std::string::npos);
  CHECK(to_mermaid(t).find("style h_web_01 stroke-dasharray") == std::string::npos);
}

}  // namespace foobar::diagram

#include "compile/compile_test_util.h"

namespace foobar::diagram {

namespace {

const DiagramGroup* group(const Diagram& d, const std::string& id) {
  auto it = std::find_if(d.groups.begin(), d.groups.end(), [&](const auto& g) { return g.id == id; });
  return it == d.groups.end() ? nullptr : &*it;
}
}  // namespace

TEST_CASE("a custom tls.port at the load balancer: one port in the diagram, the firewall and HAProxy") {
  using compile::testing::file;
  auto s = compile::testing::reference_variant("stacks/2-secured-monitored.yaml", "reencrypt: false }",
                                               "reencrypt: false, port: 8443 }");
  auto g = compile::testing::compiled(s);
  const std::string nft = file(g, "lb-01:file:/etc/nftables.conf").content;
  CHECK(nft.find("tcp dport 8443 accept comment \"https from anywhere\"") != std::string::npos);
  CHECK(nft.find("dport 443 ") == std::string::npos);
  const std::string hap = file(g, "lb-01:file:/etc/haproxy/haproxy.cfg").content;
  CHECK(hap.find("    bind *:8443 ssl crt ") != std::string::npos);
  CHECK(hap.find(":443 ") == std::string::npos);
  // HTTP is redirected to the HTTPS port, not to 443 (which "redirect scheme" would do).
  CHECK(hap.find("    http-request redirect location https://%[req.hdr(host),regsub(:[0-9]+$,)]:8443%[pathq] code 301 "
                 "unless { ssl_fc }\n") != std::string::npos);
  CHECK(hap.find("redirect scheme") == std::string::npos);
  const auto d = draw(s);
  const auto* lb = group(d, "lb");
  REQUIRE(lb);
  // lb-01 is also the nameserver here.
  CHECK(has_line(lb->lines, "any: 80, 8443, 53/udp, 53"));
  CHECK(to_dot(d).find("any: 80, 8443, 53/udp, 53\\l") != std::string::npos);
  CHECK(to_mermaid(d).find("any: 80, 8443, 53/udp, 53<br/>") != std::string::npos);
}

TEST_CASE("a custom tls.port re-encrypted to the web tier: one port in the diagram, the firewall and HAProxy") {
  using compile::testing::file;
  auto s = compile::testing::reference_variant(compile::testing::k_stack3, "reencrypt: true }",
                                               "reencrypt: true, port: 8443 }");
  auto g = compile::testing::compiled(s);
  CHECK(compile::web_serving_port(s) == 8443);
  const std::string nft = file(g, "web-01:file:/etc/nftables.conf").content;
  CHECK(nft.find("ip saddr { 10.77.0.11, 10.77.0.12 } tcp dport 8443 accept") != std::string::npos);
  const std::string hap = file(g, "lb-01:file:/etc/haproxy/haproxy.cfg").content;
  CHECK(hap.find("server web-01 10.77.0.21:8443 check") != std::string::npos);
  CHECK(hap.find("    bind *:8443 ssl crt ") != std::string::npos);
  const std::string site = file(g, "web-01:file:/etc/nginx/sites-available/foobar").content;
  CHECK(site.find("listen 8443 ssl") != std::string::npos);
  CHECK(inbound(s, "web-01").front() == "lb: 8443");
  CHECK(has_line(inbound(s, "lb-01"), "any: 80, 8443"));
  auto d = draw(s);
  bool edge = std::any_of(d.edges.begin(), d.edges.end(), [](const auto& e) { return e.label == "HTTPS :8443"; });
  CHECK(edge);
  CHECK(has_line(node(d, "h_web_01")->lines, "nginx :8443"));
  CHECK(has_line(group(d, "web")->lines, "lb: 8443"));
}

}  // namespace foobar::diagram
