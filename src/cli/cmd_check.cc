// foobarctl check STACK... [--format text|json]: the architecture review.
#include <cxxopts.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "review/review.h"
#include "stack/stack.h"

namespace foobar::cli {

cxxopts::Options options_check() {
  cxxopts::Options opts("foobarctl check", "Review the design of stack files: single points of failure, "
                                 "firewall, TLS, monitoring, health checks, id clashes between stacks.");
  opts.positional_help("STACK...");
  opts.add_options()("h,help", "show this help")(
      "f,format", "output format: text or json", cxxopts::value<std::string>()->default_value("text"))(
      "stacks", "stack files", cxxopts::value<std::vector<std::string>>());
  opts.parse_positional({"stacks"});
  return opts;
}

int cmd_check(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  cxxopts::Options opts = options_check();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf("Several stacks are also checked against each other (VRRP router ids on one\n"
                "network, MySQL server ids of stacks sharing database hosts).\n"
                "Exit status: 0 no error findings, 3 error findings, 1 invalid input.\n"
                "Finding codes are listed in docs/check.md.\n");
    return 0;
  }
  std::string format = parsed["format"].as<std::string>();
  if (format != "text" && format != "json") {
    std::fprintf(stderr, "%s: unknown format '%s'; use text or json\n", args[0].c_str(), format.c_str());
    return 1;
  }
  if (!parsed.count("stacks")) {
    std::fprintf(stderr, "%s: no stack file given; usage: foobarctl check STACK...\n", args[0].c_str());
    return 1;
  }
  std::vector<stack::Stack> stacks;
  bool invalid = false;
  for (const auto& path : parsed["stacks"].as<std::vector<std::string>>()) {
    auto result = stack::load_stack(path);
    if (!result.ok()) {
      for (const auto& d : result.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      invalid = true;
      continue;
    }
    stacks.push_back(std::move(result).value());
  }
  if (invalid) return 1;
  std::vector<const stack::Stack*> ptrs;
  for (const auto& s : stacks) ptrs.push_back(&s);
  auto findings = review::check_stacks(ptrs);
  std::string out = format == "json" ? review::format_json(findings) : review::format_text(findings);
  std::fputs(out.c_str(), stdout);
  return review::exit_code(findings);
}

}  // namespace foobar::cli
