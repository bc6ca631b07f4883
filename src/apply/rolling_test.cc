#include <doctest/doctest.h>

#include <memory>
#include <mutex>

#include "apply/apply_test_util.h"
#include "apply/executor.h"
#include "apply/rolling.h"
#include "remote/library.h"
#include "transport/fake_connector.h"

using namespace foobar;
using transport::CommandResult;
using transport::FakeConnector;

namespace {

Resource service(const std::string& host, const std::string& name) {
  Resource r;
  r.host = host;
  r.kind = ResourceKind::service;
  r.name = name;
  r.state = ServiceState{};
  return r;
}

Resource file(const std::string& host, const std::string& path) {
  Resource r;
  r.host = host;
  r.kind = ResourceKind::file;
  r.name = path;
  FileState f;
  f.content = "new\n";
  r.state = f;
  return r;
}

using testing::action;

// A release on `host`: app.py changes and restarts foobar-app.
HostPlan release(const std::string& host) {
  Resource f = file(host, "/opt/foobar/app.py");
  Action restart = action(service(host, "foobar-app"), ActionType::restart);
  restart.handler = OnChange::restart;
  restart.notified_by = {f.id()};
  return HostPlan{host, true, "", {}, {action(f, ActionType::update), restart}, {}};
}

// A change that interrupts nothing: a file no request-path service reads.
HostPlan quiet(const std::string& host) {
  return HostPlan{host, true, "", {}, {action(file(host, "/etc/motd"), ActionType::update)}, {}};
}

RollPolicy policy(std::size_t batch = 1) {
  RollPolicy p;
  p.tiers = {{"app", {"app-01", "app-02", "app-03"}, batch, {"foobar-app"}},
             {"web", {"web-01", "web-02"}, 1, {"nginx"}},
             {"lb", {"lb-01"}, 1, {"haproxy"}}};
  return p;
}

}  // namespace

TEST_CASE("rolling: hosts whose change restarts a request-path service go a batch at a time") {
  Plan plan;
  plan.hosts = {release("app-01"), quiet("app-02"), release("app-03")};
  auto rolls = plan_roll(plan, policy());
  REQUIRE(rolls.size() == 1);
  CHECK(rolls[0].tier == "app");
  // app-02 changes nothing that interrupts: it is in no batch and changes in parallel.
  REQUIRE(rolls[0].batches.size() == 2);
  CHECK(rolls[0].batches[0] == std::vector<std::string>{"app-01"});
  CHECK(rolls[0].batches[1] == std::vector<std::string>{"app-03"});
  CHECK(rolls[0].interrupting.at("app-01") == std::vector<std::string>{"restart service foobar-app"});
  CHECK_FALSE(rolls[0].interrupting.count("app-02"));

  plan.hosts = {release("app-01"), release("app-02"), release("app-03")};
  rolls = plan_roll(plan, policy(2));
  REQUIRE(rolls.size() == 1);
  REQUIRE(rolls[0].batches.size() == 2);
  CHECK(rolls[0].batches[0] == std::vector<std::string>{"app-01", "app-02"});
  CHECK(rolls[0].batches[1] == std::vector<std::string>{"app-03"});
}

TEST_CASE("rolling: a host whose service is down rolls first, once others would be interrupted") {
  HostPlan down{"app-02", true, "", {}, {action(service("app-02", "foobar-app"), ActionType::update)}, {}};
  Plan plan;
  plan.hosts = {release("app-01"), down};
  auto rolls = plan_roll(plan, policy());
  REQUIRE(rolls.size() == 1);
  CHECK(rolls[0].batches == std::vector<std::vector<std::string>>{{"app-02"}, {"app-01"}});
  // Starting services interrupts nothing by itself (a first apply does not roll).
  plan.hosts = {down};
  CHECK(plan_roll(plan, policy()).empty());
}

