#include <doctest/doctest.h>

#include "util/diagnostic.h"
#include "util/result.h"

using namespace foobar;

TEST_CASE("diagnostic formats file:line:col: severity: message") {
  CHECK(Diagnostic::error("a.yaml", {3, 7}, "bad").to_string() == "a.yaml:3:7: error: bad");
  CHECK(Diagnostic::error("web-01", "down").to_string() == "web-01: error: down");
  CHECK(Diagnostic::error("a.yaml", {3, 0}, "x").to_string() == "a.yaml:3: error: x");
}

TEST_CASE("diagnostics sort by position, stable among equals") {
  Diagnostics d{Diagnostic::error("f", {5, 1}, "c"), Diagnostic::error("f", {2, 9}, "a"),
                Diagnostic::error("f", {5, 1}, "d"), Diagnostic::error("f", {2, 10}, "b")};
  sort_by_position(d);
  CHECK(d[0].message == "a");
  CHECK(d[1].message == "b");
  CHECK(d[2].message == "c");
  CHECK(d[3].message == "d");
}

TEST_CASE("result carries a value or diagnostics") {
  Result<int> good = 4;
  REQUIRE(good.ok());
  CHECK(*good == 4);
  Result<int> bad = Diagnostic::error("x", "nope");
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().message == "nope");
  Status s = ok_status();
  CHECK(s.ok());
}
