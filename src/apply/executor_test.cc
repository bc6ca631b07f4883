#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "apply/apply_test_util.h"
#include "apply/executor.h"
#include "remote/library.h"
#include "transport/fake_connector.h"
#include "util/base64.h"

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

// A host as the executor sees it: a remote script (remote::invoke) is taken apart
// into its calls, and each call goes to `inner` as its own command with its own
// stdin. A pipeline (fb_step calls) is answered with one step record per call,
// ending at the first failing one, as fb_step does on a host.
class RemoteHost : public transport::Connector {
 public:
  explicit RemoteHost(transport::Connector& inner) : m_inner(inner) {}
  const std::string& name() const override { return m_inner.name(); }
  Result<CommandResult> run(const std::string& command, std::string_view input, transport::Timeout timeout,
                            std::size_t output_cap) override {
    auto inv = remote::invoked(command, input);
    if (!inv) return m_inner.run(command, input, timeout, output_cap);
    ++scripts;
    const std::string &calls = inv->calls, &payload = inv->payload;
    if (calls.rfind("fb_step ", 0) != 0) return m_inner.run(calls, payload, timeout, output_cap);
    std::string out;
    std::size_t at = 0;
    for (std::size_t pos = 0; pos < calls.size();) {
      std::size_t nl = calls.find('\n', pos);
      std::string line = calls.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.rfind("fb_step ", 0) != 0) continue;  // the script's own bookkeeping (fb_undo_new)
      // fb_step 'N' 'SIZE' FUNCTION ARGS...
      std::size_t q1 = line.find('\'') + 1, q2 = line.find('\'', q1), q3 = line.find('\'', q2 + 1) + 1;
      std::string step = line.substr(q1, q2 - q1);
      std::size_t size = std::stoul(line.substr(q3));
      std::string call = line.substr(line.find(' ', line.find('\'', q3) + 1) + 1);
      std::size_t fn_end = call.find('\'', 1);  // the function is an argument of fb_step: quoted
      call = call.substr(1, fn_end - 1) + call.substr(fn_end + 1);
      auto r = m_inner.run(call, payload.substr(at, size), timeout, output_cap);
      at += size;
      if (!r) return r;
      out += "step\t" + step + "\t" + std::to_string(r->exit_status) + "\t" + base64_encode(r->out + r->err) + "\n";
      if (!r->ok()) break;
    }
    return CommandResult{0, out, ""};
  }

  int scripts = 0;  // remote scripts run

 private:
  transport::Connector& m_inner;
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

using testing::action;

// The first command of `host` that contains `part`.
std::size_t index_of(const Journal& j, const std::string& host, const std::string& part) {
  for (std::size_t i = 0; i < j.entries.size(); ++i)
    if (j.entries[i].rfind(host + ": ", 0) == 0 && j.entries[i].find(part) != std::string::npos) return i;
  return j.entries.size();
}


// Hosts a and b whose every command succeeds, each call journalled in order.
struct TwoHosts {
  FakeConnector a{"a"}, b{"b"};
  Journal journal;
  JournalConnector ja{a, journal}, jb{b, journal};
  RemoteHost ra{ja}, rb{jb};
  std::map<std::string, transport::Connector*> conns{{"a", &ra}, {"b", &rb}};
  TwoHosts() {
    a.set_default({0, "", ""});
    b.set_default({0, "", ""});
  }
};

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
  TwoHosts h;
  auto &a = h.a, &b = h.b;
  auto& journal = h.journal;
  auto& conns = h.conns;
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
  CHECK(index_of(journal, "b", "act_file '/etc/b.conf'") < index_of(journal, "a", "act_file '/etc/a.conf'"));
  // The created file's manifest entry is logged in the same script, a step before the write.
  const auto logged = index_of(journal, "a", "fb_manifest_record '/var/lib/foobarctl/s.created' '{");
  REQUIRE(logged < journal.entries.size());
  CHECK(logged < index_of(journal, "a", "act_file '/etc/a.conf'"));
  CHECK(b.count("fb_manifest_record '") == 0);  // an update
  bool manifest = false;
  for (const auto& c : a.calls())
    manifest |= c.command.find("fb_manifest_written '/var/lib/foobarctl/s.json' '/var/lib/foobarctl/s.created'") !=
                    std::string::npos &&
                c.input.find("\"a:file:/etc/a.conf\"") != std::string::npos;
  CHECK(manifest);
  CHECK(a.count("fb_journal_clear '/var/lib/foobarctl/s.pending'") == 1);  // every action succeeded
  CHECK(a.count("fb_lock_take '") == 0);  // locks are the caller's (apply/lock.h)
}

