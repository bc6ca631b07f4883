// A Connector over SSH (libssh2). One session per host, opened on first use and
// reused for every command. The host key is checked against a known_hosts file
// before any credential is sent: an unknown or changed key is an error, unless
// accept_new is set, which records unknown keys (never changed ones).
//
// With a jump host the connector first opens an authenticated session to the
// jump host (its key checked the same way), asks it for a direct-tcpip channel to
// the target's address and port, and runs the target's session through that
// channel, bridged by a socketpair and a pump thread. The target's key is checked
// under the target's own address, as OpenSSH's ProxyJump does.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "transport/connector.h"

namespace foobar::transport {

struct SshSession;  // ssh_session.h: the libssh2 session and its socket

struct JumpHost;

struct SshOptions {
  std::string address;  // where to connect; empty: the host name itself
  std::string user = "root";
  int port = 22;
  std::string key_file;     // empty: ssh-agent, then ~/.ssh/id_{ed25519,ecdsa,rsa}
  std::string known_hosts;  // empty: ~/.ssh/known_hosts
  bool accept_new = false;
  Timeout connect_timeout = std::chrono::seconds(10);
  Timeout command_timeout = std::chrono::minutes(10);
  std::shared_ptr<const JumpHost> jump;  // null: connect directly
};

// The host to go through, with its own options (they may name a jump of their own).
struct JumpHost {
  std::string name;  // for diagnostics; empty: the address
  SshOptions options;
};

class SshConnector : public Connector {
 public:
  SshConnector(std::string host, SshOptions options);
  ~SshConnector() override;
  SshConnector(const SshConnector&) = delete;
  SshConnector& operator=(const SshConnector&) = delete;

  const std::string& name() const override { return m_host; }
  Result<CommandResult> run(const std::string& command, std::string_view input = {},
                            Timeout timeout = Timeout::zero(), std::size_t output_cap = k_output_cap) override;

  std::optional<SshLogin> ssh_login() override;

  // Connects, verifies the host key and authenticates (run() does this on demand).
  Status connect();
  void disconnect();

 private:
  std::string m_host;
  SshOptions m_options;
  std::unique_ptr<SshSession> m_session;
};

// The fingerprint (sha256_fingerprint, known_hosts.h) of the public half of a
// private key file: from PATH.pub when it exists, else from the public key an
// OpenSSH-format private key carries in the clear; "" when neither tells.
std::string key_file_fingerprint(const std::string& private_key_path);

}  // namespace foobar::transport
