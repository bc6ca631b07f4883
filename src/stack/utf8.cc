#include "stack/utf8.h"

#include <cstdio>

#include "util/utf8.h"

namespace foobar::stack {

namespace {

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
    std::uint32_t cp = 0;
    std::size_t n = decode_utf8(text, i, cp);
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
