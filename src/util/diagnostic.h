// A Diagnostic names a place (file:line:col, or host and resource), says what is
// wrong in one sentence and, where it can, what would be right.
#pragma once

#include <string>
#include <vector>

namespace foobar {

enum class Severity { error, warning, note };

const char* to_string(Severity s);

// 1-based line and column; 0 means "not known".
struct SourcePos {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
  friend auto operator<=>(const SourcePos&, const SourcePos&) = default;
};

struct Diagnostic {
  Severity severity = Severity::error;
  std::string where;  // a file name, or "host" / "host:resource"
  SourcePos pos;
  std::string message;

  static Diagnostic error(std::string where, SourcePos pos, std::string message);
  static Diagnostic error(std::string where, std::string message);

  // "file:line:col: error: message" (line/col left out when unknown).
  std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

// Sorts by place (where, line, column), keeping the original order among equals.
void sort_by_position(Diagnostics& diags);
bool has_errors(const Diagnostics& diags);

}  // namespace foobar
