#include "transport/jump_tunnel.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace foobar::transport {
namespace {

// Moves bytes between a direct-tcpip channel on the jump host's session and one
// end of a socketpair, in its own thread, until both directions reached EOF, the
// jump connection failed, or the tunnel is destroyed. Only the pump thread touches
// the jump session once it runs.
class JumpTunnelPump {
 public:
  JumpTunnelPump(SshSession& jump, LIBSSH2_CHANNEL* ch, int fd, int wake)
      : m_jump(jump), m_ch(ch), m_fd(fd), m_wake(wake) {}
  // Returns why it stopped early (empty after a clean end or a stop request).
  std::string run(const std::atomic<bool>& stop);

 private:
  bool sock_to_channel();
  bool channel_to_sock();
  bool finished() const {
    bool up_done = m_sock_eof && m_up.empty() && m_eof_sent;
    bool down_done = m_sock_closed || (m_chan_eof && m_down.empty());
    return up_done && down_done;
  }

  static constexpr size_t kCap = 256 * 1024;  // bytes buffered per direction
  SshSession& m_jump;
  LIBSSH2_CHANNEL* m_ch;
  int m_fd;
  int m_wake;
  std::string m_up;    // from the target session, to the channel
  std::string m_down;  // from the channel, to the target session
  bool m_sock_eof = false;     // the target session closed its end for writing
  bool m_sock_closed = false;  // the target session's end is gone (EPIPE)
  bool m_eof_sent = false;     // channel EOF sent to the target
  bool m_chan_eof = false;     // the target sent EOF through the channel
  bool m_shut_wr = false;      // passed that EOF on to the target session
  std::string m_failure;
};

// One pass in the upward direction; true when something moved.
bool JumpTunnelPump::sock_to_channel() {
  bool progress = false;
  if (m_up.size() < kCap && !m_sock_eof) {
    char buf[32768];
    ssize_t n = ::recv(m_fd, buf, std::min(sizeof buf, kCap - m_up.size()), 0);
    if (n > 0) m_up.append(buf, static_cast<size_t>(n)), progress = true;
    else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
      m_sock_eof = true, progress = true;
  }
  if (!m_up.empty()) {
    ssize_t w = libssh2_channel_write(m_ch, m_up.data(), m_up.size());
    if (w > 0) m_up.erase(0, static_cast<size_t>(w)), progress = true;
    else if (w != LIBSSH2_ERROR_EAGAIN) m_failure = "writing to the tunnel failed: " + m_jump.last_error();
  } else if (m_sock_eof && !m_eof_sent) {
    int rc = libssh2_channel_send_eof(m_ch);
    if (rc == 0) m_eof_sent = progress = true;
    else if (rc != LIBSSH2_ERROR_EAGAIN) m_eof_sent = true;  // the channel is gone already
  }
  return progress;
}

// One pass in the downward direction; true when something moved.
bool JumpTunnelPump::channel_to_sock() {
  bool progress = false;
  if (!m_chan_eof && !m_sock_closed && m_down.size() < kCap) {
    char buf[32768];
    ssize_t n = libssh2_channel_read(m_ch, buf, std::min(sizeof buf, kCap - m_down.size()));
    if (n > 0) m_down.append(buf, static_cast<size_t>(n)), progress = true;
    else if (n == 0 && libssh2_channel_eof(m_ch)) m_chan_eof = progress = true;
    else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
      m_failure = "reading from the tunnel failed: " + m_jump.last_error();
  }
  if (!m_down.empty() && !m_sock_closed) {
    ssize_t w = ::send(m_fd, m_down.data(), m_down.size(), MSG_NOSIGNAL);
    if (w > 0) m_down.erase(0, static_cast<size_t>(w)), progress = true;
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      m_sock_closed = progress = true, m_down.clear();
  }
  if (m_chan_eof && m_down.empty() && !m_shut_wr) {
    ::shutdown(m_fd, SHUT_WR);
    m_shut_wr = progress = true;
  }
  return progress;
}

std::string JumpTunnelPump::run(const std::atomic<bool>& stop) {
  // After a stop request, up to a second to pass on what the target session
  // said last (its disconnect message) and the EOF.
  std::optional<Clock::time_point> linger;
  while (m_failure.empty() && !finished()) {
    if (stop && !linger) linger = Clock::now() + std::chrono::seconds(1);
    if (linger && ((m_sock_eof && m_up.empty() && m_eof_sent) || Clock::now() > *linger)) break;
    bool progress = sock_to_channel();
    if (m_failure.empty()) progress = channel_to_sock() || progress;
    if (progress) continue;

    pollfd p[3] = {{m_jump.sock, 0, 0}, {m_fd, 0, 0}, {m_wake, POLLIN, 0}};
    bool chan_read = !m_chan_eof && !m_sock_closed && m_down.size() < kCap;
    bool chan_write = !m_up.empty() || (m_sock_eof && !m_eof_sent);
    int wait_ms = linger ? 50 : 1000;
    if (chan_read) p[0].events |= POLLIN;
    if (chan_write) {
      int dir = libssh2_session_block_directions(m_jump.s);
      if (dir & LIBSSH2_SESSION_BLOCK_INBOUND) p[0].events |= POLLIN;
      if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) p[0].events |= POLLOUT;
      if (dir == 0) wait_ms = 20;  // blocked on the remote window: poll again soon
    }
    if (!m_sock_eof && m_up.size() < kCap) p[1].events |= POLLIN;
    if (!m_down.empty() && !m_sock_closed) p[1].events |= POLLOUT;
    ::poll(p, 3, wait_ms);
  }
  // The target session must see the end whatever the reason.
  ::shutdown(m_fd, SHUT_RDWR);
  return m_failure;
}

}  // namespace

