// YAML aliases are bounded: yaml-cpp shares an aliased node, so a small file can
// stand for billions of values; the loader refuses it before walking any of them.
#include <doctest/doctest.h>

#include <string>

#include "stack/stack_test_util.h"

using namespace foobar;
using namespace foobar::stack;
using namespace foobar::stack::testing;

namespace {

// Ten lists of ten aliases to the one before: 10^10 values in 600 bytes.
std::string billion_laughs() {
  std::string text = "stack: t\ndomain: foobar.com\nhosts:\n  web-01: { address: 10.77.0.21 }\nlaughs:\n";
  text += "  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    text += "  - &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", *l" : "*l") + std::to_string(i - 1);
    text += "]\n";
  }
  text += "tiers:\n  web: { hosts: [web-01], static: *l9 }\n";
  return text;
}

int line_of(const std::string& text, const std::string& needle) {
  auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

std::string at(const std::string& text, SourcePos pos) {
  std::size_t start = 0;
  for (int l = 1; l < pos.line; ++l) start = text.find('\n', start) + 1;
  return text.substr(start + static_cast<std::size_t>(pos.column) - 1, 3);
}

}  // namespace

TEST_CASE("aliases: a billion laughs is refused at the alias that passes the bound") {
  std::string text = billion_laughs();
  REQUIRE(text.size() < 1000);
  auto r = parse_stack(text, "laughs.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diagnostics().size() == 1);
  const Diagnostic& d = r.diagnostics()[0];
  CHECK(d.message.find("YAML aliases expand the stack file to more than 1000000 values at this alias") == 0);
  // l5 alone expands to 1,111,111 values: the bound is passed inside its list,
  // and the diagnostic points at one of its aliases.
  CHECK(d.pos.line == line_of(text, "&l5"));
  CHECK(at(text, d.pos) == "*l4");
}

TEST_CASE("aliases: one wide mapping repeated by many aliases is refused too") {
  std::string keys;
  for (int i = 0; i < 2000; ++i) keys += (i ? ", k" : "k") + std::to_string(i) + ": 1";
  std::string items;
  for (int i = 0; i < 1000; ++i) items += i ? ", *m" : "*m";
  std::string text = with("dns:\n", "x: &m { " + keys + " }\ndns:\n");
  text = with("  records:\n", "  records: [ " + items + " ]\n  old_records:\n", text);
  auto r = parse_stack(text, "wide.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diagnostics().size() == 1);
  CHECK(r.diagnostics()[0].pos.line == line_of(text, "records: [ *m"));
  CHECK(r.diagnostics()[0].message.find("more than 1000000 values") != std::string::npos);
}

TEST_CASE("aliases: ordinary anchors and aliases load as before") {
  std::string text = with("  lb-01: { address: 10.77.0.11 }",
                          "  lb-01: { address: 10.77.0.11, ssh: &admin { user: admin, port: 2222 } }");
  text = with("ssh: { user: admin, port: 2222 }", "ssh: *admin", text);
  auto r = parse_stack(text, "t.yaml");
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  CHECK(r->find_host("web-01")->ssh.port.value == 2222);
  CHECK(r->find_host("lb-01")->ssh.user.value == "admin");
}

TEST_CASE("aliases: under the bound, repeated mistakes are capped at 1000 diagnostics and counted") {
  // 400 aliases of a mapping of 1000 unknown keys: 800,000 values, 400,000 problems.
  std::string keys;
  for (int i = 0; i < 1000; ++i) keys += (i ? ", k" : "k") + std::to_string(i) + ": 1";
  std::string items;
  for (int i = 0; i < 400; ++i) items += i ? ", *m" : "*m";
  std::string text = "stack: t\ndomain: foobar.com\nhosts:\n  web-01: { address: 10.77.0.21 }\n"
                     "x: &m { " + keys + " }\ndns:\n  records: [ " + items + " ]\n"
                     "tiers:\n  web: { hosts: [web-01] }\n";
  auto r = parse_stack(text, "many.yaml");
  REQUIRE_FALSE(r.ok());
  const auto& d = r.diagnostics();
  REQUIRE(d.size() == 1001);
  for (std::size_t i = 1; i < 1000; ++i) CHECK(d[i - 1].pos <= d[i].pos);  // sorted
  CHECK(d.back().pos == SourcePos{});
  CHECK(d.back().message.find(" more problems are not shown (at most 1000 per file)") != std::string::npos);
  // The unknown top-level key 'x', then per record 1000 unknown keys and the
  // missing 'name' and 'type': 1 + 400 * 1002 problems in all.
  CHECK(std::stol(d.back().message) + 1000 == 1 + 400 * 1002);
}
