// foobarctl diagram STACK [--format dot|mermaid]: the stack's topology as a picture.
#include <cxxopts.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "compile/topology.h"
#include "diagram/diagram.h"
#include "stack/stack.h"

namespace foobar::cli {

cxxopts::Options options_diagram() {
  cxxopts::Options opts("foobarctl diagram", "Draw the stack's topology: user, DNS name, floating IP, hosts with "
                                 "their tiers, request flow, replication, firewall zones, monitoring.");
  opts.positional_help("STACK");
  opts.add_options()("h,help", "show this help")(
      "f,format", "dot (Graphviz) or mermaid", cxxopts::value<std::string>()->default_value("dot"))(
      "stack", "stack file", cxxopts::value<std::vector<std::string>>());
  opts.parse_positional({"stack"});
  return opts;
}

int cmd_diagram(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  cxxopts::Options opts = options_diagram();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf("Example: foobarctl diagram stacks/3-scale-up.yaml | dot -Tpng -o stack3.png\n");
    return 0;
  }
  std::string format = parsed["format"].as<std::string>();
  if (format != "dot" && format != "mermaid") {
    std::fprintf(stderr, "%s: unknown format '%s'; use dot or mermaid\n", args[0].c_str(), format.c_str());
    return 1;
  }
  if (!parsed.count("stack") || parsed["stack"].as<std::vector<std::string>>().size() != 1) {
    std::fprintf(stderr, "%s: give exactly one stack file; usage: foobarctl diagram STACK\n", args[0].c_str());
    return 1;
  }
  auto result = stack::load_stack(parsed["stack"].as<std::vector<std::string>>().front());
  if (!result.ok()) {
    for (const auto& d : result.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return 1;
  }
  const auto topology = compile::derive_topology(*result);
  auto picture = diagram::build_diagram(topology);
  std::string out = format == "mermaid" ? diagram::to_mermaid(picture) : diagram::to_dot(picture);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace foobar::cli
