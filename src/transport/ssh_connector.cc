#include "transport/ssh_connector.h"

#include "transport/known_hosts.h"

#include "util/base64.h"
#include "util/stopwatch.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

namespace foobar::transport {
namespace {

using Clock = std::chrono::steady_clock;

void init_libssh2() {
  static std::once_flag once;
  std::call_once(once, [] { libssh2_init(0); });
}

long long ms_left(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
}

std::string seconds(Timeout t) {
  auto ms = t.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

std::string endpoint(const std::string& host, int port) {
  return port == 22 ? host : host + ":" + std::to_string(port);
}

// Connects a non-blocking TCP socket within the deadline; distinct messages for
// the causes an operator acts on differently.
Result<int> tcp_connect(const std::string& host, int port, Timeout timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string where = endpoint(host, port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* res = nullptr;
  int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (gai != 0)
    return Diagnostic::error(host, "cannot resolve host name '" + host + "': " + gai_strerror(gai));
  std::string failure = "no address to connect to";
  int fd = -1;
  for (addrinfo* ai = res; ai && fd < 0; ai = ai->ai_next) {
    int s = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) continue;
    int err = 0;
    if (::connect(s, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{s, POLLOUT, 0};
        long long left = ms_left(deadline);
        int n = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
        if (n <= 0) {
          err = ETIMEDOUT;
        } else {
          socklen_t len = sizeof err;
          ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
        }
      }
    }
    if (err == 0) {
      fd = s;
      break;
    }
    ::close(s);
    if (err == ECONNREFUSED)
      failure = "connection refused by " + where + ": is sshd running there and listening on port " +
                std::to_string(port) + "?";
    else if (err == ETIMEDOUT)
      failure = "timed out after " + seconds(timeout) + " connecting to " + where +
                ": is the host up and reachable?";
    else if (err == EHOSTUNREACH || err == ENETUNREACH)
      failure = "no route to " + where + " (" + std::strerror(err) + "): check the address and network";
    else
      failure = "cannot connect to " + where + ": " + std::strerror(err);
  }
  ::freeaddrinfo(res);
  if (fd < 0) return Diagnostic::error(host, failure);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

const char* key_type_name(int type) {
  switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
    default: return "unknown";
  }
}

int signal_number(const std::string& name) {
  static const std::pair<const char*, int> table[] = {
      {"HUP", 1}, {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"ABRT", 6},  {"FPE", 8},
      {"KILL", 9}, {"SEGV", 11}, {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15}, {"USR1", 10},
      {"USR2", 12}};
  for (const auto& [n, v] : table)
    if (name == n) return v;
  return 127;
}

bool contains_text(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

bool file_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::mutex g_known_hosts_mutex;  // accept_new appends from many connector threads

}  // namespace

std::string sha256_fingerprint(std::string_view raw_key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(raw_key.data()), raw_key.size(), digest);
  std::string b64 = base64_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();  // OpenSSH prints it unpadded
  return "SHA256:" + b64;
}

namespace {

std::optional<std::string> slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The key blob of a public key line: "TYPE BASE64 [COMMENT]".
std::optional<std::string> public_key_blob(std::string_view line) {
  auto sp = line.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto rest = line.substr(sp + 1);
  return base64_decode(rest.substr(0, rest.find_first_of(" \t\r\n")));
}

// openssh-key-v1 (PROTOCOL.key): magic, cipher, kdf, kdf options, the number of keys,
// then the first public key as an SSH string, all before the encrypted part.
std::optional<std::string> openssh_private_key_blob(std::string_view text) {
  constexpr std::string_view begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----";
  auto b = text.find(begin), e = text.find(end);
  if (b == std::string_view::npos || e == std::string_view::npos || e < b) return std::nullopt;
  std::string body;
  for (char c : text.substr(b + begin.size(), e - b - begin.size()))
    if (!std::isspace(static_cast<unsigned char>(c))) body += c;
  auto raw = base64_decode(body);
  constexpr std::string_view magic("openssh-key-v1\0", 15);
  if (!raw || raw->compare(0, magic.size(), magic) != 0) return std::nullopt;
  std::size_t pos = magic.size();
  auto u32 = [&](std::uint32_t& v) {
    if (pos + 4 > raw->size()) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>((*raw)[pos++]);
    return true;
  };
  auto str = [&](std::string* out) {
    std::uint32_t n = 0;
    if (!u32(n) || pos + n > raw->size()) return false;
    if (out) *out = raw->substr(pos, n);
    pos += n;
    return true;
  };
  std::uint32_t keys = 0;
  std::string blob;
  if (!str(nullptr) || !str(nullptr) || !str(nullptr) || !u32(keys) || keys < 1 || !str(&blob)) return std::nullopt;
  return blob;
}

}  // namespace

std::string key_file_fingerprint(const std::string& private_key_path) {
  if (auto pub = slurp_file(private_key_path + ".pub"))
    if (auto blob = public_key_blob(*pub); blob && !blob->empty()) return sha256_fingerprint(*blob);
  if (auto priv = slurp_file(private_key_path))
    if (auto blob = openssh_private_key_blob(*priv)) return sha256_fingerprint(*blob);
  return "";
}

std::string default_known_hosts() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.ssh/known_hosts";
}

struct JumpTunnel;

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
  bool wait(Clock::time_point deadline) const {
    long long left = ms_left(deadline);
    if (left <= 0) return false;
    int dir = libssh2_session_block_directions(s);
    pollfd p{sock, 0, 0};
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND) p.events |= POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) p.events |= POLLOUT;
    if (p.events == 0) p.events = POLLIN;
    ::poll(&p, 1, static_cast<int>(std::min(left, 1000LL)));
    return true;
  }

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

