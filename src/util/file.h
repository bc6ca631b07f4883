// Whole files: read at once, and written so that a reader sees the old content or the
// new one, never a part (a temporary file beside the target, synced, then renamed).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.h"

namespace foobar {

// A file descriptor closed when its owner goes (-1: none).
struct UniqueFd {
  int fd = -1;
  explicit UniqueFd(int f) : fd(f) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
};

// The file's whole content. On failure the diagnostic names the path and the reason,
// and errno still holds the cause (for callers that word the error themselves).
Result<std::string> read_file(const std::filesystem::path& path);

// Replaces (or makes) the file at `path` with `content` and exactly `mode` (umask
// aside): a temporary file in the same directory is written, fsynced, given the
// mode and renamed over `path`. On failure the old file is left as it was and the
// temporary file is removed. A symlink at `path` is replaced, not written through.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode);

// The same for `name` (one path component) in the directory open as `dir_fd`; a
// diagnostic names `where`.
Status write_file_atomic_at(int dir_fd, const std::string& name, std::string_view content, unsigned mode,
                            const std::string& where);

}  // namespace foobar