TEST_CASE("a change another host waits for ends its group, so that host need not wait for the rest") {
  Graph g;
  Resource awaited = file("b", "/etc/b1.conf");
  Resource later = file("b", "/etc/b2.conf", {"b:file:/etc/b1.conf"});
  Resource waiting = file("a", "/etc/a.conf", {"b:file:/etc/b1.conf"});
  for (const auto& r : {awaited, later, waiting}) REQUIRE(g.add(r).ok());
  Plan plan;
  plan.stack = "s";
  plan.hosts = {HostPlan{"a", true, "", {}, {action(waiting, ActionType::update)}, {}},
                HostPlan{"b", true, "", {}, {action(awaited, ActionType::update), action(later, ActionType::update)}, {}}};
  TwoHosts h;
  auto& journal = h.journal;
  auto &ra = h.ra, &rb = h.rb;
  auto& conns = h.conns;
  ApplyOptions opt;
  opt.stack = "s";
  auto result = apply_plan(plan, g, conns, opt);
  CHECK(result.ok());
  // b: the awaited change alone, then the rest, then the manifest; one script each
  CHECK(rb.scripts == 3);
  CHECK(ra.scripts == 2);
  CHECK(index_of(journal, "b", "act_file '/etc/b1.conf'") < index_of(journal, "a", "act_file '/etc/a.conf'"));
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
  RemoteHost ra(a);
  std::map<std::string, transport::Connector*> conns{{"a", &ra}};
  ApplyOptions opt;
  opt.stack = "s";
  opt.schedule.parallelism = 1;
  REQUIRE(apply_plan(plan, g, conns, opt).ok());
  // The journal line, the change, the handler and the line's removal: steps of one
  // script, in that order, then the manifest.
  CHECK(ra.scripts == 2);
  std::vector<std::string> order;
  for (const auto& c : a.calls()) order.push_back(c.command);
  REQUIRE(order.size() >= 4);
  CHECK(order[0] == "fb_journal_step '/var/lib/foobarctl/s.pending' 'restart\tapp\ta:file:/etc/app.py'");
  CHECK(order[1].rfind("act_file '/etc/app.py'", 0) == 0);
  CHECK(order[2] == "act_service_do 'app' 'restart'");
  CHECK(order[3] == "fb_journal_done '/var/lib/foobarctl/s.pending' 'app'");
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
  a.respond("act_file '/etc/one'", {3, "", "line 3: unknown directive\n"});
  a.set_default({0, "", ""});
  RemoteHost ra(a);
  std::map<std::string, transport::Connector*> conns{{"a", &ra}};
  ApplyOptions opt;
  opt.stack = "s";
  auto result = apply_plan(plan, g, conns, opt);
  REQUIRE_FALSE(result.ok());
  CHECK(result.errors[0].message.find("checker rejected") != std::string::npos);
  CHECK(result.errors[0].message.find("unknown directive") != std::string::npos);
  CHECK(result.actions[0].outcome == StepOutcome::failed);
  CHECK(result.actions[1].outcome == StepOutcome::not_run);  // the script stopped before it
  CHECK(a.count("act_file '/etc/two'") == 0);
  CHECK(a.count("fb_journal_clear '") == 0);  // handlers may still be pending
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
  primary.respond("fb_seed_dump", {0, "-- dump of db-01\nSET GLOBAL gtid_slave_pos='0-1-9';\n", ""});
  replica.set_default({0, "", ""});
  RemoteHost rp(primary), rr(replica);
  std::map<std::string, transport::Connector*> conns{{"db-01", &rp}, {"db-03", &rr}};
  auto result = apply_plan(plan, g, conns, seed_options());
  REQUIRE(result.ok());
  CHECK(primary.count("fb_seed_dump") == 1);
  CHECK(primary.count("fb_manifest_written") == 0);  // the primary is only read: no manifest
  const transport::FakeConnector::Call* import = nullptr;
  for (const auto& c : replica.calls())
    if (c.command.find(k_seed_marker) != std::string::npos) import = &c;
  REQUIRE(import);
  CHECK(import->input.rfind("-- dump of db-01\nSET GLOBAL gtid_slave_pos='0-1-9';\n", 0) == 0);
  CHECK(import->input.find("CHANGE MASTER TO MASTER_HOST='10.77.0.41'") != std::string::npos);
  CHECK(replica.count("act_replication") == 0);
}