struct JumpTunnel {
  std::unique_ptr<SshSession> jump;
  LIBSSH2_CHANNEL* ch = nullptr;
  int fd = -1;    // the pump's end of the socketpair
  int wake = -1;  // eventfd that interrupts the pump's poll
  std::atomic<bool> stop{false};
  std::thread pump;
  mutable std::mutex mutex;
  std::string failure;  // why the pump stopped early, under mutex

  void start() {
    pump = std::thread([this] {
      JumpTunnelPump p(*jump, ch, fd, wake);
      std::string why = p.run(stop);
      std::lock_guard lock(mutex);
      failure = std::move(why);
    });
  }

  std::string failure_reason() const {
    std::lock_guard lock(mutex);
    return failure;
  }

  ~JumpTunnel() {
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
};

SshSession::~SshSession() {
  if (agent) {
    libssh2_agent_disconnect(agent);
    libssh2_agent_free(agent);
  }
  if (s) {
    libssh2_session_set_blocking(s, 1);
    libssh2_session_set_timeout(s, 2000);
    libssh2_session_disconnect(s, "foobarctl done");
    libssh2_session_free(s);
  }
  if (sock >= 0) ::close(sock);
  tunnel.reset();  // after the goodbye above went through it
}

std::string SshSession::last_error() const {
  char* msg = nullptr;
  int len = 0;
  libssh2_session_last_error(s, &msg, &len, 0);
  std::string e = msg && len > 0 ? std::string(msg, static_cast<size_t>(len)) : "unknown libssh2 error";
  if (tunnel) {
    std::string why = tunnel->failure_reason();
    if (!why.empty()) e += " (the jump host connection failed: " + why + ")";
  }
  return e;
}

SshConnector::SshConnector(std::string host, SshOptions options)
    : m_host(std::move(host)), m_options(std::move(options)) {
  if (m_options.known_hosts.empty()) m_options.known_hosts = default_known_hosts();
}

SshConnector::~SshConnector() = default;

void SshConnector::disconnect() { m_session.reset(); }

namespace {

// The whole file, or an error naming it; a missing file is empty.
Result<std::string> read_known_hosts(const std::string& host, const std::string& path) {
  if (!file_exists(path)) return std::string();
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof())
    return Diagnostic::error(host, "cannot read known_hosts file " + path + ": " + std::strerror(errno));
  return text;
}

std::string line_ref(const std::string& path, const KnownHostLine& l) { return path + ":" + std::to_string(l.line); }

Status verify_host_key(const std::string& host, const SshOptions& opt, LIBSSH2_SESSION* s) {
  size_t len = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(s, &len, &type);
  if (!key) return Diagnostic::error(host, "the server sent no host key");
  const std::string raw(key, len);
  const std::string type_name = key_type_name(type);
  const std::string offered = "the server offers " + type_name + " key " + sha256_fingerprint(raw);
  const std::string& path = opt.known_hosts;
  const std::string entry_name = known_hosts_name(host, opt.port);

  std::lock_guard lock(g_known_hosts_mutex);
  auto text = read_known_hosts(host, path);
  if (!text) return text.diagnostics();
  const auto lines = parse_known_hosts(*text);
  const HostKeyCheck check = check_host_key(lines, entry_name, raw);
  switch (check.verdict) {
    case HostKeyVerdict::known:
      return ok_status();
    case HostKeyVerdict::revoked:
      return Diagnostic::error(host, "host key for " + entry_name + " is REVOKED: " + offered + ", which " +
                                         line_ref(path, check.line) +
                                         " marks @revoked; it is refused for every host. Do not connect until "
                                         "the host has a new key, checked out of band");
    case HostKeyVerdict::changed:
      return Diagnostic::error(
          host, "host key CHANGED for " + entry_name + ": " + offered + ", but " + line_ref(path, check.line) +
                    " records a different " + check.line.key_type +
                    " key for this host; this may be a man-in-the-middle attack or a reinstalled host. If the "
                    "change is expected, remove the old entry with 'ssh-keygen -R " + entry_name + " -f " + path +
                    "' and connect again");
    case HostKeyVerdict::cert_authority:
      return Diagnostic::error(host, line_ref(path, check.line) + " trusts a certificate authority (@cert-authority) for " +
                                         entry_name +
                                         ", and foobarctl does not support host certificates: add the host's own "
                                         "key (" + type_name + ", check " + sha256_fingerprint(raw) +
                                         " out of band) as a plain known_hosts line");
    case HostKeyVerdict::unknown:
      break;
  }
  if (!opt.accept_new)
    return Diagnostic::error(
        host, "host key for " + entry_name + " is unknown: " + offered + " and " + path +
                  " has no entry for it. Check the fingerprint out of band, then add it "
                  "(e.g. 'ssh-keyscan " + (opt.port == 22 ? "" : "-p " + std::to_string(opt.port) + " ") +
                  "-t " + type_name + " " + host + " >> " + path +
                  "') or allow first-use recording with accept-new");
  std::ofstream out(path, std::ios::app);
  if (!text->empty() && text->back() != '\n') out << '\n';
  out << entry_name << ' ' << type_name << ' ' << base64_encode(raw) << '\n';
  if (!out.flush())
    return Diagnostic::error(host, "cannot append the new host key to " + path);
  return ok_status();
}

enum class KeyAuth { ok, rejected, failed };

// One private key file; `why` says what went wrong when not ok.
KeyAuth auth_with_key_file(SshSession& ss, const SshOptions& opt, const std::string& host,
                           const std::string& path, Clock::time_point deadline, std::string& why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = "cannot read private key file " + path + ": " + std::strerror(errno);
    return KeyAuth::failed;
  }
  ::close(fd);
  int rc = ss.retry(deadline, [&] {
    return libssh2_userauth_publickey_fromfile_ex(ss.s, opt.user.c_str(),
                                                  static_cast<unsigned>(opt.user.size()), nullptr,
                                                  path.c_str(), nullptr);
  });
  if (rc == 0) {
    ss.login_key = key_file_fingerprint(path);
    return KeyAuth::ok;
  }
  if (rc == LIBSSH2_ERROR_FILE) {
    why = "private key file " + path +
          " could not be loaded (not an ed25519/rsa/ecdsa private key, or passphrase-protected: "
          "use ssh-agent for those): " + ss.last_error();
    return KeyAuth::failed;
  }
  if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED) {
    why = "authentication failed for " + opt.user + "@" + host + " with key " + path +
          ": the server did not accept it; is its public key in ~" + opt.user +
          "/.ssh/authorized_keys there?";
    return KeyAuth::rejected;
  }
  if (rc == LIBSSH2_ERROR_TIMEOUT) {
    why = "timed out authenticating to " + host;
    return KeyAuth::failed;
  }
  why = "authentication with key " + path + " failed: " + ss.last_error();
  return KeyAuth::failed;
}

