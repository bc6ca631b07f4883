#include <doctest/doctest.h>

#include "util/utf8.h"

using namespace foobar;

TEST_CASE("utf8: strict decoding refuses what is not UTF-8") {
  std::uint32_t cp = 0;
  CHECK(decode_utf8("a", 0, cp) == 1);
  CHECK(cp == 'a');
  CHECK(decode_utf8("\xC3\xA9", 0, cp) == 2);
  CHECK(cp == 0xE9);
  CHECK(decode_utf8("\xE2\x80\xAE", 0, cp) == 3);
  CHECK(cp == 0x202E);
  CHECK(decode_utf8("\xF0\x9F\x98\x80", 0, cp) == 4);
  CHECK(cp == 0x1F600);
  CHECK(decode_utf8("\xC0\xAF", 0, cp) == 0);          // overlong '/'
  CHECK(decode_utf8("\xE0\x80\xAF", 0, cp) == 0);      // overlong
  CHECK(decode_utf8("\xED\xA0\x80", 0, cp) == 0);      // surrogate
  CHECK(decode_utf8("\xF4\x90\x80\x80", 0, cp) == 0);  // above U+10FFFF
  CHECK(decode_utf8("\xC3", 0, cp) == 0);              // truncated
  CHECK(decode_utf8("\x80", 0, cp) == 0);              // continuation byte alone
  CHECK(decode_utf8("\xFF", 0, cp) == 0);
}

TEST_CASE("utf8: escape_control makes a value safe to print, and leaves a clean one alone") {
  CHECK(escape_control("foobar.com") == "foobar.com");
  CHECK(escape_control("caf\xC3\xA9 \\n") == "caf\xC3\xA9 \\n");  // non-ASCII and backslashes as written
  CHECK(escape_control("a\nb\tc\rd") == "a\\nb\\tc\\rd");
  CHECK(escape_control("\x1b[2J\x1b]0;title\x07") == "\\x1b[2J\\x1b]0;title\\x07");
  CHECK(escape_control(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(escape_control("\x7F\v") == "\\x7f\\x0b");
  CHECK(escape_control("\xC2\x9B" "31m") == "\\u009b31m");              // C1 CSI
  CHECK(escape_control("abc\xE2\x80\xAE" "cba") == "abc\\u202ecba");  // right-to-left override
  CHECK(escape_control("a\xE2\x80\xA8" "b") == "a\\u2028b");          // line separator
  CHECK(escape_control("\xFF\xC3") == "\\xff\\xc3");                  // not UTF-8
  // Escaping is idempotent: its output holds no character it would change.
  std::string once = escape_control("x\n\x1b\xFF\xC2\x9B");
  CHECK(escape_control(once) == once);
}

TEST_CASE("utf8: is_control covers C0, DEL and C1") {
  CHECK(is_control(0));
  CHECK(is_control('\n'));
  CHECK(is_control(0x1F));
  CHECK_FALSE(is_control(' '));
  CHECK_FALSE(is_control('~'));
  CHECK(is_control(0x7F));
  CHECK(is_control(0x9F));
  CHECK_FALSE(is_control(0xA0));
}
