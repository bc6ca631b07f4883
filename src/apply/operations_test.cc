#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apply/operations.h"
#include "remote/library.h"
#include "util/shell.h"
#include "util/test_support.h"

using namespace foobar;
namespace fs = std::filesystem;
using test_support::TempDir;
using test_support::slurp;

namespace {

// Runs the operation locally with dash (the library, then its call), its input on
// stdin, `prefix` first (a PATH with fake programs); returns the exit status.
int run_local(const RemoteOp& op, const fs::path& dir, const std::string& prefix = "", const fs::path& out = "") {
  fs::path script = dir / "op.sh", input = dir / "op.in";
  std::ofstream(script) << prefix << remote::script({op.call.text()});
  std::ofstream(input) << op.input;
  std::string cmd = "dash " + shell_quote(script.string()) + " < " + shell_quote(input.string()) + " 2>/dev/null";
  if (!out.empty()) cmd += " > " + shell_quote(out.string());
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

Resource file_resource(const fs::path& path, std::string content, std::string validate = "") {
  Resource r;
  r.host = "h";
  r.kind = ResourceKind::file;
  r.name = path.string();
  FileState f;
  f.content = std::move(content);
  f.mode = "0640";
  f.validate = std::move(validate);
  r.state = f;
  return r;
}

}  // namespace

TEST_CASE("a journal line names the handler, the service and the change, tabs escaped") {
  CHECK(journal_line(OnChange::restart, "foobar-app", "app-01:file:/etc/foobar/app.env") ==
        "restart\tfoobar-app\tapp-01:file:/etc/foobar/app.env");
  CHECK(journal_line(OnChange::reload, "nginx", "h:file:/a\tb") == "reload\tnginx\th:file:/a\\tb");
}

TEST_CASE("file operation writes content and mode through stdin") {
  TempDir t;
  fs::path target = t.path / "sub" / "conf";
  auto op = converge_op(file_resource(target, "hello 'world'\n"), {});
  REQUIRE(op.ok());
  CHECK(op->call.text().find("hello") == std::string::npos);  // payload travels on stdin
  REQUIRE(run_local(*op, t.path) == 0);
  CHECK(slurp(target) == "hello 'world'\n");
  CHECK((fs::status(target).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  CHECK_FALSE(fs::exists(t.path / "sub" / ".conf.foobarctl-new"));
}

TEST_CASE("a candidate rejected by its checker leaves the old file in place") {
  TempDir t;
  fs::path target = t.path / "conf";
  std::ofstream(target) << "old\n";
  auto op = converge_op(file_resource(target, "broken\n", "grep -q good {}"), {});
  REQUIRE(op.ok());
  CHECK(run_local(*op, t.path) == k_validation_failed_status);
  CHECK(slurp(target) == "old\n");
  auto good = converge_op(file_resource(target, "good\n", "grep -q good {}"), {});
  CHECK(run_local(*good, t.path) == 0);
  CHECK(slurp(target) == "good\n");
}

TEST_CASE("an in-place check that fails puts the previous file back") {
  TempDir t;
  fs::path target = t.path / "conf";
  std::ofstream(target) << "old\n";
  std::string check = "grep -q good " + shell_quote(target.string());
  auto bad = converge_op(file_resource(target, "broken\n", check), {});
  CHECK(run_local(*bad, t.path) == k_validation_failed_status);
  CHECK(slurp(target) == "old\n");
  fs::path fresh = t.path / "fresh";
  auto bad_new = converge_op(file_resource(fresh, "broken\n", "grep -q good " + shell_quote(fresh.string())), {});
  CHECK(run_local(*bad_new, t.path) == k_validation_failed_status);
  CHECK_FALSE(fs::exists(fresh));
}

TEST_CASE("database user passwords come from secrets and travel on stdin") {
  Resource r;
  r.host = "db-01";
  r.kind = ResourceKind::db_user;
  r.name = "app@10.77.0.%";
  r.state = DbUserState{"app", "10.77.0.%", "DB_APP", {"SELECT ON foobar.*"}};
  auto missing = converge_op(r, [](const std::string&) { return std::nullopt; });
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("FOOBAR_SECRET_DB_APP") != std::string::npos);
  auto op = converge_op(r, [](const std::string&) { return std::optional<std::string>("s3cr'et"); });
  REQUIRE(op.ok());
  CHECK(op->call.text().find("s3cr") == std::string::npos);
  CHECK(op->input.find("IDENTIFIED BY 's3cr''et'") != std::string::npos);
  CHECK(op->input.find("GRANT SELECT ON foobar.* TO 'app'@'10.77.0.%'") != std::string::npos);
}

TEST_CASE("a database user update revokes the plan's extra grants before granting the stack's") {
  Resource r;
  r.host = "db";
  r.kind = ResourceKind::db_user;
  r.name = "app@10.77.0.%";
  r.state = DbUserState{"app", "10.77.0.%", "DB_APP", {"SELECT ON foobar.*"}};
  auto extra = parse_grant("GRANT ALL PRIVILEGES ON `foobar`.* TO `app`@`10.77.0.%` WITH GRANT OPTION");
  REQUIRE(extra.ok());
  auto op = converge_op(r, [](const std::string&) { return std::optional<std::string>("pw"); }, *extra);
  REQUIRE(op.ok());
  auto revoke_all = op->input.find("REVOKE ALL PRIVILEGES ON `foobar`.* FROM 'app'@'10.77.0.%';\n");
  auto revoke_option = op->input.find("REVOKE GRANT OPTION ON `foobar`.* FROM 'app'@'10.77.0.%';\n");
  auto grant = op->input.find("GRANT SELECT ON foobar.* TO 'app'@'10.77.0.%';");
  REQUIRE(revoke_all != std::string::npos);
  REQUIRE(revoke_option != std::string::npos);
  REQUIRE(grant != std::string::npos);
  CHECK(revoke_all < grant);
  CHECK(revoke_option < grant);
  CHECK(op->input.find("ALTER USER 'app'@'10.77.0.%' IDENTIFIED BY 'pw';") < revoke_all);
  CHECK(op->call.text().find("pw") == std::string::npos);
}

TEST_CASE("a database user without a password secret logs in over the socket") {
  Resource r;
  r.host = "db-01";
  r.kind = ResourceKind::db_user;
  r.name = "prometheus@localhost";
  r.state = DbUserState{"prometheus", "localhost", "", {"PROCESS, REPLICATION CLIENT, SELECT ON *.*"}};
  bool asked = false;
  auto op = converge_op(r, [&](const std::string&) {
    asked = true;
    return std::optional<std::string>();
  });
  REQUIRE(op.ok());
  CHECK_FALSE(asked);
  CHECK(op->input.find("CREATE USER IF NOT EXISTS 'prometheus'@'localhost' IDENTIFIED VIA unix_socket;") !=
        std::string::npos);
  CHECK(op->input.find("ALTER USER 'prometheus'@'localhost' IDENTIFIED VIA unix_socket;") != std::string::npos);
  CHECK(op->input.find("IDENTIFIED BY") == std::string::npos);
  CHECK(op->input.find("GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'prometheus'@'localhost'") !=
        std::string::npos);
}

TEST_CASE("guarded commands run only when their guard allows") {
  TempDir t;
  fs::path marker = t.path / "made";
  Resource r;
  r.host = "h";
  r.kind = ResourceKind::command;
  r.name = "mk";
  r.state = CommandState{"echo x >> " + shell_quote(marker.string()), marker.string(), ""};
  auto op = converge_op(r, {});
  REQUIRE(run_local(*op, t.path) == 0);
  REQUIRE(run_local(*op, t.path) == 0);
  CHECK(slurp(marker) == "x\n");
}

TEST_CASE("replication is verified running after it is configured") {
  TempDir t;
  Resource r;
  r.host = "db-02";
  r.kind = ResourceKind::replication;
  r.name = "db-01";
  r.state = ReplicationState{"db-01", "10.77.0.41", "repl", "DB_REPL"};
  auto op = converge_op(r, [](const std::string&) { return std::optional<std::string>("pw"); });
  REQUIRE(op.ok());
  CHECK(op->input.find("START SLAVE") != std::string::npos);
  // A fake mysql: `healthy` reports both threads running; otherwise the SQL fails.
  auto with_fake_mysql = [&](bool healthy) {
    fs::path bin = t.path / (healthy ? "good" : "bad");
    fs::create_directories(bin);
    std::ofstream(bin / "mysql")
        << "#!/bin/sh\ncase \"$*\" in *'REPLICA STATUS'*) "
           "printf '*** 1. row ***\\nReplica_IO_Running: Yes\\nReplica_SQL_Running: Yes\\n';; *) cat >/dev/null; "
        << (healthy ? "exit 0" : "echo 'ERROR 1045' >&2; exit 1") << ";; esac\n";
    fs::permissions(bin / "mysql", fs::perms::owner_all);
    return run_local(*op, t.path, "PATH=" + shell_quote(bin.string()) + ":$PATH\n");
  };
  CHECK(with_fake_mysql(true) == 0);
  CHECK(with_fake_mysql(false) != 0);  // fails at once, without waiting for the threads
}

namespace {

Resource replication_resource() {
  Resource r;
  r.host = "db-03";
  r.kind = ResourceKind::replication;
  r.name = "db-01";
  r.state = ReplicationState{"db-01", "10.77.0.41", "repl", "DB_REPL"};
  return r;
}

// The seed of db-03 from db-01, with the replication password "pw".
Result<RemoteOp> seed_op() {
  auto op = seed_replica_op(replication_resource(), [](const std::string&) { return std::optional<std::string>("pw"); });
  REQUIRE(op.ok());
  return op;
}

// A fake mysql for the seed's replica side, a server too old for SHOW REPLICA STATUS.
// `slave_row` is what SHOW SLAVE STATUS prints before the import (empty: not a
// replica; after it, both threads run), `tables` the schemas holding tables; an
// import (--batch) is saved to `imported`.
struct FakeReplica {
  fs::path dir, imported;
  FakeReplica(const fs::path& base, const std::string& slave_row, const std::string& tables)
      : dir(base / "bin"), imported(base / "imported.sql") {
    fs::create_directories(dir);
    const std::string im = shell_quote(imported.string());
    std::ofstream(dir / "mysql") << "#!/bin/sh\ncase \"$*\" in\n"
                                    "  *'REPLICA STATUS'*) exit 1;;\n"
                                    "  *'SLAVE STATUS'*) if [ -e " << im << " ]; then "
                                    "printf '*** 1. row ***\\nSlave_IO_Running: Yes\\nSlave_SQL_Running: Yes\\n'; "
                                    "else printf '%s' " << shell_quote(slave_row) << "; fi;;\n"
                                    "  *information_schema.tables*) printf '%s\\n' " << shell_quote(tables) << ";;\n"
                                    "  *--batch*) cat > " << im << ";;\n"
                                    "  *) exit 9;;\nesac\n";
    fs::permissions(dir / "mysql", fs::perms::owner_all);
  }
  // Runs the seed's replica side with `stdin` as the primary's dump, the marker
  // moved to `marker`.
  int run(RemoteOp op, const fs::path& work, const fs::path& marker, const std::string& dump) {
    for (auto& a : op.call.args)
      if (a == k_seed_marker) a = marker.string();
    op.input = dump + op.input;
    return run_local(op, work, "PATH=" + shell_quote(dir.string()) + ":$PATH\n");
  }
};

}  // namespace

TEST_CASE("a seed dumps the primary at its GTID position and imports it on the replica without binlogging") {
  auto op = seed_op();
  REQUIRE(op->input_from);
  CHECK(op->input_from->host == "db-01");
  for (const char* flag : {"--single-transaction", "--gtid", "--master-data=1", "--routines", "--events",
                           "--triggers", "--system=users", "--insert-ignore"})
    CHECK_MESSAGE(remote::library().find(flag) != std::string::npos, flag);
  CHECK(op->input_from->call.function == "fb_seed_dump");
  // The password only travels on the replica's stdin, after the dump.
  CHECK(op->call.text().find("pw'") == std::string::npos);
  CHECK(op->input_from->call.text().find("pw'") == std::string::npos);
  CHECK(op->input.find("MASTER_PASSWORD='pw', MASTER_USE_GTID=slave_pos;\nSTART SLAVE;") != std::string::npos);

  TempDir t;
  FakeReplica replica(t.path, "", "NULL");
  fs::path marker = t.path / "seed.partial";
  REQUIRE(replica.run(*op, t.path, marker, "CREATE TABLE x (v INT);\nSET GLOBAL gtid_slave_pos='0-1-7';\n") == 0);
  std::string sql = slurp(replica.imported);
  CHECK(sql.rfind("SET SESSION sql_log_bin=0;\nCREATE TABLE x", 0) == 0);
  auto pos = sql.find("gtid_slave_pos='0-1-7'");
  REQUIRE(pos != std::string::npos);
  CHECK(sql.find("CHANGE MASTER TO MASTER_HOST='10.77.0.41'", pos) != std::string::npos);
  CHECK_FALSE(fs::exists(marker));
}

TEST_CASE("a seed refuses a replica with tables of its own, unless its own earlier seed was interrupted") {
  auto op = seed_op();
  TempDir t;
  FakeReplica replica(t.path, "", "shop");
  fs::path marker = t.path / "seed.partial";
  CHECK(replica.run(*op, t.path, marker, "DUMP;\n") == k_seed_refused_status);
  CHECK_FALSE(fs::exists(replica.imported));
  std::ofstream(marker) << "";
  CHECK(replica.run(*op, t.path, marker, "DUMP;\n") == 0);
  CHECK(slurp(replica.imported).find("DUMP;") != std::string::npos);
  CHECK_FALSE(fs::exists(marker));
}

TEST_CASE("a seed leaves a server that is already a replica alone") {
  auto op = seed_op();
  TempDir t;
  FakeReplica replica(t.path, "*** 1. row ***\nSlave_IO_Running: Yes\nMaster_Host: 10.77.0.41\n", "NULL");
  CHECK(replica.run(*op, t.path, t.path / "seed.partial", "DUMP;\n") == k_already_replica_status);
  CHECK_FALSE(fs::exists(replica.imported));
  CHECK_FALSE(fs::exists(t.path / "seed.partial"));
}

TEST_CASE("the primary's dump names every non-system database, and only those") {
  auto op = seed_op();
  TempDir t;
  fs::path bin = t.path / "bin";
  fs::create_directories(bin);
  auto dump_args = [&](const std::string& schemas) {
    std::ofstream(bin / "mysql") << "#!/bin/sh\nprintf '%s' " << shell_quote(schemas) << "\n";
    std::ofstream(bin / "mysqldump") << "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done\n";
    fs::permissions(bin / "mysql", fs::perms::owner_all);
    fs::permissions(bin / "mysqldump", fs::perms::owner_all);
    RemoteOp dump{op->input_from->call, ""};
    REQUIRE(run_local(dump, t.path, "PATH=" + shell_quote(bin.string()) + ":$PATH\n", t.path / "out") == 0);
    return slurp(t.path / "out");
  };
  std::string two = dump_args("foobar\nmy shop\n");
  CHECK(two.find("[--databases][foobar][my shop]") != std::string::npos);
  std::string none = dump_args("");
  CHECK(none.find("--databases") == std::string::npos);
  CHECK(none.find("[--system=users]") != std::string::npos);
}