// Every identity the agent holds, in order; true when one was accepted.
bool auth_with_agent(SshSession& ss, const SshOptions& opt, Clock::time_point deadline) {
  if (!std::getenv("SSH_AUTH_SOCK")) return false;
  ss.agent = libssh2_agent_init(ss.s);
  if (!ss.agent || libssh2_agent_connect(ss.agent) != 0 ||
      libssh2_agent_list_identities(ss.agent) != 0)
    return false;
  libssh2_agent_publickey* prev = nullptr;
  libssh2_agent_publickey* id = nullptr;
  while (libssh2_agent_get_identity(ss.agent, &id, prev) == 0) {
    int rc = ss.retry(deadline, [&] { return libssh2_agent_userauth(ss.agent, opt.user.c_str(), id); });
    if (rc == 0) {
      ss.login_key = sha256_fingerprint(std::string_view(reinterpret_cast<const char*>(id->blob), id->blob_len));
      return true;
    }
    prev = id;
  }
  return false;
}

Status authenticate(const std::string& host, const SshOptions& opt, SshSession& ss,
                    Clock::time_point deadline) {
  std::string why;
  if (!opt.key_file.empty()) {
    if (auth_with_key_file(ss, opt, host, opt.key_file, deadline, why) == KeyAuth::ok)
      return ok_status();
    return Diagnostic::error(host, why);
  }
  if (auth_with_agent(ss, opt, deadline)) return ok_status();
  const char* home = std::getenv("HOME");
  std::string tried = "ssh-agent";
  for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
    std::string path = std::string(home ? home : "/root") + "/.ssh/" + name;
    if (!file_exists(path)) continue;
    tried += ", " + path;
    if (auth_with_key_file(ss, opt, host, path, deadline, why) == KeyAuth::ok) return ok_status();
  }
  return Diagnostic::error(host, "authentication failed for " + opt.user + "@" + host +
                                     ": no key was accepted (tried " + tried +
                                     "); give a private key file or load one into ssh-agent");
}

