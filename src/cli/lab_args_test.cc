#include "cli/lab_args.h"

#include <doctest/doctest.h>

using foobar::cli::lab_specs_from_args;

TEST_CASE("lab host arguments are NAME=ADDRESS") {
  auto ok = lab_specs_from_args({"web-01=10.77.0.11", "db=10.77.0.20"});
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 2);
  CHECK((*ok)[0].name == "web-01");
  CHECK((*ok)[1].address == "10.77.0.20");
  auto bad = lab_specs_from_args({"web-01", "=10.77.0.3", "x="});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.diagnostics().size() == 3);
  CHECK_FALSE(lab_specs_from_args({}).ok());
}
