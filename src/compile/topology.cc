#include "compile/topology.h"

#include <cctype>

#include <algorithm>
#include <unordered_set>

namespace foobar::compile {

using stack::Exporter;
using stack::Stack;

namespace {

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// Addresses of the hosts, each once, in order.
std::vector<std::string> addresses(const Topology& t, const std::vector<std::string>& hosts) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const auto& h : hosts)
    if (seen.insert(t.address_of(h)).second) out.push_back(t.address_of(h));
  return out;
}

void add_flow(Topology& t, const std::string& host, Flow f) {
  t.inbound[host].push_back(std::move(f));
}

void tier_flows(Topology& t) {
  const Stack& s = *t.stack;
  const auto &lbs = t.hosts_of("lb"), &webs = t.hosts_of("web"), &apps = t.hosts_of("app");
  const auto lb_sources = addresses(t, lbs), web_sources = addresses(t, webs), app_sources = addresses(t, apps);
  for (const auto& h : lbs) {
    add_flow(t, h, {s.tiers.lb->port.value, "tcp", {}, "http from anywhere"});
    if (t.tls) add_flow(t, h, {s.tiers.lb->tls->port.value, "tcp", {}, "https from anywhere"});
  }
  for (const auto& h : webs) {
    if (lbs.empty()) {
      add_flow(t, h, {s.tiers.web->port.value, "tcp", {}, "http from anywhere"});
    } else {
      add_flow(t, h, {web_serving_port(s), "tcp", lb_sources, "web from load balancers"});
    }
  }
  for (const auto& h : apps) add_flow(t, h, {s.tiers.app->port.value, "tcp", web_sources, "app from web tier"});
  if (!s.tiers.db) return;
  const auto& db = *s.tiers.db;
  std::string engine = stack::to_string(db.engine.value);
  for (const auto& h : db.host_names()) {
    if (h != db.primary.value) {
      add_flow(t, h, {db.port.value, "tcp", app_sources, engine + " from app tier"});
      continue;
    }
    auto sources = app_sources;
    std::unordered_set<std::string> seen(sources.begin(), sources.end());
    for (const auto& r : db.replicas)
      if (seen.insert(t.address_of(r.value)).second) sources.push_back(t.address_of(r.value));
    add_flow(t, h, {db.port.value, "tcp", std::move(sources),
                    engine + (db.replicas.empty() ? " from app tier" : " from app tier and replicas")});
  }
}

void monitoring_flows(Topology& t) {
  const Stack& s = *t.stack;
  if (!s.monitoring) return;
  const std::string& collector = s.monitoring->collector.value;
  if (s.firewall && !s.firewall->admin_cidrs.empty()) {
    std::vector<std::string> admins;
    for (const auto& c : s.firewall->admin_cidrs) add_unique(admins, c.value);
    add_flow(t, collector, {k_prometheus_port, "tcp", admins, "prometheus from admin networks"});
    add_flow(t, collector, {k_alertmanager_port, "tcp", admins, "alertmanager from admin networks"});
  }
  // Central logs: every other host ships to the log collector (rsyslog, RELP over TLS).
  const std::string& logs = s.monitoring->log_collector();
  std::vector<std::string> senders;
  for (const auto& h : s.hosts)
    if (h.name.value != logs) add_unique(senders, t.address_of(h.name.value));
  if (!senders.empty()) add_flow(t, logs, {k_logs_port, "tcp", senders, "logs from the stack's hosts"});
  std::vector<std::string> from{t.address_of(collector)};
  for (const auto& h : s.hosts) {
    const std::string& n = h.name.value;
    auto has = [&](const char* tier) { return t.carries(n, tier); };
    if (has("lb") && t.has_exporter(Exporter::haproxy))
      add_flow(t, n, {k_haproxy_stats_port, "tcp", from, "haproxy metrics from collector"});
    if (t.has_exporter(Exporter::node))
      add_flow(t, n, {k_node_exporter_port, "tcp", from, "node exporter from collector"});
    if (has("web") && t.has_exporter(Exporter::nginx))
      add_flow(t, n, {k_nginx_exporter_port, "tcp", from, "nginx exporter from collector"});
    if (has("db") && t.has_exporter(Exporter::mysqld))
      add_flow(t, n, {k_mysqld_exporter_port, "tcp", from, "mysqld exporter from collector"});
  }
}

