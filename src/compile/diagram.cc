#include "compile/diagram.h"

#include <algorithm>
#include <map>
#include <set>

#include "compile/topology.h"

namespace foobar::compile {

using stack::Stack;

namespace {

bool has(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

bool exporter_listed(const Stack& s, stack::Exporter e) {
  if (!s.monitoring) return false;
  const auto& ex = s.monitoring->exporters;
  return std::any_of(ex.begin(), ex.end(), [&](const auto& x) { return x.value == e; });
}

bool is_collector(const Stack& s, std::string_view host) {
  return s.monitoring && s.monitoring->collector.value == host;
}

// Ordered "source -> ports" table of a host's inbound flows.
class Flows {
 public:
  void add(const std::string& source, const std::string& port) {
    auto it = std::find_if(m_rows.begin(), m_rows.end(), [&](const auto& r) { return r.first == source; });
    if (it == m_rows.end()) it = m_rows.insert(m_rows.end(), {source, {}});
    if (!has(it->second, port)) it->second.push_back(port);
  }
  void add(const std::string& source, int port) { add(source, std::to_string(port)); }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& [src, ports] : m_rows) out.push_back(src + ": " + join(ports, ", "));
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> m_rows;
};

void tier_flows(const Stack& s, const std::vector<std::string>& tiers, Flows& f) {
  const auto& t = s.tiers;
  if (has(tiers, "lb")) {
    f.add("any", t.lb->port.value);
    if (s.tls_enabled()) f.add("any", t.lb->tls->port.value);
  }
  if (has(tiers, "web")) f.add(t.lb ? "lb" : "any", web_serving_port(s));
  if (has(tiers, "app")) f.add(t.web ? "web" : t.lb ? "lb" : "any", t.app->port.value);
  if (has(tiers, "db")) f.add(t.app ? "app" : "any", t.db->port.value);
}

void monitoring_flows(const Stack& s, const std::string& host, const std::vector<std::string>& tiers,
                      Flows& f) {
  if (!s.monitoring) return;
  const std::string& mon = s.monitoring->collector.value;
  using stack::Exporter;
  if (has(tiers, "lb") && exporter_listed(s, Exporter::haproxy)) f.add(mon, k_haproxy_stats_port);
  if (exporter_listed(s, Exporter::node)) f.add(mon, k_node_exporter_port);
  if (has(tiers, "web") && exporter_listed(s, Exporter::nginx)) f.add(mon, k_nginx_exporter_port);
  if (has(tiers, "db") && exporter_listed(s, Exporter::mysqld)) f.add(mon, k_mysqld_exporter_port);
  if (is_collector(s, host)) f.add("admin", k_prometheus_port);
}

std::string rule_port(const stack::FirewallRule& r) {
  return std::to_string(r.port.value) + (r.proto.value == stack::Proto::udp ? "/udp" : "");
}

}  // namespace

std::string node_id(std::string_view host) {
  std::string out = "h_" + std::string(host);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::vector<std::string> allowed_inbound(const Stack& s, const std::string& host) {
  const stack::Host* h = s.find_host(host);
  if (!h || !s.firewall_enabled()) return {};
  auto tiers = s.tiers_of_host(host);
  Flows f;
  tier_flows(s, tiers, f);
  monitoring_flows(s, host, tiers, f);
  f.add("admin", "ssh " + std::to_string(h->ssh.port.value));
  if (has(tiers, "lb") && s.tiers.lb->vip) f.add("lb peers", "vrrp");
  for (const auto& r : s.firewall->rules) {
    bool here = std::any_of(r.hosts.begin(), r.hosts.end(), [&](const auto& x) { return x.value == host; });
    if (!here) continue;
    std::vector<std::string> from;
    for (const auto& c : r.from) from.push_back(c.value);
    f.add(from.empty() ? "any" : join(from, " "), rule_port(r));
  }
  return f.lines();
}

namespace {

// --- building the topology -------------------------------------------------------------

std::string group_id(const Stack& s, const std::string& host) {
  auto tiers = s.tiers_of_host(host);
  if (tiers.empty()) return is_collector(s, host) ? "monitoring" : "other";
  return join(tiers, "_");
}

// The LB that starts as VRRP MASTER: the highest priority.
bool vrrp_master(const Topology& topo, const std::string& host) {
  auto it = topo.vrrp_priority.find(host);
  return it != topo.vrrp_priority.end() &&
         std::none_of(topo.vrrp_priority.begin(), topo.vrrp_priority.end(),
                      [&](const auto& p) { return p.second > it->second; });
}

std::vector<std::string> host_lines(const Stack& s, const Topology& topo, const stack::Host& h) {
  const std::string& name = h.name.value;
  std::vector<std::string> out = {name, h.address.value};
  const auto& t = s.tiers;
  auto tiers = s.tiers_of_host(name);
  bool vrrp = topo.vrrp_priority.count(name) > 0;
  if (has(tiers, "lb"))
    out.push_back(std::string("HAProxy") + (!vrrp ? "" : vrrp_master(topo, name) ? " (VRRP MASTER)" : " (VRRP BACKUP)"));
  auto standby = [&](const char* tier) { return s.is_standby(tier, name) ? " (standby)" : ""; };
  if (has(tiers, "web")) out.push_back("nginx :" + std::to_string(web_serving_port(s)) + standby("web"));
  if (has(tiers, "app")) out.push_back("app (gunicorn) :" + std::to_string(t.app->port.value) + standby("app"));
  auto server_id = topo.server_id.find(name);
  if (has(tiers, "db") && server_id != topo.server_id.end()) {
    const int id = server_id->second;
    out.push_back(std::string(stack::to_string(t.db->engine.value)) + (id == 1 ? " primary" : " replica") + " :" +
                  std::to_string(t.db->port.value) + " (server_id " + std::to_string(id) + ")");
  }
  if (is_collector(s, name)) out.push_back("Prometheus: scrapes every host");
  if (s.dns && !s.dns->secondaries.empty()) {
    if (name == s.nameserver_host()) out.push_back("NSD ns1 (primary)");
    for (std::size_t i = 0; i < s.dns->secondaries.size(); ++i)
      if (s.dns->secondaries[i].value == name) out.push_back("NSD ns" + std::to_string(i + 2) + " (secondary)");
  }
  return out;
}

std::vector<std::string> group_lines(const Stack& s, const std::string& id,
                                     const std::vector<std::string>& hosts) {
  std::string title = id == "monitoring" ? "monitoring" : id == "other" ? "other hosts" : id;
  std::replace(title.begin(), title.end(), '_', '+');
  if (!s.firewall_enabled()) return {title + " (no firewall)"};
  std::vector<std::string> out = {title + " - firewall admits:"};
  for (const auto& h : hosts)
    for (const auto& l : allowed_inbound(s, h))
      if (!has(out, l)) out.push_back(l);
  return out;
}

const stack::DnsRecord* www_record(const Stack& s) {
  if (!s.dns) return nullptr;
  for (const char* name : {"www", "@"})
    for (const auto& r : s.dns->records)
      if (r.name.value == name &&
          (r.type.value == stack::RecordType::a || r.type.value == stack::RecordType::aaaa))
        return &r;
  return nullptr;
}

// Where the DNS name points: the vip, one host, or (no record) the entry tier.
std::vector<std::string> entry_nodes(const Stack& s) {
  if (const auto* r = www_record(s)) {
    if (r->target == stack::RecordTarget::vip) return {"vip"};
    for (const auto& h : s.hosts)
      if (h.address.value == r->resolved) return {node_id(h.name.value)};
  }
  if (s.tiers.lb && s.tiers.lb->vip) return {"vip"};
  for (const char* tier : {"lb", "web", "app"}) {
    std::vector<std::string> out;
    for (const auto& h : s.hosts_of_tier(tier)) out.push_back(node_id(h));
    if (!out.empty()) return out;
  }
  return {};
}

void add_front(const Stack& s, const Topology& topo, Diagram& t) {
  t.nodes.push_back({"user", NodeKind::user, {"user", "(browser)"}, ""});
  std::string name = "www." + s.domain.value;
  const auto* r = www_record(s);
  std::string rec = r ? std::string(stack::to_string(r->type.value)) + " " + r->resolved : "(not managed)";
  t.nodes.push_back({"dns", NodeKind::dns, {name, rec}, ""});
  t.edges.push_back({"user", "dns", s.tls_enabled() ? "HTTPS" : "HTTP"});
  if (s.tiers.lb && s.tiers.lb->vip) {
    const auto& vip = *s.tiers.lb->vip;
    t.nodes.push_back({"vip", NodeKind::vip,
                       {"floating IP", vip.address.value, "VRRP id " + std::to_string(vip.router_id.value)}, ""});
    for (const auto& lb : s.tiers.lb->hosts) {
      bool master = vrrp_master(topo, lb.value);
      t.edges.push_back({"vip", node_id(lb.value), master ? "MASTER" : "BACKUP (failover)",
                         master ? EdgeStyle::solid : EdgeStyle::dashed});
    }
  }
  for (const auto& e : entry_nodes(s)) t.edges.push_back({"dns", e, r ? "resolves to" : ""});
}

// One edge per pair of hosts of two tiers, left out inside one box (the host or its
// twins run both tiers) where the node label says it already.
// An edge to a standby of `standby_tier` is dashed and says so.
void connect(const Stack& s, Diagram& t, const std::vector<std::string>& from,
             const std::vector<std::string>& to, const std::string& label,
             EdgeStyle style = EdgeStyle::solid, const char* standby_tier = "") {
  for (const auto& a : from)
    for (const auto& b : to) {
      if (group_id(s, a) == group_id(s, b)) continue;
      if (s.is_standby(standby_tier, b))
        t.edges.push_back({node_id(a), node_id(b), label + " (standby)", EdgeStyle::dashed});
      else
        t.edges.push_back({node_id(a), node_id(b), label, style});
    }
}

void add_request_path(const Stack& s, Diagram& t) {
  const auto& tiers = s.tiers;
  auto lb = s.hosts_of_tier("lb"), web = s.hosts_of_tier("web"), app = s.hosts_of_tier("app");
  if (!web.empty())
    connect(s, t, lb, web, std::string(reencrypts(s) ? "HTTPS :" : "HTTP :") + std::to_string(web_serving_port(s)),
            EdgeStyle::solid, "web");
  else
    connect(s, t, lb, app, "HTTP :" + std::to_string(tiers.app ? tiers.app->port.value : 0));
  if (!web.empty() && !app.empty())
    connect(s, t, web, app, "proxy :" + std::to_string(tiers.app->port.value), EdgeStyle::solid, "app");
  if (!tiers.db) return;
  auto clients = app.empty() ? web : app;
  connect(s, t, clients, {tiers.db->primary.value}, "writes :" + std::to_string(tiers.db->port.value));
  std::vector<std::string> replicas;
  for (const auto& r : tiers.db->replicas) replicas.push_back(r.value);
  connect(s, t, clients, replicas, "reads", EdgeStyle::dashed);
  for (const auto& r : replicas)
    t.edges.push_back({node_id(tiers.db->primary.value), node_id(r), "replication", EdgeStyle::bold});
}

void add_scrapes(const Stack& s, Diagram& t) {
  if (!s.monitoring) return;
  const std::string& mon = s.monitoring->collector.value;
  for (const auto& h : s.hosts)
    if (h.name.value != mon && !s.tiers_of_host(h.name.value).empty())
      t.edges.push_back({node_id(mon), node_id(h.name.value), "scrape", EdgeStyle::dashed, false});
}

void place_collector(const Stack& s, Diagram& t) {
  if (!s.monitoring || !s.tiers_of_host(s.monitoring->collector.value).empty()) return;
  std::vector<const DiagramGroup*> path;
  for (const auto& g : t.groups)
    if (g.id != "monitoring" && g.id != "other") path.push_back(&g);
  if (path.empty()) return;
  const std::string& middle = path[(path.size() - 1) / 2]->id;
  for (const auto& n : t.nodes)
    if (n.group == middle) {
      t.same_rank = {node_id(s.monitoring->collector.value), n.id};
      return;
    }
}

}  // namespace

Diagram build_diagram(const Stack& s) {
  Diagram t;
  t.title = s.name.value + " (" + s.domain.value + ")";
  const Topology topo = derive_topology(s);
  add_front(s, topo, t);
  std::map<std::string, std::vector<std::string>> members;
  for (const auto& h : s.hosts) {
    std::string g = group_id(s, h.name.value);
    if (!members.count(g)) t.groups.push_back({g, {}, s.firewall_enabled()});
    members[g].push_back(h.name.value);
    bool standby = s.is_standby("web", h.name.value) || s.is_standby("app", h.name.value);
    t.nodes.push_back({node_id(h.name.value), is_collector(s, h.name.value) ? NodeKind::collector : NodeKind::host,
                       host_lines(s, topo, h), g, standby});
  }
  for (auto& g : t.groups) g.lines = group_lines(s, g.id, members[g.id]);
  // Left to right in request order, monitoring last.
  auto rank = [&](const DiagramGroup& g) {
    static const std::vector<std::string> order = {"lb", "web", "app", "db", "monitoring", "other"};
    auto first = g.id.substr(0, g.id.find('_'));
    return std::find(order.begin(), order.end(), first) - order.begin();
  };
  std::stable_sort(t.groups.begin(), t.groups.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  add_request_path(s, t);
  add_scrapes(s, t);
  place_collector(s, t);
  return t;
}

// --- dot -------------------------------------------------------------------------------------

namespace {

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string dot_label(const std::vector<std::string>& lines, const char* sep = "\\n") {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string q = quote(lines[i]);
    out += (i ? sep : "") + q.substr(1, q.size() - 2);
  }
  return "\"" + out + "\"";
}

std::string fill_of(const DiagramNode& n) {
  if (n.kind == NodeKind::user) return "#eeeeee";
  if (n.kind == NodeKind::dns) return "#fdf6d8";
  if (n.kind == NodeKind::vip) return "#d0e4f5";
  if (n.kind == NodeKind::collector) return "#e4dfec";
  std::string first = n.group.substr(0, n.group.find('_'));
  if (first == "lb") return "#dbe9f6";
  if (first == "web") return "#e2f0d9";
  if (first == "app") return "#fff2cc";
  if (first == "db") return "#f8cbad";
  return "#ffffff";
}

std::string dot_node(const DiagramNode& n) {
  const char* shape = n.kind == NodeKind::user  ? "ellipse"
                      : n.kind == NodeKind::dns ? "note"
                      : n.kind == NodeKind::vip ? "hexagon"
                                                : "box";
  return "  " + n.id + " [label=" + dot_label(n.lines) + ", shape=" + shape + ", fillcolor=\"" + fill_of(n) + "\"" +
         (n.standby ? ", style=\"rounded,filled,dashed\"" : "") + "];\n";
}

std::string dot_edge(const DiagramEdge& e) {
  std::string attrs;
  if (!e.label.empty() && e.layout) attrs += "label=" + quote(e.label);
  auto add = [&](const std::string& a) { attrs += (attrs.empty() ? "" : ", ") + a; };
  if (e.style == EdgeStyle::dashed) add("style=dashed");
  if (e.style == EdgeStyle::bold) add("style=bold, color=\"#c0504d\", fontcolor=\"#c0504d\"");
  if (!e.layout) add("constraint=false, color=\"#8064a2\", arrowsize=0.6");
  return "  " + e.from + " -> " + e.to + (attrs.empty() ? "" : " [" + attrs + "]") + ";\n";
}

}  // namespace

std::string to_dot(const Diagram& t) {
  std::string out = "digraph " + quote(t.title) + " {\n";
  out += "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label=" + quote(t.title) +
         ", nodesep=0.3, ranksep=0.8, newrank=true];\n";
  out += "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (const auto& n : t.nodes)
    if (n.group.empty()) out += dot_node(n);
  for (const auto& g : t.groups) {
    out += "  subgraph cluster_" + g.id + " {\n";
    std::string label = dot_label(g.lines, "\\l");
    out += "    label=" + label.substr(0, label.size() - 1) + "\\l\"; labeljust=l; fontsize=9;\n";
    out += g.firewalled ? "    style=\"dashed,rounded\"; color=\"#c0504d\";\n"
                        : "    style=rounded; color=\"#999999\";\n";
    for (const auto& n : t.nodes)
      if (n.group == g.id) out += "  " + dot_node(n);
    out += "  }\n";
  }
  // On a whiteboard one label per bundle of parallel arrows is enough.
  std::map<std::string, std::string> group_of;
  for (const auto& n : t.nodes) group_of[n.id] = n.group.empty() ? n.id : n.group;
  std::set<std::string> labelled;
  for (auto e : t.edges) {
    if (!labelled.insert(group_of[e.from] + ">" + group_of[e.to] + ">" + e.label).second) e.label.clear();
    out += dot_edge(e);
  }
  if (!t.same_rank.empty()) out += "  { rank=same; " + join(t.same_rank, "; ") + "; }\n";
  return out + "}\n";
}

// --- mermaid ---------------------------------------------------------------------------------

namespace {

std::string mermaid_text(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    std::string clean = l;
    std::replace(clean.begin(), clean.end(), '"', '\'');
    out += (out.empty() ? "" : "<br/>") + clean;
  }
  return "\"" + out + "\"";
}

std::string mermaid_node(const DiagramNode& n) {
  std::string text = mermaid_text(n.lines);
  switch (n.kind) {
    case NodeKind::user: return n.id + "([" + text + "])";
    case NodeKind::dns: return n.id + "[/" + text + "/]";
    case NodeKind::vip: return n.id + "{{" + text + "}}";
    default: return n.id + "[" + text + "]";
  }
}

std::string mermaid_edge(const DiagramEdge& e) {
  const char* arrow = e.style == EdgeStyle::dashed ? " -.->" : e.style == EdgeStyle::bold ? " ==>" : " -->";
  std::string label = e.label.empty() ? "" : "|" + mermaid_text({e.label}) + "|";
  return "  " + e.from + arrow + label + " " + e.to + "\n";
}

}  // namespace

std::string to_mermaid(const Diagram& t) {
  std::string out = "flowchart LR\n";
  out += "  %% " + t.title + "\n";
  for (const auto& n : t.nodes)
    if (n.group.empty()) out += "  " + mermaid_node(n) + "\n";
  for (const auto& g : t.groups) {
    out += "  subgraph tier_" + g.id + "[" + mermaid_text(g.lines) + "]\n";
    for (const auto& n : t.nodes)
      if (n.group == g.id) out += "    " + mermaid_node(n) + "\n";
    out += "  end\n";
    if (g.firewalled) out += "  style tier_" + g.id + " stroke:#c0504d,stroke-dasharray: 5 5\n";
  }
  for (const auto& n : t.nodes)
    if (n.standby) out += "  style " + n.id + " stroke-dasharray: 5 5\n";
  for (const auto& e : t.edges) out += mermaid_edge(e);
  return out;
}

}  // namespace foobar::compile
