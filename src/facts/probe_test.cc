#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "facts/probe.h"
#include "remote/library.h"
#include "transport/connector.h"
#include "util/base64.h"
#include "util/hash.h"
#include "util/shell.h"
#include "util/test_support.h"

using namespace foobar;
namespace fs = std::filesystem;
using test_support::TempDir;

namespace {

Resource res(ResourceKind kind, const std::string& name, DesiredState state) {
  Resource r;
  r.host = "h1";
  r.kind = kind;
  r.name = name;
  r.state = std::move(state);
  return r;
}

FileState file_state(const std::string& content, bool sensitive = false) {
  FileState f;
  f.content = content;
  f.sensitive = sensitive;
  return f;
}

// Runs a probe as gather_facts sends it (remote::invocation: the script on stdin),
// `bin` first on PATH; returns its standard output.
std::string run_sh(const TempDir& dir, const std::string& script) {
  auto inv = remote::invocation(script);
  std::string file = dir.write("probe.in", inv.input);
  std::string cmd = "PATH=" + shell_quote((dir.path / "bin").string()) + ":\"$PATH\" " + inv.command + " < " +
                    shell_quote(file);
  int status = 0;
  std::string out = test_support::command_output(cmd, &status);
  CHECK(status == 0);
  return out;
}

template <class T>
std::string first_error(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().to_string();
}

std::vector<const Resource*> ptrs(const std::vector<Resource>& rs) {
  std::vector<const Resource*> out;
  for (const auto& r : rs) out.push_back(&r);
  return out;
}

}  // namespace

TEST_CASE("field escaping") {
  CHECK(escape_field("a\tb\nc\\d") == "a\\tb\\nc\\\\d");
  CHECK(unescape_field(escape_field("x\t\n\r\\y")) == "x\t\n\r\\y");
  CHECK(unescape_field("a\\0b") == std::string("a\0b", 3));
}

TEST_CASE("probe text covers every managed item, quoted") {
  std::vector<Resource> rs{
      res(ResourceKind::file, "/etc/it's here", file_state("x")),
      res(ResourceKind::file, "/etc/secret", file_state("pw", true)),
      res(ResourceKind::directory, "/srv/app", DirectoryState{}),
      res(ResourceKind::package, "nginx", PackageState{}),
      res(ResourceKind::service, "nginx", ServiceState{}),
      res(ResourceKind::database, "foobar", DatabaseState{"mariadb"}),
  };
  auto text = make_probe("stack0", ptrs(rs));
  CHECK(text.rfind(remote::library(), 0) == 0);
  // The calls after the library: a function's name in the library never counts as a call.
  const std::string calls = "\n" + text.substr(remote::library().size());
  // One call per kind, however many resources it has.
  // A secret file's wanted hash goes to the host to be compared there; nothing of the
  // file comes back.
  CHECK(calls.find("\nfact_files '/etc/it'\\''s here' '" + sha256_hex("x") + "' '/etc/secret' 'secret:" +
                  sha256_hex("pw") + "'\n") != std::string::npos);
  CHECK(calls.find("\nfact_dirs '/srv/app'\n") != std::string::npos);
  CHECK(calls.find("\nfact_packages 'nginx'\n") != std::string::npos);
  CHECK(calls.find("\nfact_services 'nginx'\n") != std::string::npos);
  CHECK(calls.find("\nfact_db\n") != std::string::npos);
  CHECK(calls.find("\nfact_manifest '/var/lib/foobarctl/stack0.json' '1048576'\n") != std::string::npos);
  CHECK(calls.find("\nfact_lock '/var/lib/foobarctl/stack0.lock' '4096'\n") != std::string::npos);
  CHECK(calls.find("\nfact_db_record '/var/lib/foobarctl/stack0.db-primary'\n") != std::string::npos);
  CHECK(calls.find("\nfb_probe_begin '1' '1048576' '4194304'\n") != std::string::npos);
  CHECK(("\n" + make_probe("s", {}).substr(remote::library().size())).find("\nfact_db\n") == std::string::npos);  // no query
  CHECK(calls.find("\nfb_probe_state '/var/lib/foobarctl/stack0.pending' '/var/lib/foobarctl/stack0.created'\n") !=
        std::string::npos);
}

