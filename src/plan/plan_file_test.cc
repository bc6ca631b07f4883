#include "plan/plan_file.h"

#include <doctest/doctest.h>


#include "facts/fingerprint.h"
#include "plan/plan_json.h"
#include "util/test_support.h"

using namespace foobar;

namespace {

Action file_update(const std::string& host, const std::string& path, std::string diff) {
  Action a;
  a.id = host + ":file:" + path;
  a.host = host;
  a.kind = ResourceKind::file;
  a.name = path;
  a.type = ActionType::update;
  a.reasons = {"content changed"};
  a.diff = std::move(diff);
  return a;
}

SavedPlan sample() {
  SavedPlan s;
  s.created = "2026-12-01T21:00:00Z";
  s.inputs = {"0.1.0", "/src/stacks/1.yaml", "aa", "/src/templates", "bb", "/src", "cc",
              {{"web-01", "sha256:1"}, {"web-02", "sha256:2"}}};
  s.hosts = {"web-01", "web-02"};
  s.plan.stack = "foobar-distributed";
  Action restart;
  restart.id = "web-01:service:foobar-app";
  restart.host = "web-01";
  restart.kind = ResourceKind::service;
  restart.name = "foobar-app";
  restart.type = ActionType::restart;
  restart.handler = OnChange::restart;
  restart.notified_by = {"web-01:file:/opt/foobar/app.py"};
  Action user;
  user.id = "db-01:db_user:app@%";
  user.kind = ResourceKind::db_user;
  user.type = ActionType::update;
  user.revoke_grants = {Grant{"DELETE", {}, "foobar.*", "`foobar`.*", false}};
  s.plan.hosts = {HostPlan{"web-01", true, "", {}, {file_update("web-01", "/opt/foobar/app.py", "-a\n+b\n"), restart}, {}},
                  HostPlan{"web-02", true, "", {true, "bob"}, {user}, {"a fact"}}};
  s.plan.diagnostics.push_back(Diagnostic{Severity::warning, "web-02", {}, "apply lock is held by 'bob'"});
  return s;
}

PlanInputs same_inputs(const SavedPlan& s) { return s.inputs; }

}  // namespace

TEST_CASE("saved plan: round trip keeps what apply and show use") {
  const SavedPlan s = sample();
  const std::string text = saved_plan_to_json(s);
  CHECK(is_saved_plan(text));
  CHECK_FALSE(is_saved_plan("stack: foobar\nhosts: {}\n"));
  auto back = parse_saved_plan("p.plan", text);
  REQUIRE(back.ok());
  CHECK(back->created == s.created);
  CHECK(back->inputs.fingerprints == s.inputs.fingerprints);
  CHECK(back->inputs.templates_hash == "bb");
  CHECK(back->hosts == s.hosts);
  CHECK(plan_json_text(back->plan) == plan_json_text(s.plan));  // every field, byte for byte
  const Action* restart = back->plan.find("web-01:service:foobar-app");
  REQUIRE(restart);
  REQUIRE(restart->handler);
  CHECK(*restart->handler == OnChange::restart);
  const Action* user = back->plan.find("db-01:db_user:app@%");
  REQUIRE(user);
  REQUIRE(user->revoke_grants.size() == 1);
  CHECK(user->revoke_grants[0].object_sql == "`foobar`.*");
  CHECK(saved_plan_to_json(*back) == text);
}

TEST_CASE("saved plan: a damaged or foreign file is refused with its name") {
  auto bad = parse_saved_plan("p.plan", "{\"format\": \"foobarctl-saved-plan\", \"format_version\": 9}");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("format version 9 is not supported") != std::string::npos);
  std::string text = saved_plan_to_json(sample());
  text.replace(text.find("\"restart\""), 9, "\"explode\"");
  auto broken = parse_saved_plan("p.plan", text);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().where == "p.plan");
  CHECK(broken.error().message.find("'explode'") != std::string::npos);
  CHECK_FALSE(parse_saved_plan("p.plan", "stack: x\n").ok());
}

