#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "stack/address.h"
#include "stack/stack.h"
#include "stack/suggest.h"

using namespace foobar;
using namespace foobar::stack;

namespace {
SecretSource env_only(std::map<std::string, std::string> env) {
  SecretSource s;
  s.env = [env](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return s;
}
}  // namespace

TEST_CASE("secrets: from the environment as FOOBAR_SECRET_<NAME>") {
  SecretRef ref{"DB_APP_PASSWORD", {24, 30}, "s.yaml"};
  auto r = resolve_secret(ref, env_only({{"FOOBAR_SECRET_DB_APP_PASSWORD", "pw1"}}));
  REQUIRE(r.ok());
  CHECK(*r == "pw1");
  auto missing = resolve_secret(ref, env_only({{"DB_APP_PASSWORD", "wrong name"}}));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().to_string() ==
        "s.yaml:24:30: error: secret 'DB_APP_PASSWORD' is not set; export "
        "FOOBAR_SECRET_DB_APP_PASSWORD or pass a secrets file");
}

TEST_CASE("secrets: the real process environment is the default") {
  ::setenv("FOOBAR_SECRET_UNIT_TEST_X", "from-env", 1);
  auto r = resolve_secret(SecretRef{"UNIT_TEST_X", {}, "s"}, SecretSource{});
  ::unsetenv("FOOBAR_SECRET_UNIT_TEST_X");
  REQUIRE(r.ok());
  CHECK(*r == "from-env");
}

TEST_CASE("secrets: KEY=VALUE files") {
  auto parsed = parse_secrets_file(
      "# comment\n\nA=1\nexport B = two words \nC=\"quoted # not comment\"\nD='x'\nE=\n", "f");
  REQUIRE(parsed.ok());
  CHECK(parsed->at("A") == "1");
  CHECK(parsed->at("B") == "two words");
  CHECK(parsed->at("C") == "quoted # not comment");
  CHECK(parsed->at("D") == "x");
  CHECK(parsed->at("E") == "");
  auto bad = parse_secrets_file("A=1\nno equals sign\nA=2\nbad key=3\n", "f");
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.diagnostics().size() == 3);
  CHECK(bad.diagnostics()[0].pos.line == 2);
  CHECK(bad.diagnostics()[1].message == "secret 'A' is defined twice");
  CHECK(bad.diagnostics()[2].pos.line == 4);
  // the value never appears in a message
  for (const auto& d : bad.diagnostics()) CHECK(d.message.find('2') == std::string::npos);
}

TEST_CASE("secrets: environment wins over the file; the file fills the gaps") {
  char path[] = "/tmp/foobar-secrets-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << "DB_APP_PASSWORD=from-file\nDB_REPL_PASSWORD=repl-file\n";
  SecretSource src = env_only({{"FOOBAR_SECRET_DB_APP_PASSWORD", "from-env"}});
  src.file = path;
  CHECK(*resolve_secret(SecretRef{"DB_APP_PASSWORD", {}, "s"}, src) == "from-env");
  CHECK(*resolve_secret(SecretRef{"DB_REPL_PASSWORD", {}, "s"}, src) == "repl-file");
  auto none = resolve_secret(SecretRef{"OTHER", {3, 4}, "s"}, src);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find(std::string("add OTHER=... to ") + path) != std::string::npos);
  std::remove(path);
  auto gone = resolve_secret(SecretRef{"OTHER", {}, "s"}, src);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().message.find("cannot open the secrets file") != std::string::npos);
}

TEST_CASE("secrets: '@PATH' reads a multi-line value from a file next to the secrets file") {
  char dir[] = "/tmp/foobar-secrets-dir-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string d = dir, file = d + "/secrets", pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  std::ofstream(file) << "TLS=@tls.pem\nABS=@" << d << "/tls.pem\nAT=@@literal\nGONE=@missing.pem\n";
  std::ofstream(d + "/tls.pem") << pem;
  SecretSource src = env_only({});
  src.file = file;
  CHECK(*resolve_secret(SecretRef{"TLS", {}, "s"}, src) == pem);
  CHECK(*resolve_secret(SecretRef{"ABS", {}, "s"}, src) == pem);
  CHECK(*resolve_secret(SecretRef{"AT", {}, "s"}, src) == "@literal");
  auto gone = resolve_secret(SecretRef{"GONE", {}, "s"}, src);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().message.find("secret 'GONE' names the file " + d + "/missing.pem") != std::string::npos);
  std::filesystem::remove_all(d);
}

TEST_CASE("address: IPv4, IPv6 and CIDR parsing") {
  CHECK(parse_ip("10.77.0.1"));
  CHECK_FALSE(parse_ip("10.77.0.256"));
  CHECK_FALSE(parse_ip("10.77.0"));
  CHECK_FALSE(parse_ip("010.77.0.1"));
  CHECK_FALSE(parse_ip(" 10.77.0.1"));
  CHECK_FALSE(parse_ip(""));
  CHECK(parse_ip("fd00::1")->v6);
  CHECK(parse_ip("::ffff:10.0.0.1"));
  CHECK_FALSE(parse_ip("fe80::1::2"));
  CHECK_FALSE(parse_ip("fe80::1%eth0"));
  CHECK(to_string(*parse_ip("FD00:0:0::1")) == "fd00::1");
  auto c = parse_cidr("10.77.0.0/24");
  REQUIRE(c);
  CHECK(c->contains(*parse_ip("10.77.0.200")));
  CHECK_FALSE(c->contains(*parse_ip("10.77.1.1")));
  CHECK_FALSE(c->contains(*parse_ip("fd00::1")));
  CHECK(parse_cidr("10.77.0.1")->prefix == 32);
  CHECK(parse_cidr("0.0.0.0/0")->contains(*parse_ip("8.8.8.8")));
  CHECK(parse_cidr("fd00::/8"));
  CHECK_FALSE(parse_cidr("10.77.0.0/33"));
  CHECK_FALSE(parse_cidr("10.77.0.0/"));
  CHECK_FALSE(parse_cidr("10.77.0.0/024"));
  CHECK_FALSE(parse_cidr("fd00::/129"));
  CHECK(cidr_problem("10.77.0.1/24") ==
        "host bits are set below the /24 prefix; did you mean 10.77.0.0/24?");
  CHECK(cidr_problem("x/24") == "'x' is not an IPv4 or IPv6 address");
  CHECK(cidr_problem("10.0.0.0/8").empty());
}

TEST_CASE("suggest: close names only") {
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(closest("adress", {"address", "ssh"}) == "address");
  CHECK(closest("ssh", {"address", "ssh"}) == "ssh");
  CHECK(closest("X", {"A", "MX"}) == "");
  CHECK(closest("a", {"A", "MX"}) == "A");
  CHECK(closest("completely", {"address", "ssh"}) == "");
  CHECK(did_you_mean("web-1", {"web-01"}) == "; did you mean 'web-01'?");
  CHECK(shorten_quotes("x '" + std::string(100, 'a') + "' y 'b'") ==
        "x '" + std::string(57, 'a') + "...' y 'b'");
  CHECK(shorten_quotes("it's fine") == "it's fine");
}