TEST_CASE("rolling: a tier of one host, a disabled policy, unreachable hosts and other services do not roll") {
  Plan plan;
  HostPlan lb{"lb-01", true, "", {}, {}, {}};
  Action reload = action(service("lb-01", "haproxy"), ActionType::reload);
  lb.actions.push_back(reload);
  plan.hosts = {lb, release("app-01")};
  auto rolls = plan_roll(plan, policy());
  REQUIRE(rolls.size() == 1);  // app: one host has a release, but the tier has three
  CHECK(rolls[0].tier == "app");
  CHECK(rolls[0].batches.size() == 1);

  RollPolicy off = policy();
  off.enabled = false;
  CHECK(plan_roll(plan, off).empty());

  plan.hosts = {release("app-01")};
  plan.hosts[0].reachable = false;
  CHECK(plan_roll(plan, policy()).empty());

  // Starting a stopped service interrupts nothing; reloading another service neither.
  HostPlan web{"web-01", true, "", {}, {}, {}};
  web.actions.push_back(action(service("web-01", "nginx"), ActionType::update));
  web.actions.push_back(action(service("web-01", "prometheus-nginx-exporter"), ActionType::restart));
  plan.hosts = {web};
  CHECK(plan_roll(plan, policy()).empty());
  CHECK(interrupts(action(service("web-01", "nginx"), ActionType::reload), {"nginx"}));
  CHECK(interrupts(action(service("web-01", "nginx"), ActionType::destroy), {"nginx"}));
}

TEST_CASE("rolling: a host in two tiers rolls once, with the first tier that it interrupts") {
  RollPolicy p;
  p.tiers = {{"app", {"web-01", "web-02"}, 1, {"foobar-app"}}, {"web", {"web-01", "web-02"}, 1, {"nginx"}}};
  HostPlan a = release("web-01");
  a.actions.push_back(action(service("web-01", "nginx"), ActionType::reload));
  HostPlan b{"web-02", true, "", {}, {action(service("web-02", "nginx"), ActionType::reload)}, {}};
  Plan plan;
  plan.hosts = {a, b};
  auto rolls = plan_roll(plan, p);
  REQUIRE(rolls.size() == 2);
  CHECK(rolls[0].tier == "app");
  CHECK(rolls[0].batches == std::vector<std::vector<std::string>>{{"web-01"}});
  CHECK(rolls[1].tier == "web");
  CHECK(rolls[1].batches == std::vector<std::vector<std::string>>{{"web-02"}});
}

namespace {

// Hosts that answer every remote script; the calls of each script go into one
// ordered log ("host: call"), and a gate whose call contains `failing` fails.
struct Lab {
  std::mutex mutex;
  std::vector<std::string> log;
  std::string failing;
};

class LabHost : public transport::Connector {
 public:
  LabHost(std::string name, Lab& lab) : m_name(std::move(name)), m_lab(lab) {}
  const std::string& name() const override { return m_name; }
  Result<CommandResult> run(const std::string& command, std::string_view input, transport::Timeout,
                            std::size_t) override {
    auto inv = remote::invoked(command, input);
    if (!inv) return CommandResult{0, "", ""};
    std::lock_guard lock(m_lab.mutex);
    std::string out;
    bool failed = false;
    for (std::size_t pos = 0; pos < inv->calls.size();) {
      std::size_t nl = inv->calls.find('\n', pos);
      std::string line = inv->calls.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.empty()) continue;
      m_lab.log.push_back(m_name + ": " + line);
      if (line.rfind("fb_step ", 0) == 0) {
        std::size_t q1 = line.find('\'') + 1;
        out += "step\t" + line.substr(q1, line.find('\'', q1) - q1) + "\t0\t\n";
      } else if (!m_lab.failing.empty() && line.find(m_lab.failing) != std::string::npos) {
        failed = true;
      }
    }
    if (failed) return CommandResult{1, "did not answer 200 within 20 s", ""};
    return CommandResult{0, out, ""};
  }

 private:
  std::string m_name;
  Lab& m_lab;
};

std::size_t first(const Lab& lab, const std::string& part) {
  for (std::size_t i = 0; i < lab.log.size(); ++i)
    if (lab.log[i].find(part) != std::string::npos) return i;
  return lab.log.size();
}

// The first line of `host`'s scripts that holds `part`.
std::size_t first_on(const Lab& lab, const std::string& host, const std::string& part) {
  for (std::size_t i = 0; i < lab.log.size(); ++i)
    if (lab.log[i].rfind(host + ": ", 0) == 0 && lab.log[i].find(part) != std::string::npos) return i;
  return lab.log.size();
}

struct Release {
  Graph graph;
  Plan plan;
  Lab lab;
  std::map<std::string, std::unique_ptr<LabHost>> hosts;
  ApplyOptions options;

