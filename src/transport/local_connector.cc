#include "transport/local_connector.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

extern char** environ;

namespace foobar::transport {
namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Reads what is available, stopping once `into` holds more than cap bytes; returns
// false at end of file.
bool drain(int fd, std::string& into, std::size_t cap) {
  char buf[16384];
  while (into.size() <= cap) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;  // 0 is EOF; other errors end the stream too
  }
  return true;
}

struct Child {
  pid_t pid = -1;
  Fd in, out, err;  // our ends
};

Result<Child> spawn_shell(const std::string& name, const std::string& command) {
  int in_pair[2], out_pipe[2], err_pipe[2];
  // stdin is a socket pair so that writing to a command that quit gives EPIPE
  // (MSG_NOSIGNAL) instead of a SIGPIPE for the whole process.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0)
    return Diagnostic::error(name, errno_text("socketpair"));
  Fd in_ours(in_pair[0]), in_theirs(in_pair[1]);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Diagnostic::error(name, errno_text("pipe"));
  Fd out_ours(out_pipe[0]), out_theirs(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return Diagnostic::error(name, errno_text("pipe"));
  Fd err_ours(err_pipe[0]), err_theirs(err_pipe[1]);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_theirs.fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out_theirs.fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_theirs.fd, 2);
  // Nothing else the caller holds open reaches the command: lab hosts live on for
  // hours and must not keep a caller's lock file or pipe open.
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  Child child;
  int rc = ::posix_spawn(&child.pid, "/bin/sh", &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Diagnostic::error(name, std::string("cannot start /bin/sh: ") + std::strerror(rc));
  for (int fd : {in_ours.fd, out_ours.fd, err_ours.fd}) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  child.in.fd = std::exchange(in_ours.fd, -1);
  child.out.fd = std::exchange(out_ours.fd, -1);
  child.err.fd = std::exchange(err_ours.fd, -1);
  return child;
}

int status_to_exit(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace

Result<CommandResult> LocalConnector::run(const std::string& command, std::string_view input,
                                          Timeout timeout, std::size_t output_cap) {
  if (timeout == Timeout::zero()) timeout = m_default_timeout;
  auto spawned = spawn_shell(m_name, command);
  if (!spawned) return spawned.diagnostics();
  Child& child = *spawned;
  const auto deadline = Clock::now() + timeout;
  CommandResult result;
  size_t written = 0;
  if (input.empty()) ::shutdown(child.in.fd, SHUT_WR);
  bool out_open = true, err_open = true, exited = false;
  int status = 0;

  while (!exited) {
    if (::waitpid(child.pid, &status, WNOHANG) == child.pid) {
      exited = true;  // drain what is buffered; do not wait for EOF from daemons it left
      break;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      ::kill(-child.pid, SIGKILL);
      ::waitpid(child.pid, &status, 0);
      return Diagnostic::error(m_name, "command timed out after " +
                                           std::to_string(timeout.count() / 1000.0).substr(0, 5) +
                                           " s and was killed: " + command.substr(0, 200));
    }
    pollfd fds[3];
    int n = 0;
    if (out_open) fds[n++] = {child.out.fd, POLLIN, 0};
    if (err_open) fds[n++] = {child.err.fd, POLLIN, 0};
    bool writing = written < input.size();
    if (writing) fds[n++] = {child.in.fd, POLLOUT, 0};
    // Once both outputs are closed only the exit is left: poll with a short tick.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    int wait_ms = static_cast<int>(std::min<long long>(left, (out_open || err_open) ? 100 : 10));
    ::poll(fds, n, wait_ms);
    if (out_open) out_open = drain(child.out.fd, result.out, output_cap);
    if (err_open) err_open = drain(child.err.fd, result.err, output_cap);
    if (result.out.size() > output_cap || result.err.size() > output_cap) {
      ::kill(-child.pid, SIGKILL);
      ::waitpid(child.pid, &status, 0);
      return output_too_large(m_name, command, result.out.size() > output_cap ? "stdout" : "stderr", output_cap);
    }
    if (writing) {
      ssize_t w = ::send(child.in.fd, input.data() + written, input.size() - written,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();  // reader gone
      if (written == input.size()) ::shutdown(child.in.fd, SHUT_WR);
    }
  }
  if (out_open) drain(child.out.fd, result.out, output_cap);
  if (err_open) drain(child.err.fd, result.err, output_cap);
  if (result.out.size() > output_cap) return output_too_large(m_name, command, "stdout", output_cap);
  if (result.err.size() > output_cap) return output_too_large(m_name, command, "stderr", output_cap);
  result.exit_status = status_to_exit(status);
  return result;
}

}  // namespace foobar::transport
