// Database accounts converge on password and grants: the plan's reasons from the
// account facts, and the probe and the plan together against a fake mysql, where no
// password or hash may reach a command line, the facts, or the plan's text or JSON.
#include <doctest/doctest.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/plan_output.h"
#include "facts/probe.h"
#include "remote/library.h"
#include "plan/plan.h"
#include "plan/plan_json.h"
#include "util/hash.h"
#include "util/shell.h"
#include "util/test_support.h"

using namespace foobar;
namespace fs = std::filesystem;
using test_support::TempDir;
using test_support::slurp;

namespace {

const std::string k_app = "foobar@10.77.0.%";

Graph app_graph(std::vector<std::string> grants = {"ALL PRIVILEGES ON foobar.*"}) {
  Graph g;
  Resource r;
  r.host = "db";
  r.kind = ResourceKind::db_user;
  r.name = k_app;
  r.state = DbUserState{"foobar", "10.77.0.%", "DB_APP_PASSWORD", std::move(grants)};
  REQUIRE(g.add(r).ok());
  Resource s;
  s.host = "db";
  s.kind = ResourceKind::db_user;
  s.name = "prometheus@localhost";
  s.state = DbUserState{"prometheus", "localhost", "", {"PROCESS, REPLICATION CLIENT, SELECT ON *.*"}};
  REQUIRE(g.add(s).ok());
  return g;
}

Facts db_facts(DbAccountFact app, DbAccountFact exporter) {
  Facts f;
  f.host = "db";
  f.db.probed = f.db.answering = true;
  f.db.users = {k_app, "prometheus@localhost"};
  f.db.accounts[k_app] = std::move(app);
  f.db.accounts["prometheus@localhost"] = std::move(exporter);
  return f;
}

DbAccountFact account(DbAccountFact::Auth auth, std::string plugin, std::vector<std::string> grants) {
  return DbAccountFact{auth, std::move(plugin), true, std::move(grants)};
}

DbAccountFact exporter_ok() {
  return account(DbAccountFact::Auth::matches, "unix_socket",
                 {"GRANT SELECT, PROCESS, BINLOG MONITOR ON *.* TO `prometheus`@`localhost` IDENTIFIED VIA unix_socket"});
}

const Action& action(const Plan& p, const std::string& id) {
  const Action* a = p.find(id);
  REQUIRE_MESSAGE(a != nullptr, id);
  return *a;
}

}  // namespace

TEST_CASE("db users: matching password and grants plan nothing") {
  auto app = account(DbAccountFact::Auth::matches, "mysql_native_password",
                     {"GRANT USAGE ON *.* TO `foobar`@`10.77.0.%` IDENTIFIED BY PASSWORD '*ABC'",
                      "GRANT ALL PRIVILEGES ON `foobar`.* TO `foobar`@`10.77.0.%`"});
  Plan p = make_plan(app_graph(), {{"db", db_facts(app, exporter_ok())}}, PlanOptions{});
  CHECK_FALSE(p.has_changes());
}

TEST_CASE("db users: a changed password and changed grants are updates with their reasons") {
  auto app = account(DbAccountFact::Auth::differs, "mysql_native_password",
                     {"GRANT USAGE ON *.* TO `foobar`@`10.77.0.%` IDENTIFIED BY PASSWORD '*ABC'",
                      "GRANT INSERT, DELETE ON `foobar`.* TO `foobar`@`10.77.0.%`"});
  Plan p = make_plan(app_graph({"SELECT, INSERT ON foobar.*"}), {{"db", db_facts(app, exporter_ok())}}, PlanOptions{});
  const Action& a = action(p, "db:db_user:" + k_app);
  CHECK(a.type == ActionType::update);
  CHECK(a.reasons == std::vector<std::string>{"password differs from secret DB_APP_PASSWORD",
                                              "grants differ: missing SELECT ON foobar.*, extra DELETE ON foobar.*"});
  REQUIRE(a.revoke_grants.size() == 1);
  CHECK(a.revoke_grants[0].text() == "DELETE ON foobar.*");
  CHECK(action(p, "db:db_user:prometheus@localhost").type == ActionType::noop);
  CHECK(cli::plan_text(p, false).find("~ update db_user " + k_app) != std::string::npos);
}

