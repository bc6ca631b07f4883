// The probe and the plan together, on real files: a host that was brought to the
// desired state plans no changes.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "facts/probe.h"
#include "util/shell.h"
#include "plan/manifest.h"
#include "plan/plan.h"
#include "util/test_support.h"

using namespace foobar;
namespace fs = std::filesystem;

namespace {

std::string run_probe(const std::string& script, const fs::path& dir) {
  fs::path file = dir / "probe.sh";
  std::ofstream(file) << script;
  int status = 0;
  std::string out = test_support::command_output("/bin/sh " + shell_quote(file.string()), &status);
  CHECK(status == 0);
  return out;
}

std::string user_name(bool group) {
  std::string s = test_support::command_output(group ? "id -gn" : "id -un");
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("probe, plan, bring the files to the desired state, plan again: no changes") {
  test_support::TempDir tmp;
  const fs::path& dir = tmp.path;
  const std::string owner = user_name(false), group = user_name(true);
  auto file = [&](const std::string& rel, const std::string& text, const std::string& mode) {
    FileState f;
    f.content = text;
    f.mode = mode;
    f.owner = owner;
    f.group = group;
    Resource r;
    r.host = "local";
    r.kind = ResourceKind::file;
    r.name = (dir / rel).string();
    r.state = f;
    return r;
  };
  Graph g;
  REQUIRE(g.add(file("a.conf", "listen 80;\nroot /srv;\n", "0640")).ok());
  REQUIRE(g.add(file("b.conf", "new\n", "0600")).ok());
  std::ofstream(dir / "a.conf") << "listen 8080;\nroot /srv;\n";
  chmod((dir / "a.conf").c_str(), 0644);

  std::vector<const Resource*> rs;
  for (const auto& r : g.resources()) rs.push_back(&r);
  const std::string state = (dir / "state").string();
  PlanOptions o;
  o.stack = "t";

  auto facts = parse_probe_output("local", run_probe(make_probe("t", rs, state), dir));
  REQUIRE(facts.ok());
  Plan first = make_plan(g, {{"local", *facts}}, o);
  const Action* a = first.find("local:file:" + (dir / "a.conf").string());
  REQUIRE(a != nullptr);
  CHECK(a->type == ActionType::update);
  CHECK(a->diff.find("-listen 8080;\n+listen 80;\n") != std::string::npos);
  CHECK(a->reasons.back() == "mode 0644 -> 0640");
  CHECK(first.find("local:file:" + (dir / "b.conf").string())->type == ActionType::create);

  // What apply would do: write content and modes, then the manifest.
  for (const Resource* r : rs) {
    const auto& f = std::get<FileState>(r->state);
    std::ofstream(r->name, std::ios::trunc) << f.content;
    chmod(r->name.c_str(), static_cast<mode_t>(std::stoi(f.mode, nullptr, 8)));
  }
  fs::create_directories(state);
  std::ofstream(manifest_path("t", state)) << manifest_to_json(build_manifest("t", "local", rs));

  facts = parse_probe_output("local", run_probe(make_probe("t", rs, state), dir));
  REQUIRE(facts.ok());
  Plan second = make_plan(g, {{"local", *facts}}, o);
  CHECK_FALSE(second.has_changes());
  CHECK(summary_line(second.summary()) == "Plan: 0 to create, 0 to update, 0 to destroy.");
  CHECK(second.diagnostics.empty());
}

TEST_CASE("drift of a file holding a secret is planned, though its hash never leaves the host") {
  test_support::TempDir tmp;
  const fs::path& dir = tmp.path;
  FileState f;
  f.content = "PASSWORD='s3cret'\n";
  f.mode = "0600";
  f.owner = user_name(false);
  f.group = user_name(true);
  f.sensitive = true;
  Resource r;
  r.host = "local";
  r.kind = ResourceKind::file;
  r.name = (dir / "secrets.env").string();
  r.state = f;
  Graph g;
  REQUIRE(g.add(r).ok());
  std::vector<const Resource*> rs{&g.resources().front()};
  const std::string state = (dir / "state").string();
  PlanOptions o;
  o.stack = "t";
  auto plan_now = [&] {
    auto facts = parse_probe_output("local", run_probe(make_probe("t", rs, state), dir));
    REQUIRE(facts.ok());
    return make_plan(g, {{"local", *facts}}, o);
  };
  std::ofstream(r.name) << f.content;
  chmod(r.name.c_str(), 0600);
  CHECK_FALSE(plan_now().has_changes());
  std::ofstream(r.name, std::ios::trunc) << "PASSWORD='edited by hand'\n";
  Plan drifted = plan_now();
  const Action* a = drifted.find("local:file:" + r.name);
  REQUIRE(a != nullptr);
  CHECK(a->type == ActionType::update);
  CHECK(a->reasons.front() == "(sensitive content changed)");
  CHECK(a->diff.empty());
}
