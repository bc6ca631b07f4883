#include <doctest/doctest.h>

#include "plan/manifest.h"
#include "plan/plan.h"
#include "plan/plan_json.h"
#include "util/hash.h"

using namespace foobar;

namespace {

Resource make(const std::string& host, ResourceKind kind, const std::string& name, DesiredState state,
              std::vector<std::string> deps = {}) {
  Resource r;
  r.host = host;
  r.kind = kind;
  r.name = name;
  r.state = std::move(state);
  r.deps = std::move(deps);
  return r;
}

FileState content(const std::string& text, const std::string& mode = "0644", bool sensitive = false) {
  FileState f;
  f.content = text;
  f.mode = mode;
  f.sensitive = sensitive;
  return f;
}

PathFact file_fact(const std::string& text, const std::string& mode = "0644", bool with_content = true) {
  PathFact p;
  p.type = PathType::file;
  p.sha256 = sha256_hex(text);
  p.mode = mode;
  p.owner = "root";
  p.group = "root";
  if (with_content) p.content = text;
  return p;
}

Facts facts_for(const std::string& host) {
  Facts f;
  f.host = host;
  return f;
}

const Action& action(const Plan& p, const std::string& id) {
  const Action* a = p.find(id);
  REQUIRE_MESSAGE(a != nullptr, id);
  return *a;
}

bool has_reason(const Action& a, const std::string& text) {
  for (const auto& r : a.reasons)
    if (r.find(text) != std::string::npos) return true;
  return false;
}

std::vector<std::string> ids(const HostPlan& hp) {
  std::vector<std::string> out;
  for (const auto& a : hp.actions) out.push_back(a.id);
  return out;
}

}  // namespace

TEST_CASE("files: create, update with diff and mode, no-op") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::file, "/etc/new", content("a\nb\n"))).ok());
  REQUIRE(g.add(make("h", ResourceKind::file, "/etc/changed", content("one\nTWO\n", "0600"))).ok());
  REQUIRE(g.add(make("h", ResourceKind::file, "/etc/same", content("same\n"))).ok());
  Facts f = facts_for("h");
  f.files["/etc/new"] = PathFact{};
  f.files["/etc/changed"] = file_fact("one\ntwo\n", "0644");
  f.files["/etc/same"] = file_fact("same\n", "0644", false);
  Plan p = make_plan(g, {{"h", f}}, PlanOptions{});

  const Action& created = action(p, "h:file:/etc/new");
  CHECK(created.type == ActionType::create);
  CHECK(created.diff == "--- h:/etc/new\n+++ h:/etc/new\n@@ -0,0 +1,2 @@\n+a\n+b\n");

  const Action& changed = action(p, "h:file:/etc/changed");
  CHECK(changed.type == ActionType::update);
  CHECK(has_reason(changed, "content changed"));
  CHECK(has_reason(changed, "mode 0644 -> 0600"));
  CHECK(changed.diff.find("-two\n+TWO\n") != std::string::npos);

  CHECK(action(p, "h:file:/etc/same").type == ActionType::noop);
  CHECK(action(p, "h:file:/etc/same").reasons.empty());
  CHECK(summary_line(p.summary()) == "Plan: 1 to create, 1 to update, 0 to destroy.");
  CHECK(p.has_changes());
}

TEST_CASE("a matching host plans no changes") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::file, "/etc/x", content("x\n"))).ok());
  REQUIRE(g.add(make("h", ResourceKind::package, "nginx", PackageState{})).ok());
  REQUIRE(g.add(make("h", ResourceKind::service, "nginx", ServiceState{})).ok());
  Facts f = facts_for("h");
  f.files["/etc/x"] = file_fact("x\n", "644", false);  // modes compare as 4 digits
  f.files["/etc/x"].mode = "0644";
  f.packages["nginx"] = PackageFact{true, true, "1.22.1"};
  f.services["nginx"] = ServiceFact{true, true};
  Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
  CHECK_FALSE(p.has_changes());
  CHECK(p.summary().unchanged == 3);
  CHECK(summary_line(p.summary()) == "Plan: 0 to create, 0 to update, 0 to destroy.");
}

