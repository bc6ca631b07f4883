#include "remote/library.h"

#include <doctest/doctest.h>

#include "util/test_support.h"

using namespace foobar;

TEST_CASE("remote library: every .sh file is built in, common.sh first") {
  const auto names = remote::file_names();
  REQUIRE_FALSE(names.empty());
  CHECK(names.front() == "common.sh");
  CHECK(remote::file("common.sh").find("fb_init()") != std::string_view::npos);
  CHECK(remote::file("no-such.sh").empty());
  CHECK(remote::library().find("# --- common.sh\n") == 0);
}

TEST_CASE("remote library: call quotes every argument as one word") {
  CHECK(remote::call("fb_init") == "fb_init");
  CHECK(remote::call("f", {"a b", "it's", "$(id)"}) == "f 'a b' 'it'\\''s' '$(id)'");
  CHECK_THROWS(remote::call("f; id", {}));
  CHECK_THROWS(remote::call("", {}));
}

TEST_CASE("remote library: runs under dash, and a call passes hostile words through intact") {
  test_support::TempDir dir;
  const std::vector<std::string> words = {"a b", "it's", "$(echo no)", "`echo no`", "x\ny", "*"};
  const std::string script = remote::library() + "show() { for w in \"$@\"; do printf '[%s]' \"$w\"; done; }\n" +
                             remote::call("show", words) + "\necho\nfb_init\n";
  const auto path = dir.write("s.sh", script);
  int status = 0;
  const auto out = test_support::command_output("dash " + path, &status);
  CHECK(status == 0);
  CHECK(out.rfind("[a b][it's][$(echo no)][`echo no`][x\ny][*]\n", 0) == 0);
  const auto init = out.substr(out.find("]\n") + 2);
  CHECK((init == "systemd\n" || init == "sysv\n"));
}
