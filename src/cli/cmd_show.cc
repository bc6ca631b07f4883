// foobarctl show: a saved plan (plan --out FILE) rendered for review, as plan would.
#include <cstdio>

#include "cli/commands.h"
#include "cli/plan_output.h"
#include "plan/plan_file.h"
#include "plan/plan_json.h"
#include "util/file.h"

namespace foobar::cli {

cxxopts::Options options_show() {
  cxxopts::Options opts("foobarctl show", "render a saved plan file (written by foobarctl plan) for review");
  opts.positional_help("PLANFILE");
  opts.add_options()("format", "human | json | markdown", cxxopts::value<std::string>()->default_value("human"))(
      "file", "saved plan", cxxopts::value<std::string>())("h,help", "show this help");
  opts.parse_positional({"file"});
  return opts;
}

int cmd_show(std::vector<std::string> args, const GlobalOptions& global) {
  cxxopts::Options opts = options_show();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  const std::string format = parsed["format"].as<std::string>();
  if (!plan_format_known("foobarctl show", format)) return 1;
  if (!parsed.count("file")) {
    std::fprintf(stderr, "foobarctl show: no saved plan given; make one with foobarctl plan STACK --out FILE\n");
    return 1;
  }
  const std::string file = parsed["file"].as<std::string>();
  auto text = read_file(file);
  if (!text) {
    std::fprintf(stderr, "%s: error: cannot read the file\n", file.c_str());
    return 1;
  }
  auto saved = parse_saved_plan(file, *text);
  if (!saved) {
    for (const auto& d : saved.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return 1;
  }
  const std::string about = "Saved plan of stack " + saved->plan.stack + " from " + saved->inputs.stack_file +
                            ", made " + saved->created + " by foobarctl " + saved->inputs.version;
  if (format == "json") {
    std::fputs(plan_json_text(saved->plan).c_str(), stdout);
  } else if (format == "markdown") {
    std::printf("_%s; apply it with `foobarctl apply %s`._\n\n", about.c_str(), file.c_str());
    std::fputs(plan_markdown(saved->plan).c_str(), stdout);
  } else {
    std::printf("%s.\n\n", about.c_str());
    std::fputs(plan_text(saved->plan, global.color).c_str(), stdout);
  }
  return 0;
}

}  // namespace foobar::cli
