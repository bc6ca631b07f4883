// foobarctl graph STACK [--format dot|json]: the resource DAG. dot draws one
// cluster per host; json lists resources with id, kind, deps, notify and layer.
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "cli/compile_args.h"
#include "graph/state_json.h"

namespace foobar::cli {

using nlohmann::json;

namespace {

std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

json graph_state_json(const Resource& r) {
  json j = state_json(r.state);
  if (const auto* f = std::get_if<FileState>(&r.state)) {
    j["source"] = f->source;
    j["size"] = f->content.size();
  }
  return j;
}

std::vector<std::size_t> layer_of(const Graph& g, const Layers& layers) {
  std::vector<std::size_t> out(g.size());
  for (std::size_t l = 0; l < layers.size(); ++l)
    for (auto i : layers[l]) out[i] = l;
  return out;
}

void print_json(const Compiled& c, const Layers& layers) {
  auto layer = layer_of(c.graph, layers);
  json resources = json::array();
  for (std::size_t i = 0; i < c.graph.size(); ++i) {
    const auto& r = c.graph.resources()[i];
    json notify = json::array();
    for (const auto& n : r.notify) notify.push_back({{"target", n.target}, {"action", to_string(n.action)}});
    resources.push_back({{"id", r.id()}, {"host", r.host}, {"kind", to_string(r.kind)}, {"name", r.name},
                         {"layer", layer[i]}, {"deps", r.deps}, {"notify", notify}, {"state", graph_state_json(r)}});
  }
  json out = {{"stack", c.stack.name.value}, {"layers", layers.size()}, {"resources", resources}};
  std::printf("%s\n", out.dump(2).c_str());
}

void print_dot(const Compiled& c) {
  std::map<std::string, std::vector<const Resource*>> by_host;
  std::vector<std::string> order;
  for (const auto& r : c.graph.resources()) {
    if (!by_host.count(r.host)) order.push_back(r.host);
    by_host[r.host].push_back(&r);
  }
  std::printf("digraph %s {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n", dot_quote(c.stack.name.value).c_str());
  for (std::size_t h = 0; h < order.size(); ++h) {
    std::printf("  subgraph cluster_%zu {\n    label=%s;\n", h, dot_quote(order[h]).c_str());
    for (const auto* r : by_host[order[h]])
      std::printf("    %s [label=%s];\n", dot_quote(r->id()).c_str(),
                  dot_quote(std::string(to_string(r->kind)) + "\\n" + r->name).c_str());
    std::printf("  }\n");
  }
  for (const auto& r : c.graph.resources()) {
    for (const auto& d : r.deps) std::printf("  %s -> %s;\n", dot_quote(d).c_str(), dot_quote(r.id()).c_str());
    for (const auto& n : r.notify)
      std::printf("  %s -> %s [style=dashed, label=%s];\n", dot_quote(r.id()).c_str(), dot_quote(n.target).c_str(),
                  dot_quote(to_string(n.action)).c_str());
  }
  std::printf("}\n");
}

}  // namespace

cxxopts::Options options_graph() {
  cxxopts::Options opts("foobarctl graph", "Print the stack's resource dependency graph.");
  opts.positional_help("STACK [--format dot|json]");
  opts.add_options()("h,help", "show this help")(
      "f,format", "dot (clusters per host; notify edges dashed) or json", cxxopts::value<std::string>()->default_value("dot"));
  add_compile_options(opts);
  return opts;
}

int cmd_graph(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  cxxopts::Options opts = options_graph();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    return 0;
  }
  std::string format = parsed["format"].as<std::string>();
  if (format != "dot" && format != "json") {
    std::fprintf(stderr, "%s: unknown format '%s'; use dot or json\n", args[0].c_str(), format.c_str());
    return 1;
  }
  auto compiled = load_and_compile(args[0], parsed);
  if (!compiled) return 1;
  if (format == "dot") {
    print_dot(*compiled);
    return 0;
  }
  auto layers = compiled->graph.layers();  // compile checked for cycles already
  if (!layers.ok()) {
    for (const auto& d : layers.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return 1;
  }
  print_json(*compiled, *layers);
  return 0;
}

}  // namespace foobar::cli
