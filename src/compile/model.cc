#include "compile/model.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "compile/topology.h"

namespace foobar::compile {

using stack::Exporter;
using stack::Stack;
using stack::Tier;

const char* to_string(Role r) {
  switch (r) {
    case Role::firewall: return "firewall";
    case Role::lb: return "lb";
    case Role::keepalived: return "keepalived";
    case Role::web: return "web";
    case Role::app: return "app";
    case Role::db: return "db";
    case Role::collector: return "collector";
    case Role::alertmanager: return "alertmanager";
    case Role::node_exporter: return "node-exporter";
    case Role::nginx_exporter: return "nginx-exporter";
    case Role::mysqld_exporter: return "mysqld-exporter";
    case Role::logs: return "logs";
    case Role::log_store: return "log-store";
    case Role::dns: return "dns";
    case Role::ssh: return "ssh";
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(Role::ssh); ++i)
    if (name == to_string(static_cast<Role>(i))) return static_cast<Role>(i);
  return std::nullopt;
}

int exporter_port(Exporter e) {
  switch (e) {
    case Exporter::node: return k_node_exporter_port;
    case Exporter::nginx: return k_nginx_exporter_port;
    case Exporter::haproxy: return k_haproxy_stats_port;
    case Exporter::mysqld: return k_mysqld_exporter_port;
  }
  return 0;
}

bool HostModel::has(Role r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }

const ExporterEndpoint* HostModel::exporter(Exporter e) const {
  for (const auto& x : exporters)
    if (x.exporter == e) return &x;
  return nullptr;
}

std::vector<std::string> manifest_tiers(const HostModel& m) {
  std::vector<std::string> tiers = m.tiers.names();
  if (m.collector) tiers.push_back("monitoring");
  return tiers;
}

std::vector<std::string> manifest_roles(const HostModel& m) {
  std::vector<std::string> out = manifest_tiers(m);
  for (Role r : m.roles) {
    bool tier = r == Role::lb || r == Role::web || r == Role::app || r == Role::db;
    if (!tier && r != Role::collector) out.push_back(to_string(r));
  }
  return out;
}

namespace {

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// Addresses of the hosts, each once, in order.
std::vector<std::string> addresses(const Topology& t, const std::vector<std::string>& hosts) {
  std::vector<std::string> out;
  for (const auto& h : hosts) add_unique(out, t.address_of(h));
  return out;
}

void add_flow(Topology& t, const std::string& host, Flow f) { t.host(host).inbound.push_back(std::move(f)); }

// `who` when there are sources, else "any" (an empty source list admits anyone).
std::string from_or_any(const std::vector<std::string>& sources, const char* who) {
  return sources.empty() ? "any" : who;
}

void db_flows(Topology& t, const std::vector<std::string>& app_sources) {
  const auto& db = *t.stack->tiers.db;
  std::string engine = stack::to_string(db.engine.value);
  for (const auto& h : db.host_names()) {
    if (h != db.primary.value) {
      add_flow(t, h, {db.port.value, "tcp", app_sources, engine + " from app tier", from_or_any(app_sources, to_string(Tier::app))});
      continue;
    }
    auto sources = app_sources;
    for (const auto& r : db.replicas) add_unique(sources, t.address_of(r.value));
    std::string from = db.replicas.empty() ? from_or_any(app_sources, to_string(Tier::app))
                       : app_sources.empty() ? "replicas" : "app + replicas";
    add_flow(t, h, {db.port.value, "tcp", std::move(sources),
                    engine + (db.replicas.empty() ? " from app tier" : " from app tier and replicas"), from});
  }
}

void tier_flows(Topology& t) {
  const Stack& s = *t.stack;
  const auto &lbs = t.hosts_of(Tier::lb), &webs = t.hosts_of(Tier::web), &apps = t.hosts_of(Tier::app);
  const auto lb_sources = addresses(t, lbs), web_sources = addresses(t, webs), app_sources = addresses(t, apps);
  for (const auto& h : lbs) {
    add_flow(t, h, {s.tiers.lb->port.value, "tcp", {}, "http from anywhere", "any"});
    if (t.tls) add_flow(t, h, {s.tiers.lb->tls->port.value, "tcp", {}, "https from anywhere", "any"});
  }
  for (const auto& h : webs) {
    if (lbs.empty()) {
      add_flow(t, h, {s.tiers.web->port.value, "tcp", {}, "http from anywhere", "any"});
    } else {
      add_flow(t, h, {web_serving_port(s), "tcp", lb_sources, "web from load balancers", to_string(Tier::lb)});
    }
  }
  for (const auto& h : apps)
    add_flow(t, h, {s.tiers.app->port.value, "tcp", web_sources, "app from web tier", from_or_any(web_sources, to_string(Tier::web))});
  if (s.tiers.db) db_flows(t, app_sources);
}

// The nameservers answer DNS from anywhere, like the site they name.
void dns_flows(Topology& t) {
  for (const auto& ns : t.nameservers) {
    add_flow(t, ns, {53, "udp", {}, "dns from anywhere", "any"});
    add_flow(t, ns, {53, "tcp", {}, "dns from anywhere", "any"});
  }
}

const char* exporter_comment(Exporter e) {
  switch (e) {
    case Exporter::node: return "node exporter from collector";
    case Exporter::nginx: return "nginx exporter from collector";
    case Exporter::haproxy: return "haproxy metrics from collector";
    case Exporter::mysqld: return "mysqld exporter from collector";
  }
  return "?";
}

void monitoring_flows(Topology& t) {
  const Stack& s = *t.stack;
  if (!s.monitoring) return;
  const std::string& collector = s.monitoring->collector.value;
  if (s.firewall && !s.firewall->admin_cidrs.empty()) {
    std::vector<std::string> admins;
    for (const auto& c : s.firewall->admin_cidrs) add_unique(admins, c.value);
    add_flow(t, collector, {k_prometheus_port, "tcp", admins, "prometheus from admin networks", "admin"});
    add_flow(t, collector, {k_alertmanager_port, "tcp", admins, "alertmanager from admin networks", "admin"});
  }
  // Central logs: every other host ships to the log collector (rsyslog, RELP over TLS).
  const std::string& logs = s.monitoring->log_collector();
  std::vector<std::string> senders;
  for (const auto& h : t.hosts)
    if (h.name != logs) add_unique(senders, h.address);
  if (!senders.empty()) add_flow(t, logs, {k_logs_port, "tcp", senders, "logs from the stack's hosts", "all hosts"});
  std::vector<std::string> from{t.address_of(collector)};
  for (auto& h : t.hosts)
    for (const auto& e : h.exporters)
      h.inbound.push_back({e.port, "tcp", from, exporter_comment(e.exporter), collector});
}

void stack_rule_flows(Topology& t) {
  for (const auto& rule : t.stack->firewall->rules) {
    std::vector<std::string> from;
    for (const auto& f : rule.from) add_unique(from, f.value);
    std::string comment = "stack rule, line " + std::to_string(rule.pos.line);
    std::string who;
    for (const auto& f : from) who += (who.empty() ? "" : " ") + f;
    for (const auto& h : rule.hosts)
      add_flow(t, h.value, {rule.port.value, stack::to_string(rule.proto.value), from, comment, who.empty() ? "any" : who});
  }
}

// The exporters a host serves, in the order its firewall lists them.
std::vector<ExporterEndpoint> exporters_of(const Topology& t, const HostModel& m) {
  std::vector<ExporterEndpoint> out;
  auto add = [&](Exporter e, bool here) {
    if (here && t.has_exporter(e)) out.push_back({e, exporter_port(e)});
  };
  add(Exporter::haproxy, m.carries(Tier::lb));
  add(Exporter::node, true);
  add(Exporter::nginx, m.carries(Tier::web));
  add(Exporter::mysqld, m.carries(Tier::db));
  return out;
}

std::vector<Role> roles_of(const Topology& t, const HostModel& m) {
  const Stack& s = *t.stack;
  const bool monitored = s.monitoring.has_value();
  const bool on[] = {
      s.firewall_enabled(),
      m.carries(Tier::lb),
      !m.vrrp_state.empty(),
      m.carries(Tier::web),
      m.carries(Tier::app),
      m.carries(Tier::db),
      m.collector,
      m.collector,  // alertmanager runs beside Prometheus
      m.exporter(Exporter::node) != nullptr,
      m.exporter(Exporter::nginx) != nullptr,
      m.exporter(Exporter::mysqld) != nullptr,
      monitored,  // every host of a monitored stack ships its logs
      m.log_collector,
      m.nameserver.has_value(),
      s.security.ssh.value,
  };
  std::vector<Role> out;
  for (int i = 0; i <= static_cast<int>(Role::ssh); ++i)
    if (on[i]) out.push_back(static_cast<Role>(i));
  return out;
}

void vrrp_of(const Topology& t, HostModel& m) {
  auto it = t.vrrp_priority.find(m.name);
  if (it == t.vrrp_priority.end()) return;
  m.vrrp_priority = it->second;
  m.vrrp_state = it->second == 150 ? "MASTER" : "BACKUP";
  for (const auto& e : t.lb_hosts)
    if (e.name != m.name) m.vrrp_peers.push_back(e.address);
}

HostModel base_model(const Topology& t, const stack::Host& h) {
  const Stack& s = *t.stack;
  HostModel m;
  m.name = h.name.value;
  m.address = h.address.value;
  m.service_address = t.service_address(m.name);
  m.tiers = s.tier_set_of(m.name);
  m.ssh_port = h.ssh.port.value;
  if (auto it = t.server_id.find(m.name); it != t.server_id.end()) {
    m.server_id = it->second;
    m.db_primary = m.name == s.tiers.db->primary.value;
  }
  vrrp_of(t, m);
  auto ns = std::find(t.nameservers.begin(), t.nameservers.end(), m.name);
  if (ns != t.nameservers.end()) m.nameserver = static_cast<std::size_t>(ns - t.nameservers.begin());
  m.collector = t.is_collector(m.name);
  m.log_collector = s.monitoring && s.monitoring->log_collector() == m.name;
  if (s.monitoring) m.exporters = exporters_of(t, m);
  m.roles = roles_of(t, m);
  return m;
}

}  // namespace

void derive_host_models(Topology& t) {
  for (const auto& h : t.stack->hosts) {
    t.host_index[h.name.value] = t.hosts.size();
    t.hosts.push_back(base_model(t, h));
  }
  tier_flows(t);
  dns_flows(t);
  monitoring_flows(t);
  if (t.stack->firewall) stack_rule_flows(t);
}

const HostModel& Topology::host(const std::string& name) const {
  auto it = host_index.find(name);
  if (it == host_index.end()) throw std::out_of_range("no host '" + name + "' in the stack");
  return hosts[it->second];
}

HostModel& Topology::host(const std::string& name) {
  return const_cast<HostModel&>(static_cast<const Topology&>(*this).host(name));
}

}  // namespace foobar::compile
