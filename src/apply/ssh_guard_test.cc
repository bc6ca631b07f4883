#include "apply/ssh_guard.h"

#include <doctest/doctest.h>

#include "remote/library.h"
#include "transport/fake_connector.h"

using namespace foobar;
using transport::CommandResult;

namespace {

const std::string k_dropin = "/etc/ssh/sshd_config.d/00-foobar.conf";

// A host reached over SSH by `method` with the key `fingerprint`.
class SshFake : public transport::FakeConnector {
 public:
  SshFake(std::string method, std::string fingerprint)
      : FakeConnector("web-01"), m_login{std::move(method), std::move(fingerprint)} {}
  std::optional<transport::SshLogin> ssh_login() override { return m_login; }

 private:
  transport::SshLogin m_login;
};

Plan plan_with(ActionType type, const std::string& name = k_dropin) {
  Plan p;
  HostPlan hp;
  hp.host = "web-01";
  Action a;
  a.host = "web-01";
  a.kind = ResourceKind::file;
  a.name = name;
  a.type = type;
  hp.actions.push_back(a);
  p.hosts.push_back(hp);
  return p;
}

Diagnostics guard(const Plan& p, transport::Connector& c) {
  return check_ssh_access(p, SshGuard{k_dropin, {{"web-01", "admin"}}}, {{"web-01", &c}});
}

}  // namespace

TEST_CASE("ssh guard: the key foobarctl logs in with must stay authorized") {
  SshFake ok("publickey", "SHA256:abc");
  ok.set_default(CommandResult{0, "", ""});
  CHECK(guard(plan_with(ActionType::create), ok).empty());
  REQUIRE(ok.calls().size() == 1);
  auto invoked = remote::invoked(ok.calls()[0].command, ok.calls()[0].input);
  REQUIRE(invoked);
  CHECK(invoked->calls.find("fb_sshd_key_ok 'admin' 'SHA256:abc'") != std::string::npos);

  SshFake unknown_key("publickey", "SHA256:abc");
  unknown_key.set_default(CommandResult{1, "", "the key SHA256:abc is not in the authorized keys of admin\n"});
  auto refused = guard(plan_with(ActionType::update), unknown_key);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].where == "web-01");
  CHECK(refused[0].message.find("refusing to turn password logins off") != std::string::npos);
  CHECK(refused[0].message.find("is not in the authorized keys of admin") != std::string::npos);
}

TEST_CASE("ssh guard: a host reached by password, or by a key it cannot name, is refused") {
  SshFake password("password", "");
  auto refused = guard(plan_with(ActionType::create), password);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].message.find("reaches this host by password") != std::string::npos);
  CHECK(password.calls().empty());

  SshFake nameless("publickey", "");
  refused = guard(plan_with(ActionType::create), nameless);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].message.find("KEY.pub") != std::string::npos);
}

TEST_CASE("ssh guard: only a plan that turns password logins off is checked") {
  SshFake password("password", "");
  CHECK(guard(plan_with(ActionType::noop), password).empty());
  CHECK(guard(plan_with(ActionType::destroy), password).empty());
  CHECK(guard(plan_with(ActionType::create, "/etc/nginx/sites-available/foobar"), password).empty());
  transport::FakeConnector local("web-01");  // not SSH: nothing to lock out of
  CHECK(guard(plan_with(ActionType::create), local).empty());
}
