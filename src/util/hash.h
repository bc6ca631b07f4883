// Content hashes, as lowercase hex (the form sha256sum prints).
#pragma once

#include <string>
#include <string_view>

namespace foobar {

std::string sha256_hex(std::string_view data);

// What MariaDB/MySQL store for a mysql_native_password account and what
// PASSWORD() returns: '*' and SHA1(SHA1(password)) as uppercase hex. It logs in as
// well as the password itself does, so it is a secret like the password.
std::string mysql_native_password_hash(std::string_view password);

}  // namespace foobar
