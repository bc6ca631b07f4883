#include <doctest/doctest.h>

#include "facts/db_position.h"
#include "util/base64.h"

using namespace foobar;

TEST_CASE("GTID positions: the grammar DOMAIN-SERVER-SEQ[,...], nothing else") {
  auto p = parse_gtid_list("db-01", "0-1-42,1-2-7");
  REQUIRE(p.ok());
  CHECK(p->size() == 2);
  CHECK(p->at(0).seq == 42);
  CHECK(p->at(1).server == 2);
  CHECK(gtid_text(*p) == "0-1-42,1-2-7");
  CHECK(parse_gtid_list("x", "")->empty());
  for (const char* bad : {"0-1", "0-1-42,", ",0-1-42", "0-1-x", "0-1-42'; DROP TABLE t; --", "0-1-42\n0-1-1",
                          "-1-2-3", "0-1-2,0-2-3", "99999999999999999999-1-1"}) {
    auto r = parse_gtid_list("db-01 gtid_binlog_pos", bad);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.error().where == "db-01 gtid_binlog_pos");
  }
}

TEST_CASE("GTID positions: reached per domain, progress as the sum") {
  auto have = *parse_gtid_list("", "0-1-42,1-2-7");
  CHECK(gtid_reached(have, *parse_gtid_list("", "0-1-42")));
  CHECK(gtid_reached(have, *parse_gtid_list("", "0-2-40,1-2-7")));
  CHECK_FALSE(gtid_reached(have, *parse_gtid_list("", "0-1-43")));
  CHECK_FALSE(gtid_reached(have, *parse_gtid_list("", "2-1-1")));  // a domain it never saw
  CHECK(gtid_reached(have, {}));
  CHECK(gtid_progress(have) == 49);
}

namespace {
// fact_db_position's output on a replica whose primary is gone (src/remote/shell_test.cc
// has the fake server that prints it).
std::string replica_output(const std::string& io_pos, long exec_pos, const std::string& sql = "Yes") {
  return "dbpos\tup\t1\t0-1-42\t0-1-40\t0-1-42\n"
         "dbrelay\t10.77.0.41\tConnecting\t" + sql + "\tmysql-bin.000002\t900\tmysql-bin.000002\t" +
         std::to_string(exec_pos) + "\t" + io_pos + "\n"
         "dbsqlstate\t" + base64_encode("Slave has read all relay log; waiting for more updates\n") + "\n";
}
}  // namespace

TEST_CASE("database positions: parsed, and whether a replica applied all it received") {
  auto p = parse_position_output("db-02", replica_output("0-1-40", 900));
  REQUIRE(p.ok());
  CHECK(p->up);
  CHECK(p->read_only);
  CHECK(p->binlog_pos == "0-1-42");
  CHECK(p->slave_pos == "0-1-40");
  REQUIRE(p->relay);
  CHECK(p->relay->source_host == "10.77.0.41");
  CHECK(p->relay->read_pos == 900);
  CHECK(p->relay->sql_state == "Slave has read all relay log; waiting for more updates");
  CHECK_FALSE(unapplied_reason(*p));

  auto behind = parse_position_output("db-02", replica_output("0-1-41", 900));
  REQUIRE(behind.ok());
  auto why = unapplied_reason(*behind);
  REQUIRE(why);
  CHECK(why->find("received up to 0-1-41 but applied only 0-1-40") != std::string::npos);

  auto relay = unapplied_reason(*parse_position_output("db-02", replica_output("0-1-40", 800)));
  REQUIRE(relay);
  CHECK(relay->find("relay log is not fully applied") != std::string::npos);

  auto stopped = unapplied_reason(*parse_position_output("db-02", replica_output("0-1-40", 900, "No")));
  REQUIRE(stopped);
  CHECK(stopped->find("SQL thread is not running") != std::string::npos);

  auto down = parse_position_output("db-03", "dbpos\tdown\t" + base64_encode("Can't connect") + "\n");
  REQUIRE(down.ok());
  CHECK_FALSE(down->up);
  CHECK(unapplied_reason(*down)->find("Can't connect") != std::string::npos);

  auto primary = parse_position_output("db-01", "dbpos\tup\t0\t0-1-42\t\t0-1-42\ndbrelay\tnone\ndbsqlstate\t\n");
  REQUIRE(primary.ok());
  CHECK_FALSE(primary->relay);
  CHECK(*unapplied_reason(*primary) == "it is not a replica");

  CHECK_FALSE(parse_position_output("db-01", "").ok());
  CHECK_FALSE(parse_position_output("db-01", "dbpos\tup\t1\n").ok());
  CHECK_FALSE(parse_position_output("db-01", "dbpos\tup\t1\t0-1-1\t\t\ndbrelay\tx\ty\n").ok());
}

TEST_CASE("the record of the running primary: primary and fence lines") {
  CHECK(db_record_path("foobar-distributed") == "/var/lib/foobarctl/foobar-distributed.db-primary");
  const std::string text = db_record_text("db-02", {"db-01"});
  CHECK(text == "primary db-02\nfence db-01");
  std::string primary;
  std::vector<std::string> fence;
  REQUIRE(parse_db_record(text + "\n", primary, fence));
  CHECK(primary == "db-02");
  CHECK(fence == std::vector<std::string>{"db-01"});
  CHECK_FALSE(parse_db_record("", primary, fence));
  CHECK_FALSE(parse_db_record("primary db-02\nrm -rf /\n", primary, fence));
}
