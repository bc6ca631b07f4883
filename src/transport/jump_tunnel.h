// The jump host leg of an SSH connection (internal to transport): a direct-tcpip
// channel on the jump host's session to the target's address and port, bridged to
// one end of a socketpair by a pump thread; the target's session runs over the
// other end, as OpenSSH's ProxyJump does.
#pragma once

#include <libssh2.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "transport/ssh_session.h"

namespace foobar::transport {

struct JumpTunnel {
  std::unique_ptr<SshSession> jump;
  LIBSSH2_CHANNEL* ch = nullptr;
  int fd = -1;    // the pump's end of the socketpair
  int wake = -1;  // eventfd that interrupts the pump's poll
  std::atomic<bool> stop{false};
  std::thread pump;
  mutable std::mutex mutex;
  std::string failure;  // why the pump stopped early, under mutex

  JumpTunnel() = default;
  JumpTunnel(const JumpTunnel&) = delete;
  JumpTunnel& operator=(const JumpTunnel&) = delete;
  ~JumpTunnel();  // stops the pump, then frees the channel

  void start();  // starts the pump thread
  std::string failure_reason() const;
};

// A channel from the jump host to addr:port (opt.port), bridged to a socketpair
// whose other end becomes the returned session's socket (not yet handshaken). The
// error, if any, is one sentence about the jump host's connection to the target.
Result<std::unique_ptr<SshSession>> open_tunnel(std::unique_ptr<SshSession> jump, const std::string& host,
                                                const std::string& addr, const SshOptions& opt);

}  // namespace foobar::transport
