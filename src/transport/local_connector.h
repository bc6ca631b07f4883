// Runs commands on this machine with `sh -c`. Each command gets its own process
// group so that a timeout kills the command and everything it started.
#pragma once

#include <string>

#include "transport/connector.h"

namespace foobar::transport {

class LocalConnector : public Connector {
 public:
  explicit LocalConnector(std::string name = "localhost",
                          Timeout default_timeout = std::chrono::minutes(10))
      : m_name(std::move(name)), m_default_timeout(default_timeout) {}

  const std::string& name() const override { return m_name; }
  Result<CommandResult> run(const std::string& command, std::string_view input = {},
                            Timeout timeout = Timeout::zero(), std::size_t output_cap = k_output_cap) override;

 private:
  std::string m_name;
  Timeout m_default_timeout;
};

}  // namespace foobar::transport
