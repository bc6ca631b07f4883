#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

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
  Result<CommandResult> run(const std::string& command, std::string_view input, transport::Timeout timeout,
                            std::size_t output_cap) override {
    {
      std::lock_guard lock(m_journal.mutex);
      m_journal.entries.push_back(m_fake.name() + ": " + command);
    }
    return m_fake.run(command, input, timeout, output_cap);
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

// The first command of `host` that contains `part`.
std::size_t index_of(const Journal& j, const std::string& host, const std::string& part) {
  for (std::size_t i = 0; i < j.entries.size(); ++i)
    if (j.entries[i].rfind(host + ": ", 0) == 0 && j.entries[i].find(part) != std::string::npos) return i;
  return j.entries.size();
}

// The recorded command of `fake` that contains `part`, or "".
std::string command_with(const FakeConnector& fake, const std::string& part) {
  for (const auto& c : fake.calls())
    if (c.command.find(part) != std::string::npos) return c.command;
  return "";
}

}  // namespace

TEST_CASE("apply runs actions in order across hosts, records creations, writes the manifest") {
  Graph g;
  Resource fa = file("a", "/etc/a.conf", {"b:file:/etc/b.conf"});
  Resource fb = file("b", "/etc/b.conf");
  REQUIRE(g.add(fa).ok());
  REQUIRE(g.add(fb).ok());
  Plan plan;
  plan.stack = "s";
  plan.hosts = {HostPlan{"a", true, "", {}, {action(fa, ActionType::create)}, {}},
                HostPlan{"b", true, "", {}, {action(fb, ActionType::update)}, {}}};
  FakeConnector a("a"), b("b");
  a.set_default({0, "", ""});
  b.set_default({0, "", ""});
  Journal journal;
  JournalConnector ja(a, journal), jb(b, journal);
  std::map<std::string, transport::Connector*> conns{{"a", &ja}, {"b", &jb}};
  ApplyOptions opt;
  opt.stack = "s";
  opt.schedule.parallelism = 1;
  auto result = apply_plan(plan, g, conns, opt);
  CHECK(result.ok());
  REQUIRE(result.actions.size() == 2);
  for (const auto& o : result.actions) CHECK(o.outcome == StepOutcome::succeeded);
  // b's file is written before a's, which depends on it
  CHECK(a.count("content of") == 0);  // payloads travel on stdin only
  bool a_written = false, b_written = false;
  for (const auto& c : a.calls()) a_written |= c.input == "content of /etc/a.conf\n";
  for (const auto& c : b.calls()) b_written |= c.input == "content of /etc/b.conf\n";
  CHECK(a_written);
  CHECK(b_written);
  CHECK(index_of(journal, "b", "set -e\np=") < index_of(journal, "a", "set -e\np="));
  // The created file's manifest entry is logged in the same command, before the write.
  const std::string create = command_with(a, "set -e\np='/etc/a.conf'");
  const auto logged = create.find("\nfb_manifest_record '/var/lib/foobarctl/s.created' '{");
  REQUIRE(logged != std::string::npos);
  CHECK(logged < create.find("set -e\np='/etc/a.conf'"));
  CHECK(command_with(b, "set -e\np='/etc/b.conf'").find("fb_manifest_record '") == std::string::npos);  // an update
  bool manifest = false;
  for (const auto& c : a.calls())
    manifest |= c.command.find("\nfb_manifest_written '/var/lib/foobarctl/s.json' '/var/lib/foobarctl/s.created'") !=
                    std::string::npos &&
                c.input.find("\"a:file:/etc/a.conf\"") != std::string::npos;
  CHECK(manifest);
  CHECK(a.count("\nfb_journal_clear '/var/lib/foobarctl/s.pending'") == 1);  // every action succeeded
  CHECK(a.count("\nfb_lock_take '") == 0);  // locks are the caller's (apply/lock.h)
}

