#include "util/sql.h"

namespace foobar {

std::string sql_string(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
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
