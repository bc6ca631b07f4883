#include <doctest/doctest.h>

#include "plan/grants.h"

using namespace foobar;

namespace {

std::vector<std::string> texts(const std::vector<Grant>& gs) {
  std::vector<std::string> out;
  for (const auto& g : gs) out.push_back(g.text());
  return out;
}

std::vector<Grant> grants(std::initializer_list<const char*> statements) {
  std::vector<Grant> out;
  for (const char* s : statements) {
    auto g = parse_grant(s);
    REQUIRE_MESSAGE(g.ok(), s);
    out.insert(out.end(), g->begin(), g->end());
  }
  return out;
}

}  // namespace

TEST_CASE("a stack grant splits into one privilege per object") {
  CHECK(texts(grants({"SELECT, insert ON foobar.*"})) == std::vector<std::string>{"SELECT ON foobar.*", "INSERT ON foobar.*"});
  CHECK(texts(grants({"ALL ON foobar.*"})) == std::vector<std::string>{"ALL PRIVILEGES ON foobar.*"});
  CHECK(texts(grants({"PROCESS, REPLICATION CLIENT, SELECT ON *.*"})) ==
        std::vector<std::string>{"PROCESS ON *.*", "BINLOG MONITOR ON *.*", "SELECT ON *.*"});
  CHECK(texts(grants({"ALL PRIVILEGES ON foobar.* WITH GRANT OPTION"})) ==
        std::vector<std::string>{"ALL PRIVILEGES ON foobar.*", "GRANT OPTION ON foobar.*"});
  CHECK(texts(grants({"EXECUTE ON PROCEDURE foobar.p"})) == std::vector<std::string>{"EXECUTE ON PROCEDURE foobar.p"});
  CHECK(texts(grants({"SELECT ON TABLE foobar.t"})) == std::vector<std::string>{"SELECT ON foobar.t"});
}

TEST_CASE("SHOW GRANTS lines lose quoting, the account, its IDENTIFIED part and USAGE") {
  // As MariaDB 10.11 prints them (checked against the server).
  auto g = grants({"GRANT USAGE ON *.* TO `foobar`@`10.77.0.%` IDENTIFIED BY PASSWORD "
                   "'*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'",
                   "GRANT ALL PRIVILEGES ON `foobar`.* TO `foobar`@`10.77.0.%` WITH GRANT OPTION",
                   "GRANT SELECT, PROCESS, BINLOG MONITOR ON *.* TO `prometheus`@`localhost` IDENTIFIED VIA unix_socket",
                   "GRANT SELECT (`User`, `Host`) ON `mysql`.`user` TO `c`@`h`",
                   "GRANT `app_role` TO `c`@`h`",
                   "SET DEFAULT ROLE `app_role` FOR `c`@`h`"});
  CHECK(texts(g) == std::vector<std::string>{"ALL PRIVILEGES ON foobar.*", "GRANT OPTION ON foobar.*", "SELECT ON *.*",
                                             "PROCESS ON *.*", "BINLOG MONITOR ON *.*",
                                             "SELECT (Host, User) ON mysql.user", "role app_role"});
  for (const auto& one : g) CHECK(one.text().find("2470C0") == std::string::npos);
  // A WITH clause after IDENTIFIED still counts.
  CHECK(texts(grants({"GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*AB' WITH GRANT OPTION"})) ==
        std::vector<std::string>{"GRANT OPTION ON *.*"});
}

TEST_CASE("grants compare regardless of spelling, quoting and case") {
  auto want = grants({"all privileges on FOOBAR.*", "REPLICATION SLAVE ON *.*"});
  auto have = grants({"GRANT ALL PRIVILEGES ON `foobar`.* TO `u`@`%`", "GRANT REPLICATION REPLICA ON *.* TO `u`@`%`"});
  CHECK(diff_grants(want, have).empty());
  CHECK(diff_grants(grants({"PROCESS, REPLICATION CLIENT, SELECT ON *.*"}),
                    grants({"GRANT SELECT, PROCESS, BINLOG MONITOR ON *.* TO `prometheus`@`localhost`"}))
            .empty());
}

TEST_CASE("grant diff lists missing and extra privileges") {
  auto want = grants({"SELECT, INSERT ON foobar.*"});
  auto have = grants({"GRANT INSERT, DELETE ON `foobar`.* TO `foobar`@`10.77.0.%`",
                      "GRANT PROCESS ON *.* TO `foobar`@`10.77.0.%`"});
  auto d = diff_grants(want, have);
  CHECK(texts(d.missing) == std::vector<std::string>{"SELECT ON foobar.*"});
  CHECK(texts(d.extra) == std::vector<std::string>{"DELETE ON foobar.*", "PROCESS ON *.*"});
  CHECK(grant_diff_reason(d) == "grants differ: missing SELECT ON foobar.*, extra DELETE ON foobar.*, extra PROCESS ON *.*");

  SUBCASE("ALL PRIVILEGES held covers a wanted privilege, but is itself extra") {
    auto d2 = diff_grants(grants({"SELECT ON foobar.*"}), grants({"GRANT ALL PRIVILEGES ON `foobar`.* TO `u`@`%`"}));
    CHECK(d2.missing.empty());
    CHECK(texts(d2.extra) == std::vector<std::string>{"ALL PRIVILEGES ON foobar.*"});
  }
  SUBCASE("a grant listed twice is wanted once") {
    auto d3 = diff_grants(grants({"SELECT ON foobar.*", "select on `foobar`.*"}), {});
    CHECK(texts(d3.missing) == std::vector<std::string>{"SELECT ON foobar.*"});
  }
}

TEST_CASE("revoke statements quote what they name") {
  const std::string who = "'foobar'@'10.77.0.%'";
  auto g = grants({"GRANT DELETE ON `foo``bar`.* TO `foobar`@`10.77.0.%` WITH GRANT OPTION",
                   "GRANT SELECT (`Host`, `User`) ON `mysql`.`user` TO `c`@`h`", "GRANT `app_role` TO `c`@`h`",
                   "GRANT PROCESS ON *.* TO `c`@`h`"});
  REQUIRE(g.size() == 5);
  CHECK(revoke_statement(g[0], who) == "REVOKE DELETE ON `foo``bar`.* FROM 'foobar'@'10.77.0.%';");
  CHECK(revoke_statement(g[1], who) == "REVOKE GRANT OPTION ON `foo``bar`.* FROM 'foobar'@'10.77.0.%';");
  CHECK(revoke_statement(g[2], who) == "REVOKE SELECT (`Host`, `User`) ON `mysql`.`user` FROM 'foobar'@'10.77.0.%';");
  CHECK(revoke_statement(g[3], who) == "REVOKE `app_role` FROM 'foobar'@'10.77.0.%';");
  CHECK(revoke_statement(g[4], who) == "REVOKE PROCESS ON *.* FROM 'foobar'@'10.77.0.%';");
}

TEST_CASE("malformed grants are diagnostics") {
  CHECK_FALSE(parse_grant("SELECT ON `foobar.*").ok());
  CHECK_FALSE(parse_grant("SELECT ON").ok());
  CHECK_FALSE(parse_grant("").ok());
  CHECK_FALSE(parse_grant("SELECT (a ON foobar.t").ok());
  auto e = parse_grant("SELECT ON `foobar.*");
  CHECK(e.error().message.find("unclosed") != std::string::npos);
}