TEST_CASE("owner, group and non-file paths") {
  Graph g;
  FileState fs = content("x\n");
  fs.owner = "www-data";
  REQUIRE(g.add(make("h", ResourceKind::file, "/srv/f", fs)).ok());
  REQUIRE(g.add(make("h", ResourceKind::directory, "/srv/d", DirectoryState{"0750", "root", "adm"})).ok());
  REQUIRE(g.add(make("h", ResourceKind::directory, "/srv/gone", DirectoryState{})).ok());
  Facts f = facts_for("h");
  f.files["/srv/f"] = file_fact("x\n");
  PathFact d;
  d.type = PathType::directory;
  d.mode = "0755";
  d.owner = "root";
  d.group = "root";
  f.dirs["/srv/d"] = d;
  Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
  CHECK(has_reason(action(p, "h:file:/srv/f"), "owner root -> www-data"));
  const Action& dir = action(p, "h:directory:/srv/d");
  CHECK(dir.type == ActionType::update);
  CHECK(has_reason(dir, "mode 0755 -> 0750"));
  CHECK(has_reason(dir, "group root -> adm"));
  CHECK(action(p, "h:directory:/srv/gone").type == ActionType::create);
}

TEST_CASE("sensitive files show no diff, and secrets are masked in other diffs") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::file, "/etc/app/secret.env", content("PW=hunter2\n", "0600", true))).ok());
  REQUIRE(g.add(make("h", ResourceKind::file, "/etc/app/app.ini",
                     content("host=db\npassword=hunter2\nport=3306\n"))).ok());
  Facts f = facts_for("h");
  f.files["/etc/app/secret.env"] = file_fact("PW=old\n", "0600", false);
  f.files["/etc/app/app.ini"] = file_fact("host=db\npassword=oldpass\nport=3306\n");
  PlanOptions o;
  o.secret_values = {"hunter2", "oldpass"};
  Plan p = make_plan(g, {{"h", f}}, o);
  const Action& secret = action(p, "h:file:/etc/app/secret.env");
  CHECK(secret.type == ActionType::update);
  CHECK(secret.sensitive);
  CHECK(secret.diff.empty());
  CHECK(has_reason(secret, "(sensitive content changed)"));
  const Action& ini = action(p, "h:file:/etc/app/app.ini");
  CHECK(ini.diff.find("-password=********\n+password=********\n") != std::string::npos);
  CHECK(ini.diff.find("hunter2") == std::string::npos);
  CHECK(ini.diff.find("oldpass") == std::string::npos);
  CHECK(plan_json_text(p).find("hunter2") == std::string::npos);
}

TEST_CASE("mask_secrets masks every occurrence, longest first") {
  CHECK(mask_secrets("a=pw pw2 pw\n", {"pw", "pw2", ""}) == "a=******** ******** ********\n");
  CHECK(mask_secrets("nothing here", {"x1y"}) == "nothing here");
}

TEST_CASE("packages and services") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::package, "nginx", PackageState{})).ok());
  REQUIRE(g.add(make("h", ResourceKind::package, "apache2", PackageState{false})).ok());
  REQUIRE(g.add(make("h", ResourceKind::service, "nginx", ServiceState{true, true, OnChange::reload})).ok());
  REQUIRE(g.add(make("h", ResourceKind::service, "cron", ServiceState{})).ok());
  Facts f = facts_for("h");
  f.packages["nginx"] = PackageFact{false, true, ""};
  f.packages["apache2"] = PackageFact{true, true, "2.4.57"};
  f.services["nginx"] = ServiceFact{false, false};
  f.services["cron"] = ServiceFact{true, false};
  Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
  CHECK(action(p, "h:package:nginx").type == ActionType::create);
  CHECK(has_reason(action(p, "h:package:nginx"), "package missing"));
  CHECK(action(p, "h:package:apache2").type == ActionType::update);
  const Action& nginx = action(p, "h:service:nginx");
  CHECK(nginx.type == ActionType::update);
  CHECK(has_reason(nginx, "service stopped"));
  CHECK(has_reason(nginx, "not enabled"));
  CHECK(action(p, "h:service:cron").reasons == std::vector<std::string>{"service not enabled"});
}

