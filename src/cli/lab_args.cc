#include "cli/lab_args.h"

#include <filesystem>

#include "stack/stack.h"

namespace foobar::cli {

Result<std::vector<lab::LabHostSpec>> lab_specs_from_args(const std::vector<std::string>& host_args) {
  std::vector<lab::LabHostSpec> specs;
  Diagnostics errs;
  for (const auto& a : host_args) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size()) {
      errs.push_back(Diagnostic::error("--host", "'" + a + "' is not NAME=ADDRESS (e.g. web-01=10.77.0.11)"));
      continue;
    }
    specs.push_back({a.substr(0, eq), a.substr(eq + 1)});
  }
  if (!errs.empty()) return errs;
  if (specs.empty())
    return Diagnostic::error("lab up", "no hosts given: add --host NAME=ADDRESS (one per host)");
  return specs;
}

bool names_stack_file(const std::string& arg) {
  auto ext = std::filesystem::path(arg).extension();
  return ext == ".yaml" || ext == ".yml" || std::filesystem::is_regular_file(arg);
}

Result<LabTarget> lab_target_from_stack(const std::string& stack_path) {
  auto st = stack::load_stack(stack_path);
  if (!st) return st.diagnostics();
  LabTarget t{st->name.value, {}};
  for (const auto& h : st->hosts) t.hosts.push_back({h.name.value, h.address.value});
  return t;
}

}  // namespace foobar::cli