// Handshake, host key check and authentication on the session's connected socket.
Status start_session(const std::string& host, const std::string& addr, const SshOptions& opt,
                     SshSession& ss) {
  ss.s = libssh2_session_init();
  if (!ss.s) return Diagnostic::error(host, "cannot allocate an SSH session");
  libssh2_session_set_blocking(ss.s, 0);
  const auto deadline = Clock::now() + opt.connect_timeout;
  int rc = ss.retry(deadline, [&] { return libssh2_session_handshake(ss.s, ss.sock); });
  if (rc == LIBSSH2_ERROR_TIMEOUT)
    return Diagnostic::error(host, "timed out after " + seconds(opt.connect_timeout) +
                                       " in the SSH handshake with " + endpoint(addr, opt.port));
  if (rc != 0)
    return Diagnostic::error(host, "SSH handshake with " + endpoint(addr, opt.port) +
                                       " failed: " + ss.last_error());
  auto verified = verify_host_key(addr, opt, ss.s);
  if (!verified) return verified.diagnostics();
  return authenticate(host, opt, ss, deadline);
}

std::string jump_label(const JumpHost& j) {
  if (j.name.empty() || j.name == j.options.address) return j.options.address;
  return j.options.address.empty() ? j.name : j.name + " (" + j.options.address + ")";
}

