#include "stack/stack.h"

#include <algorithm>

#include "stack/address.h"
#include "stack/grammar.h"

namespace foobar::stack {

std::optional<std::size_t> batch_size(std::string_view batch, std::size_t hosts) {
  if (!grammar::rolling_batch_problem(batch).empty()) return std::nullopt;
  const bool percent = batch.back() == '%';
  std::size_t n = std::stoul(std::string(percent ? batch.substr(0, batch.size() - 1) : batch));
  if (percent) n = n * hosts / 100;
  return std::max<std::size_t>(1, std::min(n, std::max<std::size_t>(hosts, 1)));
}

bool Host::ipv6() const { return address.value.find(':') != std::string::npos; }

std::vector<std::string> DbTier::host_names() const {
  std::vector<std::string> out;
  if (!primary.value.empty()) out.push_back(primary.value);
  for (const auto& r : replicas) out.push_back(r.value);
  return out;
}

const Host* Stack::find_host(std::string_view name) const {
  for (const auto& h : hosts)
    if (h.name.value == name) return &h;
  return nullptr;
}

std::vector<std::string> Stack::tier_names() const {
  std::vector<std::string> out;
  if (tiers.lb) out.push_back("lb");
  if (tiers.web) out.push_back("web");
  if (tiers.app) out.push_back("app");
  if (tiers.db) out.push_back("db");
  return out;
}

namespace {
std::vector<std::string> names(const std::vector<Located<std::string>>& list) {
  std::vector<std::string> out;
  for (const auto& l : list) out.push_back(l.value);
  return out;
}
}  // namespace

std::vector<std::string> Stack::hosts_of_tier(std::string_view tier) const {
  if (tier == "lb" && tiers.lb) return names(tiers.lb->hosts);
  if (tier == "web" && tiers.web) return names(tiers.web->hosts);
  if (tier == "app" && tiers.app) return names(tiers.app->hosts);
  if (tier == "db" && tiers.db) return tiers.db->host_names();
  return {};
}

std::vector<std::string> Stack::tiers_of_host(std::string_view host) const {
  std::vector<std::string> out;
  for (const auto& t : tier_names()) {
    auto hs = hosts_of_tier(t);
    if (std::find(hs.begin(), hs.end(), host) != hs.end()) out.push_back(t);
  }
  return out;
}

bool Stack::tls_enabled() const { return tiers.lb && tiers.lb->tls && tiers.lb->tls->enabled.value; }

std::string Stack::nameserver_host() const {
  if (!dns || hosts.empty()) return "";
  if (dns->nameserver) return dns->nameserver->value;
  for (const char* tier : {"lb", "web"})
    if (auto h = hosts_of_tier(tier); !h.empty()) return h.front();
  return hosts.front().name.value;
}

bool Stack::is_standby(std::string_view tier, std::string_view host) const {
  const std::vector<Located<std::string>>* list = nullptr;
  if (tier == "web" && tiers.web) list = &tiers.web->standby;
  if (tier == "app" && tiers.app) list = &tiers.app->standby;
  if (!list) return false;
  return std::any_of(list->begin(), list->end(), [&](const auto& h) { return h.value == host; });
}

const char* to_string(RecordType t) {
  switch (t) {
    case RecordType::a: return "A";
    case RecordType::aaaa: return "AAAA";
    case RecordType::cname: return "CNAME";
    case RecordType::txt: return "TXT";
    case RecordType::mx: return "MX";
  }
  return "?";
}

const char* to_string(Balance b) {
  switch (b) {
    case Balance::roundrobin: return "roundrobin";
    case Balance::leastconn: return "leastconn";
    case Balance::source: return "source";
    case Balance::first: return "first";
    case Balance::uri: return "uri";
  }
  return "?";
}

const char* to_string(DbEngine e) { return e == DbEngine::mysql ? "mysql" : "mariadb"; }
const char* to_string(Proto p) { return p == Proto::udp ? "udp" : "tcp"; }

const char* to_string(Exporter e) {
  switch (e) {
    case Exporter::node: return "node";
    case Exporter::nginx: return "nginx";
    case Exporter::haproxy: return "haproxy";
    case Exporter::mysqld: return "mysqld";
  }
  return "?";
}

const char* to_string(AlertSeverity s) {
  switch (s) {
    case AlertSeverity::info: return "info";
    case AlertSeverity::warning: return "warning";
    case AlertSeverity::critical: return "critical";
  }
  return "?";
}

std::string format_duration(Duration d) {
  long long ms = d.count();
  if (ms != 0 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace foobar::stack