void stack_rule_flows(Topology& t) {
  const Stack& s = *t.stack;
  for (const auto& rule : s.firewall->rules) {
    std::vector<std::string> from;
    for (const auto& f : rule.from) add_unique(from, f.value);
    std::string comment = "stack rule, line " + std::to_string(rule.pos.line);
    for (const auto& h : rule.hosts)
      add_flow(t, h.value, {rule.port.value, stack::to_string(rule.proto.value), from, comment});
  }
}

void derive_endpoints(Topology& t) {
  const Stack& s = *t.stack;
  for (const auto& h : t.hosts_of("lb")) t.lb_hosts.push_back({h, t.address_of(h), 0});
  if (s.tiers.web) {
    const int port = web_serving_port(s);
    for (const auto& h : t.hosts_of("web")) t.backends.push_back({h, t.address_of(h), port, s.is_standby("web", h)});
  }
  if (s.tiers.app)
    for (const auto& h : t.hosts_of("app"))
      t.upstreams.push_back({h, t.service_address(h), s.tiers.app->port.value, s.is_standby("app", h)});
  t.entry_hosts = t.hosts_of("lb");
  if (t.entry_hosts.empty()) t.entry_hosts = t.hosts_of("web");
  if (s.tiers.db) {
    int id = 1;
    for (const auto& h : s.tiers.db->host_names()) t.server_id[h] = id++;
  }
  if (s.tiers.lb && s.tiers.lb->vip) {
    bool first = true;
    for (const auto& h : s.tiers.lb->hosts) {
      t.vrrp_priority[h.value] = first ? 150 : 100;
      first = false;
    }
  }
}

void derive_jobs(Topology& t) {
  const Stack& s = *t.stack;
  if (!s.monitoring) return;
  auto job = [&](const std::string& name, const std::vector<std::string>& hosts, int port) {
    ScrapeJob j{name, {}};
    for (const auto& h : hosts) j.targets.push_back({h, t.address_of(h), port});
    if (!j.targets.empty()) t.jobs.push_back(std::move(j));
  };
  job("prometheus", {s.monitoring->collector.value}, k_prometheus_port);
  std::vector<std::string> all;
  for (const auto& h : s.hosts) all.push_back(h.name.value);
  if (t.has_exporter(Exporter::node)) job("node", all, k_node_exporter_port);
  if (t.has_exporter(Exporter::haproxy)) job("haproxy", t.hosts_of("lb"), k_haproxy_stats_port);
  // The floating IP scraped as one more target: whichever LB holds it answers
  // (HAProxy's stats frontend listens on every address), and when none does its
  // `up` is 0 (the FloatingIPDown alert). Its samples are dropped: they would count
  // that LB's requests twice.
  if (t.has_exporter(Exporter::haproxy) && s.tiers.lb && s.tiers.lb->vip)
    t.jobs.push_back({"vip", {{"vip", s.tiers.lb->vip->address.value, k_haproxy_stats_port}}, true});
  if (t.has_exporter(Exporter::nginx)) job("nginx", t.hosts_of("web"), k_nginx_exporter_port);
  if (t.has_exporter(Exporter::mysqld)) job("mysqld", t.hosts_of("db"), k_mysqld_exporter_port);
}

std::string record_fqdn(const std::string& name, const std::string& domain) {
  return name == "@" ? domain : name + "." + domain;
}

