#include "util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace foobar {

namespace {

// A diagnostic for the failed call's errno, with errno kept as it was.
Diagnostic failure(const std::string& where, const char* what) {
  const int saved = errno;
  Diagnostic d = Diagnostic::error(where, std::string(what) + ": " + std::strerror(saved));
  errno = saved;
  return d;
}

bool write_all(int fd, std::string_view content) {
  for (std::size_t done = 0; done < content.size();) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

UniqueFd::~UniqueFd() {
  if (fd >= 0) ::close(fd);
}

Result<std::string> read_file(const std::filesystem::path& path) {
  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) return failure(path.string(), "cannot read the file");
  std::string out;
  struct stat st{};
  if (::fstat(in.fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  while (true) {
    ssize_t n = ::read(in.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failure(path.string(), "cannot read the file");
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

Status write_file_atomic_at(int dir_fd, const std::string& name, std::string_view content, unsigned mode,
                            const std::string& where) {
  // A fresh name per write: two writers never share a temporary file, and O_EXCL
  // with O_NOFOLLOW never opens something planted there.
  static std::atomic<unsigned> counter{0};
  const std::string tmp = "." + name + ".foobar-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  UniqueFd out(::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (out.fd < 0) return failure(where, "cannot write the file");
  bool done = write_all(out.fd, content) && ::fchmod(out.fd, mode & 07777) == 0 && ::fsync(out.fd) == 0;
  done = ::close(std::exchange(out.fd, -1)) == 0 && done;
  if (done) done = ::renameat(dir_fd, tmp.c_str(), dir_fd, name.c_str()) == 0;
  if (!done) {
    Diagnostic d = failure(where, "cannot write the file");
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    return d;
  }
  ::fsync(dir_fd);  // the rename itself survives a crash
  return ok_status();
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..")
    return Diagnostic::error(path.string(), "cannot write the file: the path names a directory, not a file");
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.fd < 0) return failure(path.string(), "cannot write the file");
  return write_file_atomic_at(dir_fd.fd, name, content, mode, path.string());
}

}  // namespace foobar