TEST_CASE("db users: a unix_socket account is checked by its plugin; unknown facts change nothing") {
  auto app = account(DbAccountFact::Auth::unchecked, "mysql_native_password",
                     {"GRANT ALL PRIVILEGES ON `foobar`.* TO `foobar`@`10.77.0.%`"});
  auto exporter = account(DbAccountFact::Auth::differs, "mysql_native_password",
                          {"GRANT SELECT, PROCESS, BINLOG MONITOR ON *.* TO `prometheus`@`localhost`"});
  Plan p = make_plan(app_graph(), {{"db", db_facts(app, exporter)}}, PlanOptions{});
  CHECK(action(p, "db:db_user:" + k_app).type == ActionType::noop);
  const Action& e = action(p, "db:db_user:prometheus@localhost");
  CHECK(e.type == ActionType::update);
  CHECK(e.reasons == std::vector<std::string>{"authenticates via mysql_native_password, must be unix_socket"});

  app.grants_known = false;  // SHOW GRANTS failed: nothing to compare, nothing revoked
  app.grants.clear();
  Plan q = make_plan(app_graph(), {{"db", db_facts(app, exporter_ok())}}, PlanOptions{});
  CHECK_FALSE(q.has_changes());
}

namespace {

// A mysql that keeps its command lines in argv.log and answers the probe's
// statements on stdin like MariaDB 10.11 in batch mode would (a header line before
// each non-empty answer) for an account whose stored hash is `stored` and which holds
// an extra PROCESS grant.
const char* k_fake_mysql = R"(#!/bin/sh
d=$(dirname "$0")
printf '%s\n' "$*" >> "$d/argv.log"
while IFS= read -r q; do
  case "$q" in
    "SELECT '', '', 'fb:"*) m=${q#*\'fb:}; m=${m%\';}; printf '\t\tfb:%s\n\t\tfb:%s\n' "$m" "$m" ;;
    'SHOW DATABASES;') printf 'Database\nmysql\nfoobar\n' ;;
    'SELECT User, Host FROM mysql.user;') printf 'User\tHost\nfoobar\t10.77.0.%%\nprometheus\tlocalhost\n' ;;
    'SHOW REPLICA STATUS\G'|'SHOW SLAVE STATUS\G') ;;
    *"User = 'prometheus'"*) printf 'v\tplugin\nmatches\tunix_socket\n' ;;
    *"authentication_string = '@STORED@'"*) printf 'v\tplugin\nmatches\tmysql_native_password\n' ;;
    *authentication_string*) printf 'v\tplugin\ndiffers\tmysql_native_password\n' ;;
    "SHOW GRANTS FOR 'foobar'@'10.77.0.%';")
      printf '%s\n' "Grants for foobar@10.77.0.%" \
        "GRANT USAGE ON *.* TO \`foobar\`@\`10.77.0.%\` IDENTIFIED BY PASSWORD '@STORED@'" \
        "GRANT PROCESS ON *.* TO \`foobar\`@\`10.77.0.%\` IDENTIFIED BY PASSWORD '@STORED@' WITH GRANT OPTION" \
        "GRANT ALL PRIVILEGES ON \`foobar\`.* TO \`foobar\`@\`10.77.0.%\`" ;;
    "SHOW GRANTS FOR 'prometheus'@'localhost';")
      printf '%s\n' "Grants for prometheus@localhost" \
        "GRANT SELECT, PROCESS, BINLOG MONITOR ON *.* TO \`prometheus\`@\`localhost\` IDENTIFIED VIA unix_socket" ;;
    *) echo "unexpected query: $q" >&2; exit 1 ;;
  esac
