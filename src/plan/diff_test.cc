#include <doctest/doctest.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "plan/diff.h"
#include "util/test_support.h"

using namespace foobar;
namespace fs = std::filesystem;

namespace {

// What `diff -u` prints for the two texts, without its two header lines.
std::string gnu_diff(const std::string& a, const std::string& b) {
  test_support::TempDir dir;
  std::string cmd = "diff -u '" + dir.write("a", a) + "' '" + dir.write("b", b) + "' | tail -n +3";
  return test_support::command_output(cmd);
}

std::string body(const std::string& diff) {
  if (diff.empty()) return diff;
  auto second = diff.find('\n', diff.find('\n') + 1);
  return diff.substr(second + 1);
}

std::string numbered(int from, int to, const std::string& prefix = "line ") {
  std::string s;
  for (int i = from; i <= to; ++i) s += prefix + std::to_string(i) + "\n";
  return s;
}

// Applies a unified diff to `old_text`; checks that the hunks are consistent.
std::string apply_diff(const std::string& old_text, const std::string& diff) {
  std::vector<std::string> old_lines;
  for (std::size_t s = 0; s < old_text.size();) {
    auto nl = old_text.find('\n', s);
    auto e = nl == std::string::npos ? old_text.size() : nl + 1;
    old_lines.push_back(old_text.substr(s, e - s));
    s = e;
  }
  std::vector<std::string> lines;
  for (std::size_t s = 0; s < diff.size();) {
    auto e = diff.find('\n', s);
    lines.push_back(diff.substr(s, e - s + 1));
    s = e + 1;
  }
  std::string out;
  std::size_t pos = 0;  // next old line to copy
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.rfind("@@ -", 0) == 0) {
      int start = std::atoi(l.c_str() + 4);
      auto comma = l.find(',');
      bool empty = comma != std::string::npos && comma < l.find(' ', 4) && std::atoi(l.c_str() + comma + 1) == 0;
      std::size_t first = empty ? start : start - 1;
      while (pos < first) out += old_lines[pos++];
    } else if (l[0] == '\\') {
      if (!out.empty() && out.back() == '\n' && (lines[i - 1][0] == '+' || lines[i - 1][0] == ' ')) out.pop_back();
    } else if (l[0] == ' ') {
      CHECK(old_lines[pos].substr(0, l.size() - 2) == l.substr(1, l.size() - 2));
      out += l.substr(1);
      ++pos;
    } else if (l[0] == '-') {
      ++pos;
    } else if (l[0] == '+') {
      out += l.substr(1);
    }
  }
  while (pos < old_lines.size()) out += old_lines[pos++];
  return out;
}

}  // namespace

TEST_CASE("equal texts give no diff") {
  CHECK(unified_diff("", "", "a", "b").empty());
  CHECK(unified_diff("x\n", "x\n", "a", "b").empty());
}

TEST_CASE("headers name host and path") {
  auto d = unified_diff("a\n", "b\n", "web-01:/etc/x", "web-01:/etc/x");
  CHECK(d.rfind("--- web-01:/etc/x\n+++ web-01:/etc/x\n@@ -1 +1 @@\n-a\n+b\n", 0) == 0);
}