TEST_CASE("handlers: a changed file reloads its service, an unchanged one does not") {
  auto build = [](Graph& g) {
    REQUIRE(g.add(make("h", ResourceKind::service, "nginx", ServiceState{})).ok());
    Resource conf = make("h", ResourceKind::file, "/etc/nginx/nginx.conf", content("new\n"));
    conf.notify.push_back(Notify{"h:service:nginx", OnChange::reload});
    REQUIRE(g.add(conf).ok());
    Resource cert = make("h", ResourceKind::file, "/etc/ssl/site.pem", content("cert\n"));
    cert.notify.push_back(Notify{"h:service:nginx", OnChange::restart});
    REQUIRE(g.add(cert).ok());
  };
  Graph g;
  build(g);
  Facts f = facts_for("h");
  f.services["nginx"] = ServiceFact{true, true};
  f.files["/etc/ssl/site.pem"] = file_fact("cert\n");

  SUBCASE("nothing changed: no handler") {
    f.files["/etc/nginx/nginx.conf"] = file_fact("new\n");
    Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
    CHECK(action(p, "h:service:nginx").type == ActionType::noop);
    CHECK_FALSE(p.has_changes());
  }
  SUBCASE("config changed: reload") {
    f.files["/etc/nginx/nginx.conf"] = file_fact("old\n");
    Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
    const Action& svc = action(p, "h:service:nginx");
    CHECK(svc.type == ActionType::reload);
    CHECK(svc.notified_by == std::vector<std::string>{"h:file:/etc/nginx/nginx.conf"});
    CHECK(has_reason(svc, "reload: notified by h:file:/etc/nginx/nginx.conf"));
    CHECK(p.summary().reload == 1);
    CHECK(summary_line(p.summary()) == "Plan: 0 to create, 1 to update, 0 to destroy.");
  }
  SUBCASE("restart wins over reload") {
    f.files["/etc/nginx/nginx.conf"] = file_fact("old\n");
    f.files["/etc/ssl/site.pem"] = file_fact("old cert\n");
    Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
    CHECK(action(p, "h:service:nginx").type == ActionType::restart);
    CHECK(action(p, "h:service:nginx").notified_by.size() == 2);
  }
  SUBCASE("a service that apply starts needs no reload") {
    f.files["/etc/nginx/nginx.conf"] = file_fact("old\n");
    f.services["nginx"] = ServiceFact{false, true};
    Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
    const Action& svc = action(p, "h:service:nginx");
    CHECK(svc.type == ActionType::update);
    CHECK_FALSE(svc.handler.has_value());
  }
  SUBCASE("a running service updated for another reason also reloads") {
    f.files["/etc/nginx/nginx.conf"] = file_fact("old\n");
    f.services["nginx"] = ServiceFact{true, false};
    Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
    const Action& svc = action(p, "h:service:nginx");
    CHECK(svc.type == ActionType::update);
    REQUIRE(svc.handler.has_value());
    CHECK(*svc.handler == OnChange::reload);
    CHECK(p.summary().reload == 1);
  }
}