TEST_CASE("the probe runs under /bin/sh and its output parses") {
  TempDir dir;
  std::string same = dir.write("etc/same.conf", "same\n", 0600);
  std::string changed = dir.write("etc/changed.conf", "old line\n", 0640);
  std::string secret = dir.write("etc/secret.conf", "old password\n", 0600);
  std::string odd = dir.write("etc/we'ird\tname", "", 0755);
  std::string missing = (dir.path / "etc/missing.conf").string();
  fs::create_directories(dir.path / "srv/app");
  chmod((dir.path / "srv/app").c_str(), 02750);
  std::string state = (dir.path / "state").string();
  dir.write("state/s1.json", "{\"stack\": \"s1\"}\n");
  dir.write("state/s1.lock", "alice@laptop 1234\n");
  std::vector<Resource> rs{
      res(ResourceKind::file, same, file_state("same\n")),
      res(ResourceKind::file, changed, file_state("new line\n")),
      res(ResourceKind::file, secret, file_state("new password\n", true)),
      res(ResourceKind::file, odd, file_state("")),
      res(ResourceKind::file, missing, file_state("x")),
      res(ResourceKind::directory, (dir.path / "srv/app").string(), DirectoryState{}),
      res(ResourceKind::directory, same, DirectoryState{}),  // a file where a directory should be
      res(ResourceKind::package, "coreutils", PackageState{}),
      res(ResourceKind::package, "foobar-no-such-package-xyz", PackageState{}),
      res(ResourceKind::service, "foobar-fake-svc", ServiceState{}),
      res(ResourceKind::service, "foobar-stopped-svc", ServiceState{}),
      res(ResourceKind::command, "init-db", CommandState{"true", same, ""}),
      res(ResourceKind::command, "seed", CommandState{"true", missing, "false"}),
  };
  // A `service` that knows one running service, so the sysvinit branch is exercised.
  dir.write("bin/service", "#!/bin/sh\n[ \"$1\" = foobar-fake-svc ] && [ \"$2\" = status ]\n", 0755);
  auto out = run_sh(dir, make_probe("s1", ptrs(rs), state));
  auto facts = parse_probe_output("h1", out);
  INFO(out);
  REQUIRE_MESSAGE(facts.ok(), first_error(facts));

  const auto& f = facts->files;
  REQUIRE(f.size() == 5);
  CHECK(f.at(same).type == PathType::file);
  CHECK(f.at(same).sha256 == sha256_hex("same\n"));
  CHECK(f.at(same).mode == "0600");
  CHECK_FALSE(f.at(same).content.has_value());  // unchanged: no content sent
  CHECK(f.at(changed).mode == "0640");
  REQUIRE(f.at(changed).content.has_value());
  CHECK(*f.at(changed).content == "old line\n");
  // Sensitive: neither content nor the file's own hash leaves the host.
  CHECK(f.at(secret).sha256 == "differs");
  CHECK_FALSE(f.at(secret).content.has_value());
  CHECK(out.find(sha256_hex("old password\n")) == std::string::npos);
  CHECK(f.at(odd).mode == "0755");
  CHECK(f.at(odd).sha256 == sha256_hex(""));
  CHECK(f.at(missing).type == PathType::absent);
  CHECK_FALSE(f.at(same).owner.empty());

  CHECK(facts->dirs.at((dir.path / "srv/app").string()).type == PathType::directory);
  CHECK(facts->dirs.at((dir.path / "srv/app").string()).mode == "2750");
  CHECK(facts->dirs.at(same).type == PathType::other);

  CHECK(facts->packages.at("coreutils").installed);
  CHECK_FALSE(facts->packages.at("coreutils").version.empty());
  CHECK_FALSE(facts->packages.at("foobar-no-such-package-xyz").installed);

  if (!fs::exists("/run/systemd/system")) {
    CHECK(facts->services.at("foobar-fake-svc").running);
    CHECK_FALSE(facts->services.at("foobar-stopped-svc").running);
    CHECK_FALSE(facts->services.at("foobar-stopped-svc").enabled);
  }
  CHECK(facts->commands.at("init-db").skip);
  CHECK_FALSE(facts->commands.at("seed").skip);

  REQUIRE(facts->manifest.has_value());
  CHECK(*facts->manifest == "{\"stack\": \"s1\"}\n");
  CHECK(facts->lock.held);
  CHECK(facts->lock.holder == "alice@laptop 1234\n");
  CHECK_FALSE(facts->db.probed);
}

