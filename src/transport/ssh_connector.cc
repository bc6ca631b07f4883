#include "transport/ssh_connector.h"

#include <libssh2.h>

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "transport/known_hosts.h"
#include "transport/ssh_session.h"
#include "util/stopwatch.h"

namespace foobar::transport {
namespace {

int signal_number(const std::string& name) {
  static const std::pair<const char*, int> table[] = {
      {"HUP", 1}, {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"ABRT", 6},  {"FPE", 8},
      {"KILL", 9}, {"SEGV", 11}, {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15}, {"USR1", 10},
      {"USR2", 12}};
  for (const auto& [n, v] : table)
    if (name == n) return v;
  return 127;
}

}  // namespace

SshConnector::SshConnector(std::string host, SshOptions options)
    : m_host(std::move(host)), m_options(std::move(options)) {
  if (m_options.known_hosts.empty()) m_options.known_hosts = default_known_hosts();
}

SshConnector::~SshConnector() = default;

void SshConnector::disconnect() { m_session.reset(); }

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
