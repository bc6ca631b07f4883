#include <doctest/doctest.h>

#include <mutex>

#include "apply/executor.h"
#include "transport/fake_connector.h"

using namespace foobar;
using transport::CommandResult;
using transport::FakeConnector;

namespace {

// Records every command of every host in one sequence, to check cross-host order.
struct Journal {
  std::mutex mutex;
  std::vector<std::string> entries;
};

class JournalConnector : public transport::Connector {
 public:
  JournalConnector(FakeConnector& fake, Journal& journal) : m_fake(fake), m_journal(journal) {}
  const std::string& name() const override { return m_fake.name(); }
  Result<CommandResult> run(const std::string& command, std::string_view input,
                            transport::Timeout timeout) override {
    {
      std::lock_guard lock(m_journal.mutex);
      m_journal.entries.push_back(m_fake.name() + ": " + command.substr(0, 40));
    }
    return m_fake.run(command, input, timeout);
  }

 private:
  FakeConnector& m_fake;
  Journal& m_journal;
};

Resource file(const std::string& host, const std::string& path, std::vector<std::string> deps = {}) {
  Resource r;
  r.host = host;
  r.kind = ResourceKind::file;
  r.name = path;
  FileState f;
  f.content = "content of " + path + "\n";
  r.state = f;
  r.deps = std::move(deps);
  return r;
}

Action action(const Resource& r, ActionType type) {
  Action a;
  a.id = r.id();
  a.host = r.host;
  a.kind = r.kind;
  a.name = r.name;
  a.type = type;
  return a;
}

std::size_t index_of(const Journal& j, const std::string& prefix) {
  for (std::size_t i = 0; i < j.entries.size(); ++i)
    if (j.entries[i].rfind(prefix, 0) == 0) return i;
  return j.entries.size();
}

}  // namespace

TEST_CASE("apply locks each host, runs actions in order across hosts, writes the manifest, unlocks") {
  Graph g;
  Resource fa = file("a", "/etc/a.conf", {"b:file:/etc/b.conf"});
  Resource fb = file("b", "/etc/b.conf");
  REQUIRE(g.add(fa).ok());
  REQUIRE(g.add(fb).ok());
  Plan plan;
  plan.stack = "s";
  plan.hosts = {HostPlan{"a", true, "", {}, {action(fa, ActionType::create)}},
                HostPlan{"b", true, "", {}, {action(fb, ActionType::update)}}};
  FakeConnector a("a"), b("b");
  a.set_default({0, "", ""});
  b.set_default({0, "", ""});
  Journal journal;
  JournalConnector ja(a, journal), jb(b, journal);
  std::map<std::string, transport::Connector*> conns{{"a", &ja}, {"b", &jb}};
  ApplyOptions opt;
  opt.stack = "s";
  opt.holder = "tester";
  opt.schedule.parallelism = 1;
  auto result = apply_plan(plan, g, conns, opt);
  CHECK(result.ok());
  REQUIRE(result.actions.size() == 2);
  for (const auto& o : result.actions) CHECK(o.outcome == StepOutcome::succeeded);
  // b's file is written before a's, which depends on it
  CHECK(a.count("content") == 0);  // payloads travel on stdin only
  bool a_written = false, b_written = false;
  for (const auto& c : a.calls()) a_written |= c.input == "content of /etc/a.conf\n";
  for (const auto& c : b.calls()) b_written |= c.input == "content of /etc/b.conf\n";
  CHECK(a_written);
  CHECK(b_written);
  CHECK(index_of(journal, "b: set -e\np=") < index_of(journal, "a: set -e\np="));
  CHECK(a.count("mkdir '/var/lib/foobarctl/s.lock'") == 1);
  CHECK(a.count("rm -rf '/var/lib/foobarctl/s.lock'") == 1);
  bool manifest = false;
  for (const auto& c : a.calls()) manifest |= c.input.find("\"a:file:/etc/a.conf\"") != std::string::npos;
  CHECK(manifest);
}

TEST_CASE("a rejected config fails its action, stops later work, and still unlocks") {
  Graph g;
  Resource f1 = file("a", "/etc/one"), f2 = file("a", "/etc/two", {"a:file:/etc/one"});
  REQUIRE(g.add(f1).ok());
  REQUIRE(g.add(f2).ok());
  Plan plan;
  plan.stack = "s";
  plan.hosts = {HostPlan{"a", true, "", {}, {action(f1, ActionType::update), action(f2, ActionType::update)}}};
  FakeConnector a("a");
  a.respond("p='/etc/one'", {3, "", "line 3: unknown directive\n"});
  a.set_default({0, "", ""});
  std::map<std::string, transport::Connector*> conns{{"a", &a}};
  ApplyOptions opt;
  opt.stack = "s";
  auto result = apply_plan(plan, g, conns, opt);
  REQUIRE_FALSE(result.ok());
  CHECK(result.errors[0].message.find("checker rejected") != std::string::npos);
  CHECK(result.errors[0].message.find("unknown directive") != std::string::npos);
  CHECK(result.actions[1].outcome == StepOutcome::skipped);
  CHECK(a.count("p='/etc/two'") == 0);
  CHECK(a.count("rm -rf '/var/lib/foobarctl/s.lock'") == 1);
}

TEST_CASE("a held lock fails the host fast and leaves the other run's lock alone") {
  Graph g;
  Resource f1 = file("a", "/etc/one");
  REQUIRE(g.add(f1).ok());
  Plan plan;
  plan.stack = "s";
  plan.hosts = {HostPlan{"a", true, "", {}, {action(f1, ActionType::create)}}};
  FakeConnector a("a");
  a.respond("mkdir '/var/lib/foobarctl/s.lock'", {75, "alice@ctl pid 42\n", ""});
  a.set_default({0, "", ""});
  std::map<std::string, transport::Connector*> conns{{"a", &a}};
  ApplyOptions opt;
  opt.stack = "s";
  auto result = apply_plan(plan, g, conns, opt);
  REQUIRE_FALSE(result.ok());
  CHECK(result.errors[0].message.find("alice@ctl pid 42") != std::string::npos);
  CHECK(a.count("p='/etc/one'") == 0);
  CHECK(a.count("rm -rf") == 0);
}
