#include <doctest/doctest.h>

#include <vector>

#include "util/base64.h"
#include "util/hash.h"

using namespace foobar;

TEST_CASE("sha256_hex matches known digests") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("mysql_native_password_hash is what the server's PASSWORD() returns") {
  // SELECT PASSWORD('password') on MariaDB 10.11; the lab test checks it against the server.
  CHECK(mysql_native_password_hash("password") == "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  CHECK(mysql_native_password_hash("pw") == "*D821809F681A40A6E379B50D0463EFAE20BDD122");
  CHECK(mysql_native_password_hash("Password") != mysql_native_password_hash("password"));
}

TEST_CASE("base64 round trips and rejects garbage") {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("a\0\n\tz", 5)}) {
    auto enc = base64_encode(s);
    auto dec = base64_decode(enc);
    REQUIRE(dec.has_value());
    CHECK(*dec == s);
  }
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(*base64_decode("Zm9v\nYmE=\n") == "fooba");
  CHECK_FALSE(base64_decode("Zm9v!").has_value());
  CHECK_FALSE(base64_decode("Zm8=Zm8=").has_value());
}
