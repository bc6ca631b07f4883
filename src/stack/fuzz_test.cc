// Robustness: the loader must turn any input into a Stack or diagnostics, never
// throw, crash or hang. Deterministic mutations of the reference stacks.
#include <doctest/doctest.h>
#include "util/build_info.h"

#include <cstring>

#include "stack/stack.h"
#include "util/test_support.h"

using namespace foobar;

namespace {

std::string read(const std::string& path) { return test_support::slurp(path); }

const char* const kStacks[] = {"0-simple-web-stack.yaml", "1-distributed.yaml",
                               "2-secured-monitored.yaml", "3-scale-up.yaml"};

// Every outcome must be a value or at least one diagnostic with a message.
void check_outcome(const std::string& text) {
  Result<stack::Stack> r = Diagnostic::error("x", "unset");
  REQUIRE_NOTHROW(r = stack::parse_stack(text, "fuzz.yaml"));
  if (!r.ok()) {
    REQUIRE(!r.diagnostics().empty());
    for (const auto& d : r.diagnostics()) {
      REQUIRE(!d.message.empty());
      // An exception other than a YAML error means yaml-cpp misbehaved.
      REQUIRE(d.message.rfind("cannot read YAML", 0) == std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("loader survives every truncation of the reference stacks") {
  for (const char* name : kStacks) {
    std::string text = read(util::source_dir() + "/stacks/" + name);
    REQUIRE(text.size() > 100);
    std::size_t failures = 0;
    for (std::size_t len = 0; len < text.size(); ++len) {
      std::string cut = text.substr(0, len);
      check_outcome(cut);
      failures += !stack::parse_stack(cut, "t.yaml").ok();
    }
    // Most prefixes lack required keys; the checker must notice.
    CHECK(failures > text.size() / 2);
  }
}

TEST_CASE("loader survives byte flips in the reference stacks") {
  const char replacements[] = {' ', ':', '[', '{', '-', '"', '\n', '\t', '&', '*', ',',
                               '#', '|', '\x80', '\0'};
  for (const char* name : kStacks) {
    std::string text = read(util::source_dir() + "/stacks/" + name);
    for (std::size_t i = 0; i < text.size(); i += 7) {
      for (char c : replacements) {
        std::string mutated = text;
        mutated[i] = c;
        check_outcome(mutated);
      }
    }
  }
}

TEST_CASE("loader survives structural nastiness") {
  const std::string cases[] = {
      std::string(100000, '['),
      std::string(100000, '{'),
      "a: &x [*x]\n",
      "hosts: *nope\n",
      "? [a, b]\n: c\n",
      "stack: x\n---\nstack: y\n",
      "%YAML 1.1\n---\nstack: x\n",
      "!!binary abc",
      "hosts:\n  " + std::string(5000, 'a') + ": { address: 1.2.3.4 }\n",
      "\xEF\xBB\xBFstack: bom\n",
      "tiers: { lb: { vip: 5 } }",
      "tiers: { db: { users: [ 1, [2], { password: [] } ] } }",
      "tiers: { app: { environment: { A: [1], B: { secret: [] }, C: ~ } } }",
      "monitoring: { exporters: 5, alerts: [ ~ ] }",
      "dns: { records: [ { name: '', type: X, value: '' } ] }",
  };
  for (const auto& text : cases) check_outcome(text);
}

TEST_CASE("loader survives very long values in every checked string") {
  std::string text = read(util::source_dir() + "/stacks/3-scale-up.yaml");
  const std::string long_value(300000, 'A');
  for (const char* target : {"ALL PRIVILEGES ON foobar.*", "HighWebQPS", "LOG_LEVEL", "10.77.0.0/24",
                             "www.foobar.com", "/healthz", "mon-01", "eth0", "DB_REPL_PASSWORD"}) {
    std::string mutated = text;
    std::size_t at = mutated.find(target);
    REQUIRE(at != std::string::npos);
    mutated.replace(at, std::strlen(target), "\"" + long_value + "\"");
    check_outcome(mutated);
  }
}
