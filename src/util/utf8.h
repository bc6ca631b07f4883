// UTF-8 encoding of code points, shared by the template lexer (string escapes) and
// filters (case mapping).
#pragma once

#include <cstdint>
#include <string>

namespace foobar {

// Appends the UTF-8 encoding of code point `cp` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace foobar