// The same diagnostics, placed at `where` and saying which leg they come from.
Diagnostics on_leg(const Diagnostics& ds, const std::string& where, const std::string& leg) {
  Diagnostics out;
  for (auto d : ds) {
    d.where = where;
    d.message = leg + ": " + d.message;
    out.push_back(std::move(d));
  }
  return out;
}

// A direct-tcpip channel from the jump host to addr:port, bridged to a socketpair
// whose other end becomes the returned session's socket. The error, if any, is one
// sentence about the jump host's connection to the target.
Result<std::unique_ptr<SshSession>> open_tunnel(std::unique_ptr<SshSession> jump,
                                                const std::string& host, const std::string& addr,
                                                const SshOptions& opt) {
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

Result<std::unique_ptr<SshSession>> open_session(const std::string& host, const SshOptions& opt,
                                                 int depth);

Result<std::unique_ptr<SshSession>> open_through_jump(const std::string& host, const SshOptions& opt,
                                                      int depth) {
  const JumpHost& j = *opt.jump;
  const std::string label = jump_label(j);
  if (depth >= 8)
    return Diagnostic::error(host, "jump host " + label +
                                       ": more than 8 jump hosts in a row; is there a loop?");
  SshOptions jopt = j.options;
  if (jopt.known_hosts.empty()) jopt.known_hosts = default_known_hosts();
  auto js = open_session(j.name.empty() ? jopt.address : j.name, jopt, depth + 1);
  if (!js) return on_leg(js.diagnostics(), host, "jump host " + label);
  const std::string& addr = opt.address.empty() ? host : opt.address;
  auto ss = open_tunnel(std::move(*js), host, addr, opt);
  if (ss) {
    auto st = start_session(host, addr, opt, **ss);
    if (st) return ss;
    return on_leg(st.diagnostics(), host, "through jump host " + label);
  }
  return on_leg(ss.diagnostics(), host, "through jump host " + label);
}

Result<std::unique_ptr<SshSession>> open_session(const std::string& host, const SshOptions& opt,
                                                 int depth) {
  if (opt.jump) return open_through_jump(host, opt, depth);
  const std::string& addr = opt.address.empty() ? host : opt.address;
  auto sock = tcp_connect(addr, opt.port, opt.connect_timeout);
  if (!sock) return sock.diagnostics();
  auto ss = std::make_unique<SshSession>();
  ss->sock = *sock;
  auto st = start_session(host, addr, opt, *ss);
  if (!st) return st.diagnostics();
  return ss;
}

}  // namespace

std::optional<SshLogin> SshConnector::ssh_login() {
  if (!m_session && !connect()) return std::nullopt;
  return SshLogin{"publickey", m_session->login_key};
}

Status SshConnector::connect() {
  init_libssh2();
  m_session.reset();
  const Stopwatch clock;
  auto ss = open_session(m_host, m_options, 0);
  const std::string& address = m_options.address.empty() ? m_host : m_options.address;
  if (!ss) {
    spdlog::debug("{}: no SSH session with {} after {} ms", m_host, endpoint(address, m_options.port), clock.ms());
    return ss.diagnostics();
  }
  spdlog::debug("{}: SSH session with {} as {} in {} ms{}", m_host, endpoint(address, m_options.port),
                m_options.user, clock.ms(), m_options.jump ? " (through a jump host)" : "");
  m_session = std::move(*ss);
  return ok_status();
}

