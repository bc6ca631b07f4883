// Shared by the unit tests: a temporary directory and a shell command's output.
#pragma once

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "util/file.h"

namespace foobar::test_support {

// A fresh directory under the system's temporary directory, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "foobar-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `content` at `rel` (directories made as needed); returns the full path.
  std::string write(const std::string& rel, const std::string& content, mode_t mode = 0644) const {
    std::filesystem::path p = path / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    chmod(p.c_str(), mode);
    return p.string();
  }
};

// The whole content of the file at `path` ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& path) {
  auto text = read_file(path);
  return text ? *text : std::string();
}

// The standard output of `command` run by /bin/sh; its wait status in *status.
inline std::string command_output(const std::string& command, int* status = nullptr) {
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  if (status) *status = st;
  return out;
}

}  // namespace foobar::test_support
