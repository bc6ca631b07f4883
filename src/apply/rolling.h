// Rolling changes (DESIGN.md, "Changing a live stack"): a change that reloads or
// restarts a service in the request path of a tier with more than one host runs on
// that tier's hosts in batches, each host drained before its change and health-gated
// after it. This file decides the roll from a plan; the executor runs it. Deciding
// does no I/O: the drains and gates are remote calls the caller built (cli, from the
// compiled stack), run by the executor around each host.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "apply/operations.h"
#include "plan/plan.h"

namespace foobar {

// A drain or a gate: a call of the remote library on `host` (the rolled host itself,
// or a load balancer in front of it). It exits non-zero when it failed; its output
// says what it saw. Every wait in it is bounded.
struct GuardCall {
  std::string host;
  RemoteCall call;
  std::string what;  // "drain in HAProxy on lb-01", "gate: nginx answers on web-01"
};

// What runs around one rolled host: the drains before its change, and after it (also
// after a failed change, so a host whose new config was refused comes back) the gates,
// in order; a gate that fails ends the list, so the host stays out of rotation.
struct HostGuard {
  std::vector<GuardCall> drain;
  std::vector<GuardCall> gate;
  // The holder of a floating IP (the VRRP MASTER): before a change that stops or
  // restarts one of `move_services` (a reload keeps the connections to the address,
  // moving it resets them, so only then), `move` hands the address to the peer and
  // waits until the peer holds it; `move_back` (after the gates) takes it back.
  std::vector<std::string> move_services = {};
  std::vector<GuardCall> move = {}, move_back = {};
};

// The drains and gates that run around a host: with its floating IP moved away first
// and back last when `moves`.
HostGuard effective_guard(const HostGuard& g, bool moves);

// A tier that rolls: its hosts in roll order, the hosts of one batch, and the
// services whose reload or restart interrupts its part of the request path.
struct RollTier {
  std::string tier;  // "app", "web", "lb"
  std::vector<std::string> hosts;
  std::size_t batch = 1;
  std::vector<std::string> services;
};

struct RollPolicy {
  bool enabled = true;
  std::vector<RollTier> tiers;  // in roll order: one tier's roll ends before the next one's starts
  std::map<std::string, HostGuard> guards;  // by rolled host
  // The database primary and its server's services: a restart there pauses writes,
  // which no roll can hide (the replicas keep serving reads).
  std::string write_primary;
  std::vector<std::string> write_services;
};

// The roll of one tier: the hosts whose changes interrupt service, in batches, each
// with the actions that interrupt (as the plan prints them, "restart service foobar-app").
// Hosts join and leave a tier too (scale out and in): a host where the tier's service
// starts (a new host) is gated before the changes of the later tiers that send it
// traffic (`reloads`: HAProxy or nginx taking it in), and a host where the tier's
// service is removed (no longer in the tier) stops only after them (they take it out
// first). Joining and leaving hosts change in parallel, out of rotation.
struct TierRoll {
  std::string tier;
  std::vector<std::vector<std::string>> batches;
  std::map<std::string, std::vector<std::string>> interrupting;
  std::map<std::string, std::vector<std::string>> joining = {}, leaving = {};  // host -> its starts / removals
  std::vector<std::string> reloads = {};  // hosts of later tiers whose changes interrupt there
  std::set<std::string> moves_ip = {};    // rolled hosts whose floating IP moves to the peer first
};

// Whether the action reloads, restarts or stops one of `services`.
bool interrupts(const Action& a, const std::vector<std::string>& services);
// Whether it stops or restarts one of them (more than a reload).
bool stops_or_restarts(const Action& a, const std::vector<std::string>& services);

// The rolls of a plan: for each tier of the policy with more than one host, the
// hosts whose changes interrupt service (a host in several tiers rolls with the
// first of them it interrupts), and for every tier the hosts joining and leaving it.
// Hosts with other changes are in no batch: they change in parallel as before.
// Empty when the policy is disabled.
std::vector<TierRoll> plan_roll(const Plan& plan, const RollPolicy& policy);

// The actions of the plan that stop or restart the database server on the primary
// ("restart service mariadb"), with or without rolling: writes pause while they run.
std::vector<std::string> write_interruptions(const Plan& plan, const RollPolicy& policy);

}  // namespace foobar
