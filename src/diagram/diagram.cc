#include "diagram/diagram.h"
#include "util/strings.h"

#include <algorithm>
#include <map>
#include <set>

namespace foobar::diagram {

using compile::HostModel;
using compile::Role;
using compile::Topology;
using stack::Stack;
using stack::Tier;

namespace {

bool has(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Ordered "source -> ports" table of a host's inbound flows.
class Flows {
 public:
  void add(const std::string& source, const std::string& port) {
    auto it = std::find_if(m_rows.begin(), m_rows.end(), [&](const auto& r) { return r.first == source; });
    if (it == m_rows.end()) it = m_rows.insert(m_rows.end(), {source, {}});
    if (!has(it->second, port)) it->second.push_back(port);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& [src, ports] : m_rows) out.push_back(src + ": " + join(ports, ", "));
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> m_rows;
};

std::string port_text(const compile::Flow& f) {
  return std::to_string(f.port) + (f.proto == "udp" ? "/udp" : "");
}

}  // namespace

std::string node_id(std::string_view host) {
  std::string out = "h_" + std::string(host);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::vector<std::string> allowed_inbound(const HostModel& h) {
  if (!h.has(Role::firewall)) return {};
  Flows f;
  for (const auto& flow : h.inbound) f.add(flow.from, port_text(flow));
  f.add("admin", "ssh " + std::to_string(h.ssh_port));
  if (!h.vrrp_peers.empty()) f.add("lb peers", "vrrp");
  return f.lines();
}

namespace {

// --- building the topology -------------------------------------------------------------

std::string group_id(const HostModel& h) {
  if (h.tiers.empty()) return h.collector ? "monitoring" : "other";
  return join(h.tiers.names(), "_");
}

std::string group_id(const Topology& t, const std::string& host) { return group_id(t.host(host)); }

std::string db_line(const Stack& s, const HostModel& h) {
  const auto& db = *s.tiers.db;
  return std::string(stack::to_string(db.engine.value)) + (h.db_primary ? " primary" : " replica") + " :" +
         std::to_string(db.port.value) + " (server_id " + std::to_string(h.server_id) + ")";
}

std::vector<std::string> host_lines(const Topology& t, const HostModel& h) {
  const Stack& s = *t.stack;
  std::vector<std::string> out = {h.name, h.address};
  if (h.carries(Tier::lb)) out.push_back("HAProxy" + (h.vrrp_state.empty() ? "" : " (VRRP " + h.vrrp_state + ")"));
  auto standby = [&](Tier tier) { return s.is_standby(tier, h.name) ? " (standby)" : ""; };
  if (h.carries(Tier::web))
    out.push_back("nginx :" + std::to_string(compile::web_serving_port(s)) + standby(Tier::web));
  if (h.carries(Tier::app))
    out.push_back("app (gunicorn) :" + std::to_string(s.tiers.app->port.value) + standby(Tier::app));
  if (h.carries(Tier::db)) out.push_back(db_line(s, h));
  if (h.collector) out.push_back("Prometheus: scrapes every host");
  if (h.nameserver && t.nameservers.size() > 1)
    out.push_back("NSD " + Topology::ns_label(*h.nameserver) +
                  (h.is_primary_nameserver() ? " (primary)" : " (secondary)"));
  return out;
}

std::vector<std::string> group_lines(const Topology& t, const std::string& id,
                                     const std::vector<std::string>& hosts) {
  std::string title = id == "monitoring" ? "monitoring" : id == "other" ? "other hosts" : id;
  std::replace(title.begin(), title.end(), '_', '+');
  if (!t.stack->firewall_enabled()) return {title + " (no firewall)"};
  std::vector<std::string> out = {title + " - firewall admits:"};
  for (const auto& h : hosts)
    for (const auto& l : allowed_inbound(t.host(h)))
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
std::vector<std::string> entry_nodes(const Topology& t) {
  const Stack& s = *t.stack;
  if (const auto* r = www_record(s)) {
    if (r->target == stack::RecordTarget::vip) return {"vip"};
    for (const auto& h : t.hosts)
      if (h.address == r->resolved) return {node_id(h.name)};
  }
  if (s.tiers.lb && s.tiers.lb->vip) return {"vip"};
  for (Tier tier : {Tier::lb, Tier::web, Tier::app}) {
    std::vector<std::string> out;
    for (const auto& h : t.hosts_of(tier)) out.push_back(node_id(h));
    if (!out.empty()) return out;
  }
  return {};
}

void add_front(const Topology& t, Diagram& d) {
  const Stack& s = *t.stack;
  d.nodes.push_back({"user", NodeKind::user, {"user", "(browser)"}, ""});
  std::string name = "www." + s.domain.value;
  const auto* r = www_record(s);
  std::string rec = r ? std::string(stack::to_string(r->type.value)) + " " + r->resolved : "(not managed)";
  d.nodes.push_back({"dns", NodeKind::dns, {name, rec}, ""});
  d.edges.push_back({"user", "dns", t.tls ? "HTTPS" : "HTTP"});
  if (s.tiers.lb && s.tiers.lb->vip) {
    const auto& vip = *s.tiers.lb->vip;
    d.nodes.push_back({"vip", NodeKind::vip,
                       {"floating IP", vip.address.value, "VRRP id " + std::to_string(vip.router_id.value)}, ""});
    for (const auto& lb : t.hosts_of(Tier::lb)) {
      bool master = t.host(lb).vrrp_state == "MASTER";
      d.edges.push_back({"vip", node_id(lb), master ? "MASTER" : "BACKUP (failover)",
                         master ? EdgeStyle::solid : EdgeStyle::dashed});
    }
  }
  for (const auto& e : entry_nodes(t)) d.edges.push_back({"dns", e, r ? "resolves to" : ""});
}

// One edge per pair of hosts of two tiers, left out inside one box (the host or its
// twins run both tiers) where the node label says it already.
// An edge to a standby of `standby_tier` is dashed and says so.
void connect(const Topology& t, Diagram& d, const std::vector<std::string>& from,
             const std::vector<std::string>& to, const std::string& label,
             EdgeStyle style = EdgeStyle::solid, std::optional<Tier> standby_tier = {}) {
  for (const auto& a : from)
    for (const auto& b : to) {
      if (group_id(t, a) == group_id(t, b)) continue;
      if (standby_tier && t.stack->is_standby(*standby_tier, b))
        d.edges.push_back({node_id(a), node_id(b), label + " (standby)", EdgeStyle::dashed});
      else
        d.edges.push_back({node_id(a), node_id(b), label, style});
    }
}

void add_request_path(const Topology& t, Diagram& d) {
  const auto& tiers = t.stack->tiers;
  const auto &lb = t.hosts_of(Tier::lb), &web = t.hosts_of(Tier::web), &app = t.hosts_of(Tier::app);
  if (!web.empty())
    connect(t, d, lb, web,
            std::string(t.reencrypt ? "HTTPS :" : "HTTP :") + std::to_string(compile::web_serving_port(*t.stack)),
            EdgeStyle::solid, Tier::web);
  else
    connect(t, d, lb, app, "HTTP :" + std::to_string(tiers.app ? tiers.app->port.value : 0));
  if (!web.empty() && !app.empty())
    connect(t, d, web, app, "proxy :" + std::to_string(tiers.app->port.value), EdgeStyle::solid, Tier::app);
  if (!tiers.db) return;
  const auto& clients = app.empty() ? web : app;
  connect(t, d, clients, {tiers.db->primary.value}, "writes :" + std::to_string(tiers.db->port.value));
  std::vector<std::string> replicas;
  for (const auto& r : tiers.db->replicas) replicas.push_back(r.value);
  connect(t, d, clients, replicas, "reads", EdgeStyle::dashed);
  for (const auto& r : replicas)
    d.edges.push_back({node_id(tiers.db->primary.value), node_id(r), "replication", EdgeStyle::bold});
}

const HostModel* collector_of(const Topology& t) {
  for (const auto& h : t.hosts)
    if (h.collector) return &h;
  return nullptr;
}

void add_scrapes(const Topology& t, Diagram& d) {
  const HostModel* mon = collector_of(t);
  if (!mon) return;
  for (const auto& h : t.hosts)
    if (h.name != mon->name && !h.tiers.empty())
      d.edges.push_back({node_id(mon->name), node_id(h.name), "scrape", EdgeStyle::dashed, false});
}

void place_collector(const Topology& t, Diagram& d) {
  const HostModel* mon = collector_of(t);
  if (!mon || !mon->tiers.empty()) return;
  std::vector<const DiagramGroup*> path;
  for (const auto& g : d.groups)
    if (g.id != "monitoring" && g.id != "other") path.push_back(&g);
  if (path.empty()) return;
  const std::string& middle = path[(path.size() - 1) / 2]->id;
  for (const auto& n : d.nodes)
    if (n.group == middle) {
      d.same_rank = {node_id(mon->name), n.id};
      return;
    }
}

}  // namespace

Diagram build_diagram(const Topology& t) {
  const Stack& s = *t.stack;
  Diagram d;
  d.title = s.name.value + " (" + s.domain.value + ")";
  add_front(t, d);
  std::map<std::string, std::vector<std::string>> members;
  for (const auto& h : t.hosts) {
    std::string g = group_id(h);
    if (!members.count(g)) d.groups.push_back({g, {}, s.firewall_enabled(), h.tiers});
    members[g].push_back(h.name);
    bool standby = s.is_standby(Tier::web, h.name) || s.is_standby(Tier::app, h.name);
    d.nodes.push_back({node_id(h.name), h.collector ? NodeKind::collector : NodeKind::host, host_lines(t, h), g,
                       standby, h.tiers});
  }
  for (auto& g : d.groups) g.lines = group_lines(t, g.id, members[g.id]);
  // Left to right in request order, monitoring last.
  auto rank = [&](const DiagramGroup& g) {
    if (g.tiers.empty()) return stack::k_tiers.size() + (g.id == "monitoring" ? 0 : 1);
    return static_cast<std::size_t>(g.tiers.list().front());
  };
  std::stable_sort(d.groups.begin(), d.groups.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  add_request_path(t, d);
  add_scrapes(t, d);
  place_collector(t, d);
  return d;
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
  if (n.tiers.empty()) return "#ffffff";
  switch (n.tiers.list().front()) {
    case Tier::lb: return "#dbe9f6";
    case Tier::web: return "#e2f0d9";
    case Tier::app: return "#fff2cc";
    case Tier::db: return "#f8cbad";
  }
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

}  // namespace foobar::diagram