TEST_CASE("a change records the handlers it notifies in the journal, in the same command; the handler clears them") {
  Graph g;
  Resource f = file("a", "/etc/app.py");
  Resource svc;
  svc.host = "a";
  svc.kind = ResourceKind::service;
  svc.name = "app";
  svc.state = ServiceState{};
  f.notify = {Notify{svc.id(), OnChange::restart}};
  REQUIRE(g.add(f).ok());
  REQUIRE(g.add(svc).ok());
  Action restart = action(svc, ActionType::restart);
  restart.handler = OnChange::restart;
  restart.notified_by = {f.id()};
  Plan plan;
  plan.stack = "s";
  plan.hosts = {HostPlan{"a", true, "", {}, {action(f, ActionType::update), restart}, {}}};
  FakeConnector a("a");
  a.set_default({0, "", ""});
  std::map<std::string, transport::Connector*> conns{{"a", &a}};
  ApplyOptions opt;
  opt.stack = "s";
  opt.schedule.parallelism = 1;
  REQUIRE(apply_plan(plan, g, conns, opt).ok());
  const std::string change = command_with(a, "p='/etc/app.py'");
  const auto added = change.find("\nfb_journal_add '/var/lib/foobarctl/s.pending' 'restart\tapp\ta:file:/etc/app.py'");
  REQUIRE(added != std::string::npos);
  CHECK(added < change.find("p='/etc/app.py'"));
  // A refused config (status 3) takes its new journal line back.
  CHECK(change.find("if [ $fb_st = 3 ]") != std::string::npos);
  const std::string handler = command_with(a, "service 'app' restart");
  REQUIRE_FALSE(handler.empty());
  CHECK(handler.find("\nfb_journal_done '/var/lib/foobarctl/s.pending' 'app'") > handler.find("service 'app' restart"));
}

TEST_CASE("a rejected config fails its action, stops later work, and keeps the journal") {
  Graph g;
  Resource f1 = file("a", "/etc/one"), f2 = file("a", "/etc/two", {"a:file:/etc/one"});
  REQUIRE(g.add(f1).ok());
  REQUIRE(g.add(f2).ok());
  Plan plan;
  plan.stack = "s";
  plan.hosts = {HostPlan{"a", true, "", {}, {action(f1, ActionType::update), action(f2, ActionType::update)}, {}}};
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
  CHECK(a.count("\nfb_journal_clear '") == 0);  // handlers may still be pending
}

namespace {

Resource replica_link(const std::string& replica, const std::string& primary) {
  Resource r;
  r.host = replica;
  r.kind = ResourceKind::replication;
  r.name = primary;
  r.state = ReplicationState{primary, "10.77.0.41", "repl", "DB_REPL"};
  return r;
}

// A plan whose one action creates `replica`'s replication link to `primary`.
struct SeedPlan {
  Graph graph;
  Plan plan;
  SeedPlan(const std::string& replica, const std::string& primary) {
    Resource link = replica_link(replica, primary);
    REQUIRE(graph.add(link).ok());
    plan.stack = "s";
    plan.hosts = {HostPlan{replica, true, "", {}, {action(link, ActionType::create)}, {}}};
  }
};

ApplyOptions seed_options() {
  ApplyOptions opt;
  opt.stack = "s";
  opt.secrets = [](const std::string&) { return std::optional<std::string>("pw"); };
  return opt;
}

// Serializes calls to a FakeConnector (not thread-safe) and records whether two
// threads ever were inside run() at once.
class ExclusiveConnector : public transport::Connector {
 public:
  explicit ExclusiveConnector(FakeConnector& fake) : m_fake(fake) {}
  const std::string& name() const override { return m_fake.name(); }
  Result<CommandResult> run(const std::string& command, std::string_view input, transport::Timeout timeout,
                            std::size_t output_cap) override {
    if (m_inside.fetch_add(1) != 0) m_overlapped = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    Result<CommandResult> r = [&] {
      std::lock_guard lock(m_mutex);
      return m_fake.run(command, input, timeout, output_cap);
    }();
    m_inside.fetch_sub(1);
    return r;
  }
  bool overlapped() const { return m_overlapped; }

 private:
  FakeConnector& m_fake;
  std::mutex m_mutex;
  std::atomic<int> m_inside{0};
  std::atomic<bool> m_overlapped{false};
};

}  // namespace

TEST_CASE("a new replica is seeded: its import reads the primary's dump through the controller") {
  SeedPlan seed("db-03", "db-01");
  const Graph& g = seed.graph;
  const Plan& plan = seed.plan;
  FakeConnector primary("db-01"), replica("db-03");
  primary.respond("mysqldump", {0, "-- dump of db-01\nSET GLOBAL gtid_slave_pos='0-1-9';\n", ""});
  replica.set_default({0, "", ""});
  std::map<std::string, transport::Connector*> conns{{"db-01", &primary}, {"db-03", &replica}};
  auto result = apply_plan(plan, g, conns, seed_options());
  REQUIRE(result.ok());
  CHECK(primary.count("mysqldump") == 1);
  CHECK(primary.count("mkdir") == 0);  // the primary is only read: no lock, no manifest
  const transport::FakeConnector::Call* import = nullptr;
  for (const auto& c : replica.calls())
    if (c.command.find(k_seed_marker) != std::string::npos) import = &c;
  REQUIRE(import);
  CHECK(import->input.rfind("-- dump of db-01\nSET GLOBAL gtid_slave_pos='0-1-9';\n", 0) == 0);
  CHECK(import->input.find("CHANGE MASTER TO MASTER_HOST='10.77.0.41'") != std::string::npos);
  CHECK(replica.count("STOP SLAVE") == 0);
}

