#include <doctest/doctest.h>

#include "cli/db_move.h"
#include "stack/stack_test_util.h"

using namespace foobar;

namespace {

stack::Stack three_dbs() {
  auto text = stack::testing::with("  db-02: { address: 10.77.0.42 }\n",
                                   "  db-02: { address: 10.77.0.42 }\n  db-03: { address: 10.77.0.43 }\n");
  text = stack::testing::with("    replicas: [db-02]", "    replicas: [db-02, db-03]", text);
  auto s = stack::parse_stack(text, "t.yaml");
  REQUIRE(s.ok());
  return *s;
}

}  // namespace

TEST_CASE("db switchover: the replica becomes primary, the old primary takes its place among the replicas") {
  const auto s = three_dbs();
  auto m = plan_switchover(s, "db-02");
  REQUIRE(m.ok());
  CHECK(m->old_primary == "db-01");
  CHECK(m->new_primary == "db-02");
  CHECK(m->repoint == std::vector<std::string>{"db-03"});
  CHECK(m->app_hosts == std::vector<std::string>{"web-01"});
  auto after = moved_stack(s, *m);
  CHECK(after.tiers.db->primary.value == "db-02");
  REQUIRE(after.tiers.db->replicas.size() == 2);
  CHECK(after.tiers.db->replicas[0].value == "db-01");
  CHECK(after.tiers.db->replicas[1].value == "db-03");
  CHECK(s.tiers.db->primary.value == "db-01");  // the stack itself is left alone

  const auto text = move_text(s, *m);
  CHECK(text.find("db-01: read-only now") != std::string::npos);
  CHECK(text.find("re-pointed at db-02: db-03") != std::string::npos);
  CHECK(text.find("(rolling reload): web-01") != std::string::npos);
  // The primary: line of the stack file, and what it must say.
  const auto edit = stack_edit_text(s, *m);
  CHECK(edit.find("t.yaml:" + std::to_string(s.tiers.db->primary.pos.line) +
                  ": change `primary: db-01` to `primary: db-02`") == 0);
  CHECK(edit.find("`replicas:` to [db-01, db-03]") != std::string::npos);
}

TEST_CASE("db failover: the old primary leaves the tier; bad targets are named") {
  const auto s = three_dbs();
  auto m = plan_failover(s, "db-03");
  REQUIRE(m.ok());
  CHECK_FALSE(m->old_rejoins);
  auto after = moved_stack(s, *m);
  CHECK(after.tiers.db->primary.value == "db-03");
  REQUIRE(after.tiers.db->replicas.size() == 1);
  CHECK(after.tiers.db->replicas[0].value == "db-02");
  CHECK(move_text(s, *m).find("db-01: fenced") != std::string::npos);

  auto self = plan_switchover(s, "db-01");
  REQUIRE_FALSE(self.ok());
  CHECK(self.error().message.find("is the stack's primary already") != std::string::npos);
  CHECK(self.error().pos.line == s.tiers.db->primary.pos.line);
  auto stranger = plan_switchover(s, "web-01");
  REQUIRE_FALSE(stranger.ok());
  CHECK(stranger.error().message == "'web-01' is not a replica of the db tier; the replicas are db-02, db-03");
}

TEST_CASE("db switchover SQL: positions quoted, a former primary starts after its own writes") {
  auto pos = *parse_gtid_list("", "0-1-42,1-1-3");
  CHECK(gtid_wait_sql(pos, 30) == "SELECT MASTER_GTID_WAIT('0-1-42,1-1-3', 30);\n");
  CHECK(repoint_sql("CHANGE MASTER TO x;\nSTART SLAVE;\n", pos) ==
        "STOP SLAVE;\nSET GLOBAL gtid_slave_pos = '0-1-42,1-1-3';\nCHANGE MASTER TO x;\nSTART SLAVE;\n");
  CHECK(repoint_sql("CHANGE MASTER TO x;\n", std::nullopt) == "STOP SLAVE;\nCHANGE MASTER TO x;\n");
}

namespace {
DbPosition replica(const std::string& host, const std::string& applied, const std::string& received,
                   const std::string& sql = "Yes") {
  DbPosition p;
  p.host = host;
  p.up = true;
  p.read_only = true;
  p.slave_pos = applied;
  p.relay = RelayFact{"10.77.0.41", "Connecting", sql, "bin.2", "bin.2", 900, 900, received, ""};
  return p;
}
}  // namespace

TEST_CASE("db failover: the most advanced replica that applied all it received, or the reasons") {
  std::vector<DbPosition> rs{replica("db-02", "0-1-40", "0-1-40"), replica("db-03", "0-1-41", "0-1-41")};
  CHECK(*pick_failover(rs, std::nullopt) == "db-03");
  CHECK(*pick_failover(rs, std::string("db-02")) == "db-02");
  rs[1] = replica("db-03", "0-1-40", "0-1-42");  // received more than it applied
  CHECK(*pick_failover(rs, std::nullopt) == "db-02");
  auto named = pick_failover(rs, std::string("db-03"));
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().message.find("db-03: it received up to 0-1-42 but applied only 0-1-40") != std::string::npos);
  rs[0] = replica("db-02", "0-1-40", "0-1-40", "No");
  auto none = pick_failover(rs, std::nullopt);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("no replica is safe to promote") == 0);
  CHECK(none.error().message.find("db-02: its SQL thread is not running") != std::string::npos);
  CHECK_FALSE(pick_failover(rs, std::string("db-09")).ok());
}
