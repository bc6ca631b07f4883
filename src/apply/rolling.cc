#include "apply/rolling.h"

#include <algorithm>
#include <set>

namespace foobar {

bool interrupts(const Action& a, const std::vector<std::string>& services) {
  if (a.kind != ResourceKind::service) return false;
  if (std::find(services.begin(), services.end(), a.name) == services.end()) return false;
  return a.type == ActionType::reload || a.type == ActionType::restart || a.type == ActionType::destroy ||
         a.handler.has_value();
}

namespace {

// Whether the action starts one of `services`, stopped now.
bool starts_stopped(const Action& a, const std::vector<std::string>& services) {
  return a.kind == ResourceKind::service && a.type == ActionType::update &&
         std::find(services.begin(), services.end(), a.name) != services.end();
}

std::string describe(const Action& a) {
  return std::string(action_name(a.type)) + " " + kind_name(a.kind) + " " + a.name;
}

}  // namespace

std::vector<TierRoll> plan_roll(const Plan& plan, const RollPolicy& policy) {
  std::vector<TierRoll> out;
  if (!policy.enabled) return out;
  std::map<std::string, const HostPlan*> by_host;
  for (const auto& hp : plan.hosts)
    if (hp.reachable) by_host[hp.host] = &hp;
  std::set<std::string> taken;  // hosts already rolling with an earlier tier
  for (const RollTier& t : policy.tiers) {
    if (t.hosts.size() < 2) continue;
    TierRoll roll{t.tier, {}, {}};
    std::vector<std::string> rolling, starting;
    for (const auto& host : t.hosts) {
      auto it = by_host.find(host);
      if (it == by_host.end() || taken.count(host)) continue;
      std::vector<std::string> why;
      bool starts = false;
      for (const auto& a : it->second->actions) {
        if (interrupts(a, t.services)) why.push_back(describe(a));
        starts = starts || starts_stopped(a, t.services);
      }
      if (!why.empty()) {
        roll.interrupting[host] = std::move(why);
        rolling.push_back(host);
      } else if (starts) {
        starting.push_back(host);
      }
    }
    // A host whose service is down (a release that could not start, say) goes first
    // and is gated before any other host of the tier stops; on a first apply, where
    // nothing is interrupted, nothing rolls.
    if (!rolling.empty())
      for (auto h = starting.rbegin(); h != starting.rend(); ++h) {
        roll.interrupting[*h] = {"starts a stopped request-path service (it is out of rotation now)"};
        rolling.insert(rolling.begin(), *h);
      }
    taken.insert(rolling.begin(), rolling.end());
    const std::size_t batch = std::max<std::size_t>(1, t.batch);
    for (std::size_t i = 0; i < rolling.size(); i += batch)
      roll.batches.emplace_back(rolling.begin() + static_cast<std::ptrdiff_t>(i),
                                rolling.begin() + static_cast<std::ptrdiff_t>(std::min(rolling.size(), i + batch)));
    if (!roll.batches.empty()) out.push_back(std::move(roll));
  }
  return out;
}

std::vector<std::string> write_interruptions(const Plan& plan, const RollPolicy& policy) {
  std::vector<std::string> out;
  for (const auto& hp : plan.hosts)
    if (hp.reachable && hp.host == policy.write_primary)
      for (const auto& a : hp.actions)
        if (interrupts(a, policy.write_services)) out.push_back(describe(a));
  return out;
}

}  // namespace foobar
