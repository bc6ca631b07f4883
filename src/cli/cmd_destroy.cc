// foobarctl destroy: remove what foobarctl manages on the stack's hosts, from each
// host's manifest, in reverse dependency order. Data and packages stay unless --purge.
#include <cstdio>

#include "cli/apply_run.h"
#include "cli/commands.h"
#include "cli/remote.h"

namespace foobar::cli {

cxxopts::Options options_destroy() {
  cxxopts::Options opts("foobarctl destroy", "remove what foobarctl manages from the stack's hosts");
  opts.positional_help("STACK");
  add_remote_options(opts);
  add_apply_options(opts);
  opts.add_options()("purge", "also drop databases and remove packages")(
      "force", "destroy even a stack marked `protected: true`")("h,help", "show this help");
  return opts;
}

int cmd_destroy(std::vector<std::string> args, const GlobalOptions& global) {
  cxxopts::Options opts = options_destroy();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  auto remote = open_remote("foobarctl destroy", parsed);
  if (!remote) return 1;
  const auto& prot = remote->compiled.stack.protected_;
  if (prot.value && !parsed.count("force")) {
    std::fprintf(stderr, "%s:%d:%d: error: stack '%s' is protected; remove `protected: true` or pass --force\n",
                 remote->compiled.stack.file.c_str(), prot.pos.line, prot.pos.column,
                 remote->compiled.stack.name.value.c_str());
    return 1;
  }
  const Graph nothing;  // desired: nothing, so every managed resource is destroyed
  std::map<std::string, std::string> fingerprints;
  SavedPlan basis;
  basis.plan = remote->make_plan(nothing, &fingerprints);
  basis.inputs = plan_inputs(*remote, std::move(fingerprints));
  basis.hosts = remote->hosts;
  return confirm_and_apply("foobarctl destroy", *remote, basis, nothing, parsed, global, parsed.count("purge") > 0,
                           false);
}

}  // namespace foobar::cli
