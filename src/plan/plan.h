// A plan: for every resource of every targeted host, what apply would do and why,
// computed from the graph (desired) and the probed facts (present). Computing a
// plan prints nothing and touches no host.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "facts/facts.h"
#include "graph/graph.h"
#include "plan/grants.h"
#include "util/diagnostic.h"

namespace foobar {

enum class ActionType {
  create,   // missing on the host
  update,   // present but different (or a guarded command that will run)
  destroy,  // in the host's manifest, no longer desired
  noop,     // already as desired
  reload,   // a service reloaded because something it depends on changed
  restart,  // likewise, restarted
};

const char* to_string(ActionType t);

struct Action {
  std::string id;
  std::string host;
  ResourceKind kind = ResourceKind::file;
  std::string name;
  ActionType type = ActionType::noop;
  std::vector<std::string> reasons;  // "content changed", "mode 0644 -> 0600", ...
  std::string diff;                  // files: unified diff, secrets masked
  bool sensitive = false;            // a file whose content is never shown
  // A service changed anyway (e.g. enabled) that must also reload/restart.
  std::optional<OnChange> handler;
  std::vector<std::string> notified_by;  // ids of the changes that trigger the handler
  std::vector<Grant> revoke_grants;      // db_user: grants held that the stack does not list

  bool changes() const { return type != ActionType::noop; }
};

struct HostPlan {
  std::string host;
  bool reachable = true;
  std::string unreachable_reason;
  LockFact lock;
  std::vector<Action> actions;  // dependency order; destroys last, in reverse order
  // What the host reports that a reviewer wants to see even when nothing changes,
  // e.g. "replication from db-01 (10.77.0.41): IO Yes, SQL Yes, 0 s behind, GTID 0-1-42".
  std::vector<std::string> facts;
  // No manifest of the stack on the host: it never served the stack, so nothing its
  // changes interrupt is in rotation yet (a host joining its tiers).
  bool first_apply = false;
};

struct PlanSummary {
  int create = 0;
  int update = 0;
  int destroy = 0;
  int reload = 0;   // handlers, counted apart from changes
  int restart = 0;
  int unchanged = 0;
  int unreachable = 0;  // hosts
};

struct Plan {
  std::string stack;
  std::vector<HostPlan> hosts;  // sorted by name
  Diagnostics diagnostics;      // warnings: held locks, unreadable manifests...

  PlanSummary summary() const;
  bool has_changes() const;
  bool complete() const;  // every targeted host was reachable
  // An error diagnostic refuses the whole plan (the stack's primary is not the running
  // one): apply changes nothing.
  bool refused() const;
  const Action* find(const std::string& id) const;
};

struct PlanOptions {
  std::string stack;
  std::vector<std::string> hosts;  // --target, resolved to hosts; empty: every host
  std::vector<std::string> secret_values;  // masked in every diff
  std::map<std::string, std::string> unreachable_reasons;  // host -> why there are no facts
  int diff_context = 3;
  // The stack's database primary and where the stack file says so;
  // a database host that recorded another running primary (db switchover/failover)
  // makes the plan refused until the stack names that one.
  std::string db_primary;
  std::string db_primary_file;
  SourcePos db_primary_pos;
};

// The resources of one host, for its probe and its manifest.
std::vector<const Resource*> host_resources(const Graph& graph, const std::string& host);

Plan make_plan(const Graph& graph, const std::map<std::string, Facts>& facts_by_host, const PlanOptions& options);

// "Plan: 1 to create, 2 to update, 0 to destroy."
std::string summary_line(const PlanSummary& s);

// Replaces every occurrence of a secret value by "********" (longest values first).
std::string mask_secrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace foobar
