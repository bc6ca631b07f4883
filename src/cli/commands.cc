#include "cli/commands.h"

#include <cstdio>

namespace foobar::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"validate", "check stack files and report every problem with its position", cmd_validate},
      {"template", "render one template with variables from JSON", cmd_template},
      {"render", "write every file the stack puts on every host into a directory", cmd_render},
      {"graph", "print the resource dependency graph (dot or json)", cmd_graph},
      {"diagram", "draw the stack's topology (dot or mermaid)", cmd_diagram},
      {"check", "review the stack's architecture and list findings", cmd_check},
      {"plan", "show what apply would change on each host, with diffs", cmd_plan},
      {"apply", "make the hosts match the stack", cmd_apply},
      {"destroy", "remove what foobarctl manages from the stack's hosts", cmd_destroy},
      {"show", "render a saved plan (plan --out FILE) for review", cmd_show},
      {"unlock", "remove the apply lock of a stack on its hosts, whoever holds it", cmd_unlock},
      {"lab", "run the stack's hosts as a local lab (up, down, status, ssh)", cmd_lab},
  };
  return table;
}

int not_yet_implemented(const std::string& name) {
  std::fprintf(stderr, "foobarctl %s: not yet implemented\n", name.c_str());
  return 2;
}

std::vector<char*> to_argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

std::optional<cxxopts::ParseResult> parse_args(cxxopts::Options& opts, std::vector<std::string>& args) {
  auto argv = to_argv(args);
  try {
    return opts.parse(static_cast<int>(args.size()), argv.data());
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "%s: %s\n", args[0].c_str(), e.what());
    return std::nullopt;
  }
}

}  // namespace foobar::cli