TEST_CASE("a replica found configured at apply time is reconfigured, not seeded over") {
  SeedPlan seed("db-02", "db-01");
  const Graph& g = seed.graph;
  const Plan& plan = seed.plan;
  FakeConnector primary("db-01"), replica("db-02");
  primary.respond("mysqldump", {0, "-- dump\n", ""});
  replica.respond(k_seed_marker, {k_already_replica_status, "", "already a replica of 10.77.0.41\n"});
  replica.set_default({0, "", ""});
  std::map<std::string, transport::Connector*> conns{{"db-01", &primary}, {"db-02", &replica}};
  auto result = apply_plan(plan, g, conns, seed_options());
  CHECK(result.ok());
  bool reconfigured = false;
  for (const auto& c : replica.calls())
    reconfigured |= c.input.rfind("STOP SLAVE;\nCHANGE MASTER TO", 0) == 0;
  CHECK(reconfigured);
}

TEST_CASE("a seed over the replica's own tables fails naming the host, and an unreachable primary is named") {
  SeedPlan seed("db-03", "db-01");
  const Graph& g = seed.graph;
  const Plan& plan = seed.plan;
  FakeConnector primary("db-01"), replica("db-03");
  primary.respond("mysqldump", {0, "-- dump\n", ""});
  replica.respond(k_seed_marker, {k_seed_refused_status, "", "already holds tables in: shop.\n"});
  replica.set_default({0, "", ""});
  std::map<std::string, transport::Connector*> conns{{"db-01", &primary}, {"db-03", &replica}};
  auto refused = apply_plan(plan, g, conns, seed_options());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.errors[0].to_string().find("db-03") != std::string::npos);
  CHECK(refused.errors[0].message.find("refusing to seed this replica from db-01: already holds tables in: shop.") !=
        std::string::npos);
  CHECK(replica.count("\nfb_manifest_written '/var/lib/foobarctl/s.json'") == 1);

  std::map<std::string, transport::Connector*> only_replica{{"db-03", &replica}};
  auto untargeted = apply_plan(plan, g, only_replica, seed_options());
  REQUIRE_FALSE(untargeted.ok());
  CHECK(untargeted.errors[0].message.find("include db-01 in --target") != std::string::npos);

  FakeConnector failing("db-01");
  failing.respond("mysqldump", {2, "", "mysqldump: Binlogging on server not active\n"});
  std::map<std::string, transport::Connector*> broken{{"db-01", &failing}, {"db-03", &replica}};
  auto no_dump = apply_plan(plan, g, broken, seed_options());
  REQUIRE_FALSE(no_dump.ok());
  CHECK(no_dump.errors[0].message.find("Binlogging on server not active") != std::string::npos);
}

TEST_CASE("a host's connector is never used by two threads at once, even when another host reads from it") {
  Graph g;
  Resource link = replica_link("db-03", "db-01");
  REQUIRE(g.add(link).ok());
  std::vector<Action> primary_actions;
  for (int i = 0; i < 20; ++i) {
    Resource f = file("db-01", "/etc/f" + std::to_string(i));
    REQUIRE(g.add(f).ok());
    primary_actions.push_back(action(f, ActionType::update));
  }
  Plan plan;
  plan.stack = "s";
  plan.hosts = {HostPlan{"db-01", true, "", {}, primary_actions, {}},
                HostPlan{"db-03", true, "", {}, {action(link, ActionType::create)}, {}}};
  FakeConnector primary("db-01"), replica("db-03");
  primary.respond("mysqldump", {0, "-- dump\n", ""});
  primary.set_default({0, "", ""});
  replica.set_default({0, "", ""});
  ExclusiveConnector p(primary), r(replica);
  std::map<std::string, transport::Connector*> conns{{"db-01", &p}, {"db-03", &r}};
  ApplyOptions opt = seed_options();
  opt.schedule.parallelism = 4;
  auto result = apply_plan(plan, g, conns, opt);
  CHECK(result.ok());
  CHECK(primary.count("mysqldump") == 1);
  CHECK(primary.count("p='/etc/f19'") == 1);
  CHECK_FALSE(p.overlapped());
  CHECK_FALSE(r.overlapped());
}
