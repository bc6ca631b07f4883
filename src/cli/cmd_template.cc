// foobarctl template FILE --vars VARS.json: renders one template to stdout with the
// settings every foobarctl template gets (trim_blocks, lstrip_blocks, strict
// undefined). Includes resolve relative to the template's directory.
#include <cxxopts.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <iterator>

#include "cli/commands.h"
#include "template/environment.h"
#include "util/file.h"

namespace foobar::cli {
namespace {

bool read_vars(const std::string& path, nlohmann::ordered_json& out) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    auto read = read_file(path);
    if (!read) {
      std::fprintf(stderr, "%s: error: cannot read the variables file\n", path.c_str());
      return false;
    }
    text = std::move(*read);
  }
  try {
    out = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::ordered_json::parse_error& e) {
    std::fprintf(stderr, "%s: error: invalid JSON: %s\n", path == "-" ? "<stdin>" : path.c_str(), e.what());
    return false;
  }
  if (!out.is_object()) {
    std::fprintf(stderr, "%s: error: the variables must be a JSON object, got %s\n",
                 path == "-" ? "<stdin>" : path.c_str(), out.type_name());
    return false;
  }
  return true;
}

}  // namespace

cxxopts::Options options_template() {
  cxxopts::Options options("foobarctl template", "Render one template with variables from JSON");
  options.add_options()
      ("vars", "JSON file with the variables (- for stdin)", cxxopts::value<std::string>())
      ("h,help", "show this help")
      ("file", "the template", cxxopts::value<std::string>());
  // Hidden: used by bench/template_bench.sh; not part of the documented interface.
  options.add_options("hidden")
      ("repeat", "render N times and report the time per render on stderr",
       cxxopts::value<int>()->default_value("1"));
  options.parse_positional({"file"});
  options.positional_help("FILE");
  return options;
}

int cmd_template(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  cxxopts::Options options = options_template();
  auto parsed_args = parse_args(options, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& opts = *parsed_args;
  if (opts.count("help")) {
    std::printf("%s\n", options.help({""}).c_str());
    return 0;
  }
  if (!opts.count("file")) {
    std::fprintf(stderr, "foobarctl template: expected a template file (foobarctl template FILE --vars VARS.json)\n");
    return 1;
  }
  nlohmann::ordered_json vars = nlohmann::ordered_json::object();
  if (opts.count("vars") && !read_vars(opts["vars"].as<std::string>(), vars)) return 1;

  std::filesystem::path file = opts["file"].as<std::string>();
  std::filesystem::path dir = file.parent_path();
  tmpl::Environment env(dir.empty() ? "." : dir);
  tmpl::Value context = tmpl::from_json(vars);
  auto parsed = env.load(file.filename().string());
  if (!parsed) {
    for (const auto& d : parsed.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return 1;
  }
  int repeat = std::max(1, opts["repeat"].as<int>());
  auto start = std::chrono::steady_clock::now();
  Result<std::string> out = env.render(*parsed.value(), context);
  for (int i = 1; i < repeat && out; ++i) out = env.render(*parsed.value(), context);
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!out) {
    for (const auto& d : out.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return 1;
  }
  if (opts.count("repeat"))
    std::fprintf(stderr, "rendered %d times in %.6f s: %.3f us per render\n", repeat, elapsed, elapsed * 1e6 / repeat);
  std::fwrite(out->data(), 1, out->size(), stdout);
  return 0;
}

}  // namespace foobar::cli
