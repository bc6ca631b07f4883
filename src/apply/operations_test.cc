#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apply/operations.h"
#include "util/shell.h"

using namespace foobar;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/foobar-ops-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the operation locally with sh, its input on stdin; returns the exit status.
int run_local(const RemoteOp& op, const fs::path& dir) {
  fs::path script = dir / "op.sh", input = dir / "op.in";
  std::ofstream(script) << op.command;
  std::ofstream(input) << op.input;
  std::string cmd = "sh " + shell_quote(script.string()) + " < " + shell_quote(input.string()) + " 2>/dev/null";
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

TEST_CASE("file operation writes content and mode through stdin") {
  TempDir t;
  fs::path target = t.path / "sub" / "conf";
  auto op = converge_op(file_resource(target, "hello 'world'\n"), {});
  REQUIRE(op.ok());
  CHECK(op->command.find("hello") == std::string::npos);  // payload travels on stdin
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
  CHECK(op->command.find("s3cr") == std::string::npos);
  CHECK(op->input.find("IDENTIFIED BY 's3cr\\'et'") != std::string::npos);
  CHECK(op->input.find("GRANT SELECT ON foobar.* TO 'app'@'10.77.0.%'") != std::string::npos);
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
        << "#!/bin/sh\ncase \"$*\" in *'SHOW SLAVE STATUS'*) "
           "printf 'Slave_IO_Running: Yes\\nSlave_SQL_Running: Yes\\n';; *) cat >/dev/null; "
        << (healthy ? "exit 0" : "echo 'ERROR 1045' >&2; exit 1") << ";; esac\n";
    fs::permissions(bin / "mysql", fs::perms::owner_all);
    RemoteOp o = *op;
    o.command = "PATH=" + shell_quote(bin.string()) + ":$PATH\n" + o.command;
    return run_local(o, t.path);
  };
  CHECK(with_fake_mysql(true) == 0);
  CHECK(with_fake_mysql(false) != 0);  // fails at once, without waiting for the threads
}
