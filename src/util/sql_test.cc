#include "util/sql.h"

#include <doctest/doctest.h>

using namespace foobar;

TEST_CASE("sql quoting: literals, identifiers and accounts") {
  CHECK(sql_string("it's a \\ test") == "'it\\'s a \\\\ test'");
  CHECK(sql_string("") == "''");
  CHECK(sql_identifier("odd`name") == "`odd``name`");
  CHECK(sql_account("foobar", "10.77.0.%") == "'foobar'@'10.77.0.%'");
}
