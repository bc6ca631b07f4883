#include "compile/topology.h"

#include <cctype>

#include <algorithm>

namespace foobar::compile {

using stack::Exporter;
using stack::Stack;
using stack::Tier;

namespace {

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

void derive_endpoints(Topology& t) {
  const Stack& s = *t.stack;
  for (const auto& h : t.hosts_of(Tier::lb)) t.lb_hosts.push_back({h, t.address_of(h), 0});
  if (s.tiers.web) {
    const int port = web_serving_port(s);
    for (const auto& h : t.hosts_of(Tier::web))
      t.backends.push_back({h, t.address_of(h), port, s.is_standby(Tier::web, h)});
  }
  if (s.tiers.app)
    for (const auto& h : t.hosts_of(Tier::app))
      t.upstreams.push_back({h, t.service_address(h), s.tiers.app->port.value, s.is_standby(Tier::app, h)});
  t.entry_hosts = t.hosts_of(Tier::lb);
  if (t.entry_hosts.empty()) t.entry_hosts = t.hosts_of(Tier::web);
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
  if (t.has_exporter(Exporter::node)) job("node", all, exporter_port(Exporter::node));
  if (t.has_exporter(Exporter::haproxy)) job("haproxy", t.hosts_of(Tier::lb), exporter_port(Exporter::haproxy));
  // The floating IP scraped as one more target: whichever LB holds it answers
  // (HAProxy's stats frontend listens on every address), and when none does its
  // `up` is 0 (the FloatingIPDown alert). Its samples are dropped: they would count
  // that LB's requests twice.
  if (t.has_exporter(Exporter::haproxy) && s.tiers.lb && s.tiers.lb->vip)
    t.jobs.push_back({"vip", {{"vip", s.tiers.lb->vip->address.value, k_haproxy_stats_port}}, true});
  if (t.has_exporter(Exporter::nginx)) job("nginx", t.hosts_of(Tier::web), exporter_port(Exporter::nginx));
  if (t.has_exporter(Exporter::mysqld)) job("mysqld", t.hosts_of(Tier::db), exporter_port(Exporter::mysqld));
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

void derive_nameserver(Topology& t) {
  const Stack& s = *t.stack;
  if (!s.dns) return;
  t.nameserver = s.nameserver_host();
  t.nameservers.push_back(t.nameserver);
  for (const auto& h : s.dns->secondaries) t.nameservers.push_back(h.value);
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

const std::vector<std::string>& Topology::hosts_of(Tier tier) const {
  static const std::vector<std::string> none;
  auto it = tier_members.find(tier);
  return it == tier_members.end() ? none : it->second;
}

bool Topology::carries(const std::string& host, Tier tier) const {
  auto it = host_index.find(host);
  return it != host_index.end() && hosts[it->second].carries(tier);
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
  for (Tier tier : stack::k_tiers)
    if (s.has_tier(tier)) t.tier_members[tier] = s.hosts_of_tier(tier);
  const auto* lb = s.tiers.lb ? &*s.tiers.lb : nullptr;
  t.tls = lb && lb->tls && lb->tls->enabled.value;
  t.reencrypt = reencrypts(s);
  derive_endpoints(t);
  derive_site_names(t);
  derive_jobs(t);
  derive_nameserver(t);
  derive_host_models(t);
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
  if (lb && lb->vip && t.carries(host, Tier::lb)) names.push_back("IP:" + lb->vip->address.value);
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
