#include "cli/option_docs.h"

#include <doctest/doctest.h>

#include "cli/commands.h"

using namespace foobar::cli;

namespace {

const CommandDoc* find(const std::vector<CommandDoc>& docs, const std::string& name) {
  for (const auto& d : docs)
    if (d.name == name) return &d;
  return nullptr;
}

bool has_option(const CommandDoc& d, const std::string& name) {
  for (const auto& o : d.options)
    if (o.long_name == name) return true;
  return false;
}

}  // namespace

TEST_CASE("command docs come from the parsers' tables: positional and hidden options left out") {
  const auto docs = command_docs();
  const CommandDoc* plan = find(docs, "plan");
  REQUIRE(plan != nullptr);
  CHECK(plan->synopsis == "foobarctl plan [OPTION...] STACK");
  CHECK(has_option(*plan, "detailed-exitcode"));
  CHECK(has_option(*plan, "target"));
  CHECK(has_option(*plan, "templates"));
  CHECK_FALSE(has_option(*plan, "stack"));  // positional
  for (const auto& o : plan->options)
    if (o.long_name == "format") {
      CHECK(o.argument == "ARG");
      CHECK(o.default_value == "human");
    } else if (o.long_name == "detailed-exitcode") {
      CHECK(o.argument.empty());
    }
  const CommandDoc* ssh = find(docs, "lab ssh");
  REQUIRE(ssh != nullptr);
  CHECK(has_option(*ssh, "stdin"));
  CHECK_FALSE(has_option(*ssh, "known-hosts"));  // hidden group
  CHECK_FALSE(has_option(*ssh, "host"));         // positional
  CHECK(find(docs, "lab down") != nullptr);
  CHECK(find(docs, "manpage") == nullptr);  // hidden command
  const CommandDoc* tmpl = find(docs, "template");
  REQUIRE(tmpl != nullptr);
  CHECK_FALSE(has_option(*tmpl, "repeat"));
}

TEST_CASE("the man page has a section per command and every option of each") {
  const std::string man = man_page();
  for (const auto& d : command_docs()) {
    auto at = man.find(".SS \"" + d.name + "\"");
    REQUIRE_MESSAGE(at != std::string::npos, d.name);
    const auto end = man.find(".S", at + 4);
    const std::string section = man.substr(at, end - at);
    for (const auto& o : d.options) {
      std::string escaped;
      for (char c : o.long_name) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
      CHECK_MESSAGE(section.find("\\fB\\-\\-" + escaped + "\\fR") != std::string::npos, (d.name + " --" + o.long_name));
    }
  }
  CHECK(man.find("\\fB\\-\\-no\\-color\\fR") != std::string::npos);
}

TEST_CASE("bash completion lists every command and each command's options") {
  const std::string script = bash_completion();
  for (const auto& c : commands())
    if (!c.hidden)
      CHECK_MESSAGE((script.find(" " + std::string(c.name) + " ") != std::string::npos ||
                     script.find("\"" + std::string(c.name) + " ") != std::string::npos),
                    c.name);
  CHECK(script.find("manpage") == std::string::npos);
  CHECK(script.find("\"plan\") opts=\"") != std::string::npos);
  CHECK(script.find("--detailed-exitcode") != std::string::npos);
  CHECK(script.find("__names") != std::string::npos);
}
