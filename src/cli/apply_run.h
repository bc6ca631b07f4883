// The part apply and destroy share: show the plan, ask, execute, report.
#pragma once

#include <string>

#include "cli/commands.h"
#include "cli/remote.h"
#include "plan/plan_file.h"

namespace foobar::cli {

// Adds --auto-approve and --keep-going.
void add_apply_options(cxxopts::Options& opts);

// Asks on the terminal unless --auto-approve; false when not confirmed.
bool confirmed(const std::string& command, const cxxopts::ParseResult& parsed);

// What the plan was computed from, as of now: hashes of the stack, templates and
// desired state, and the facts fingerprints given.
PlanInputs plan_inputs(const Remote& remote, std::map<std::string, std::string> fingerprints);

// Shows `basis.plan`, asks for confirmation (unless --auto-approve or `saved`: a
// saved plan was reviewed already), locks every targeted host (all or nothing),
// probes them again under the lock and refuses, changing nothing, if anything the
// plan rests on changed; then applies the plan against `desired`, releases the
// locks and reports. Returns the exit code.
int confirm_and_apply(const std::string& command, const Remote& remote, const SavedPlan& basis, const Graph& desired,
                      const cxxopts::ParseResult& parsed, const GlobalOptions& global, bool purge, bool saved);

}  // namespace foobar::cli
