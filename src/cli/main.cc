// foobarctl entry point: global options, subcommand dispatch and the one top-level
// catch. Everything else lives in the library.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/color.h"
#include "cli/commands.h"
#include "util/build_info.h"

namespace {

using foobar::cli::commands;
using foobar::cli::color_wanted;
using foobar::cli::GlobalOptions;

void print_usage(FILE* out) {
  std::fprintf(out, "usage: foobarctl [--version] [--no-color] [-v|--verbose] <command> [args]\n\ncommands:\n");
  for (const auto& c : commands())
    if (!c.hidden) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\nRun 'foobarctl <command> --help' for a command's options, 'man foobarctl' for all.\n");
}

// Global flags may stand before or after the subcommand; they are taken out here.
bool take_global_flag(const std::string& a, GlobalOptions& g) {
  if (a == "--no-color") return g.color = false, true;
  if (a == "-v" || a == "--verbose") return ++g.verbosity, true;
  if (a == "-vv") return g.verbosity += 2, true;
  return false;
}

int run(int argc, char** argv) {
  GlobalOptions global;
  bool no_color = false;
  std::vector<std::string> rest;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {  // the rest belongs to the command (`lab ssh HOST -- CMD`)
      rest.insert(rest.end(), argv + i, argv + argc);
      break;
    }
    if (!take_global_flag(a, global)) rest.push_back(a);
  }
  no_color = !global.color;
  global.color = color_wanted(isatty(STDOUT_FILENO), std::getenv("NO_COLOR"), no_color);
  auto log = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      color_wanted(isatty(STDERR_FILENO), std::getenv("NO_COLOR"), no_color) ? spdlog::color_mode::always
                                                                              : spdlog::color_mode::never);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("foobarctl", log));
  spdlog::set_pattern("%^%l%$: %v");
  spdlog::set_level(global.verbosity >= 2   ? spdlog::level::trace
                    : global.verbosity == 1 ? spdlog::level::debug
                                            : spdlog::level::warn);
  if (rest.empty()) {
    print_usage(stderr);
    return 1;
  }
  if (rest[0] == "--version" || rest[0] == "version") {
    std::printf("foobarctl %s (commit %s)\n", foobar::util::version().c_str(), foobar::util::commit().c_str());
    return 0;
  }
  if (rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help") {
    print_usage(stdout);
    return 0;
  }
  for (const auto& c : commands()) {
    if (rest[0] == c.name) {
      rest[0] = std::string("foobarctl ") + c.name;
      return c.run(rest, global);
    }
  }
  std::fprintf(stderr, "foobarctl: unknown command '%s'; run 'foobarctl --help' for the list\n",
               rest[0].c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "foobarctl: fatal: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "foobarctl: fatal: unknown error\n");
  }
  return 1;
}