TEST_CASE("actions follow dependency order within a host") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::service, "nginx", ServiceState{},
                     {"h:file:/etc/nginx/nginx.conf", "h:package:nginx"})).ok());
  REQUIRE(g.add(make("h", ResourceKind::file, "/etc/nginx/nginx.conf", content("x"), {"h:package:nginx"})).ok());
  REQUIRE(g.add(make("h", ResourceKind::package, "nginx", PackageState{})).ok());
  REQUIRE(g.add(make("other", ResourceKind::package, "curl", PackageState{})).ok());
  Plan p = make_plan(g, {{"h", facts_for("h")}, {"other", facts_for("other")}}, PlanOptions{});
  REQUIRE(p.hosts.size() == 2);
  CHECK(p.hosts[0].host == "h");
  CHECK(ids(p.hosts[0]) ==
        std::vector<std::string>{"h:package:nginx", "h:file:/etc/nginx/nginx.conf", "h:service:nginx"});
  CHECK(ids(p.hosts[1]) == std::vector<std::string>{"other:package:curl"});
}

TEST_CASE("destroys come from the manifest, in reverse dependency order, last") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::package, "nginx", PackageState{})).ok());
  REQUIRE(g.add(make("h", ResourceKind::service, "nginx", ServiceState{}, {"h:package:nginx"})).ok());
  // What an earlier apply managed: a site, its directory and its package, plus nginx.
  Resource dir = make("h", ResourceKind::directory, "/srv/old", DirectoryState{});
  Resource site = make("h", ResourceKind::file, "/srv/old/index.html", content("hi"), {"h:directory:/srv/old"});
  Resource conf = make("h", ResourceKind::file, "/etc/nginx/sites-enabled/old", content("x"),
                       {"h:directory:/srv/old", "h:package:nginx"});
  conf.notify.push_back(Notify{"h:service:nginx", OnChange::reload});
  Resource pkg = make("h", ResourceKind::package, "nginx", PackageState{});
  Resource db = make("h", ResourceKind::database, "olddb", DatabaseState{"mariadb"});
  Facts f = facts_for("h");
  f.manifest = manifest_to_json(build_manifest("s", "h", {&dir, &site, &conf, &pkg, &db}));
  f.packages["nginx"] = PackageFact{true, true, "1.22"};
  f.services["nginx"] = ServiceFact{true, true};
  PlanOptions o;
  o.stack = "s";
  Plan p = make_plan(g, {{"h", f}}, o);
  auto order = ids(p.hosts[0]);
  REQUIRE(order.size() == 6);
  CHECK(order[0] == "h:package:nginx");
  CHECK(order[1] == "h:service:nginx");
  CHECK(order[2] == "h:database:olddb");  // destroyed first: nothing depends on it, data kept
  auto pos = [&](const std::string& id) { return std::find(order.begin(), order.end(), id) - order.begin(); };
  CHECK(pos("h:directory:/srv/old") > pos("h:file:/srv/old/index.html"));
  CHECK(pos("h:directory:/srv/old") > pos("h:file:/etc/nginx/sites-enabled/old"));
  CHECK(action(p, "h:directory:/srv/old").type == ActionType::destroy);
  CHECK(has_reason(action(p, "h:database:olddb"), "kept"));
  CHECK(p.find("h:package:nginx")->type == ActionType::noop);  // still desired: not destroyed
  CHECK(action(p, "h:service:nginx").type == ActionType::reload);  // its site went away
  CHECK(summary_line(p.summary()) == "Plan: 0 to create, 0 to update, 4 to destroy.");
}

TEST_CASE("a foreign or unreadable manifest destroys nothing and warns") {
  Graph g;
  Resource x = make("h", ResourceKind::file, "/x", content("x"));
  Facts f = facts_for("h");
  PlanOptions o;
  o.stack = "s";
  SUBCASE("other stack") { f.manifest = manifest_to_json(build_manifest("t", "h", {&x})); }
  SUBCASE("garbage") { f.manifest = "{oops"; }
  Plan p = make_plan(g, {{"h", f}}, o);
  CHECK_FALSE(p.has_changes());
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].severity == Severity::warning);
  CHECK(p.diagnostics[0].where.rfind("h:", 0) == 0);
}

