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

bool Stack::has_tier(Tier t) const {
  switch (t) {
    case Tier::lb: return tiers.lb.has_value();
    case Tier::web: return tiers.web.has_value();
    case Tier::app: return tiers.app.has_value();
    case Tier::db: return tiers.db.has_value();
  }
  return false;
}

std::vector<std::string> Stack::tier_names() const {
  std::vector<std::string> out;
  for (Tier t : k_tiers)
    if (has_tier(t)) out.push_back(to_string(t));
  return out;
}

namespace {
std::vector<std::string> names(const std::vector<Located<std::string>>& list) {
  std::vector<std::string> out;
  for (const auto& l : list) out.push_back(l.value);
  return out;
}
}  // namespace

std::vector<std::string> Stack::hosts_of_tier(Tier tier) const {
  switch (tier) {
    case Tier::lb: return tiers.lb ? names(tiers.lb->hosts) : std::vector<std::string>{};
    case Tier::web: return tiers.web ? names(tiers.web->hosts) : std::vector<std::string>{};
    case Tier::app: return tiers.app ? names(tiers.app->hosts) : std::vector<std::string>{};
    case Tier::db: return tiers.db ? tiers.db->host_names() : std::vector<std::string>{};
  }
  return {};
}

TierSet Stack::tier_set_of(std::string_view host) const {
  TierSet out;
  for (Tier t : k_tiers) {
    auto hs = hosts_of_tier(t);
    if (std::find(hs.begin(), hs.end(), host) != hs.end()) out.insert(t);
  }
  return out;
}

std::vector<std::string> Stack::tiers_of_host(std::string_view host) const { return tier_set_of(host).names(); }

std::vector<Tier> TierSet::list() const {
  std::vector<Tier> out;
  for (Tier t : k_tiers)
    if (has(t)) out.push_back(t);
  return out;
}

std::vector<std::string> TierSet::names() const {
  std::vector<std::string> out;
  for (Tier t : list()) out.push_back(to_string(t));
  return out;
}

bool Stack::tls_enabled() const { return tiers.lb && tiers.lb->tls && tiers.lb->tls->enabled.value; }

std::string Stack::nameserver_host() const {
  if (!dns || hosts.empty()) return "";
  if (dns->nameserver) return dns->nameserver->value;
  for (Tier tier : {Tier::lb, Tier::web})
    if (auto h = hosts_of_tier(tier); !h.empty()) return h.front();
  return hosts.front().name.value;
}

bool Stack::is_standby(std::string_view tier, std::string_view host) const {
  auto t = parse_tier(tier);
  return t && is_standby(*t, host);
}

bool Stack::is_standby(Tier tier, std::string_view host) const {
  const std::vector<Located<std::string>>* list = nullptr;
  if (tier == Tier::web && tiers.web) list = &tiers.web->standby;
  if (tier == Tier::app && tiers.app) list = &tiers.app->standby;
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

const char* to_string(Tier t) {
  switch (t) {
    case Tier::lb: return "lb";
    case Tier::web: return "web";
    case Tier::app: return "app";
    case Tier::db: return "db";
  }
  return "?";
}

std::optional<Tier> parse_tier(std::string_view name) {
  for (Tier t : k_tiers)
    if (name == to_string(t)) return t;
  return std::nullopt;
}

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