TEST_CASE("unified diff matches diff -u") {
  const std::string base = numbered(1, 40);
  std::vector<std::pair<std::string, std::string>> cases{
      {"", "one\ntwo\nthree\n"},                                    // empty old file
      {"one\ntwo\n", ""},                                           // everything removed
      {"a\nb\nc", "a\nb\nc\n"},                                     // newline added at the end
      {"a\nb\nc\n", "a\nb\nC"},                                     // no newline at end of new
      {"x", "y"},                                                   // neither has a newline
      {"a\nb\nc", "A\nb\nc"},                                         // unterminated context line
      {"a\r\nb\r\n", "a\r\nB\r\n"},                                     // CRLF lines
      {base, "new first\n" + base},                                 // insertion at start
      {base, base + "new last\n"},                                  // insertion at end
      {base, numbered(1, 10) + "changed\n" + numbered(12, 40)},     // one change
      {base, numbered(1, 3) + numbered(5, 17) + "x\ny\n" + numbered(18, 30) + numbered(32, 40) + "tail\n"},
      {base, numbered(1, 5) + "a\n" + numbered(7, 12) + "b\n" + numbered(14, 40)},  // 6 lines apart: one hunk
      {base, numbered(1, 5) + "a\n" + numbered(7, 13) + "b\n" + numbered(15, 40)},  // 7 apart: two hunks
      {"server {\n  listen 80;\n  root /srv;\n}\n", "server {\n  listen 443 ssl;\n  root /srv;\n  index i;\n}\n"},
  };
  for (const auto& c : cases) {
    const std::string& a = c.first;  // named: doctest's CAPTURE is a lambda, clang 14 cannot capture a binding
    const std::string& b = c.second;
    CAPTURE(a);
    CAPTURE(b);
    CHECK(body(unified_diff(a, b, "x", "x")) == gnu_diff(a, b));
  }
}

TEST_CASE("many hunks on a larger file match diff -u") {
  std::string a, b;
  for (int i = 0; i < 300; ++i) {
    a += "line " + std::to_string(i) + "\n";
    if (i % 25 == 7) b += "changed " + std::to_string(i) + "\n";
    else if (i % 25 != 13) b += "line " + std::to_string(i) + "\n";
    if (i % 50 == 20) b += "added " + std::to_string(i) + "\n";
  }
  auto ours = unified_diff(a, b, "x", "x");
  CHECK(body(ours) == gnu_diff(a, b));
  CHECK(apply_diff(a, ours) == b);
}

TEST_CASE("random edits: the diff applies and is no longer than diff's") {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::string a, b;
    int n = static_cast<int>(rng() % 30), m = static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) a += std::string(1, static_cast<char>('a' + rng() % 4)) + "\n";
    for (int i = 0; i < m; ++i) b += std::string(1, static_cast<char>('a' + rng() % 4)) + "\n";
    auto ours = unified_diff(a, b, "x", "x");
    CAPTURE(a);
    CAPTURE(b);
    CHECK(apply_diff(a, ours) == b);
    auto count = [](const std::string& d) {
      int c = 0;
      for (std::size_t i = 0; i < d.size(); i = d.find('\n', i) + 1)
        if ((d[i] == '+' || d[i] == '-') && d.compare(i, 3, "---") != 0 && d.compare(i, 3, "+++") != 0) ++c;
      return c;
    };
    CHECK(count(body(ours)) <= count(gnu_diff(a, b)));  // minimal edit script
  }
}

// Speed is measured by a benchmark, not asserted here; this checks the large cases are exact.
TEST_CASE("diffing 10k-line files: the worst cases are exact") {
  std::string a, b, c, r;
  for (int i = 0; i < 10000; ++i) {
    r += "config line " + std::to_string(9999 - i) + "\n";
    a += "config line " + std::to_string(i) + "\n";
    b += (i % 100 == 0 ? "edited " : "config line ") + std::to_string(i) + "\n";
    c += "other " + std::to_string(i) + "\n";
  }
  auto start = std::chrono::steady_clock::now();
  auto some = unified_diff(a, b, "x", "x");
  auto all = unified_diff(a, c, "x", "x");  // worst case: nothing in common
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  auto reversed_start = std::chrono::steady_clock::now();
  auto reversed = unified_diff(a, r, "x", "x");  // all lines shared, order reversed: D = 2n - 2
  auto reversed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - reversed_start).count();
  MESSAGE("10k-line reversed diff took " << reversed_ms << " ms");
  CHECK(apply_diff(a, reversed) == r);
  CHECK(apply_diff(a, some) == b);
  CHECK(apply_diff(a, all) == c);
  MESSAGE("10k-line diffs took " << ms << " ms");
}