// A record points at the site when it names the floating IP or an entry host.
bool points_at_entry(const Topology& t, const stack::DnsRecord& r) {
  if (r.target == stack::RecordTarget::vip) return true;
  for (const auto& h : t.entry_hosts)
    if (r.resolved == t.address_of(h) || r.value.value == h) return true;
  return false;
}

void derive_site_names(Topology& t) {
  const Stack& s = *t.stack;
  t.server_name = s.tiers.web && !s.tiers.web->server_name->empty() ? s.tiers.web->server_name.value
                                                                    : "www." + s.domain.value;
  if (s.dns)
    for (const auto& r : s.dns->records) {
      if (r.type.value == stack::RecordType::txt || r.type.value == stack::RecordType::mx) continue;
      std::string fqdn = record_fqdn(r.name.value, s.domain.value);
      if (fqdn != t.server_name && points_at_entry(t, r)) add_unique(t.server_aliases, fqdn);
    }
  t.health_path = s.tiers.lb ? s.tiers.lb->health_check.path.value : "/healthz";
}

bool has_record(const Topology& t, const std::string& name) {
  return std::any_of(t.zone_records.begin(), t.zone_records.end(),
                     [&](const ZoneRecord& r) { return r.name == name; });
}

std::uint32_t serial_of(const std::vector<ZoneRecord>& records) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    h = (h ^ 0xff) * 16777619u;
  };
  for (const auto& r : records) {
    mix(r.name), mix(r.type), mix(r.value), mix(r.ttl ? std::to_string(*r.ttl) : "-");
  }
  return 1000000000u + h % 1147483647u;  // a positive 31-bit serial with 10 digits
}

// The nameserver answers DNS from anywhere, like the site it names.
void derive_nameserver(Topology& t) {
  const Stack& s = *t.stack;
  if (!s.dns) return;
  t.nameserver = s.nameserver_host();
  t.nameservers.push_back(t.nameserver);
  for (const auto& h : s.dns->secondaries) t.nameservers.push_back(h.value);
  for (const auto& ns : t.nameservers) {
    add_flow(t, ns, {53, "udp", {}, "dns from anywhere"});
    add_flow(t, ns, {53, "tcp", {}, "dns from anywhere"});
  }
}

void derive_zone(Topology& t, std::optional<std::uint32_t> serial) {
  const Stack& s = *t.stack;
  if (!s.dns) return;
  for (const auto& r : s.dns->records) {
    auto type = r.type.value;
    std::string value = r.resolved.empty() ? r.value.value : r.resolved;
    if (type == stack::RecordType::txt) value = r.value.value;  // quoted by the template (zone_txt)
    t.zone_records.push_back({r.name.value, stack::to_string(type), value, std::nullopt});
  }
  // Glue: each nameserver's name in the zone (ns1, ns2, ...) has its address.
  for (std::size_t i = 0; i < t.nameservers.size(); ++i) {
    const std::string label = Topology::ns_label(i);
    if (has_record(t, label)) continue;
    const auto* h = s.find_host(t.nameservers[i]);
    t.zone_records.push_back({label, h->ipv6() ? "AAAA" : "A", h->address.value, std::nullopt});
  }
  for (const auto& h : s.hosts)
    if (!has_record(t, h.name.value))
      t.zone_records.push_back({h.name.value, h.ipv6() ? "AAAA" : "A", h.address.value, 3600});
  t.dns_serial = serial ? *serial : serial_of(t.zone_records);
}

}  // namespace

const std::vector<std::string>& Topology::hosts_of(const std::string& tier) const {
  static const std::vector<std::string> none;
  auto it = tier_members.find(tier);
  return it == tier_members.end() ? none : it->second;
}

bool Topology::carries(const std::string& host, const std::string& tier) const {
  auto it = host_tiers.find(host);
  return it != host_tiers.end() && std::find(it->second.begin(), it->second.end(), tier) != it->second.end();
}

