#include "util/path.h"

#include "util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace foobar {

namespace fs = std::filesystem;

namespace {

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

bool normal_components(std::string_view path) {
  for (auto c : components(path))
    if (c.empty() || c == "." || c == "..") return false;
  return true;
}

Diagnostic write_error(const fs::path& root, std::string_view relative, const std::string& why) {
  return Diagnostic::error((root / std::string(relative)).string(), "cannot write the file: " + why);
}

}  // namespace

bool is_normal_absolute_path(std::string_view path) {
  return path.size() > 1 && path.front() == '/' && normal_components(path.substr(1));
}

bool is_normal_relative_path(std::string_view path) {
  return !path.empty() && path.front() != '/' && normal_components(path);
}

bool is_path_under(std::string_view path, std::string_view base) {
  if (!path.starts_with(base)) return false;
  return path.size() == base.size() || path[base.size()] == '/';
}

bool resolves_under(const fs::path& path, const fs::path& root) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (ec) return false;
  fs::path real_root = fs::canonical(root, ec);
  if (ec) return false;
  return is_path_under(real.generic_string(), real_root.generic_string()) || real_root == "/";
}

Status write_file_below(const fs::path& root, std::string_view relative, std::string_view content, unsigned mode) {
  if (!is_normal_relative_path(relative))
    return write_error(root, relative, "the path must stay below " + root.string() + " (no '..', '.', empty or absolute part)");
  auto parts = components(relative);
  UniqueFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd < 0) return write_error(root, relative, root.string() + ": " + std::strerror(errno));
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string part(parts[i]);
    if (::mkdirat(dir.fd, part.c_str(), 0755) != 0 && errno != EEXIST)
      return write_error(root, relative, "cannot make directory '" + part + "': " + std::strerror(errno));
    int next = ::openat(dir.fd, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0)
      return write_error(root, relative,
                         errno == ELOOP || errno == ENOTDIR
                             ? "'" + part + "' is a symlink or not a directory; nothing is written through it"
                             : "'" + part + "': " + std::strerror(errno));
    ::close(std::exchange(dir.fd, next));
  }
  // A temporary name beside the file, renamed over it: a link at the place is
  // replaced, not followed.
  return write_file_atomic_at(dir.fd, std::string(parts.back()), content, mode, (root / std::string(relative)).string());
}

}  // namespace foobar
