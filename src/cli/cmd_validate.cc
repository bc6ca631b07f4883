// foobarctl validate STACK...: parse and check stack files, print every problem.
#include <cxxopts.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "stack/stack.h"

namespace foobar::cli {

namespace {

std::string summary(const stack::Stack& s) {
  std::size_t tiers = s.tier_names().size();
  return std::to_string(s.hosts.size()) + (s.hosts.size() == 1 ? " host, " : " hosts, ") +
         std::to_string(tiers) + (tiers == 1 ? " tier" : " tiers");
}

}  // namespace

cxxopts::Options options_validate() {
  cxxopts::Options opts("foobarctl validate", "Check stack files and report every problem with its position.");
  opts.positional_help("STACK...");
  opts.add_options()("h,help", "show this help")(
      "q,quiet", "print nothing for valid stacks")(
      "stacks", "stack files", cxxopts::value<std::vector<std::string>>());
  opts.parse_positional({"stacks"});
  return opts;
}

int cmd_validate(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  cxxopts::Options opts = options_validate();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf("Exit status: 0 when every stack is valid, 1 otherwise. Diagnostics go to\n"
                "stderr as FILE:LINE:COL: error: MESSAGE, sorted by position.\n");
    return 0;
  }
  if (!parsed.count("stacks")) {
    std::fprintf(stderr, "%s: no stack file given; usage: foobarctl validate STACK...\n",
                 args[0].c_str());
    return 1;
  }
  bool quiet = parsed.count("quiet") > 0;
  int rc = 0;
  for (const auto& path : parsed["stacks"].as<std::vector<std::string>>()) {
    auto result = stack::load_stack(path);
    if (!result.ok()) {
      for (const auto& d : result.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      rc = 1;
      continue;
    }
    if (!quiet) std::printf("%s: ok (%s)\n", path.c_str(), summary(*result).c_str());
  }
  return rc;
}

}  // namespace foobar::cli
