// Options render and graph share: the stack file, --templates and --source-base,
// and loading + compiling the stack with diagnostics printed to stderr.
#pragma once

#include <optional>
#include <string>

#include <cxxopts.hpp>

#include "compile/compile.h"
#include "stack/stack.h"

namespace foobar::cli {

void add_compile_options(cxxopts::Options& opts);

struct Compiled {
  stack::Stack stack;
  compile::CompileOptions options;
  compile::Topology topology;
  Graph graph;
};

// Loads and compiles the stack named by the parsed options; prints diagnostics
// and returns nothing on failure.
std::optional<Compiled> load_and_compile(const std::string& command, const cxxopts::ParseResult& parsed);

}  // namespace foobar::cli