  Release() {
    plan.stack = "s";
    for (const char* h : {"app-01", "app-02", "lb-01"}) hosts[h] = std::make_unique<LabHost>(h, lab);
    for (const char* h : {"app-01", "app-02"}) {
      REQUIRE(graph.add(file(h, "/opt/foobar/app.py")).ok());
      REQUIRE(graph.add(service(h, "foobar-app")).ok());
      plan.hosts.push_back(release(h));
    }
    options.stack = "s";
    options.schedule.parallelism = 4;
    options.roll.tiers = {{"app", {"app-01", "app-02"}, 1, {"foobar-app"}}};
    for (const char* h : {"app-01", "app-02"})
      options.roll.guards[h] = HostGuard{{GuardCall{"lb-01", RemoteCall{"roll_drain_probe", {h}}, "drain on lb-01"}},
                                         {GuardCall{h, RemoteCall{"roll_http_gate", {h}}, "gate: the app"}}};
  }

  ApplyResult run() {
    std::map<std::string, transport::Connector*> conns;
    for (auto& [name, c] : hosts) conns[name] = c.get();
    return apply_plan(plan, graph, conns, options);
  }
};

}  // namespace

TEST_CASE("rolling apply: drain, change, gate per host; the next host starts after the gate") {
  Release r;
  auto result = r.run();
  CHECK(result.ok());
  const Lab& lab = r.lab;
  // The drain of app-01 runs on the lb, before app-01 changes; the gate after its restart.
  auto drain1 = first(lab, "lb-01: roll_drain_probe 'app-01'");
  auto restart1 = first(lab, "app-01: fb_step") , gate1 = first(lab, "app-01: roll_http_gate");
  auto drain2 = first(lab, "lb-01: roll_drain_probe 'app-02'"), change2 = first(lab, "app-02: fb_step");
  REQUIRE(gate1 < lab.log.size());
  CHECK(drain1 < restart1);
  CHECK(restart1 < gate1);
  CHECK(gate1 < drain2);
  CHECK(drain2 < change2);
  CHECK(first(lab, "app-02: roll_http_gate") < lab.log.size());
  CHECK(first(lab, "fb_journal_add") == lab.log.size());
}

TEST_CASE("rolling apply: a failed gate stops the roll, names the host, keeps its restart pending") {
  Release r;
  r.lab.failing = "roll_http_gate 'app-01'";
  auto result = r.run();
  CHECK_FALSE(result.ok());
  const Lab& lab = r.lab;
  // app-02 was neither drained nor changed: it keeps the old release.
  CHECK(first_on(lab, "app-02", "act_") == lab.log.size());
  CHECK(first(lab, "roll_drain_probe 'app-02'") == lab.log.size());
  for (const auto& a : result.actions)
    if (a.host == "app-02") CHECK(a.outcome != StepOutcome::succeeded);
  REQUIRE_FALSE(result.errors.empty());
  CHECK(result.errors[0].where == "app-01");
  CHECK(result.errors[0].message.find("gate: the app") != std::string::npos);
  CHECK(result.errors[0].message.find("did not answer 200") != std::string::npos);
  // The restart goes back into app-01's journal, and the journal is not cleared.
  CHECK(first(lab, "app-01: fb_journal_add '/var/lib/foobarctl/s.pending' 'restart\tfoobar-app\t") < lab.log.size());
  CHECK(first_on(lab, "app-01", "fb_manifest_written") < lab.log.size());
  bool cleared = false;
  for (const auto& l : lab.log) cleared |= l.rfind("app-01: ", 0) == 0 && l.find("fb_journal_clear") != std::string::npos;
  CHECK_FALSE(cleared);
}

TEST_CASE("rolling apply: a drain on a host the run does not reach (--target) is left out, not an error") {
  Release r;
  r.hosts.erase("lb-01");
  CHECK(r.run().ok());
  CHECK(first(r.lab, "roll_drain_probe") == r.lab.log.size());
  CHECK(first(r.lab, "app-02: roll_http_gate") < r.lab.log.size());
}

TEST_CASE("rolling apply: --no-rolling changes the hosts without drains or gates") {
  Release r;
  r.options.roll.enabled = false;
  CHECK(r.run().ok());
  CHECK(first(r.lab, "roll_") == r.lab.log.size());
}

