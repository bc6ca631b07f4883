#include "util/diagnostic.h"

#include <algorithm>

namespace foobar {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

Diagnostic Diagnostic::error(std::string where, SourcePos pos, std::string message) {
  return Diagnostic{Severity::error, std::move(where), pos, std::move(message)};
}

Diagnostic Diagnostic::error(std::string where, std::string message) {
  return Diagnostic{Severity::error, std::move(where), {}, std::move(message)};
}

std::string Diagnostic::to_string() const {
  std::string out = where;
  if (pos.line > 0) {
    out += ':' + std::to_string(pos.line);
    if (pos.column > 0) out += ':' + std::to_string(pos.column);
  }
  if (!out.empty()) out += ": ";
  out += foobar::to_string(severity);
  out += ": ";
  out += message;
  return out;
}

void sort_by_position(Diagnostics& diags) {
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.where != b.where) return a.where < b.where;
    return a.pos < b.pos;
  });
}

bool has_errors(const Diagnostics& diags) {
  return std::any_of(diags.begin(), diags.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace foobar
