#include "review/review.h"

#include <algorithm>

#include "review/checks.h"
#include "util/strings.h"

namespace foobar::review {

namespace detail {

void Ctx::add(std::string code, Sev sev, SourcePos pos, std::string tier, std::vector<std::string> hosts,
              std::string message, std::string why, std::string fix) const {
  out.push_back(Finding{std::move(code), sev, s.file, pos, std::move(tier), std::move(hosts), std::move(message),
                        std::move(why), std::move(fix)});
}

std::vector<std::string> tiers_of(const compile::Topology& t, const std::string& host) {
  return t.host_index.count(host) ? t.host(host).tiers.names() : std::vector<std::string>{};
}

std::vector<std::string> used_hosts(const compile::Topology& t) {
  std::vector<std::string> out;
  for (const auto& h : t.stack->hosts)
    if (!tiers_of(t, h.name.value).empty() || t.is_collector(h.name.value)) out.push_back(h.name.value);
  return out;
}

bool single_host_site(const compile::Topology& t) { return used_hosts(t).size() == 1; }

bool is_public(const compile::Topology& t) {
  const auto& dns = t.stack->dns;
  return !t.entry_hosts.empty() || (dns && !dns->records.empty());
}

}  // namespace detail

Findings check_stack(const compile::Topology& t) {
  Findings out;
  const detail::Ctx c{t, *t.stack, out};
  detail::check_redundancy(c);
  detail::check_health_path(c);
  detail::check_firewall(c);
  detail::check_tls(c);
  detail::check_monitoring(c);
  // Errors first; within a severity the order of the checks above (by theme).
  std::stable_sort(out.begin(), out.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
  return out;
}

Findings check_across(const std::vector<const compile::Topology*>& topologies) {
  Findings out;
  detail::check_router_ids(topologies, out);
  detail::check_server_ids(topologies, out);
  return out;
}

Findings check_stacks(const std::vector<const stack::Stack*>& stacks) {
  std::vector<compile::Topology> topologies;
  topologies.reserve(stacks.size());
  for (const stack::Stack* s : stacks) topologies.push_back(compile::derive_topology(*s));
  Findings out;
  std::vector<const compile::Topology*> all;
  for (const auto& t : topologies) {
    Findings f = check_stack(t);
    out.insert(out.end(), f.begin(), f.end());
    all.push_back(&t);
  }
  Findings across = check_across(all);
  out.insert(out.end(), across.begin(), across.end());
  return out;
}

}  // namespace foobar::review
