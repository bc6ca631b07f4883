// Runs a DAG of steps: a step starts once every step it depends on has succeeded.
// Steps of one host run one at a time (a host has one connection); different hosts
// run in parallel, up to `parallelism` at once. It only schedules: what a step does
// is the caller's.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace foobar {

struct Step {
  std::string host;
  std::vector<std::size_t> deps;  // indices of steps that must succeed first
};

enum class StepOutcome {
  succeeded,
  failed,
  skipped,  // a dependency failed or was skipped
  not_run,  // stopped after a failure elsewhere (without keep_going)
};

struct ScheduleOptions {
  std::size_t parallelism = 32;
  // After a failure: false stops starting new steps (running ones finish);
  // true goes on with every step that does not depend on the failed one.
  bool keep_going = false;
};

// `run` executes one step and says whether it succeeded; it is called from worker
// threads, never twice at once for the same host. Returns one outcome per step.
// Dependencies must form a DAG (the graph module checks that before).
std::vector<StepOutcome> run_steps(const std::vector<Step>& steps,
                                   const std::function<bool(std::size_t)>& run,
                                   const ScheduleOptions& options);

}  // namespace foobar
