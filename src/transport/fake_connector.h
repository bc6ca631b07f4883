// A scripted Connector for unit tests: responses are keyed by a substring of the
// command (first added rule that matches wins), and every call is recorded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "transport/connector.h"

namespace foobar::transport {

class FakeConnector : public Connector {
 public:
  struct Call {
    std::string command;
    std::string input;
  };

  explicit FakeConnector(std::string name = "fake") : m_name(std::move(name)) {}

  const std::string& name() const override { return m_name; }
  Result<CommandResult> run(const std::string& command, std::string_view input = {},
                            Timeout timeout = Timeout::zero(), std::size_t output_cap = k_output_cap) override;

  // A command containing `substring` answers with `result`.
  void respond(std::string substring, CommandResult result);
  // A command containing `substring` fails to run (e.g. a lost connection).
  void fail(std::string substring, std::string message);
  // Unmatched commands answer with exit 127 unless a default is set.
  void set_default(CommandResult result) { m_default = std::move(result); }

  const std::vector<Call>& calls() const { return m_calls; }
  // How many recorded commands contain substring.
  int count(std::string_view substring) const;

 private:
  struct Rule {
    std::string substring;
    std::optional<CommandResult> result;  // empty: fail with `message`
    std::string message;
  };
  std::string m_name;
  std::vector<Rule> m_rules;
  std::vector<Call> m_calls;
  std::optional<CommandResult> m_default;
};

}  // namespace foobar::transport
