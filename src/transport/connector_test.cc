#include "transport/connector.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "transport/fake_connector.h"
#include "transport/local_connector.h"

using namespace foobar;
using namespace foobar::transport;

TEST_CASE("upload sends the content through stdin, never on the command line") {
  FakeConnector fake("web-01");
  fake.respond("cat >", {0, "", ""});
  REQUIRE(upload(fake, "/etc/app/secret.env", "PASSWORD=hunter2\n", 0600, "app:app").ok());
  REQUIRE(fake.calls().size() == 1);
  const auto& call = fake.calls()[0];
  CHECK(call.input == "PASSWORD=hunter2\n");
  CHECK(call.command.find("hunter2") == std::string::npos);
  CHECK(call.command.find("chmod 0600") != std::string::npos);
  CHECK(call.command.find("chown 'app:app'") != std::string::npos);
  CHECK(call.command.find("mv -f") != std::string::npos);
}

TEST_CASE("upload failure names the host, the file and the error") {
  FakeConnector fake("db-01");
  fake.respond("cat >", {1, "", "mktemp: failed to create file\n"});
  auto st = upload(fake, "/nope/x", "data");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().where == "db-01");
  CHECK(st.error().message.find("/nope/x") != std::string::npos);
  CHECK(st.error().message.find("mktemp: failed") != std::string::npos);
}

TEST_CASE("upload writes atomically with the requested mode and leaves no temp file") {
  char dir_template[] = "/tmp/foobar-upload-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template, path = dir + "/my file.conf";
  LocalConnector local;
  REQUIRE(upload(local, path, "first\n", 0640).ok());
  REQUIRE(upload(local, path, "second\n", 0600).ok());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == "second\n");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  auto listing = local.run("ls -A " + shell_quote(dir));
  REQUIRE(listing.ok());
  CHECK(listing->out == "my file.conf\n");
  (void)local.run("rm -rf " + shell_quote(dir));
}

TEST_CASE("fake connector matches by substring, records calls, and can fail") {
  FakeConnector fake("h");
  fake.respond("uname", {0, "Linux\n", ""});
  fake.fail("reboot", "connection lost");
  auto r = fake.run("uname -s");
  REQUIRE(r.ok());
  CHECK(r->out == "Linux\n");
  CHECK_FALSE(fake.run("reboot now").ok());
  auto unknown = fake.run("whoami");
  REQUIRE(unknown.ok());
  CHECK(unknown->exit_status == 127);
  CHECK(fake.count("uname") == 1);
  CHECK(fake.calls().size() == 3);
}
