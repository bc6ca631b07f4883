// libFuzzer target: any bytes as a template, parsed and rendered with a small
// context. The engine must answer with output or a Diagnostic: a crash, a
// sanitizer report, a hang or an exception leaving it is a bug.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "template/environment.h"

using namespace foobar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // No templates directory: include, import and extends find nothing to read.
  static const tmpl::Environment env("/nonexistent/foobar-fuzz-templates");
  static const tmpl::Value context = tmpl::from_json(nlohmann::ordered_json::parse(R"({
    "name": "web", "n": 3, "f": 2.5, "flag": true, "none": null, "items": ["a", "b", "c"],
    "hosts": [{"name": "web-01", "ip": "10.77.0.11", "port": 80, "enabled": true},
              {"name": "web-02", "ip": "10.77.0.12", "port": 8080, "enabled": false}],
    "d": {"x": 1, "y": "two", "z": [1, 2]}})"));
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = env.render_string(text, "fuzz.j2", context);
  if (!r.ok() && r.diagnostics().empty()) __builtin_trap();
  return 0;
}
