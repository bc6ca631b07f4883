#include "cli/lab_args.h"

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

}  // namespace foobar::cli
