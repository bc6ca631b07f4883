#include "stack/utf8.h"

#include <cstdio>

namespace foobar::stack {

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid).
std::size_t utf8_length(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) -> unsigned { return static_cast<unsigned char>(text[k]); };
  unsigned b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t n;
  unsigned lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

std::string hex(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}

}  // namespace

std::optional<TextProblem> check_text(std::string_view text) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t n = utf8_length(text, i);
    if (n == 0)
      return TextProblem{{line, column},
                         "the stack file is not valid UTF-8 (byte " + hex(c) +
                             "); save it as UTF-8"};
    if (n == 1 && c < 0x20 && c != '\n' && c != '\t' && c != '\r')
      return TextProblem{{line, column}, "the stack file contains the control character " +
                                             hex(c) + "; remove it"};
    if (c == 0x7F)
      return TextProblem{{line, column}, "the stack file contains the control character 0x7F; remove it"};
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      column += static_cast<int>(n);
    }
    i += n;
  }
  return std::nullopt;
}

}  // namespace foobar::stack
