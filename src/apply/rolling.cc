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

bool stops_or_restarts(const Action& a, const std::vector<std::string>& services) {
  return interrupts(a, services) &&
         (a.type == ActionType::restart || a.type == ActionType::destroy || (a.handler && *a.handler == OnChange::restart));
}

HostGuard effective_guard(const HostGuard& g, bool moves) {
  HostGuard out{g.drain, g.gate};
  if (!moves) return out;
  out.drain.insert(out.drain.begin(), g.move.begin(), g.move.end());
  out.gate.insert(out.gate.end(), g.move_back.begin(), g.move_back.end());
  return out;
}

namespace {

// Whether the action starts one of `services`, stopped now.
bool starts_stopped(const Action& a, const std::vector<std::string>& services) {
  return a.kind == ResourceKind::service && a.type == ActionType::update &&
         std::find(services.begin(), services.end(), a.name) != services.end();
}

// Whether the action removes one of `services` (the host left the tier).
bool removes(const Action& a, const std::vector<std::string>& services) {
  return a.kind == ResourceKind::service && a.type == ActionType::destroy &&
         std::find(services.begin(), services.end(), a.name) != services.end();
}

std::string describe(const Action& a) {
  return std::string(to_string(a.type)) + " " + to_string(a.kind) + " " + a.name;
}

// The hosts of the tiers after `tier` whose changes interrupt their tier's service:
// the HAProxy or nginx reloads that take hosts of `tier` in or out.
std::vector<std::string> later_reloads(const RollPolicy& policy, std::size_t tier,
                                       const std::map<std::string, const HostPlan*>& by_host) {
  std::set<std::string> out;
  for (std::size_t j = tier + 1; j < policy.tiers.size(); ++j)
    for (const auto& host : policy.tiers[j].hosts)
      if (auto it = by_host.find(host); it != by_host.end())
        for (const auto& a : it->second->actions)
          if (interrupts(a, policy.tiers[j].services)) out.insert(host);
  return {out.begin(), out.end()};
}

}  // namespace

namespace {

using ByHost = std::map<std::string, const HostPlan*>;

// A tier's hosts by what their actions do to its service.
struct TierScan {
  std::vector<std::string> rolling;   // interrupted: rolled in batches
  std::vector<std::string> starting;  // a stopped service starts
  std::map<std::string, std::vector<std::string>> starts;  // host -> what starts
};

TierScan scan_tier(const RollTier& t, const RollPolicy& policy, const ByHost& by_host,
                   const std::set<std::string>& taken, TierRoll& roll) {
  TierScan scan;
  for (const auto& host : t.hosts) {
    auto it = by_host.find(host);
    if (it == by_host.end() || taken.count(host)) continue;
    std::vector<std::string> why;
    for (const auto& a : it->second->actions) {
      if (interrupts(a, t.services)) why.push_back(describe(a));
      if (starts_stopped(a, t.services)) scan.starts[host].push_back(std::string("start ") + to_string(a.kind) + " " + a.name);
    }
    // A host the stack was never applied to serves nobody yet (a package's default
    // site, say): what its changes restart interrupts nothing, it joins.
    if (it->second->first_apply && !why.empty()) {
      scan.starts[host].insert(scan.starts[host].end(), why.begin(), why.end());
      why.clear();
    }
    if (!why.empty()) {
      roll.interrupting[host] = std::move(why);
      scan.rolling.push_back(host);
      if (auto g = policy.guards.find(host); g != policy.guards.end() && !g->second.move.empty())
        for (const auto& a : it->second->actions)
          if (stops_or_restarts(a, g->second.move_services)) roll.moves_ip.insert(host);
    } else if (scan.starts.count(host)) {
      scan.starting.push_back(host);
    }
  }
  if (t.hosts.size() < 2) {  // nothing to fail over to: the tier does not roll
    scan.rolling.clear();
    roll.moves_ip.clear();
  }
  return scan;
}

// Hosts the tier's service leaves: in the plan, not in the tier, removing it.
void find_leaving(const RollTier& t, const ByHost& by_host, const std::set<std::string>& taken, TierRoll& roll) {
  if (roll.reloads.empty()) return;
  std::set<std::string> own(t.hosts.begin(), t.hosts.end());
  for (const auto& [host, hp] : by_host) {
    if (own.count(host) || taken.count(host)) continue;
    for (const auto& a : hp->actions)
      if (removes(a, t.services)) roll.leaving[host].push_back(describe(a));
  }
}

}  // namespace

std::vector<TierRoll> plan_roll(const Plan& plan, const RollPolicy& policy) {
  std::vector<TierRoll> out;
  if (!policy.enabled) return out;
  ByHost by_host;
  for (const auto& hp : plan.hosts)
    if (hp.reachable) by_host[hp.host] = &hp;
  std::set<std::string> taken;  // hosts already rolling, joining or leaving with an earlier tier
  for (std::size_t ti = 0; ti < policy.tiers.size(); ++ti) {
    const RollTier& t = policy.tiers[ti];
    TierRoll roll{t.tier, {}, {}, {}, {}, later_reloads(policy, ti, by_host)};
    TierScan scan = scan_tier(t, policy, by_host, taken, roll);
    auto& rolling = scan.rolling;
    find_leaving(t, by_host, taken, roll);
    // A host whose service starts while others are interrupted rolls first (below);
    // while nothing of the tier rolls but a later tier's reload would send it
    // traffic, it joins: gated before that reload.
    if (rolling.empty() && !roll.reloads.empty())
      for (const auto& host : scan.starting) roll.joining[host] = scan.starts[host];
    for (const auto& [host, why] : roll.joining) taken.insert(host);
    for (const auto& [host, why] : roll.leaving) taken.insert(host);
    // A host whose service is down (a release that could not start, say) goes first
    // and is gated before any other host of the tier stops; on a first apply, where
    // nothing is interrupted, nothing rolls.
    if (!rolling.empty())
      for (auto h = scan.starting.rbegin(); h != scan.starting.rend(); ++h) {
        roll.interrupting[*h] = {"starts a stopped request-path service (it is out of rotation now)"};
        rolling.insert(rolling.begin(), *h);
      }
    taken.insert(rolling.begin(), rolling.end());
    const std::size_t batch = std::max<std::size_t>(1, t.batch);
    for (std::size_t i = 0; i < rolling.size(); i += batch)
      roll.batches.emplace_back(rolling.begin() + static_cast<std::ptrdiff_t>(i),
                                rolling.begin() + static_cast<std::ptrdiff_t>(std::min(rolling.size(), i + batch)));
    if (!roll.batches.empty() || !roll.joining.empty() || !roll.leaving.empty()) out.push_back(std::move(roll));
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
