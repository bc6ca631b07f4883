#include "cli/color.h"

#include <doctest/doctest.h>

using foobar::cli::color_wanted;

TEST_CASE("colours only on a terminal, never with NO_COLOR or --no-color") {
  CHECK(color_wanted(true, nullptr, false));
  CHECK_FALSE(color_wanted(false, nullptr, false));  // piped or redirected
  CHECK_FALSE(color_wanted(true, "1", false));
  CHECK(color_wanted(true, "", false));  // an empty NO_COLOR does not count (no-color.org)
  CHECK_FALSE(color_wanted(true, nullptr, true));
  CHECK_FALSE(color_wanted(true, "", true));
}
