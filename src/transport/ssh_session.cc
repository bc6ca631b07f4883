#include "transport/ssh_session.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>

#include "transport/jump_tunnel.h"
#include "transport/known_hosts.h"
#include "util/base64.h"
#include "util/file.h"

namespace foobar::transport {

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

namespace {

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
  if (auto pub = read_file(private_key_path + ".pub"))
    if (auto blob = public_key_blob(*pub); blob && !blob->empty()) return sha256_fingerprint(*blob);
  if (auto priv = read_file(private_key_path))
    if (auto blob = openssh_private_key_blob(*priv)) return sha256_fingerprint(*blob);
  return "";
}

bool SshSession::wait(Clock::time_point deadline) const {
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

namespace {

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
    if (::access(path.c_str(), F_OK) != 0) continue;
    tried += ", " + path;
    if (auth_with_key_file(ss, opt, host, path, deadline, why) == KeyAuth::ok) return ok_status();
  }
  return Diagnostic::error(host, "authentication failed for " + opt.user + "@" + host +
                                     ": no key was accepted (tried " + tried +
                                     "); give a private key file or load one into ssh-agent");
}

// The host key the server offered, checked against opt.known_hosts.
Status check_offered_key(const std::string& addr, const SshOptions& opt, LIBSSH2_SESSION* s) {
  size_t len = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(s, &len, &type);
  if (!key) return Diagnostic::error(addr, "the server sent no host key");
  return verify_host_key(addr, opt.port, key_type_name(type), std::string_view(key, len), opt.known_hosts,
                         opt.accept_new);
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
  auto verified = check_offered_key(addr, opt, ss.s);
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

}  // namespace

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

}  // namespace foobar::transport
