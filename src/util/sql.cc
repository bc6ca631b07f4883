#include "util/sql.h"

namespace foobar {

std::string sql_string(std::string_view text) {
  // ' is doubled, never backslashed: under NO_BACKSLASH_ESCAPES \' would end the
  // literal. A backslash is doubled, which is one backslash in the default mode and
  // two (still inside the literal) under NO_BACKSLASH_ESCAPES.
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'' || c == '\\') out += c;
  }
  return out + "'";
}

std::string sql_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}

std::string sql_account(std::string_view user, std::string_view host) {
  return sql_string(user) + "@" + sql_string(host);
}

}  // namespace foobar