TEST_CASE("unreachable hosts are marked, the others still planned; targets filter hosts") {
  Graph g;
  REQUIRE(g.add(make("web-01", ResourceKind::package, "nginx", PackageState{})).ok());
  REQUIRE(g.add(make("web-02", ResourceKind::package, "nginx", PackageState{})).ok());
  REQUIRE(g.add(make("db-01", ResourceKind::package, "mariadb-server", PackageState{})).ok());
  PlanOptions o;
  o.unreachable_reasons["web-02"] = "connect to 10.77.0.12:22: connection refused";
  Plan p = make_plan(g, {{"web-01", facts_for("web-01")}, {"db-01", facts_for("db-01")}}, o);
  REQUIRE(p.hosts.size() == 3);
  CHECK_FALSE(p.complete());
  const HostPlan& down = p.hosts[2];
  CHECK(down.host == "web-02");
  CHECK_FALSE(down.reachable);
  CHECK(down.unreachable_reason.find("connection refused") != std::string::npos);
  CHECK(down.actions.empty());
  CHECK(action(p, "web-01:package:nginx").type == ActionType::create);
  CHECK(p.summary().unreachable == 1);

  o.hosts = {"web-01", "web-02"};
  Plan targeted = make_plan(g, {{"web-01", facts_for("web-01")}, {"db-01", facts_for("db-01")}}, o);
  REQUIRE(targeted.hosts.size() == 2);
  CHECK(targeted.find("db-01:package:mariadb-server") == nullptr);
}

TEST_CASE("databases, users and replication") {
  Graph g;
  REQUIRE(g.add(make("db", ResourceKind::database, "foobar", DatabaseState{"mariadb"})).ok());
  REQUIRE(g.add(make("db", ResourceKind::database, "present", DatabaseState{"mariadb"})).ok());
  REQUIRE(g.add(make("db", ResourceKind::db_user, "app", DbUserState{"app", "10.77.0.%", "db_app", {}})).ok());
  REQUIRE(g.add(make("db", ResourceKind::replication, "primary",
                     ReplicationState{"db-01", "10.77.0.21", "repl", "db_repl"})).ok());
  Facts f = facts_for("db");
  f.db.probed = f.db.answering = true;
  f.db.databases = {"present", "mysql"};
  f.db.users = {"app@localhost"};
  f.db.replica = ReplicaFact{false, false, "10.77.0.21", "NULL", "0-1-5", "Connecting", "No"};
  Plan p = make_plan(g, {{"db", f}}, PlanOptions{});
  CHECK(action(p, "db:database:foobar").type == ActionType::create);
  CHECK(action(p, "db:database:present").type == ActionType::noop);
  CHECK(has_reason(action(p, "db:db_user:app"), "user app@10.77.0.% missing"));
  const Action& repl = action(p, "db:replication:primary");
  CHECK(repl.type == ActionType::update);
  CHECK(has_reason(repl, "replication not running (IO: Connecting, SQL: No)"));

  CHECK(p.hosts.at(0).facts ==
        std::vector<std::string>{"replication from db-01 (10.77.0.21): IO Connecting, SQL No, lag unknown, GTID 0-1-5"});

  f.db.replica = ReplicaFact{true, true, "10.77.0.21", "0", "0-1-5", "Yes", "Yes"};
  Plan running = make_plan(g, {{"db", f}}, PlanOptions{});
  CHECK(action(running, "db:replication:primary").type == ActionType::noop);
  // Reported even when nothing changes, in the text and the JSON.
  CHECK(running.hosts.at(0).facts ==
        std::vector<std::string>{"replication from db-01 (10.77.0.21): IO Yes, SQL Yes, 0 s behind, GTID 0-1-5"});
  CHECK(plan_to_json(running)["hosts"][0]["facts"][0] == running.hosts.at(0).facts[0]);
  f.db.replica.reset();
  CHECK(has_reason(action(make_plan(g, {{"db", f}}, PlanOptions{}), "db:replication:primary"), "not configured"));
  f.db.answering = false;
  f.db.error = "socket missing";
  CHECK(has_reason(action(make_plan(g, {{"db", f}}, PlanOptions{}), "db:database:present"), "not answering"));
}

