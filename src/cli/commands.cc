#include "cli/commands.h"

#include <cstdio>

namespace foobar::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"validate", "check stack files and report every problem with its position", cmd_validate, options_validate},
      {"template", "render one template with variables from JSON", cmd_template, options_template},
      {"render", "write every file the stack puts on every host into a directory", cmd_render, options_render},
      {"graph", "print the resource dependency graph (dot or json)", cmd_graph, options_graph},
      {"diagram", "draw the stack's topology (dot or mermaid)", cmd_diagram, options_diagram},
      {"check", "review the stack's architecture and list findings", cmd_check, options_check},
      {"plan", "show what apply would change on each host, with diffs", cmd_plan, options_plan},
      {"apply", "make the hosts match the stack", cmd_apply, options_apply},
      {"destroy", "remove what foobarctl manages from the stack's hosts", cmd_destroy, options_destroy},
      {"show", "render a saved plan (plan --out FILE) for review", cmd_show, options_show},
      {"status", "per tier and host: up, QPS and 5xx rate, replication, the floating IP, the last apply",
       cmd_status, options_status},
      {"db", "change the running database primary: db switchover|failover|fence STACK", cmd_db, options_db},
      {"logs", "the stack's central logs from the log collector, by host and service (-f follows)", cmd_logs,
       options_logs},
      {"unlock", "remove the apply lock of a stack on its hosts, whoever holds it", cmd_unlock, options_unlock},
      {"lab",
       "run the stack's hosts as a local lab (up, down, status, ssh, client)",
       cmd_lab,
       nullptr,
       {
           {"up", "STACK.yaml | NAME --host NAME=ADDRESS... [--init systemd|sysv]", "bring up the stack's hosts as lab hosts",
            options_lab_up},
           {"down", "[STACK.yaml|NAME]", "stop the lab's hosts and remove what they left behind"},
           {"status", "[STACK.yaml|NAME]", "list the lab's hosts and whether their sshd answers"},
           {"ssh", "[--lab NAME] HOST [-- COMMAND...]", "log in to a lab host, or run COMMAND there",
            options_lab_ssh},
           {"client", "[STACK.yaml|NAME] -- COMMAND...",
            "run COMMAND here as the site's visitor: the stack's nameserver and the lab's CA"},
       }},
      {"schema", "print the JSON Schema of the stack file", cmd_schema, options_schema},
      {"completion", "print the bash completion script", cmd_completion, options_completion},
      {"manpage", "print the man page (roff)", cmd_manpage, nullptr, {}, true},
      {"__names", "host and tier names of a stack, or the hosts of the lab that is up", cmd_names, nullptr, {},
       true},
  };
  return table;
}

cxxopts::Options global_options() {
  cxxopts::Options opts("foobarctl", "Infrastructure as code for the classic web stack.");
  opts.add_options()("version", "print the version and the commit it was built from")(
      "no-color", "no colours (also off when stdout is not a terminal, or with NO_COLOR set)")(
      "v,verbose", "more log output (repeat for more)")("h,help", "show the commands");
  return opts;
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
