#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "util/shell.h"

using namespace foobar;

TEST_CASE("shell_quote survives sh for awkward strings") {
  for (std::string s : {"plain", "it's", "a b\tc", "$(rm -rf /)", "`x`", "\"q\"", "", "\\n"}) {
    std::string cmd = "printf %s " + shell_quote(s);
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string got;
    char buf[256];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) got.append(buf, n);
    pclose(p);
    CHECK(got == s);
  }
}