TEST_CASE("a secret file is compared on the host: the wanted hash when it matches, 'differs' otherwise") {
  TempDir dir;
  std::string same = dir.write("etc/same.env", "PASSWORD='s3cret'\n", 0600);
  std::string other = dir.write("etc/other.env", "PASSWORD='old'\n", 0600);
  std::string missing = (dir.path / "etc/missing.env").string();
  std::vector<Resource> rs{res(ResourceKind::file, same, file_state("PASSWORD='s3cret'\n", true)),
                           res(ResourceKind::file, other, file_state("PASSWORD='new'\n", true)),
                           res(ResourceKind::file, missing, file_state("PASSWORD='x'\n", true))};
  auto out = run_sh(dir, make_probe("s1", ptrs(rs), (dir.path / "state").string()));
  auto facts = parse_probe_output("h1", out);
  REQUIRE_MESSAGE(facts.ok(), first_error(facts));
  CHECK(facts->files.at(same).sha256 == sha256_hex("PASSWORD='s3cret'\n"));
  CHECK(facts->files.at(other).sha256 == "differs");
  CHECK(facts->files.at(other).mode == "0600");
  CHECK(facts->files.at(missing).type == PathType::absent);
  CHECK(out.find(sha256_hex("PASSWORD='old'\n")) == std::string::npos);
}

TEST_CASE("the probe's reads are bounded: diff contents by a total budget, the manifest and lock holder by size") {
  TempDir dir;
  std::vector<Resource> rs;
  // Five files of the per-file limit each, all changed: only the budget's worth is sent.
  for (int i = 0; i < 5; ++i) {
    std::string p = dir.write("etc/big" + std::to_string(i), std::string(k_probe_content_limit, 'a' + i));
    rs.push_back(res(ResourceKind::file, p, file_state("new\n")));
  }
  std::string state = (dir.path / "state").string();
  dir.write("state/s1.lock", std::string(100000, 'h') + "\n");
  auto out = run_sh(dir, make_probe("s1", ptrs(rs), state));
  CHECK(out.size() < transport::k_output_cap);
  auto facts = parse_probe_output("h1", out);
  REQUIRE_MESSAGE(facts.ok(), first_error(facts));
  std::size_t sent = 0;
  for (const auto& [path, f] : facts->files) sent += f.content.has_value();
  CHECK(sent == k_probe_content_budget / k_probe_content_limit);
  CHECK(facts->lock.held);
  CHECK(facts->lock.holder == std::string(k_probe_holder_limit, 'h'));

  dir.write("state/s1.json", std::string(k_probe_manifest_limit + 1, ' '));
  auto big = parse_probe_output("h1", run_sh(dir, make_probe("s1", {}, state)));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().where == "h1");
  CHECK(big.error().message.find("the on-host manifest is " + std::to_string(k_probe_manifest_limit + 1) +
                                 " bytes") != std::string::npos);
  dir.write("state/s1.json", std::string(k_probe_manifest_limit, ' '));
  auto at_limit = parse_probe_output("h1", run_sh(dir, make_probe("s1", {}, state)));
  REQUIRE_MESSAGE(at_limit.ok(), first_error(at_limit));
  CHECK(at_limit->manifest->size() == k_probe_manifest_limit);
}

TEST_CASE("the probe reports absent manifest and free lock, and database facts from one mysql run") {
  TempDir dir;
  // Answers the statements on stdin as mysql -B does (a header line before each
  // non-empty answer), a server too old for SHOW REPLICA STATUS.
  dir.write("bin/mysql", R"(#!/bin/sh
echo run >> "${0%/*}/runs"
while IFS= read -r l; do
  case $l in
    "SELECT '', '', 'fb:"*) m=${l#*\'fb:}; m=${m%\';}; printf '\t\tfb:%s\n\t\tfb:%s\n' "$m" "$m" ;;
    'SHOW DATABASES;') printf 'Database\nmysql\nfoobar\nodd\\tname\n' ;;
    'SELECT User, Host FROM mysql.user;') printf 'User\tHost\nroot\tlocalhost\napp\t10.77.0.%%\n' ;;
    *'FROM mysql.user WHERE'*) printf 'verdict\tplugin\nmatches\tmysql_native_password\n' ;;
    'SHOW GRANTS FOR'*) printf 'Grants for app@10.77.0.%%\nGRANT USAGE ON *.* TO `app`@`10.77.0.%%` IDENTIFIED BY PASSWORD '"'*HASH'"'\nGRANT SELECT ON `foobar`.* TO `app`@`10.77.0.%%`\n' ;;
    'SHOW REPLICA STATUS\G') echo 'ERROR 1064 syntax' >&2 ;;
    'SHOW SLAVE STATUS\G') printf '*************************** 1. row ***************************\n   Slave_IO_State: Waiting for master\n      Master_Host: 10.77.0.21\n Slave_IO_Running: Yes\nSlave_SQL_Running: No\nSeconds_Behind_Master: NULL\n      Gtid_IO_Pos: 0-1-42\n' ;;
  esac