TEST_CASE("a replica that is not configured is planned as a seed; its own databases are a warning") {
  Graph g;
  REQUIRE(g.add(make("db-03", ResourceKind::replication, "db-01",
                     ReplicationState{"db-01", "10.77.0.41", "repl", "db_repl"})).ok());
  Facts f = facts_for("db-03");
  f.db.probed = f.db.answering = true;
  f.db.databases = {"information_schema", "mysql", "performance_schema", "sys"};
  Plan p = make_plan(g, {{"db-03", f}}, PlanOptions{});
  const Action& seed = action(p, "db-03:replication:db-01");
  CHECK(seed.type == ActionType::create);
  CHECK(has_reason(seed, "replication not configured: will be seeded from db-01 at its current GTID position"));
  CHECK(p.diagnostics.empty());

  // A bare CHANGE MASTER (no source host) is no link either.
  f.db.replica = ReplicaFact{false, false, "", "NULL", "", "No", "No"};
  CHECK(has_reason(action(make_plan(g, {{"db-03", f}}, PlanOptions{}), "db-03:replication:db-01"), "will be seeded"));

  f.db.replica.reset();
  f.db.databases.insert("shop");
  Plan own = make_plan(g, {{"db-03", f}}, PlanOptions{});
  CHECK(has_reason(action(own, "db-03:replication:db-01"), "already has databases (shop)"));
  REQUIRE(own.diagnostics.size() == 1);
  CHECK(own.diagnostics[0].severity == Severity::warning);
  CHECK(own.diagnostics[0].to_string().find("db-03") != std::string::npos);
  CHECK(own.diagnostics[0].message.find("not a replica yet but has databases shop") != std::string::npos);

  // Stopped threads are an update (restart), never a seed.
  f.db.replica = ReplicaFact{false, false, "10.77.0.41", "NULL", "0-1-5", "No", "No"};
  Plan restart = make_plan(g, {{"db-03", f}}, PlanOptions{});
  const Action& stopped = action(restart, "db-03:replication:db-01");
  CHECK(stopped.type == ActionType::update);
  CHECK_FALSE(has_reason(stopped, "seeded"));
}

TEST_CASE("firewalls follow their ruleset; commands follow their guard") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::file, "/etc/nftables.conf", content("table inet f {}\n"))).ok());
  REQUIRE(g.add(make("h", ResourceKind::firewall, "nftables", FirewallState{"/etc/nftables.conf"},
                     {"h:file:/etc/nftables.conf"})).ok());
  REQUIRE(g.add(make("h", ResourceKind::command, "init", CommandState{"setup", "/var/done", ""})).ok());
  Facts f = facts_for("h");
  f.files["/etc/nftables.conf"] = file_fact("table inet f {}\n");
  f.firewall = FirewallFact{true};
  f.commands["init"] = CommandFact{true};
  CHECK_FALSE(make_plan(g, {{"h", f}}, PlanOptions{}).has_changes());

  f.files["/etc/nftables.conf"] = file_fact("table inet old {}\n");
  f.commands["init"] = CommandFact{false};
  Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
  CHECK(has_reason(action(p, "h:firewall:nftables"), "ruleset changed"));
  CHECK(has_reason(action(p, "h:command:init"), "guard not satisfied"));
  f.files["/etc/nftables.conf"] = file_fact("table inet f {}\n");
  f.firewall = FirewallFact{false};
  CHECK(has_reason(action(make_plan(g, {{"h", f}}, PlanOptions{}), "h:firewall:nftables"), "not loaded"));
}

