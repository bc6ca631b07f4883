#include "util/file.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "util/test_support.h"

using namespace foobar;
namespace fs = std::filesystem;
using test_support::TempDir;

namespace {

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// While alive, no file of this process may grow past `bytes` (a write beyond fails
// with EFBIG instead of raising SIGXFSZ): a full disk, for root as for anyone.
struct FileSizeLimit {
  rlimit old{};
  void (*old_handler)(int);
  explicit FileSizeLimit(rlim_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    old_handler = ::signal(SIGXFSZ, SIG_IGN);
    rlimit small{bytes, old.rlim_max};
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old);
    ::signal(SIGXFSZ, old_handler);
  }
};

}  // namespace

TEST_CASE("read_file: the whole content, bytes as they are; a missing file names the path and keeps errno") {
  TempDir dir;
  std::string bytes = "a\0b\r\n";
  bytes.push_back('\0');
  bytes += std::string(200000, 'x');  // more than one read
  const auto path = dir.write("f", bytes);
  auto text = read_file(path);
  REQUIRE(text.ok());
  CHECK(*text == bytes);
  CHECK(read_file(dir.write("empty", "")).value().empty());

  auto gone = read_file(dir.path / "nope");
  REQUIRE_FALSE(gone.ok());
  CHECK(errno == ENOENT);
  CHECK(gone.error().where == (dir.path / "nope").string());
  CHECK(gone.error().message == "cannot read the file: No such file or directory");
  CHECK_FALSE(read_file(dir.path).ok());  // a directory is not a file
}

TEST_CASE("write_file_atomic: new content with exactly the mode asked, umask aside, over any old mode") {
  TempDir dir;
  const mode_t old_umask = ::umask(077);
  REQUIRE(write_file_atomic(dir.path / "fresh", "one\n", 0644).ok());
  ::umask(old_umask);
  CHECK(test_support::slurp(dir.path / "fresh") == "one\n");
  CHECK(mode_of(dir.path / "fresh") == 0644);

  const auto secret = dir.write("secret", "old", 0644);
  REQUIRE(write_file_atomic(secret, "new\n", 0600).ok());
  CHECK(test_support::slurp(secret) == "new\n");
  CHECK(mode_of(secret) == 0600);
  CHECK(entries(dir.path) == 2);  // no temporary file left behind
}

TEST_CASE("write_file_atomic: a failed write leaves the old file whole and no temporary file") {
  TempDir dir;
  const auto path = dir.write("state.json", "old content", 0640);
  {
    FileSizeLimit full(16);
    auto st = write_file_atomic(path, std::string(4096, 'n'), 0600);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().where == path);
    CHECK(st.error().message.find("cannot write the file: ") == 0);
  }
  CHECK(test_support::slurp(path) == "old content");
  CHECK(mode_of(path) == 0640);
  CHECK(entries(dir.path) == 1);

  auto nowhere = write_file_atomic(dir.path / "no-such-dir" / "p.plan", "x", 0600);
  REQUIRE_FALSE(nowhere.ok());
  CHECK(nowhere.error().where == (dir.path / "no-such-dir" / "p.plan").string());
}

TEST_CASE("write_file_atomic: a symlink at the place is replaced, its target left alone") {
  TempDir dir;
  const auto target = dir.write("target", "keep");
  fs::create_symlink(target, dir.path / "link");
  REQUIRE(write_file_atomic(dir.path / "link", "mine", 0644).ok());
  CHECK_FALSE(fs::is_symlink(dir.path / "link"));
  CHECK(test_support::slurp(dir.path / "link") == "mine");
  CHECK(test_support::slurp(target) == "keep");
}
