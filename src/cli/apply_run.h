// The part apply and destroy share: show the plan, ask, execute, report.
#pragma once

#include <string>

#include "cli/commands.h"
#include "cli/remote.h"

namespace foobar::cli {

// Adds --auto-approve and --keep-going.
void add_apply_options(cxxopts::Options& opts);

// Shows `plan`, asks for confirmation (unless --auto-approve), applies it against
// `desired` and reports. Returns the exit code.
int confirm_and_apply(const std::string& command, const Remote& remote, const Plan& plan, const Graph& desired,
                      const cxxopts::ParseResult& parsed, const GlobalOptions& global, bool purge);

}  // namespace foobar::cli