TEST_CASE("a held lock is a warning in the plan") {
  Graph g;
  Facts f = facts_for("h");
  f.lock = LockFact{true, "bob@ci 42"};
  Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].message.find("bob@ci 42") != std::string::npos);
  CHECK(p.hosts[0].lock.held);
}

TEST_CASE("plan JSON holds hosts, actions, reasons and diffs, with stable text") {
  Graph g;
  Resource conf = make("h", ResourceKind::file, "/etc/x", content("new\n"));
  conf.notify.push_back(Notify{"h:service:x", OnChange::restart});
  REQUIRE(g.add(conf).ok());
  REQUIRE(g.add(make("h", ResourceKind::service, "x", ServiceState{})).ok());
  Facts f = facts_for("h");
  f.files["/etc/x"] = file_fact("old\n");
  f.services["x"] = ServiceFact{true, true};
  PlanOptions o;
  o.stack = "s";
  o.unreachable_reasons["down"] = "timeout";
  Plan p = make_plan(g, {{"h", f}}, o);
  auto j = plan_to_json(p);
  CHECK(j["stack"] == "s");
  CHECK(j["has_changes"] == true);
  CHECK(j["complete"] == false);
  CHECK(j["summary"]["update"] == 1);
  CHECK(j["summary"]["restart"] == 1);
  REQUIRE(j["hosts"].size() == 2);
  CHECK(j["hosts"][0]["unreachable_reason"] == "timeout");
  const auto& acts = j["hosts"][1]["actions"];
  REQUIRE(acts.size() == 2);
  CHECK(acts[0]["action"] == "update");
  CHECK(acts[0]["diff"].get<std::string>().find("-old\n+new\n") != std::string::npos);
  CHECK(acts[1]["action"] == "restart");
  CHECK(acts[1]["notified_by"][0] == "h:file:/etc/x");
  CHECK(plan_json_text(p) == plan_json_text(make_plan(g, {{"h", f}}, o)));
  auto text = plan_json_text(p);
  CHECK(text.find("\"action\"") < text.find("\"diff\""));  // keys sorted
}

TEST_CASE("binary files get no line diff") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::file, "/bin/blob", content(std::string("a\0b\n", 4)))).ok());
  REQUIRE(g.add(make("h", ResourceKind::file, "/bin/new", content(std::string("\0", 1)))).ok());
  Facts f = facts_for("h");
  f.files["/bin/blob"] = file_fact(std::string("a\0c\n", 4));
  Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
  CHECK(has_reason(action(p, "h:file:/bin/blob"), "content changed (binary)"));
  CHECK(action(p, "h:file:/bin/blob").diff.empty());
  CHECK(action(p, "h:file:/bin/new").type == ActionType::create);
  CHECK(action(p, "h:file:/bin/new").diff.empty());
  CHECK(host_resources(g, "h").size() == 2);
  CHECK(host_resources(g, "x").empty());
}

TEST_CASE("a pending handler from an interrupted apply is planned, shown and counted as a change") {
  Graph g;
  REQUIRE(g.add(make("h", ResourceKind::service, "foobar-app", ServiceState{})).ok());
  REQUIRE(g.add(make("h", ResourceKind::service, "nginx", ServiceState{})).ok());
  Facts f = facts_for("h");
  f.services["foobar-app"] = ServiceFact{true, true};
  f.services["nginx"] = ServiceFact{true, true};
  f.pending = {{"restart", "foobar-app", "h:file:/opt/foobar/app.py"},
               {"reload", "foobar-app", "h:file:/etc/foobar/app.env"},
               {"reload", "gone-from-the-stack", "h:file:/x"}};
  SUBCASE("running: restarted (restart wins over reload), once") {
    Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
    const Action& app = action(p, "h:service:foobar-app");
    CHECK(app.type == ActionType::restart);
    REQUIRE(app.handler);
    CHECK(*app.handler == OnChange::restart);
    CHECK(app.reasons == std::vector<std::string>{"pending: recorded in the host's journal, not run yet"});
    CHECK(action(p, "h:service:nginx").type == ActionType::noop);
    CHECK(p.has_changes());
    CHECK(p.summary().restart == 1);
  }
  SUBCASE("stopped: started, which reads the new code anyway") {
    f.services["foobar-app"] = ServiceFact{false, true};
    Plan p = make_plan(g, {{"h", f}}, PlanOptions{});
    const Action& app = action(p, "h:service:foobar-app");
    CHECK(app.type == ActionType::update);
    CHECK_FALSE(app.handler);
  }
}

