// The subcommands of foobarctl. Each lives in its own cmd_<name>.cc, parses its own
// options (cxxopts, with --help) and returns the process exit code:
//   0 ok, 1 error (bad input, failed operation), 2 not yet implemented,
//   3 `check` found findings of error severity.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <cxxopts.hpp>

namespace foobar::cli {

struct GlobalOptions {
  bool color = true;  // off with --no-color or when stdout is not a terminal
  int verbosity = 0;  // -v: debug, -vv: trace
};

// args[0] is "foobarctl <name>", the rest are the subcommand's own arguments.
using CommandFn = int (*)(std::vector<std::string> args, const GlobalOptions& global);

// A command's options, built the same way for parsing, --help, the man page and
// the shell completion, so that none of them can drift from the others.
using OptionsFn = cxxopts::Options (*)();

struct Subcommand {
  const char* name;
  const char* synopsis;  // the arguments after "foobarctl <command> <name>"
  const char* summary;
  OptionsFn options = nullptr;  // nullptr: no options of its own
};

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
  OptionsFn options = nullptr;  // nullptr: the command has subcommands instead
  std::vector<Subcommand> subcommands = {};
  bool hidden = false;  // not in the usage text, the man page or the completion
};

const std::vector<Command>& commands();
// The options foobarctl takes before or after any command (parsed in main).
cxxopts::Options global_options();

cxxopts::Options options_validate();
cxxopts::Options options_template();
cxxopts::Options options_render();
cxxopts::Options options_graph();
cxxopts::Options options_diagram();
cxxopts::Options options_check();
cxxopts::Options options_plan();
cxxopts::Options options_apply();
cxxopts::Options options_destroy();
cxxopts::Options options_schema();
cxxopts::Options options_completion();
cxxopts::Options options_lab_up();
cxxopts::Options options_lab_ssh();
cxxopts::Options options_show();
cxxopts::Options options_unlock();
cxxopts::Options options_status();
cxxopts::Options options_db();
cxxopts::Options options_logs();

int cmd_validate(std::vector<std::string> args, const GlobalOptions& global);
int cmd_template(std::vector<std::string> args, const GlobalOptions& global);
int cmd_render(std::vector<std::string> args, const GlobalOptions& global);
int cmd_graph(std::vector<std::string> args, const GlobalOptions& global);
int cmd_diagram(std::vector<std::string> args, const GlobalOptions& global);
int cmd_check(std::vector<std::string> args, const GlobalOptions& global);
int cmd_plan(std::vector<std::string> args, const GlobalOptions& global);
int cmd_apply(std::vector<std::string> args, const GlobalOptions& global);
int cmd_destroy(std::vector<std::string> args, const GlobalOptions& global);
int cmd_lab(std::vector<std::string> args, const GlobalOptions& global);
int cmd_show(std::vector<std::string> args, const GlobalOptions& global);
int cmd_unlock(std::vector<std::string> args, const GlobalOptions& global);
int cmd_status(std::vector<std::string> args, const GlobalOptions& global);
int cmd_db(std::vector<std::string> args, const GlobalOptions& global);
int cmd_logs(std::vector<std::string> args, const GlobalOptions& global);
int cmd_schema(std::vector<std::string> args, const GlobalOptions& global);
// The JSON Schema of the stack file, from stack/fields.h.
std::string stack_schema_json();
int cmd_manpage(std::vector<std::string> args, const GlobalOptions& global);
int cmd_completion(std::vector<std::string> args, const GlobalOptions& global);
int cmd_names(std::vector<std::string> args, const GlobalOptions& global);

// Shared by the subcommands.
int not_yet_implemented(const std::string& name);
// Turns args into argc/argv for cxxopts; the vector must outlive the result.
std::vector<char*> to_argv(std::vector<std::string>& args);
// Parses a subcommand's arguments; a usage error is printed as "<args[0]>: why"
// and gives nullopt (the command then exits 1).
std::optional<cxxopts::ParseResult> parse_args(cxxopts::Options& opts, std::vector<std::string>& args);

}  // namespace foobar::cli
