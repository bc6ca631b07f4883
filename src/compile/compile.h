// The compiler: a validated Stack becomes the Graph of resources of every host,
// with the files rendered from templates/. Pure: reads the templates and the app
// source directory, nothing else; the same stack gives the same graph, byte for byte.
// docs/compile.md describes the resources and their dependencies.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "compile/topology.h"
#include "stack/stack.h"
#include "util/result.h"

namespace foobar::compile {

std::filesystem::path default_templates_dir();

struct CompileOptions {
  std::filesystem::path templates_dir = default_templates_dir();
  // The app tier's `source` is relative to this directory; empty = the current one.
  std::filesystem::path source_base;
  // The zone serial; unset = derived from the records (see topology.h).
  std::optional<std::uint32_t> dns_serial;
  unsigned threads = 0;  // rendering threads; 0 = one per core
};

// One line of templates/index.json.
struct TemplateEntry {
  std::string template_name;
  std::string dest;  // itself a template
  std::string owner, group, mode;
  Role role = Role::firewall;             // "role" in index.json: to_string(Role)
  std::optional<std::string> on_change;  // "reload" | "restart"
  std::vector<std::string> when;          // dotted context paths, all truthy
  std::string validate;                   // "{}" = candidate file, "{zone}" = DNS zone
};

Result<std::vector<TemplateEntry>> load_template_index(const std::filesystem::path& templates_dir);

// Whether every `when` path of the entry is truthy in the context (Python's sense).
bool applies(const TemplateEntry& entry, const nlohmann::json& context);

// What one compile derives: the topology (one HostModel per host) and the graph of
// resources projected from it. Commands that print both (render) take them from here.
struct Compilation {
  Topology topology;
  Graph graph;
};
Result<Compilation> compile(const stack::Stack& stack, const CompileOptions& options = {});

// The graph alone.
Result<Graph> compile_stack(const stack::Stack& stack, const CompileOptions& options = {});

}  // namespace foobar::compile