TEST_CASE("resources an interrupted apply created (the manifest's log) are destroyed too") {
  Resource made = make("h", ResourceKind::file, "/opt/foobar/app.py", content("x"));
  Resource old = make("h", ResourceKind::file, "/etc/old.conf", content("y"));
  Facts f = facts_for("h");
  f.created = manifest_log_line(made) + "\n";
  PlanOptions o;
  o.stack = "s";
  const Graph nothing;
  SUBCASE("no manifest yet: the log alone") {
    Plan p = make_plan(nothing, {{"h", f}}, o);
    CHECK(action(p, "h:file:/opt/foobar/app.py").type == ActionType::destroy);
  }
  SUBCASE("with a manifest: both") {
    f.manifest = manifest_to_json(build_manifest("s", "h", {&old}));
    Plan p = make_plan(nothing, {{"h", f}}, o);
    CHECK(ids(p.hosts[0]).size() == 2);
    CHECK(action(p, "h:file:/etc/old.conf").type == ActionType::destroy);
    CHECK(action(p, "h:file:/opt/foobar/app.py").type == ActionType::destroy);
  }
  SUBCASE("a torn log line is a warning naming it, and destroys nothing") {
    f.created = manifest_log_line(made) + "\n{\"id\":";
    Plan p = make_plan(nothing, {{"h", f}}, o);
    CHECK(p.hosts[0].actions.empty());
    REQUIRE(p.diagnostics.size() == 1);
    CHECK(p.diagnostics[0].message.find("manifest log line 2 is not JSON") != std::string::npos);
  }
}

TEST_CASE("a running primary other than the stack's refuses the plan, naming the line and both hosts") {
  Graph g;
  REQUIRE(g.add(make("db-02", ResourceKind::replication, "db-01",
                     ReplicationState{"db-01", "10.77.0.41", "repl", "DB_REPL"})).ok());
  Facts f = facts_for("db-02");
  f.db.probed = f.db.answering = true;
  f.db.recorded_primary = "db-02";
  PlanOptions o;
  o.db_primary = "db-01";
  o.db_primary_file = "stacks/1-distributed.yaml";
  o.db_primary_pos = SourcePos{45, 14};
  Plan p = make_plan(g, {{"db-02", f}}, o);
  REQUIRE(p.refused());
  const std::string text = p.diagnostics.front().to_string();
  CHECK(text.find("stacks/1-distributed.yaml:45:14") != std::string::npos);
  CHECK(text.find("the stack's primary is db-01 but the running primary is db-02") != std::string::npos);
  CHECK(text.find("Change `primary: db-01` to `primary: db-02`") != std::string::npos);

  // Once the stack names the running primary, nothing is refused.
  o.db_primary = "db-02";
  CHECK_FALSE(make_plan(g, {{"db-02", f}}, o).refused());
  // No record (never switched): the stack decides, as before.
  f.db.recorded_primary.reset();
  o.db_primary = "db-01";
  CHECK_FALSE(make_plan(g, {{"db-02", f}}, o).refused());
  // A former primary still to fence is a warning, not a refusal.
  f.db.to_fence = {"db-01"};
  Plan w = make_plan(g, {{"db-02", f}}, o);
  CHECK_FALSE(w.refused());
  REQUIRE(w.diagnostics.size() == 1);
  CHECK(w.diagnostics.front().message.find("foobarctl db fence") != std::string::npos);
}