TEST_CASE("a replica found configured at apply time is reconfigured, not seeded over") {
  SeedPlan seed("db-02", "db-01");
  const Graph& g = seed.graph;
  const Plan& plan = seed.plan;
  FakeConnector primary("db-01"), replica("db-02");
  primary.respond("fb_seed_dump", {0, "-- dump\n", ""});
  replica.respond(k_seed_marker, {k_already_replica_status, "", "already a replica of 10.77.0.41\n"});
  replica.set_default({0, "", ""});
  RemoteHost rp(primary), rr(replica);
  std::map<std::string, transport::Connector*> conns{{"db-01", &rp}, {"db-02", &rr}};
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
  primary.respond("fb_seed_dump", {0, "-- dump\n", ""});
  replica.respond(k_seed_marker, {k_seed_refused_status, "", "already holds tables in: shop.\n"});
  replica.set_default({0, "", ""});
  RemoteHost rp(primary), rr(replica);
  std::map<std::string, transport::Connector*> conns{{"db-01", &rp}, {"db-03", &rr}};
  auto refused = apply_plan(plan, g, conns, seed_options());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.errors[0].to_string().find("db-03") != std::string::npos);
  CHECK(refused.errors[0].message.find("refusing to seed this replica from db-01: already holds tables in: shop.") !=
        std::string::npos);
  CHECK(replica.count("fb_manifest_written '/var/lib/foobarctl/s.json'") == 1);

  std::map<std::string, transport::Connector*> only_replica{{"db-03", &rr}};
  auto untargeted = apply_plan(plan, g, only_replica, seed_options());
  REQUIRE_FALSE(untargeted.ok());
  CHECK(untargeted.errors[0].message.find("include db-01 in --target") != std::string::npos);

  FakeConnector failing("db-01");
  failing.respond("fb_seed_dump", {2, "", "mysqldump: Binlogging on server not active\n"});
  RemoteHost rf(failing);
  std::map<std::string, transport::Connector*> broken{{"db-01", &rf}, {"db-03", &rr}};
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
  primary.respond("fb_seed_dump", {0, "-- dump\n", ""});
  primary.set_default({0, "", ""});
  replica.set_default({0, "", ""});
  ExclusiveConnector p(primary), r(replica);
  RemoteHost rp(p), rr(r);
  std::map<std::string, transport::Connector*> conns{{"db-01", &rp}, {"db-03", &rr}};
  ApplyOptions opt = seed_options();
  opt.schedule.parallelism = 4;
  auto result = apply_plan(plan, g, conns, opt);
  CHECK(result.ok());
  CHECK(primary.count("fb_seed_dump") == 1);
  CHECK(primary.count("act_file '/etc/f19'") == 1);
  CHECK_FALSE(p.overlapped());
  CHECK_FALSE(r.overlapped());
}