bool Topology::has_exporter(Exporter e) const {
  if (!stack->monitoring) return false;
  const auto& ex = stack->monitoring->exporters;
  if (ex.empty()) return e == Exporter::node;
  return std::any_of(ex.begin(), ex.end(), [&](const auto& x) { return x.value == e; });
}

bool Topology::is_collector(const std::string& host) const {
  return stack->monitoring && stack->monitoring->collector.value == host;
}

bool Topology::is_nameserver(const std::string& host) const {
  return std::find(nameservers.begin(), nameservers.end(), host) != nameservers.end();
}

bool Topology::is_entry(const std::string& host) const {
  return std::find(entry_hosts.begin(), entry_hosts.end(), host) != entry_hosts.end();
}

const std::string& Topology::address_of(const std::string& host) const {
  static const std::string none;
  auto it = address.find(host);
  return it == address.end() ? none : it->second;
}

std::string Topology::service_address(const std::string& host) const {
  return single_host ? "127.0.0.1" : address_of(host);
}

bool reencrypts(const Stack& s) {
  const auto& lb = s.tiers.lb;
  return lb && lb->tls && lb->tls->enabled.value && lb->tls->reencrypt.value && s.tiers.web;
}

int web_serving_port(const Stack& s) {
  if (reencrypts(s)) return s.tiers.lb->tls->port.value;
  return s.tiers.web ? s.tiers.web->port.value : 0;
}

Topology derive_topology(const Stack& s, std::optional<std::uint32_t> dns_serial) {
  Topology t;
  t.stack = &s;
  t.single_host = s.hosts.size() == 1;
  for (const auto& h : s.hosts) t.address[h.name.value] = h.address.value;
  for (const auto& tier : s.tier_names()) t.tier_members[tier] = s.hosts_of_tier(tier);
  for (const auto& h : s.hosts) t.host_tiers[h.name.value] = s.tiers_of_host(h.name.value);
  const auto* lb = s.tiers.lb ? &*s.tiers.lb : nullptr;
  t.tls = lb && lb->tls && lb->tls->enabled.value;
  t.reencrypt = reencrypts(s);
  derive_endpoints(t);
  derive_site_names(t);
  derive_jobs(t);
  tier_flows(t);
  derive_nameserver(t);
  monitoring_flows(t);
  if (s.firewall) stack_rule_flows(t);
  derive_zone(t, dns_serial);
  return t;
}

std::string monitoring_cert_secret(const std::string& host) {
  std::string name = "MONITORING_TLS_";
  for (char c : host) name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
  return name;
}

std::vector<std::string> monitoring_cert_names(const Topology& t, const std::string& host) {
  std::vector<std::string> names{host, host + "." + t.stack->domain.value, "IP:" + t.address_of(host)};
  const auto& lb = t.stack->tiers.lb;
  if (lb && lb->vip && t.carries(host, "lb")) names.push_back("IP:" + lb->vip->address.value);
  return names;
}

std::string mysql_host_pattern(const std::string& cidr) {
  auto slash = cidr.find('/');
  std::string addr = cidr.substr(0, slash);
  if (addr.find(':') != std::string::npos) return "%";
  int prefix = slash == std::string::npos ? 32 : std::stoi(cidr.substr(slash + 1));
  if (prefix == 32) return addr;
  if (prefix == 0) return "%";
  if (prefix % 8 == 0) {
    std::string out;
    std::size_t pos = 0;
    for (int i = 0; i < prefix / 8; ++i) {
      auto dot = addr.find('.', pos);
      out += addr.substr(pos, dot - pos) + ".";
      pos = dot + 1;
    }
    return out + "%";
  }
  std::uint32_t mask = prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
  std::string m;
  for (int shift = 24; shift >= 0; shift -= 8)
    m += std::to_string((mask >> shift) & 0xff) + (shift ? "." : "");
  return addr + "/" + m;
}

}  // namespace foobar::compile
