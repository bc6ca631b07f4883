// Content hashes, as lowercase hex (the form sha256sum prints).
#pragma once

#include <string>
#include <string_view>

namespace foobar {

std::string sha256_hex(std::string_view data);

}  // namespace foobar
