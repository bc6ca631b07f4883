#include "util/sql.h"

#include <doctest/doctest.h>

#include <optional>

using namespace foobar;

namespace {

// How MariaDB reads a single-quoted literal at the start of `sql`: its value and the
// length of the literal, in the default sql_mode (backslash escapes) or under
// NO_BACKSLASH_ESCAPES. nullopt when the literal never ends.
struct Literal {
  std::string value;
  size_t length;
};
std::optional<Literal> scan_literal(const std::string& sql, bool backslash_escapes) {
  if (sql.empty() || sql[0] != '\'') return std::nullopt;
  std::string value;
  for (size_t i = 1; i < sql.size(); ++i) {
    char c = sql[i];
    if (backslash_escapes && c == '\\' && i + 1 < sql.size()) {
      value += sql[++i];  // \' \\ (the letters of \n \t do not occur in these tests)
    } else if (c == '\'') {
      if (i + 1 < sql.size() && sql[i + 1] == '\'') {
        value += '\'';
        ++i;
      } else {
        return Literal{value, i + 1};
      }
    } else {
      value += c;
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("sql quoting: literals, identifiers and accounts") {
  CHECK(sql_string("it's a \\ test") == "'it''s a \\\\ test'");
  CHECK(sql_string("") == "''");
  CHECK(sql_identifier("odd`name") == "`odd``name`");
  CHECK(sql_account("foobar", "10.77.0.%") == "'foobar'@'10.77.0.%'");
}

TEST_CASE("sql quoting: a literal ends where it should with and without NO_BACKSLASH_ESCAPES") {
  for (std::string hostile : {"\\", "'", "\\'", "\\\\'", "x\\' OR 1=1 -- ", "pw'); DROP USER root; --", "a'\\'b",
                              "trailing\\", "''''", "\\\\\\"}) {
    CAPTURE(hostile);
    std::string lit = sql_string(hostile);
    auto dflt = scan_literal(lit + "; SELECT 1", true);
    REQUIRE(dflt);
    CHECK(dflt->length == lit.size());  // the statement after it is untouched
    CHECK(dflt->value == hostile);      // exact in the default mode
    auto nbe = scan_literal(lit + "; SELECT 1", false);
    REQUIRE(nbe);
    CHECK(nbe->length == lit.size());  // no breakout under NO_BACKSLASH_ESCAPES either
    std::string doubled;
    for (char c : hostile) doubled += c == '\\' ? std::string("\\\\") : std::string(1, c);
    CHECK(nbe->value == doubled);
  }
}
