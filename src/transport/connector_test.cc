#include "transport/connector.h"

#include <doctest/doctest.h>

#include "transport/fake_connector.h"

using namespace foobar;
using namespace foobar::transport;

TEST_CASE("fake connector matches by substring, records calls, and can fail") {
  FakeConnector fake("h");
  fake.respond("uname", {0, "Linux\n", ""});
  fake.fail("reboot", "connection lost");
  auto r = fake.run("uname -s");
  REQUIRE(r.ok());
  CHECK(r->out == "Linux\n");
  CHECK_FALSE(fake.run("reboot now").ok());
  auto unknown = fake.run("whoami");
  REQUIRE(unknown.ok());
  CHECK(unknown->exit_status == 127);
  CHECK(fake.count("uname") == 1);
  CHECK(fake.calls().size() == 3);
}