void JumpTunnel::start() {
  pump = std::thread([this] {
    JumpTunnelPump p(*jump, ch, fd, wake);
    std::string why = p.run(stop);
    std::lock_guard lock(mutex);
    failure = std::move(why);
  });
}

std::string JumpTunnel::failure_reason() const {
  std::lock_guard lock(mutex);
  return failure;
}

JumpTunnel::~JumpTunnel() {
  if (pump.joinable()) {
    stop = true;
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake, &one, sizeof one);
    pump.join();
  }
  if (ch) {
    libssh2_session_set_blocking(jump->s, 1);
    libssh2_session_set_timeout(jump->s, 2000);
    libssh2_channel_free(ch);
  }
  if (fd >= 0) ::close(fd);
  if (wake >= 0) ::close(wake);
}

namespace {

bool contains_text(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

Result<std::unique_ptr<SshSession>> open_tunnel(std::unique_ptr<SshSession> jump, const std::string& host,
                                                const std::string& addr, const SshOptions& opt) {
  const auto deadline = Clock::now() + opt.connect_timeout;
  const std::string where = endpoint(addr, opt.port);
  LIBSSH2_CHANNEL* ch = nullptr;
  for (;;) {
    ch = libssh2_channel_direct_tcpip_ex(jump->s, addr.c_str(), opt.port, "127.0.0.1", 22);
    if (ch) break;
    int err = libssh2_session_last_errno(jump->s);
    if (err == LIBSSH2_ERROR_EAGAIN && jump->wait(deadline)) continue;
    if (err == LIBSSH2_ERROR_EAGAIN)
      return Diagnostic::error(host, "timed out after " + seconds(opt.connect_timeout) +
                                         " waiting for the connection to " + where +
                                         ": is the host up and reachable from the jump host?");
    std::string why = jump->last_error();
    if (contains_text(why, "connect failed"))
      return Diagnostic::error(host, "connection to " + where +
                                         " refused or unreachable from the jump host: is sshd "
                                         "running there and listening on port " +
                                         std::to_string(opt.port) + "?");
    if (contains_text(why, "prohibited"))
      return Diagnostic::error(host, "the jump host's sshd does not allow forwarding to " + where +
                                         " (AllowTcpForwarding, PermitOpen)");
    return Diagnostic::error(host, "cannot open a channel to " + where + ": " + why);
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
    libssh2_channel_free(ch);
    return Diagnostic::error(host, std::string("cannot create a socketpair: ") + std::strerror(errno));
  }
  auto tunnel = std::make_unique<JumpTunnel>();
  tunnel->jump = std::move(jump);
  tunnel->ch = ch;
  tunnel->fd = pair[1];
  tunnel->wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (tunnel->wake < 0) {
    ::close(pair[0]);
    return Diagnostic::error(host, std::string("cannot create an eventfd: ") + std::strerror(errno));
  }
  tunnel->start();
  auto ss = std::make_unique<SshSession>();
  ss->sock = pair[0];
  ss->tunnel = std::move(tunnel);
  return ss;
}

}  // namespace foobar::transport
