#include "util/strings.h"

#include <doctest/doctest.h>

using namespace foobar;

TEST_CASE("join: the separator only between parts") {
  CHECK(join({}, ", ").empty());
  CHECK(join({"a"}, ", ") == "a");
  CHECK(join({"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(join({"a", "b"}, "") == "ab");
  // Empty parts are parts: each still gets its separator.
  CHECK(join({"", "b", ""}, "+") == "+b+");
}
