#include "transport/ssh_connector.h"

#include "util/base64.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

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

int known_host_key_bits(int type) {
  switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
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

std::string default_known_hosts() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.ssh/known_hosts";
}

struct SshSession {
  int sock = -1;
  LIBSSH2_SESSION* s = nullptr;
  LIBSSH2_AGENT* agent = nullptr;

  ~SshSession() {
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
  }

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

  std::string last_error() const {
    char* msg = nullptr;
    int len = 0;
    libssh2_session_last_error(s, &msg, &len, 0);
    return msg && len > 0 ? std::string(msg, static_cast<size_t>(len)) : "unknown libssh2 error";
  }
};

SshConnector::SshConnector(std::string host, SshOptions options)
    : m_host(std::move(host)), m_options(std::move(options)) {
  if (m_options.known_hosts.empty()) m_options.known_hosts = default_known_hosts();
}

SshConnector::~SshConnector() = default;

void SshConnector::disconnect() { m_session.reset(); }

namespace {

Status verify_host_key(const std::string& host, const SshOptions& opt, LIBSSH2_SESSION* s) {
  size_t len = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(s, &len, &type);
  if (!key) return Diagnostic::error(host, "the server sent no host key");
  const std::string raw(key, len);
  const std::string type_name = key_type_name(type);
  const std::string fp = sha256_fingerprint(raw);
  const std::string& path = opt.known_hosts;

  std::lock_guard lock(g_known_hosts_mutex);
  LIBSSH2_KNOWNHOSTS* kh = libssh2_knownhost_init(s);
  if (!kh) return Diagnostic::error(host, "cannot allocate the known_hosts list");
  struct Free {
    LIBSSH2_KNOWNHOSTS* kh;
    ~Free() { libssh2_knownhost_free(kh); }
  } free_kh{kh};
  if (file_exists(path) &&
      libssh2_knownhost_readfile(kh, path.c_str(), LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0)
    return Diagnostic::error(host, "cannot read known_hosts file " + path +
                                       ": it is unreadable or malformed");
  libssh2_knownhost* entry = nullptr;
  int check = libssh2_knownhost_checkp(
      kh, host.c_str(), opt.port, key, len,
      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | known_host_key_bits(type), &entry);
  const std::string entry_name = opt.port == 22 ? host : "[" + host + "]:" + std::to_string(opt.port);
  switch (check) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
      return ok_status();
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
      return Diagnostic::error(
          host, "host key CHANGED for " + entry_name + ": the server offers " + type_name + " key " +
                    fp + ", but " + path +
                    " records a different key; this may be a man-in-the-middle attack or a "
                    "reinstalled host. If the change is expected, remove the old entry with "
                    "'ssh-keygen -R " + entry_name + " -f " + path + "' and connect again");
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
      break;
    default:
      return Diagnostic::error(host, "cannot check the host key against " + path);
  }
  if (!opt.accept_new)
    return Diagnostic::error(
        host, "host key for " + entry_name + " is unknown: the server offers " + type_name + " key " +
                  fp + " and " + path +
                  " has no entry for it. Check the fingerprint out of band, then add it "
                  "(e.g. 'ssh-keyscan -t " + type_name + " " + host + " >> " + path +
                  "') or allow first-use recording with accept-new");
  std::ofstream out(path, std::ios::app);
  out << entry_name << ' ' << type_name << ' ' << base64_encode(raw) << '\n';
  if (!out.flush())
    return Diagnostic::error(host, "cannot append the new host key to " + path);
  return ok_status();
}

enum class KeyAuth { ok, rejected, failed };

// One private key file; `why` says what went wrong when not ok.
KeyAuth auth_with_key_file(const SshSession& ss, const SshOptions& opt, const std::string& host,
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
  if (rc == 0) return KeyAuth::ok;
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
    if (rc == 0) return true;
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

}  // namespace

Status SshConnector::connect() {
  init_libssh2();
  const std::string& addr = m_options.address.empty() ? m_host : m_options.address;
  m_session.reset();
  auto sock = tcp_connect(addr, m_options.port, m_options.connect_timeout);
  if (!sock) return sock.diagnostics();
  auto ss = std::make_unique<SshSession>();
  ss->sock = *sock;
  ss->s = libssh2_session_init();
  if (!ss->s) return Diagnostic::error(m_host, "cannot allocate an SSH session");
  libssh2_session_set_blocking(ss->s, 0);
  const auto deadline = Clock::now() + m_options.connect_timeout;
  int rc = ss->retry(deadline, [&] { return libssh2_session_handshake(ss->s, ss->sock); });
  if (rc == LIBSSH2_ERROR_TIMEOUT)
    return Diagnostic::error(m_host, "timed out after " + seconds(m_options.connect_timeout) +
                                         " in the SSH handshake with " +
                                         endpoint(addr, m_options.port));
  if (rc != 0)
    return Diagnostic::error(m_host, "SSH handshake with " + endpoint(addr, m_options.port) +
                                         " failed: " + ss->last_error());
  auto verified = verify_host_key(addr, m_options, ss->s);
  if (!verified) return verified.diagnostics();
  auto authed = authenticate(m_host, m_options, *ss, deadline);
  if (!authed) return authed.diagnostics();
  m_session = std::move(ss);
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
                                      Clock::time_point deadline) {
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
        (stream == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
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

Result<CommandResult> SshConnector::run(
const std::string& command, std::string_view input,
                                        Timeout timeout) {
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
    auto r = exec_on_channel(m_host, ss, channel.ch, command, input, timeout, deadline);
    if (!r) {
      libssh2_channel_free(std::exchange(channel.ch, nullptr));  // before its session
      m_session.reset();
    }
    return r;
  }
}
}  // namespace foobar::transport
