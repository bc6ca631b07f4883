// Paths that must stay where they are put: lexical checks on '/'-separated paths,
// and writing below a directory without ever following a symlink out of it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.h"

namespace foobar {

// "/a/b": absolute, no empty, "." or ".." component, no trailing '/'. "/" itself is not.
bool is_normal_absolute_path(std::string_view path);

// "a/b": relative, no empty, "." or ".." component. The empty path is not.
bool is_normal_relative_path(std::string_view path);

// Whether `path` is `base` or lies under it, comparing whole components
// ("/opt/app2" is not under "/opt/app"). Both must be normal absolute paths.
bool is_path_under(std::string_view path, std::string_view base);

// Whether the existing `path` resolves (symlinks followed) to `root` or below it.
bool resolves_under(const std::filesystem::path& path, const std::filesystem::path& root);

// Writes `content` to `relative` (a normal relative path) below the directory `root`,
// making missing directories, with `mode` set on the open file. No component below
// `root` is followed if it is a symlink (openat with O_NOFOLLOW each step), so a link
// planted in the tree cannot send the write or the chmod elsewhere; an existing
// file at the place is replaced, never written through.
Status write_file_below(const std::filesystem::path& root, std::string_view relative, std::string_view content,
                        unsigned mode);

}  // namespace foobar