done
)",
            0755);
  std::vector<Resource> rs{res(ResourceKind::replication, "primary", ReplicationState{}),
                           res(ResourceKind::db_user, "app@10.77.0.%", DbUserState{"app", "10.77.0.%", "", {}})};
  auto out = run_sh(dir, make_probe("s2", ptrs(rs), (dir.path / "state").string()));
  auto facts = parse_probe_output("db-02", out);
  INFO(out);
  REQUIRE_MESSAGE(facts.ok(), first_error(facts));
  CHECK(out.find("HASH") == std::string::npos);  // cut on the host
  CHECK(test_support::command_output("cat " + shell_quote((dir.path / "bin/runs").string())) == "run\n");
  CHECK_FALSE(facts->manifest.has_value());
  CHECK_FALSE(facts->lock.held);
  const auto& db = facts->db;
  CHECK(db.probed);
  CHECK(db.answering);
  CHECK(db.databases == std::set<std::string>{"mysql", "foobar", "odd\tname"});
  CHECK(db.users == std::set<std::string>{"root@localhost", "app@10.77.0.%"});
  REQUIRE(db.accounts.count("app@10.77.0.%"));
  const auto& account = db.accounts.at("app@10.77.0.%");
  CHECK(account.auth == DbAccountFact::Auth::matches);
  CHECK(account.plugin == "mysql_native_password");
  CHECK(account.grants_known);
  CHECK(account.grants == std::vector<std::string>{"GRANT USAGE ON *.* TO `app`@`10.77.0.%`",
                                                   "GRANT SELECT ON `foobar`.* TO `app`@`10.77.0.%`"});
  REQUIRE(db.replica.has_value());
  CHECK(db.replica->io_running);
  CHECK_FALSE(db.replica->sql_running);
  CHECK(db.replica->source_host == "10.77.0.21");
  CHECK(db.replica->seconds_behind == "NULL");
  CHECK(db.replica->gtid_io_pos == "0-1-42");
  CHECK(db.replica->io_state == "Yes");
  CHECK(db.replica->sql_state == "No");
}

TEST_CASE("a database server that does not answer is a fact, not a failure") {
  TempDir dir;
  dir.write("bin/mysql", "#!/bin/sh\necho \"ERROR 2002: Can't connect through socket\" >&2\nexit 1\n", 0755);
  std::vector<Resource> rs{res(ResourceKind::database, "foobar", DatabaseState{})};
  auto facts = parse_probe_output("db-01", run_sh(dir, make_probe("s", ptrs(rs), dir.path.string())));
  REQUIRE(facts.ok());
  CHECK(facts->db.probed);
  CHECK_FALSE(facts->db.answering);
  CHECK(facts->db.error.find("Can't connect") != std::string::npos);
}

TEST_CASE("probe parser edge cases") {
  const std::string head = "foobar-probe\t1\n";
  SUBCASE("empty output") {
    auto r = parse_probe_output("web-01", "");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().where == "web-01");
  }
  SUBCASE("wrong header") {
    auto r = parse_probe_output("web-01", "bash: foo: command not found\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().pos.line == 1);
    CHECK(r.error().message.find("header") != std::string::npos);
  }
  SUBCASE("truncated output lacks the end record") {
    auto r = parse_probe_output("web-01", head + "pkg\tnginx\tinstalled\t1.22\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("cut short") != std::string::npos);
  }
  SUBCASE("wrong field count names host and line") {
    auto r = parse_probe_output("web-01", head + "pkg\tnginx\tinstalled\t1.22\nsvc\tnginx\trunning\nend\tok\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().where == "web-01");
    CHECK(r.error().pos.line == 3);
    CHECK(r.error().to_string().find("web-01:3: error: probe output line 3: malformed 'svc'") == 0);
  }
  SUBCASE("unknown record and bad base64") {
    auto r = parse_probe_output("h", head + "bogus\tx\nmanifest\tpresent\t!!!\nend\tok\n");
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.diagnostics().size() == 2);
    CHECK(r.diagnostics()[0].pos.line == 2);
    CHECK(r.diagnostics()[1].pos.line == 3);
  }
  SUBCASE("escaped names, CRLF lines and short modes are tolerated") {
    auto r = parse_probe_output(
        "h", head + "file\t/a\\tb\tfile\tabc\t644\troot\troot\t" + base64_encode("old") + "\r\ndir\t/d\tabsent\t\t\t\n" +
                 "replica\tnone\nend\tok\n");
    REQUIRE_MESSAGE(r.ok(), first_error(r));
    CHECK(r->files.at("/a\tb").mode == "0644");
    CHECK(*r->files.at("/a\tb").content == "old");
    CHECK(r->dirs.at("/d").type == PathType::absent);
    CHECK_FALSE(r->db.replica.has_value());
  }
}