namespace {

// Errors that mean the connection is gone, so a fresh session may succeed.
bool connection_lost(int rc) {
  return rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV ||
         rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_NONE;
}

struct Channel {
  LIBSSH2_CHANNEL* ch = nullptr;
  ~Channel() {
    if (ch) libssh2_channel_free(ch);
  }
};

Result<CommandResult> exec_on_channel(const std::string& host, const SshSession& ss,
                                      LIBSSH2_CHANNEL* ch, const std::string& command,
                                      std::string_view input, Timeout timeout,
                                      Clock::time_point deadline, std::size_t output_cap) {
  auto timed_out = [&] {
    return Diagnostic::error(host, "command timed out after " + seconds(timeout) + ": " +
                                       command.substr(0, 200));
  };
  int rc = ss.retry(deadline, [&] { return libssh2_channel_exec(ch, command.c_str()); });
  if (rc == LIBSSH2_ERROR_TIMEOUT) return timed_out();
  if (rc != 0) return Diagnostic::error(host, "cannot start the command: " + ss.last_error());

  CommandResult result;
  size_t written = 0;
  bool eof_pending = true;
  char buf[32768];
  for (;;) {
    bool progress = false;
    if (written < input.size()) {
      size_t chunk = std::min(input.size() - written, sizeof buf);
      ssize_t w = libssh2_channel_write(ch, input.data() + written, chunk);
      if (w > 0) written += static_cast<size_t>(w), progress = true;
      else if (w != LIBSSH2_ERROR_EAGAIN) written = input.size();  // the command stopped reading
    } else if (eof_pending) {
      int e = libssh2_channel_send_eof(ch);
      if (e != LIBSSH2_ERROR_EAGAIN) eof_pending = false, progress = true;
    }
    for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
      ssize_t n = libssh2_channel_read_ex(ch, stream, buf, sizeof buf);
      if (n > 0) {
        std::string& into = stream == 0 ? result.out : result.err;
        into.append(buf, static_cast<size_t>(n));
        // The caller drops the channel and the session: the rest is never read.
        if (into.size() > output_cap)
          return output_too_large(host, command, stream == 0 ? "stdout" : "stderr", output_cap);
        progress = true;
      } else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
        return Diagnostic::error(host, "reading the command's output failed: " + ss.last_error());
      }
    }
    if (progress) continue;
    if (libssh2_channel_eof(ch)) break;
    if (!ss.wait(deadline)) return timed_out();
  }
  rc = ss.retry(deadline, [&] { return libssh2_channel_close(ch); });
  if (rc == 0) rc = ss.retry(deadline, [&] { return libssh2_channel_wait_closed(ch); });
  if (rc == LIBSSH2_ERROR_TIMEOUT) return timed_out();
  result.exit_status = libssh2_channel_get_exit_status(ch);
  char* signame = nullptr;
  size_t signame_len = 0;
  libssh2_channel_get_exit_signal(ch, &signame, &signame_len, nullptr, nullptr, nullptr, nullptr);
  if (signame) {
    result.exit_status = 128 + signal_number(std::string(signame, signame_len));
    libssh2_free(ss.s, signame);
  }
  return result;
}

}  // namespace

Result<CommandResult> SshConnector::run(const std::string& command, std::string_view input, Timeout timeout,
                                        std::size_t output_cap) {
  if (timeout == Timeout::zero()) timeout = m_options.command_timeout;
  for (int attempt = 0;; ++attempt) {
    bool fresh = false;
    if (!m_session) {
      auto st = connect();
      if (!st) return st.diagnostics();
      fresh = true;
    }
    const auto deadline = Clock::now() + timeout;
    SshSession& ss = *m_session;
    Channel channel;
    for (;;) {
      channel.ch = libssh2_channel_open_session(ss.s);
      if (channel.ch) break;
      int err = libssh2_session_last_errno(ss.s);
      if (err == LIBSSH2_ERROR_EAGAIN && ss.wait(deadline)) continue;
      std::string why = err == LIBSSH2_ERROR_EAGAIN ? "timed out" : ss.last_error();
      m_session.reset();
      // A reused session may have died (host restarted): reconnect once.
      if (!fresh && attempt == 0 && connection_lost(err)) break;
      return Diagnostic::error(m_host, "cannot open an SSH channel: " + why);
    }
    if (!channel.ch) continue;
    auto r = exec_on_channel(m_host, ss, channel.ch, command, input, timeout, deadline, output_cap);
    if (!r) {
      libssh2_channel_free(std::exchange(channel.ch, nullptr));  // before its session
      m_session.reset();
    }
    return r;
  }
}
}  // namespace foobar::transport
