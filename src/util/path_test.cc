#include "util/path.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "util/test_support.h"

using namespace foobar;
namespace fs = std::filesystem;
using test_support::TempDir;

namespace {

std::string read(const fs::path& p) { return test_support::command_output("cat '" + p.string() + "'"); }

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("normal paths: absolute or relative, no '..', '.', empty part or trailing slash") {
  CHECK(is_normal_absolute_path("/opt/foobar"));
  CHECK(is_normal_absolute_path("/a"));
  for (const char* p : {"/", "", "opt", "/opt/", "//opt", "/opt//x", "/opt/./x", "/opt/..", "/../../tmp/x", "/a/../b"})
    CHECK_MESSAGE(!is_normal_absolute_path(p), p);
  CHECK(is_normal_relative_path("web-01/etc/x.conf"));
  CHECK(is_normal_relative_path(".foobar-render"));
  for (const char* p : {"", "/x", "../x", "a/../../b", "a//b", "./a", "a/"})
    CHECK_MESSAGE(!is_normal_relative_path(p), p);
  CHECK(is_path_under("/opt/app/x", "/opt/app"));
  CHECK(is_path_under("/opt/app", "/opt/app"));
  CHECK_FALSE(is_path_under("/opt/app2", "/opt/app"));
  CHECK_FALSE(is_path_under("/opt", "/opt/app"));
}

TEST_CASE("resolves_under follows symlinks") {
  TempDir tmp;
  tmp.write("root/a.txt", "a");
  tmp.write("elsewhere/b.txt", "b");
  fs::create_symlink(tmp.path / "root/a.txt", tmp.path / "root/in");
  fs::create_symlink("../elsewhere/b.txt", tmp.path / "root/out");
  CHECK(resolves_under(tmp.path / "root/in", tmp.path / "root"));
  CHECK_FALSE(resolves_under(tmp.path / "root/out", tmp.path / "root"));
  CHECK_FALSE(resolves_under(tmp.path / "root/missing", tmp.path / "root"));
  CHECK(resolves_under("/etc/hostname", "/"));
}

TEST_CASE("write_file_below writes below its root and never through a symlink") {
  TempDir tmp;
  fs::path root = tmp.path / "out";
  fs::create_directories(root);
  std::string victim = tmp.write("victim/passwd", "root:x:0:0\n", 0644);
  fs::path victim_dir = tmp.path / "victim";

  SUBCASE("files, directories and modes") {
    REQUIRE(write_file_below(root, "web-01/etc/nginx/nginx.conf", "conf\n", 0640).ok());
    CHECK(read(root / "web-01/etc/nginx/nginx.conf") == "conf\n");
    CHECK(mode_of(root / "web-01/etc/nginx/nginx.conf") == 0640);
    REQUIRE(write_file_below(root, "web-01/etc/nginx/nginx.conf", "again\n", 0600).ok());
    CHECK(read(root / "web-01/etc/nginx/nginx.conf") == "again\n");
    CHECK(mode_of(root / "web-01/etc/nginx/nginx.conf") == 0600);
  }
  SUBCASE("a hostile path is refused") {
    for (const char* p : {"../victim/passwd", "web-01/../../victim/passwd", "/etc/passwd", "web-01//x", ""}) {
      auto st = write_file_below(root, p, "owned\n", 0777);
      CHECK_MESSAGE(!st.ok(), p);
    }
    CHECK(read(victim) == "root:x:0:0\n");
  }
  SUBCASE("a symlinked directory planted in the tree is not written through") {
    fs::create_directories(root / "web-01");
    fs::create_symlink(victim_dir, root / "web-01/etc");
    auto st = write_file_below(root, "web-01/etc/passwd", "owned\n", 0777);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("'etc' is a symlink or not a directory") != std::string::npos);
    CHECK(read(victim) == "root:x:0:0\n");
    CHECK(mode_of(victim) == 0644);
    CHECK(fs::directory_iterator(victim_dir) != fs::directory_iterator());
    CHECK(std::distance(fs::directory_iterator(victim_dir), fs::directory_iterator()) == 1);
  }
  SUBCASE("a symlink planted at the file's place is replaced, not followed, and not chmodded through") {
    fs::create_directories(root / "web-01/etc");
    fs::create_symlink(victim, root / "web-01/etc/passwd");
    REQUIRE(write_file_below(root, "web-01/etc/passwd", "rendered\n", 0600).ok());
    CHECK_FALSE(fs::is_symlink(root / "web-01/etc/passwd"));
    CHECK(read(root / "web-01/etc/passwd") == "rendered\n");
    CHECK(read(victim) == "root:x:0:0\n");
    CHECK(mode_of(victim) == 0644);
  }
}
