// Checks that stack file text is UTF-8 without control characters, before
// yaml-cpp sees it (yaml-cpp would otherwise misreport or silently accept it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/diagnostic.h"

namespace foobar::stack {

struct TextProblem {
  SourcePos pos;  // line and byte column (1-based) of the first bad byte
  std::string message;
};

std::optional<TextProblem> check_text(std::string_view text);

}  // namespace foobar::stack
