#include "lab/provision.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cctype>

#include "stack/stack.h"
#include "util/base64.h"
#include "util/test_support.h"

using namespace foobar;

TEST_CASE("lab packages already on the machine are not installed again") {
  // coreutils is always installed: nothing to do, and no apt-get run (which would fail offline).
  CHECK(lab::install_lab_packages({"coreutils"}).ok());
  CHECK(lab::install_lab_packages({}).ok());
}

TEST_CASE("lab secrets: 0600, random per name, fixed values kept, keys as 32 bytes of base64") {
  test_support::TempDir dir;
  const std::string path = (dir.path / "secrets").string();
  dir.write("secrets", "old", 0644);
  REQUIRE(lab::write_lab_secrets(path, {"db_password", "app_key", "bundle", "tsig"}, {{"bundle", "@bundle.pem"}},
                                 {"tsig"})
              .ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto values = stack::parse_secrets_file(test_support::slurp(path), path);
  REQUIRE(values.ok());
  CHECK(values->size() == 4);
  CHECK(values->at("bundle") == "@bundle.pem");
  CHECK(values->at("db_password").size() == 18);
  CHECK(values->at("db_password") != values->at("app_key"));
  for (char c : values->at("app_key")) CHECK(std::isalnum(static_cast<unsigned char>(c)));
  CHECK(base64_decode(values->at("tsig"))->size() == 32);

  // A second lab up draws new values for what is not fixed.
  REQUIRE(lab::write_lab_secrets(path, {"db_password"}).ok());
  auto again = stack::parse_secrets_file(test_support::slurp(path), path);
  REQUIRE(again.ok());
  CHECK(again->at("db_password") != values->at("db_password"));
}
