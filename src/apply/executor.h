// Executes a plan on hosts the caller has locked (apply/lock.h): per host, the
// changing actions in the plan's dependency order (hosts in parallel, cross-host
// dependencies respected), then the host's manifest. Each change records the
// handlers it notifies in the host's journal in the same remote step, and each
// handler clears its line when it ran, so a run killed in between leaves the
// handler pending for the next plan and apply (docs/plan.md). Changes that interrupt
// service roll (options.roll): a batch of hosts at a time, each drained before its
// change and gated after it; a failed gate stops the roll and leaves that host's
// handlers pending, so the next apply rolls it first again.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "apply/operations.h"
#include "apply/rolling.h"
#include "apply/scheduler.h"
#include "graph/graph.h"
#include "plan/plan.h"
#include "transport/connector.h"

namespace foobar {

struct ApplyEvent {
  std::string host;
  std::string what;  // "create file:/etc/nginx/...", "manifest"
  enum class Phase { started, done, failed, skipped } phase;
  std::string detail;  // failure message
};

struct ApplyOptions {
  std::string stack;
  ScheduleOptions schedule;
  bool purge = false;  // destroy: also database data and packages
  SecretLookup secrets;
  std::vector<std::string> secret_values;  // masked in messages
  std::function<void(const ApplyEvent&)> on_event;  // called from worker threads, serialized
  // Batches, drains and gates of changes that interrupt service (apply/rolling.h);
  // the default rolls nothing.
  RollPolicy roll;
};

struct ActionOutcome {
  std::string host;
  std::string id;
  ActionType type = ActionType::noop;
  StepOutcome outcome = StepOutcome::not_run;
  std::string message;  // why it failed
};

struct ApplyResult {
  std::vector<ActionOutcome> actions;
  Diagnostics errors;  // manifest and action failures, one line each
  Diagnostics warnings;
  bool ok() const { return errors.empty(); }
};

// `connectors` holds one connector per host of the plan that has changes.
ApplyResult apply_plan(const Plan& plan, const Graph& graph,
                       const std::map<std::string, transport::Connector*>& connectors,
                       const ApplyOptions& options);

}  // namespace foobar
