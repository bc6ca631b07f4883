#include "cli/remote.h"

#include <doctest/doctest.h>

#include "stack/stack_test_util.h"

using namespace foobar;
using namespace foobar::stack::testing;

namespace {

stack::Stack parsed(const std::string& text) {
  auto r = stack::parse_stack(text, "t.yaml");
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  return *r;
}

transport::SshOptions base_options() {
  transport::SshOptions base;
  base.known_hosts = "/lab/known_hosts";
  base.key_file = "/lab/key";
  base.accept_new = true;
  return base;
}

}  // namespace

TEST_CASE("remote: a host's ssh.jump becomes the jump host's own options") {
  auto s = parsed(with("  db-02: { address: 10.77.0.42 }",
                       "  db-02: { address: 10.77.0.42, ssh: { jump: web-01, port: 2200 } }"));
  auto o = cli::host_ssh_options(s, *s.find_host("db-02"), base_options(), true);
  CHECK(o.address == "10.77.0.42");
  CHECK(o.port == 2200);
  REQUIRE(o.jump);
  CHECK(o.jump->name == "web-01");
  const auto& j = o.jump->options;
  CHECK(j.address == "10.77.0.21");
  CHECK(j.user == "admin");
  CHECK(j.port == 2222);
  CHECK(j.known_hosts == "/lab/known_hosts");
  CHECK(j.key_file == "/lab/key");
  CHECK(j.accept_new);
  CHECK_FALSE(j.jump);
  CHECK_FALSE(cli::host_ssh_options(s, *s.find_host("db-01"), base_options(), true).jump);
}

TEST_CASE("remote: a stack-wide jump host is reached directly, and so is a loop's last hop") {
  auto s = parsed(with("domain: foobar.com\n",
                       "domain: foobar.com\ndefaults: { ssh: { jump: mon-01, key: /keys/ops } }\n"));
  auto mon = cli::host_ssh_options(s, *s.find_host("mon-01"), base_options(), false);
  CHECK_FALSE(mon.jump);
  CHECK(mon.key_file == "/keys/ops");
  auto db = cli::host_ssh_options(s, *s.find_host("db-01"), base_options(), false);
  REQUIRE(db.jump);
  CHECK(db.jump->name == "mon-01");
  CHECK(db.jump->options.key_file == "/keys/ops");
  CHECK_FALSE(db.jump->options.jump);

  auto loop = parsed(with("  lb-02: { address: 10.77.0.12 }",
                          "  lb-02: { address: 10.77.0.12, ssh: { jump: mon-01 } }",
                          with("  mon-01: { address: 10.77.0.51 }",
                               "  mon-01: { address: 10.77.0.51, ssh: { jump: lb-02 } }")));
  auto lb = cli::host_ssh_options(loop, *loop.find_host("lb-02"), base_options(), true);
  REQUIRE(lb.jump);
  CHECK(lb.jump->name == "mon-01");
  CHECK_FALSE(lb.jump->options.jump);
}