TEST_CASE("rolling apply: the lb roll waits for a new web host to be configured first") {
  Graph g;
  Plan plan;
  plan.stack = "s";
  Lab lab;
  std::map<std::string, std::unique_ptr<LabHost>> hosts;
  Resource site = file("web-03", "/etc/nginx/sites-available/foobar");
  REQUIRE(g.add(site).ok());
  plan.hosts.push_back(HostPlan{"web-03", true, "", {}, {action(site, ActionType::create)}, {}});
  for (const char* h : {"lb-01", "lb-02"}) {
    Resource cfg = file(h, "/etc/haproxy/haproxy.cfg");
    Resource svc = service(h, "haproxy");
    REQUIRE(g.add(cfg).ok());
    REQUIRE(g.add(svc).ok());
    Action reload = action(svc, ActionType::reload);
    reload.handler = OnChange::reload;
    reload.notified_by = {cfg.id()};
    plan.hosts.push_back(HostPlan{h, true, "", {}, {action(cfg, ActionType::update), reload}, {}});
  }
  std::map<std::string, transport::Connector*> conns;
  for (const char* h : {"web-03", "lb-01", "lb-02"}) {
    hosts[h] = std::make_unique<LabHost>(h, lab);
    conns[h] = hosts[h].get();
  }
  ApplyOptions options;
  options.stack = "s";
  options.schedule.parallelism = 4;
  options.roll.tiers = {{"web", {"web-01", "web-02", "web-03"}, 1, {"nginx"}},
                        {"lb", {"lb-02", "lb-01"}, 1, {"haproxy"}}};
  REQUIRE(apply_plan(plan, g, conns, options).ok());
  auto web = first(lab, "web-03: fb_step"), lb2 = first(lab, "lb-02: fb_step"), lb1 = first(lab, "lb-01: fb_step");
  REQUIRE(lb1 < lab.log.size());
  CHECK(web < lb2);  // the new web host first
  CHECK(lb2 < lb1);  // then the BACKUP, then the MASTER
}

namespace {

// Scale out and in behind one HAProxy host (a tier of one: it does not roll):
// web-03 starts nginx (joins) or removes it (leaves), and lb-01 reloads HAProxy.
struct Scale {
  Graph graph;
  Plan plan;
  Lab lab;
  std::map<std::string, std::unique_ptr<LabHost>> hosts;
  ApplyOptions options;

  explicit Scale(ActionType web03) {
    plan.stack = options.stack = "s";
    options.schedule.parallelism = 4;
    Resource nginx = service("web-03", "nginx");
    if (web03 != ActionType::destroy) REQUIRE(graph.add(nginx).ok());
    plan.hosts.push_back(HostPlan{"web-03", true, "", {}, {action(nginx, web03)}, {}});
    Resource cfg = file("lb-01", "/etc/haproxy/haproxy.cfg"), svc = service("lb-01", "haproxy");
    REQUIRE(graph.add(cfg).ok());
    REQUIRE(graph.add(svc).ok());
    Action reload = action(svc, ActionType::reload);
    reload.handler = OnChange::reload;
    reload.notified_by = {cfg.id()};
    plan.hosts.push_back(HostPlan{"lb-01", true, "", {}, {action(cfg, ActionType::update), reload}, {}});
    for (const char* h : {"web-03", "lb-01"}) hosts[h] = std::make_unique<LabHost>(h, lab);
    const bool joins = web03 != ActionType::destroy;
    options.roll.tiers = {{"web", joins ? std::vector<std::string>{"web-01", "web-02", "web-03"}
                                        : std::vector<std::string>{"web-01", "web-02"},
                           1, {"nginx"}},
                          {"lb", {"lb-01"}, 1, {"haproxy"}}};
    options.roll.guards["web-03"] = HostGuard{{GuardCall{"lb-01", RemoteCall{"roll_hap_drain", {"web-03"}}, "drain"}},
                                              {GuardCall{"web-03", RemoteCall{"roll_http_gate", {"web-03"}}, "gate: nginx"}}};
    options.roll.guards["lb-01"] = HostGuard{{}, {GuardCall{"lb-01", RemoteCall{"roll_hap_gate", {"lb-01"}}, "gate: HAProxy"}}};
  }

  ApplyResult run() {
    std::map<std::string, transport::Connector*> conns;
    for (auto& [name, c] : hosts) conns[name] = c.get();
    return apply_plan(plan, graph, conns, options);
  }
};

}  // namespace