done
)";

std::string run_probe(const TempDir& dir, const std::string& script, const std::string& stored) {
  fs::create_directories(dir.path / "bin");
  std::string fake = k_fake_mysql;
  for (auto at = fake.find("@STORED@"); at != std::string::npos; at = fake.find("@STORED@"))
    fake.replace(at, 8, stored);
  std::ofstream(dir.path / "bin/mysql") << fake;
  fs::permissions(dir.path / "bin/mysql", fs::perms::owner_all);
  auto probe = remote::invocation(script);
  std::ofstream(dir.path / "probe.in") << probe.input;
  std::string cmd = "PATH=" + shell_quote((dir.path / "bin").string()) + ":\"$PATH\" " + probe.command + " < " +
                    shell_quote((dir.path / "probe.in").string());
  int status = 0;
  std::string out = test_support::command_output(cmd, &status);
  CHECK(status == 0);
  return out;
}

}  // namespace

TEST_CASE("db users: probe and plan find drift, and no password or hash leaves the host or reaches the plan") {
  const std::string stored = mysql_native_password_hash("matching-secret");
  Graph g = app_graph();
  std::vector<const Resource*> rs;
  for (const auto& r : g.resources()) rs.push_back(&r);

  for (const std::string secret : {"hunter2-secret", "matching-secret"}) {
    CAPTURE(secret);
    TempDir dir;
    auto lookup = [&](const std::string& name) -> std::optional<std::string> {
      if (name == "DB_APP_PASSWORD") return secret;
      return std::nullopt;
    };
    std::string out = run_probe(dir, make_probe("s", rs, (dir.path / "state").string(), lookup), stored);
    INFO(out);
    // Nothing secret on any command line, nor in what the host sends back.
    std::string argv = slurp(dir.path / "bin/argv.log");
    CHECK_FALSE(argv.empty());
    for (const std::string& s : {secret, stored, mysql_native_password_hash(secret)}) {
      CHECK(argv.find(s) == std::string::npos);
      CHECK(out.find(s) == std::string::npos);
    }
    auto facts = parse_probe_output("db", out);
    REQUIRE(facts.ok());
    const DbAccountFact& app = facts->db.accounts.at(k_app);
    CHECK(app.grants_known);
    CHECK(app.grants.size() == 3);
    for (const auto& line : app.grants) CHECK(line.find("IDENTIFIED") == std::string::npos);

    PlanOptions o;
    o.secret_values = {secret};
    Plan p = make_plan(g, {{"db", *facts}}, o);
    const Action& a = action(p, "db:db_user:" + k_app);
    CHECK(a.type == ActionType::update);
    std::vector<std::string> want;
    if (secret != "matching-secret") want.push_back("password differs from secret DB_APP_PASSWORD");
    want.push_back("grants differ: extra PROCESS ON *.*, extra GRANT OPTION ON *.*");
    CHECK(a.reasons == want);
    CHECK(action(p, "db:db_user:prometheus@localhost").type == ActionType::noop);
    for (const std::string& text : {cli::plan_text(p, false), cli::plan_markdown(p), plan_json_text(p)}) {
      CHECK(text.find(stored.substr(1, 12)) == std::string::npos);
      CHECK(text.find(mysql_native_password_hash(secret).substr(1, 12)) == std::string::npos);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("db users: a probe without secrets leaves passwords unchecked") {
  Graph g = app_graph();
  std::vector<const Resource*> rs;
  for (const auto& r : g.resources()) rs.push_back(&r);
  auto script = make_probe("s", rs, "/tmp/none");
  CHECK(script.find("authentication_string") == std::string::npos);
  CHECK(account_auth_sql(std::get<DbUserState>(rs[0]->state), std::string("password"))
            .find("'*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'") != std::string::npos);
  CHECK(strip_identified("GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*AB' WITH GRANT OPTION") ==
        "GRANT USAGE ON *.* TO `u`@`%` WITH GRANT OPTION");
}
