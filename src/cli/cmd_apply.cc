// foobarctl apply: plan, confirm, and make the hosts match the stack; or apply a
// saved plan (`plan --out FILE`) exactly, without asking, or refuse if it is stale.
#include <cstdio>

#include "cli/apply_run.h"
#include "cli/commands.h"
#include "cli/remote.h"
#include "cli/roll_policy.h"
#include "plan/plan_file.h"
#include "util/file.h"

namespace foobar::cli {

namespace {

// The arguments that reload what the saved plan was made from: its stack file,
// templates, source base and targets, plus the options given now (--lab, --known-hosts...).
std::vector<std::string> saved_plan_args(const std::vector<std::string>& args, const std::string& file,
                                         const SavedPlan& saved) {
  std::vector<std::string> out;
  for (const auto& a : args) out.push_back(a == file ? saved.inputs.stack_file : a);
  out.push_back("--templates=" + saved.inputs.templates_dir);
  out.push_back("--source-base=" + saved.inputs.source_base);
  for (const auto& h : saved.hosts) out.push_back("--target=" + h);
  return out;
}

int apply_saved(const std::string& file, const std::string& text, std::vector<std::string> args,
                cxxopts::Options& opts, const cxxopts::ParseResult& given, const GlobalOptions& global) {
  const std::string command = "foobarctl apply";
  for (const char* option : {"templates", "source-base", "target"})
    if (given.count(option)) {
      std::fprintf(stderr, "%s: --%s cannot be given with a saved plan: %s records it\n", command.c_str(), option,
                   file.c_str());
      return 1;
    }
  auto saved = parse_saved_plan(file, text);
  if (!saved) {
    for (const auto& d : saved.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return 1;
  }
  auto reloaded = saved_plan_args(args, file, *saved);
  auto parsed = parse_args(opts, reloaded);
  if (!parsed) return 1;
  auto remote = open_remote(command, *parsed);
  if (!remote) return 1;
  std::printf("Applying the saved plan %s (made %s by foobarctl %s).\n\n", file.c_str(), saved->created.c_str(),
              saved->inputs.version.c_str());
  return confirm_and_apply(command, *remote, *saved, remote->compiled.graph, *parsed, global, false, true);
}

}  // namespace

cxxopts::Options options_apply() {
  cxxopts::Options opts("foobarctl apply", "make the hosts match the stack, in dependency order, hosts in parallel; "
                        "or apply a saved plan (foobarctl apply [--lab] PLANFILE)");
  opts.positional_help("STACK | PLANFILE");
  add_remote_options(opts);
  add_apply_options(opts);
  add_roll_options(opts);
  opts.add_options()("h,help", "show this help");
  return opts;
}

int cmd_apply(std::vector<std::string> args, const GlobalOptions& global) {
  cxxopts::Options opts = options_apply();
  auto original = args;
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  if (parsed.count("stack")) {
    const std::string file = parsed["stack"].as<std::string>();
    if (auto text = read_file(file); text && is_saved_plan(*text))
      return apply_saved(file, *text, original, opts, parsed, global);
  }
  auto remote = open_remote("foobarctl apply", parsed);
  if (!remote) return 1;
  std::map<std::string, std::string> fingerprints;
  SavedPlan basis;
  basis.plan = remote->make_plan(remote->compiled.graph, &fingerprints);
  basis.inputs = plan_inputs(*remote, std::move(fingerprints));
  basis.hosts = remote->hosts;
  return confirm_and_apply("foobarctl apply", *remote, basis, remote->compiled.graph, parsed, global, false, false);
}

}  // namespace foobar::cli