TEST_CASE("rolling: a new host joins its tier gated before a later tier's reload, also behind one HAProxy") {
  Scale s(ActionType::update);
  auto rolls = plan_roll(s.plan, s.options.roll);
  REQUIRE(rolls.size() == 1);
  CHECK(rolls[0].tier == "web");
  CHECK(rolls[0].batches.empty());
  CHECK(rolls[0].joining.at("web-03") == std::vector<std::string>{"start service nginx"});
  CHECK(rolls[0].reloads == std::vector<std::string>{"lb-01"});
  // A first apply (HAProxy starts, nothing reloads) has nobody to be gated before.
  Plan initial;
  initial.hosts = {s.plan.hosts[0], HostPlan{"lb-01", true, "", {}, {action(service("lb-01", "haproxy"), ActionType::update)}, {}}};
  CHECK(plan_roll(initial, s.options.roll).empty());

  REQUIRE(s.run().ok());
  const Lab& lab = s.lab;
  auto start = first_on(lab, "web-03", "fb_step"), gate = first(lab, "web-03: roll_http_gate");
  auto reload = first_on(lab, "lb-01", "fb_step");
  REQUIRE(reload < lab.log.size());
  CHECK(start < gate);
  CHECK(gate < reload);  // HAProxy takes web-03 in only once it answers
  CHECK(first(lab, "roll_hap_drain") == lab.log.size());  // not in rotation yet: nothing to drain
}

TEST_CASE("rolling: a new host whose package already runs its service (a default site) joins, it does not roll") {
  Scale s(ActionType::update);
  // systemd starts nginx when its package is installed: the new host's site reloads it.
  HostPlan& web03 = s.plan.hosts[0];
  REQUIRE(web03.host == "web-03");
  Resource site = file("web-03", "/etc/nginx/sites-available/foobar");
  REQUIRE(s.graph.add(site).ok());
  Action reload = action(service("web-03", "nginx"), ActionType::reload);
  reload.handler = OnChange::reload;
  reload.notified_by = {site.id()};
  web03.actions = {action(site, ActionType::create), reload};
  auto rolled = plan_roll(s.plan, s.options.roll);
  REQUIRE(rolled.size() == 1);
  CHECK(rolled[0].batches.size() == 1);  // a host with a manifest is in rotation: it rolls
  web03.first_apply = true;
  auto rolls = plan_roll(s.plan, s.options.roll);
  REQUIRE(rolls.size() == 1);
  CHECK(rolls[0].batches.empty());
  CHECK(rolls[0].interrupting.empty());
  CHECK(rolls[0].joining.at("web-03") == std::vector<std::string>{"reload service nginx"});
  REQUIRE(s.run().ok());
  CHECK(first(s.lab, "roll_hap_drain") == s.lab.log.size());  // nothing to drain
  CHECK(first(s.lab, "web-03: roll_http_gate") < first_on(s.lab, "lb-01", "fb_step"));
}

TEST_CASE("rolling: a new host that fails its gate is never sent traffic") {
  Scale s(ActionType::update);
  s.lab.failing = "roll_http_gate 'web-03'";
  auto result = s.run();
  CHECK_FALSE(result.ok());
  CHECK(first_on(s.lab, "lb-01", "act_") == s.lab.log.size());
  REQUIRE_FALSE(result.errors.empty());
  CHECK(result.errors[0].where == "web-03");
}

TEST_CASE("rolling: a host leaving its tier stops only after the reload that drops it passed its gate") {
  Scale s(ActionType::destroy);
  auto rolls = plan_roll(s.plan, s.options.roll);
  REQUIRE(rolls.size() == 1);
  CHECK(rolls[0].leaving.at("web-03") == std::vector<std::string>{"destroy service nginx"});
  CHECK(rolls[0].joining.empty());
  REQUIRE(s.run().ok());
  const Lab& lab = s.lab;
  // lb-01 does not roll (a tier of one), but the reload that drops web-03 is gated.
  auto gate = first(lab, "lb-01: roll_hap_gate"), stop = first_on(lab, "web-03", "act_service_remove");
  REQUIRE(stop < lab.log.size());
  CHECK(first_on(lab, "lb-01", "fb_step") < gate);
  CHECK(gate < stop);
  // Without the reload (the LB config unchanged) nothing waits: the host just goes.
  s.plan.hosts.pop_back();
  CHECK(plan_roll(s.plan, s.options.roll).empty());
}

namespace {

// The keepalived pair: lb-02 (BACKUP) and lb-01 (MASTER, holds the floating IP) both
// change keepalived.conf and `then` keepalived (a restart, or a reload).
struct Pair {
  Graph graph;
  Plan plan;
  Lab lab;
  std::map<std::string, std::unique_ptr<LabHost>> hosts;
  ApplyOptions options;

