// Quoting for the SQL foobarctl sends to MariaDB/MySQL (over stdin, never argv).
#pragma once

#include <string>
#include <string_view>

namespace foobar {

// 'text' with ' and \ doubled: one string literal, whatever it holds, in the default
// sql_mode and under NO_BACKSLASH_ESCAPES alike (the value is exact in the default mode).
std::string sql_string(std::string_view text);
// `name` with ` doubled: a database, column or role name, whatever it holds.
std::string sql_identifier(std::string_view name);
// 'user'@'host', the account syntax.
std::string sql_account(std::string_view user, std::string_view host);

}  // namespace foobar
