// A saved plan (`plan --out FILE`): the plan with everything it was computed from,
// so `apply FILE` runs exactly it or refuses. It records the stack file's and the
// templates' hashes, the hash of the compiled desired state (templates, app source
// and secrets as rendered), foobarctl's version and each host's facts fingerprint.
// Diffs are masked as in every plan output; the file is written mode 0600.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "plan/plan.h"
#include "util/result.h"

namespace foobar {

inline constexpr int k_saved_plan_version = 1;

struct PlanInputs {
  std::string version;         // foobarctl's
  std::string stack_file;      // absolute
  std::string stack_hash;      // sha256 of the stack file's bytes
  std::string templates_dir;   // absolute
  std::string templates_hash;  // tree_hash of the template directory
  std::string source_base;     // absolute; where the app tier's source is found
  std::string desired_hash;    // desired_hash of the compiled graph
  std::map<std::string, std::string> fingerprints;  // host -> facts_fingerprint
};

struct SavedPlan {
  std::string created;  // UTC
  PlanInputs inputs;
  std::vector<std::string> hosts;  // the targeted hosts
  Plan plan;
};

std::string saved_plan_to_json(const SavedPlan& saved);
Result<SavedPlan> parse_saved_plan(const std::string& where, std::string_view text);
// True when the text looks like a saved plan rather than a stack file.
bool is_saved_plan(std::string_view text);

// sha256 over every regular file below `dir` (relative path and content, in path order).
Result<std::string> tree_hash(const std::filesystem::path& dir);
// sha256 over the graph's resources (ids and desired-state hashes).
std::string desired_hash(const Graph& graph);

// Why the saved plan no longer holds, one sentence each; empty when it does.
// `now` holds the current inputs, `replan` the plan computed from the current facts.
std::vector<std::string> stale_reasons(const SavedPlan& saved, const PlanInputs& now, const Plan& replan);

// What differs between a host's plan as shown and as computed again, e.g.
// "update file /opt/foobar/app.py (content changed) was no-op"; at most `limit` items.
std::vector<std::string> host_drift(const HostPlan& before, const HostPlan& now, std::size_t limit = 3);

}  // namespace foobar