TEST_CASE("saved plan: stale when the stack, templates, desired state, version or a host changed") {
  const SavedPlan s = sample();
  CHECK(stale_reasons(s, same_inputs(s), s.plan).empty());
  PlanInputs now = same_inputs(s);
  SUBCASE("stack") {
    now.stack_hash = "other";
    auto r = stale_reasons(s, now, s.plan);
    REQUIRE(r.size() == 1);
    CHECK(r[0] == "the stack file /src/stacks/1.yaml changed since the plan");
  }
  SUBCASE("templates") {
    now.templates_hash = "other";
    CHECK(stale_reasons(s, now, s.plan) ==
          std::vector<std::string>{"the templates in /src/templates changed since the plan"});
  }
  SUBCASE("app source or secrets") {
    now.desired_hash = "other";
    CHECK(stale_reasons(s, now, s.plan).at(0).find("desired state changed") != std::string::npos);
  }
  SUBCASE("version") {
    now.version = "0.2.0";
    CHECK(stale_reasons(s, now, s.plan).at(0).find("made by foobarctl 0.1.0, this is 0.2.0") != std::string::npos);
  }
  SUBCASE("a host: named, with what changed there") {
    now.fingerprints["web-02"] = "sha256:edited";
    Plan replan = s.plan;
    replan.hosts[1].actions.push_back(file_update("web-02", "/etc/nginx/sites-available/foobar", "-# hand edit\n"));
    auto r = stale_reasons(s, now, replan);
    REQUIRE(r.size() == 1);
    CHECK(r[0] == "host web-02 changed since the plan: update file /etc/nginx/sites-available/foobar (content "
                  "changed) (the plan had: nothing)");
  }
  SUBCASE("a host whose facts moved without changing the plan") {
    now.fingerprints["web-01"] = "sha256:moved";
    auto r = stale_reasons(s, now, s.plan);
    REQUIRE(r.size() == 1);
    CHECK(r[0] == "host web-01 changed since the plan: its facts differ (sha256:1 then, sha256:moved now)");
  }
  SUBCASE("a host not probed again") {
    now.fingerprints.erase("web-01");
    CHECK(stale_reasons(s, now, s.plan) == std::vector<std::string>{"host web-01 could not be probed again"});
  }
}

TEST_CASE("facts fingerprint: follows what the plan reads, not the lock or replication lag") {
  Facts a;
  a.files["/etc/x"] = PathFact{PathType::file, "h1", "0644", "root", "root", std::nullopt};
  a.db.replica = ReplicaFact{true, true, "10.0.0.1", "0", "0-1-5", "Yes", "Yes"};
  Facts b = a;
  b.lock = LockFact{true, "someone"};
  b.db.replica->seconds_behind = "3";
  b.db.replica->gtid_io_pos = "0-1-9";
  CHECK(facts_fingerprint(a) == facts_fingerprint(b));
  b.files["/etc/x"].sha256 = "h2";
  CHECK(facts_fingerprint(a) != facts_fingerprint(b));
  Facts c = a;
  c.pending.push_back({"restart", "app", "x"});
  CHECK(facts_fingerprint(a) != facts_fingerprint(c));
  CHECK(facts_fingerprint(a).rfind("sha256:", 0) == 0);
}

TEST_CASE("tree hash and desired hash change with any file or resource") {
  test_support::TempDir dir;
  dir.write("a.j2", "one");
  dir.write("sub/b.j2", "two");
  auto h1 = tree_hash(dir.path);
  REQUIRE(h1.ok());
  dir.write("sub/b.j2", "two!");
  auto h2 = tree_hash(dir.path);
  REQUIRE(h2.ok());
  CHECK(*h1 != *h2);
  Graph g1, g2;
  Resource r;
  r.host = "h";
  r.kind = ResourceKind::file;
  r.name = "/x";
  FileState f;
  f.content = "1";
  r.state = f;
  REQUIRE(g1.add(r).ok());
  std::get<FileState>(r.state).content = "2";
  REQUIRE(g2.add(r).ok());
  CHECK(desired_hash(g1) != desired_hash(g2));
  CHECK(desired_hash(g1) == desired_hash(g1));
}