  explicit Pair(OnChange then) {
    plan.stack = options.stack = "s";
    options.schedule.parallelism = 4;
    for (const char* h : {"lb-01", "lb-02"}) {
      Resource cfg = file(h, "/etc/keepalived/keepalived.conf"), svc = service(h, "keepalived");
      REQUIRE(graph.add(cfg).ok());
      REQUIRE(graph.add(svc).ok());
      Action handler = action(svc, then == OnChange::restart ? ActionType::restart : ActionType::reload);
      handler.handler = then;
      handler.notified_by = {cfg.id()};
      plan.hosts.push_back(HostPlan{h, true, "", {}, {action(cfg, ActionType::update), handler}, {}});
      hosts[h] = std::make_unique<LabHost>(h, lab);
      options.roll.guards[h].gate = {GuardCall{h, RemoteCall{"roll_hap_gate", {h}}, "gate: HAProxy"}};
    }
    options.roll.tiers = {{"lb", {"lb-02", "lb-01"}, 1, {"haproxy", "keepalived"}}};
    HostGuard& master = options.roll.guards["lb-01"];
    master.move_services = {"haproxy", "keepalived"};
    master.move = {GuardCall{"lb-01", RemoteCall{"roll_vip_hold", {"10.77.0.10"}}, "move the floating IP"},
                   GuardCall{"lb-02", RemoteCall{"roll_vip_held", {"10.77.0.10"}}, "the floating IP is on lb-02"}};
    master.move_back = {GuardCall{"lb-01", RemoteCall{"roll_vip_release", {"10.77.0.10"}}, "the floating IP back"}};
  }

  ApplyResult run() {
    std::map<std::string, transport::Connector*> conns;
    for (auto& [name, c] : hosts) conns[name] = c.get();
    return apply_plan(plan, graph, conns, options);
  }
};

}  // namespace

TEST_CASE("rolling: a restart on the holder of the floating IP moves it to the peer first and back after the gates") {
  Pair p(OnChange::restart);
  auto rolls = plan_roll(p.plan, p.options.roll);
  REQUIRE(rolls.size() == 1);
  CHECK(rolls[0].moves_ip == std::set<std::string>{"lb-01"});
  REQUIRE(p.run().ok());
  const Lab& lab = p.lab;
  auto backup = first_on(lab, "lb-02", "act_service_do"), hold = first(lab, "lb-01: roll_vip_hold");
  auto held = first(lab, "lb-02: roll_vip_held"), restart = first_on(lab, "lb-01", "act_service_do");
  auto gate = first(lab, "lb-01: roll_hap_gate"), back = first(lab, "lb-01: roll_vip_release");
  REQUIRE(back < lab.log.size());
  CHECK(backup < hold);  // the BACKUP first, as before
  CHECK(hold < held);
  CHECK(held < restart);  // the peer holds the address before HAProxy's holder restarts
  CHECK(restart < gate);
  CHECK(gate < back);
  CHECK(first(lab, "lb-02: roll_vip_hold") == lab.log.size());  // the BACKUP holds nothing to move
}

TEST_CASE("rolling: a reload on the holder of the floating IP keeps it there; a move that fails stops the roll") {
  Pair reload(OnChange::reload);
  CHECK(plan_roll(reload.plan, reload.options.roll).at(0).moves_ip.empty());
  REQUIRE(reload.run().ok());
  CHECK(first(reload.lab, "roll_vip_") == reload.lab.log.size());

  Pair stuck(OnChange::restart);
  stuck.lab.failing = "roll_vip_held";
  auto result = stuck.run();
  CHECK_FALSE(result.ok());
  CHECK(first_on(stuck.lab, "lb-01", "act_") == stuck.lab.log.size());  // not restarted with the address on it
  CHECK(first(stuck.lab, "lb-01: roll_vip_release") < stuck.lab.log.size());  // the hold is lifted again
}

TEST_CASE("rolling: a restart of the primary's database server is named as interrupting writes, a replica's is not") {
  Plan plan;
  for (const char* h : {"db-01", "db-02"})
    plan.hosts.push_back(
        HostPlan{h, true, "", {}, {action(service(h, "mariadb"), ActionType::restart), action(service(h, "prometheus-node-exporter"), ActionType::restart)}, {}});
  RollPolicy policy;
  policy.write_primary = "db-01";
  policy.write_services = {"mariadb"};
  CHECK(write_interruptions(plan, policy) == std::vector<std::string>{"restart service mariadb"});
  policy.enabled = false;  // --no-rolling changes nothing of it
  CHECK(write_interruptions(plan, policy).size() == 1);
  policy.write_primary = "db-02";
  plan.hosts[1].actions.erase(plan.hosts[1].actions.begin());
  CHECK(write_interruptions(plan, policy).empty());
}
