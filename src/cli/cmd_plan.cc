// foobarctl plan: what apply would change on each host, with unified diffs.
#include <cstdio>

#include "cli/apply_run.h"
#include "cli/commands.h"
#include "cli/plan_output.h"
#include "cli/remote.h"
#include "cli/roll_policy.h"
#include "plan/plan_file.h"
#include "plan/plan_json.h"
#include "util/file.h"
#include "util/timestamp.h"

namespace foobar::cli {

cxxopts::Options options_plan() {
  cxxopts::Options opts("foobarctl plan", "show what apply would change on each host (reads each host once)");
  opts.positional_help("STACK");
  add_remote_options(opts);
  add_roll_options(opts);
  opts.add_options()("format", "human | json | markdown", cxxopts::value<std::string>()->default_value("human"))(
      "detailed-exitcode", "exit 0 when nothing would change, 2 when something would, 1 on error")(
      "out", "also save the plan to FILE (mode 0600) for 'foobarctl apply FILE'", cxxopts::value<std::string>())(
      "h,help", "show this help");
  return opts;
}

int cmd_plan(std::vector<std::string> args, const GlobalOptions& global) {
  cxxopts::Options opts = options_plan();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  const std::string format = parsed["format"].as<std::string>();
  if (!plan_format_known("foobarctl plan", format)) return 1;
  auto remote = open_remote("foobarctl plan", parsed);
  if (!remote) return 1;
  auto roll = roll_policy(remote->compiled.stack, parsed);
  if (!roll) return 1;
  std::map<std::string, std::string> fingerprints;
  Plan plan = remote->make_plan(remote->compiled.graph, &fingerprints);
  const auto rolls = plan_roll(plan, *roll);
  const auto writes = write_interruptions(plan, *roll);
  if (format == "json") {
    auto j = plan_to_json(plan);
    j["roll"] = roll_json(rolls, *roll);
    j["interrupts_writes"] = writes.empty() ? nlohmann::json(nullptr)
                                            : nlohmann::json{{"host", roll->write_primary}, {"actions", writes}};
    std::fputs((j.dump(2) + "\n").c_str(), stdout);
  } else if (format == "markdown") {
    std::fputs((plan_markdown(plan) + roll_markdown(rolls, *roll, writes)).c_str(), stdout);
  } else {
    std::fputs((plan_text(plan, global.color) + roll_text(rolls, *roll, writes)).c_str(), stdout);
  }
  if (!plan.complete()) return 1;
  if (plan.refused()) {
    std::fprintf(stderr, "foobarctl plan: refused (see the error above): apply would change nothing\n");
    return 1;
  }
  if (parsed.count("out")) {
    const std::string file = parsed["out"].as<std::string>();
    SavedPlan saved{utc_timestamp(), plan_inputs(*remote, std::move(fingerprints)), remote->hosts, std::move(plan)};
    auto written = write_file_atomic(file, saved_plan_to_json(saved), 0600);
    if (!written) {
      for (const auto& d : written.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      return 1;
    }
    std::fprintf(stderr, "Saved the plan to %s; apply exactly it with: foobarctl apply%s %s\n", file.c_str(),
                 parsed.count("lab") ? " --lab" : "", file.c_str());
    plan = std::move(saved.plan);
  }
  if (parsed.count("detailed-exitcode") && plan.has_changes()) return 2;
  return 0;
}

}  // namespace foobar::cli
