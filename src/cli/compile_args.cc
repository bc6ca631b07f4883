#include "cli/compile_args.h"

#include <cstdio>

namespace foobar::cli {

void add_compile_options(cxxopts::Options& opts) {
  opts.add_options()("templates", "template directory (default: $FOOBAR_TEMPLATES, else ../share/foobarctl/templates beside the binary, else the source tree's templates/)",
                     cxxopts::value<std::string>())(
      "source-base", "directory the app tier's `source` is relative to (default: the current one)",
      cxxopts::value<std::string>())("stack", "stack file", cxxopts::value<std::string>());
  opts.parse_positional({"stack"});
}

namespace {
void print(const Diagnostics& ds) {
  for (const auto& d : ds) std::fprintf(stderr, "%s\n", d.to_string().c_str());
}
}  // namespace

std::optional<Compiled> load_and_compile(const std::string& command, const cxxopts::ParseResult& parsed) {
  if (!parsed.count("stack")) {
    std::fprintf(stderr, "%s: no stack file given; see --help\n", command.c_str());
    return std::nullopt;
  }
  auto loaded = stack::load_stack(parsed["stack"].as<std::string>());
  if (!loaded.ok()) {
    print(loaded.diagnostics());
    return std::nullopt;
  }
  compile::CompileOptions options;
  if (parsed.count("templates")) options.templates_dir = parsed["templates"].as<std::string>();
  if (parsed.count("source-base")) options.source_base = parsed["source-base"].as<std::string>();
  auto compiled = compile::compile(*loaded, options);
  if (!compiled.ok()) {
    print(compiled.diagnostics());
    return std::nullopt;
  }
  return Compiled{std::move(*loaded), std::move(options), std::move(compiled->topology), std::move(compiled->graph)};
}

}  // namespace foobar::cli
