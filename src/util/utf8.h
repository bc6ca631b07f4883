// UTF-8 encoding and strict decoding of code points, shared by the template lexer
// (string escapes) and filters (case mapping), the stack file's text checks, and
// every message that echoes a value written by a user.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace foobar {

// Appends the UTF-8 encoding of code point `cp` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, std::uint32_t cp);

// Length of the valid UTF-8 sequence starting at text[i] (1..4), storing its code
// point in `cp`; 0 when the bytes there are not UTF-8 (overlong forms, surrogates,
// values above U+10FFFF, truncated sequences).
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& cp);

// True for C0 controls, DEL and C1 controls (U+0080..U+009F): the code points a
// terminal may act on instead of showing.
bool is_control(std::uint32_t cp);

// `text` made safe to print on a terminal, one line: "\n", "\r" and "\t" for those
// characters, "\xNN" for other C0 controls, DEL and bytes that are not UTF-8,
// "\uNNNN" for C1 controls and the line separators and bidirectional overrides
// that reorder or split what is shown. Everything else, backslashes included, is
// unchanged, so a clean value prints as written.
std::string escape_control(std::string_view text);

}  // namespace foobar
