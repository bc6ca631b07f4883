#include "cli/color.h"

namespace foobar::cli {

bool color_wanted(bool is_terminal, const char* no_color_env, bool no_color_flag) {
  if (no_color_flag) return false;
  if (no_color_env != nullptr && *no_color_env != '\0') return false;
  return is_terminal;
}

}  // namespace foobar::cli
