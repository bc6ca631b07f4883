#include "apply/lock.h"

#include <doctest/doctest.h>

#include "remote/library.h"
#include "transport/fake_connector.h"
#include "util/hash.h"

using namespace foobar;

namespace {

// A fake host that sees a remote script's calls as the command and its payload as
// the input (the script's library prefix taken off).
class FakeConnector : public transport::FakeConnector {
 public:
  using transport::FakeConnector::FakeConnector;
  Result<transport::CommandResult> run(const std::string& command, std::string_view input, transport::Timeout timeout,
                                       std::size_t output_cap) override {
    auto inv = remote::invoked(command, input);
    REQUIRE(inv);
    return transport::FakeConnector::run(inv->calls, inv->payload, timeout, output_cap);
  }
};

// A machine where only pid 100, started at tick 5000, runs.
ThisMachine machine(std::string id = "m1", std::string boot = "b1") {
  ThisMachine m;
  m.machine_id = std::move(id);
  m.boot_id = std::move(boot);
  m.start_time_of = [](long pid) -> std::optional<unsigned long long> {
    if (pid == 100) return 5000ULL;
    return std::nullopt;
  };
  return m;
}

LockHolder holder(long pid, unsigned long long start, std::string machine_id = "m1", std::string boot = "b1") {
  LockHolder h;
  h.user = "alice";
  h.machine = "ctl";
  h.machine_id = std::move(machine_id);
  h.boot_id = std::move(boot);
  h.pid = pid;
  h.start_time = start;
  h.since = "2026-01-02T03:04:05Z";
  return h;
}

}  // namespace

TEST_CASE("lock holder: the record round-trips, and a value cannot forge a key") {
  LockHolder h = holder(42, 777);
  h.user = "eve\nmachine_id=m1";
  auto back = LockHolder::parse(h.to_text());
  REQUIRE(back);
  CHECK(back->pid == 42);
  CHECK(back->start_time == 777);
  CHECK(back->machine_id == "m1");
  CHECK(back->user == "eve machine_id=m1");
  CHECK(back->describe() == "eve machine_id=m1@ctl pid 42 (foobarctl) since 2026-01-02T03:04:05Z");
  CHECK_FALSE(LockHolder::parse("alice@ctl pid 42\n"));  // the old one-line holder
  CHECK_FALSE(LockHolder::parse("pid=x\nstart_time=1\nmachine_id=m\nboot_id=b\n"));
}

TEST_CASE("lock rules: only a dead foobarctl of this machine is taken over") {
  const ThisMachine here = machine();
  SUBCASE("alive on this machine: refused") {
    auto v = judge_lock(holder(100, 5000).to_text(), here);
    CHECK_FALSE(v.take_over);
    CHECK(v.why == "held by alice@ctl pid 100 (foobarctl) since 2026-01-02T03:04:05Z, still running on this machine");
  }
  SUBCASE("no such process: taken over") {
    auto v = judge_lock(holder(4242, 5000).to_text(), here);
    CHECK(v.take_over);
    CHECK(v.why.find("no process 4242 runs on this machine") != std::string::npos);
  }
  SUBCASE("the pid is another process now: taken over") {
    auto v = judge_lock(holder(100, 4999).to_text(), here);
    CHECK(v.take_over);
    CHECK(v.why.find("pid 100 is another process now") != std::string::npos);
  }
  SUBCASE("rebooted since: taken over even if the pid runs again") {
    auto v = judge_lock(holder(100, 5000, "m1", "b0").to_text(), here);
    CHECK(v.take_over);
    CHECK(v.why.find("rebooted") != std::string::npos);
  }
  SUBCASE("another machine: refused with who and since when, dead or alive") {
    auto v = judge_lock(holder(4242, 1, "m2").to_text(), here);
    CHECK_FALSE(v.take_over);
    CHECK(v.why == "held by alice@ctl pid 4242 (foobarctl) since 2026-01-02T03:04:05Z on another machine (ctl)");
  }
  SUBCASE("not foobarctl: refused") {
    LockHolder h = holder(4242, 1);
    h.program = "deploy.sh";
    CHECK_FALSE(judge_lock(h.to_text(), here).take_over);
  }
  SUBCASE("a record that cannot be checked: refused, quoted") {
    auto v = judge_lock("bob@ci 42\n", here);
    CHECK_FALSE(v.take_over);
    CHECK(v.why.find("'bob@ci 42'") != std::string::npos);
  }
  SUBCASE("this machine without a machine id: nothing is taken over") {
    ThisMachine anon = here;
    anon.machine_id.clear();
    CHECK_FALSE(judge_lock(holder(4242, 1, "").to_text(), anon).take_over);
  }
}

TEST_CASE("lock all hosts: a dead local holder is taken over with a warning") {
  const ThisMachine here = machine();
  const LockHolder me = holder(100, 5000);
  const std::string dead = holder(4242, 9).to_text();
  FakeConnector a("a");
  a.respond("fb_lock_take '/var/lib/foobarctl/s.lock'", {75, dead, ""});
  a.set_default({0, "", ""});
  ConnectorMap conns{{"a", &a}};
  auto out = lock_hosts({"a"}, conns, "s", me, here, 1);
  REQUIRE(out.ok());
  CHECK(out.locked == std::vector<std::string>{"a"});
  REQUIRE(out.warnings.size() == 1);
  CHECK(out.warnings[0].find("a: took over the apply lock of a dead run: held by alice@ctl pid 4242") == 0);
  // The takeover names the dead record, so a lock that changed hands meanwhile is kept.
  CHECK(a.count("fb_lock_takeover '/var/lib/foobarctl/s.lock' '" + sha256_hex(dead) + "'") == 1);
  bool sent = false;
  for (const auto& c : a.calls()) sent |= c.command.find("fb_lock_takeover '") != std::string::npos && c.input == me.to_text();
  CHECK(sent);
}

TEST_CASE("lock all hosts: all or nothing, the locks taken are released, the other run's lock is kept") {
  const ThisMachine here = machine();
  const LockHolder me = holder(100, 5000);
  FakeConnector a("a"), b("b");
  a.set_default({0, "", ""});
  b.respond("fb_lock_take '/var/lib/foobarctl/s.lock'", {75, holder(7, 1, "m2").to_text(), ""});
  b.set_default({0, "", ""});
  ConnectorMap conns{{"a", &a}, {"b", &b}};
  auto out = lock_hosts({"a", "b"}, conns, "s", me, here, 2);
  REQUIRE_FALSE(out.ok());
  CHECK(out.locked.empty());
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].where == "b");
  CHECK(out.errors[0].message.find("on another machine (ctl); wait for it, or if that run is dead: foobarctl unlock s "
                                   "--target b") != std::string::npos);
  CHECK(a.count("fb_lock_release '/var/lib/foobarctl/s.lock' '" + sha256_hex(me.to_text()) + "'") == 1);
  CHECK(b.count("fb_lock_release '") == 0);
  CHECK(b.count("fb_lock_takeover '") == 0);
}
