// Confinement of what a stack makes the compiler read and manage: app-source
// symlinks stay inside the source tree, managed paths are normalized.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "compile/compile.h"
#include "stack/stack.h"
#include "util/test_support.h"

using namespace foobar;
using namespace foobar::compile;
namespace fs = std::filesystem;

namespace {

stack::Stack stack0() {
  auto s = stack::load_stack("stacks/0-simple-web-stack.yaml");
  REQUIRE_MESSAGE(s.ok(), s.diagnostics().front().to_string());
  return std::move(*s);
}

// A copy of the example app under tmp/examples/foobar-app, where stack 0 looks for it.
fs::path app_copy(const test_support::TempDir& tmp) {
  fs::path app = tmp.path / "examples/foobar-app";
  fs::create_directories(app.parent_path());
  fs::copy("examples/foobar-app", app, fs::copy_options::recursive);
  return app;
}

std::string all_errors(const Result<Graph>& g) {
  std::string out;
  if (!g.ok())
    for (const auto& d : g.diagnostics()) out += d.to_string() + "\n";
  return out;
}

const FileState* managed_file(const Graph& g, const std::string& path) {
  for (const auto& r : g.resources())
    if (r.kind == ResourceKind::file && r.name == path) return &std::get<FileState>(r.state);
  return nullptr;
}

}  // namespace

TEST_CASE("app-source symlinks that leave the source tree are refused, naming the file") {
  test_support::TempDir tmp;
  fs::path app = app_copy(tmp);
  std::string outside = tmp.write("outside/id_ed25519", "PRIVATE KEY\n");
  fs::create_symlink("/etc/hostname", app / "hostname");
  fs::create_directories(app / "conf");
  fs::create_symlink(outside, app / "conf/key");
  fs::create_symlink("../../../outside", app / "conf/dir");  // a directory outside
  fs::create_symlink("missing.txt", app / "dangling");
  CompileOptions o;
  o.source_base = tmp.path;
  auto g = compile_stack(stack0(), o);
  REQUIRE_FALSE(g.ok());
  const std::string errors = all_errors(g);
  INFO(errors);
  CHECK(g.diagnostics().size() == 4);
  CHECK(g.error().where == "stacks/0-simple-web-stack.yaml");
  CHECK(g.error().pos.line > 0);
  CHECK(errors.find("app source file 'examples/foobar-app/hostname' is a symlink to '/etc/hostname'") !=
        std::string::npos);
  CHECK(errors.find("'examples/foobar-app/conf/key' is a symlink to '" + outside + "'") != std::string::npos);
  CHECK(errors.find("'examples/foobar-app/conf/dir'") != std::string::npos);
  CHECK(errors.find("'examples/foobar-app/dangling' is a symlink to 'missing.txt', which does not exist") !=
        std::string::npos);
  CHECK(errors.find("outside the source directory") != std::string::npos);
}

TEST_CASE("an app-source symlink to a file inside the tree ships that file's content; one to a directory is refused") {
  test_support::TempDir tmp;
  fs::path app = app_copy(tmp);
  fs::create_directories(app / "docs");
  tmp.write("examples/foobar-app/docs/README.txt", "read me\n");
  fs::create_symlink("docs/README.txt", app / "README.link");
  CompileOptions o;
  o.source_base = tmp.path;
  auto g = compile_stack(stack0(), o);
  REQUIRE_MESSAGE(g.ok(), all_errors(g));
  const FileState* link = managed_file(*g, "/opt/foobar/README.link");
  REQUIRE(link != nullptr);
  CHECK(link->content == "read me\n");
  CHECK(link->mode == "0644");

  fs::create_symlink("docs", app / "docs.link");
  auto d = compile_stack(stack0(), o);
  REQUIRE_FALSE(d.ok());
  CHECK(all_errors(d).find("'examples/foobar-app/docs.link' is a symlink to 'docs', which is not a regular file") !=
        std::string::npos);
}

TEST_CASE("managed paths that are not normalized are refused even past the stack's grammar") {
  test_support::TempDir tmp;
  app_copy(tmp);
  CompileOptions o;
  o.source_base = tmp.path;
  auto s = stack0();
  s.tiers.app->path.value = "/../../../tmp/escaped";  // as if validation had let it through
  auto g = compile_stack(s, o);
  REQUIRE_FALSE(g.ok());
  const std::string errors = all_errors(g);
  CHECK(errors.find("path '/../../../tmp/escaped/app.py' is not a normalized absolute path") != std::string::npos);
  CHECK(errors.find("web-01:directory:/../../../tmp/escaped") != std::string::npos);

  auto w = stack0();
  w.tiers.web->root.value = "/var/www/./foobar/";
  auto gw = compile_stack(w, o);
  REQUIRE_FALSE(gw.ok());
  CHECK(all_errors(gw).find("path '/var/www/./foobar/' is not a normalized absolute path") != std::string::npos);
}
