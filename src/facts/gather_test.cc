#include "facts/gather.h"

#include <doctest/doctest.h>

#include "transport/fake_connector.h"

using namespace foobar;

TEST_CASE("a probe that prints more than the output cap makes its host unreachable, naming host and probe") {
  Graph g;
  Resource r;
  r.host = "web-01";
  r.kind = ResourceKind::package;
  r.name = "nginx";
  r.state = PackageState{};
  REQUIRE(g.add(r).ok());
  transport::FakeConnector web("web-01");
  web.respond("eval \"$(head -c ", {0, std::string(transport::k_output_cap + 1, 'x'), ""});
  auto gathered = gather_facts("s", g, {"web-01"}, [&](const std::string&) -> Result<transport::Connector*> {
    return &web;
  }, 1);
  CHECK(gathered.facts.empty());
  REQUIRE(gathered.unreachable.count("web-01") == 1);
  const std::string& why = gathered.unreachable.at("web-01");
  CHECK(why.find("facts probe: the command printed more than 8 MiB on stdout") == 0);
  CHECK(web.count("eval \"$(head -c ") == 1);  // the probe: one script on stdin
}
