// foobarctl apply: plan, confirm, and make the hosts match the stack.
#include <cstdio>

#include "cli/apply_run.h"
#include "cli/commands.h"
#include "cli/remote.h"

namespace foobar::cli {

cxxopts::Options options_apply() {
  cxxopts::Options opts("foobarctl apply", "make the hosts match the stack, in dependency order, hosts in parallel");
  opts.positional_help("STACK");
  add_remote_options(opts);
  add_apply_options(opts);
  opts.add_options()("h,help", "show this help");
  return opts;
}

int cmd_apply(std::vector<std::string> args, const GlobalOptions& global) {
  cxxopts::Options opts = options_apply();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  auto remote = open_remote("foobarctl apply", parsed);
  if (!remote) return 1;
  Plan plan = remote->make_plan(remote->compiled.graph);
  return confirm_and_apply("foobarctl apply", *remote, plan, remote->compiled.graph, parsed, global, false);
}

}  // namespace foobar::cli
