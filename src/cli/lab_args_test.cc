#include "cli/lab_args.h"

#include <set>

#include <doctest/doctest.h>

using foobar::cli::lab_specs_from_args;
using foobar::cli::lab_target_from_stack;

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

TEST_CASE("a stack's lab hosts keep the units of their roles enabled, and no other") {
  auto t = lab_target_from_stack("stacks/1-distributed.yaml");
  REQUIRE(t.ok());
  auto units_of = [&](const std::string& host) {
    for (const auto& h : t->hosts)
      if (h.name == host) return std::set<std::string>(h.units.begin(), h.units.end());
    return std::set<std::string>{};
  };
  auto web = units_of("web-01"), db = units_of("db-01"), lb = units_of("lb-01");
  CHECK(web.count("nginx") == 1);
  CHECK(web.count("foobar-app") == 1);
  CHECK(web.count("mariadb") == 0);
  CHECK(db.count("mariadb") == 1);
  CHECK(db.count("nginx") == 0);
  CHECK(lb.count("haproxy") == 1);
}
