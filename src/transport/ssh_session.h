// The libssh2 session under an SshConnector (internal to transport): the TCP
// connection, or the socketpair of a jump tunnel; the handshake, the host key
// check (known_hosts.h) and authentication by key file or ssh-agent. The session
// is non-blocking: every libssh2 call goes through retry() against a deadline.
#pragma once

#include <libssh2.h>

#include <chrono>
#include <memory>
#include <string>

#include "transport/ssh_connector.h"

namespace foobar::transport {

using Clock = std::chrono::steady_clock;

// Milliseconds until the deadline (negative once past).
long long ms_left(Clock::time_point deadline);
// "10 s", or "250 ms" when not whole seconds.
std::string seconds(Timeout t);
// "host" on port 22, "host:port" otherwise.
std::string endpoint(const std::string& host, int port);

void init_libssh2();

struct JumpTunnel;  // jump_tunnel.h

struct SshSession {
  int sock = -1;
  LIBSSH2_SESSION* s = nullptr;
  LIBSSH2_AGENT* agent = nullptr;
  // Set when `sock` is one end of a socketpair pumped through a jump host; it is
  // destroyed after the session above has said goodbye through it.
  std::unique_ptr<JumpTunnel> tunnel;
  std::string login_key;  // fingerprint of the key that was accepted

  SshSession() = default;
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;
  ~SshSession();

  // Waits until the socket is ready in the direction libssh2 is blocked on.
  // Returns false once the deadline has passed.
  bool wait(Clock::time_point deadline) const;

  // Calls f until it stops saying "try again"; LIBSSH2_ERROR_TIMEOUT at the deadline.
  template <class F>
  auto retry(Clock::time_point deadline, F f) const -> decltype(f()) {
    for (;;) {
      auto rc = f();
      if (rc != LIBSSH2_ERROR_EAGAIN) return rc;
      if (!wait(deadline)) return LIBSSH2_ERROR_TIMEOUT;
    }
  }

  std::string last_error() const;
};

// A session with `host` (at opt.address when set), connected, its host key
// verified and authenticated; through opt.jump when set (depth counts the jumps).
Result<std::unique_ptr<SshSession>> open_session(const std::string& host, const SshOptions& opt, int depth);

}  // namespace foobar::transport
