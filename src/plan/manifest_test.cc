#include <doctest/doctest.h>

#include "plan/manifest.h"
#include "util/hash.h"

using namespace foobar;

namespace {
Resource file_res(const std::string& path, const std::string& content, std::vector<std::string> deps = {}) {
  Resource r;
  r.host = "web-01";
  r.kind = ResourceKind::file;
  r.name = path;
  FileState f;
  f.content = content;
  r.state = f;
  r.deps = std::move(deps);
  return r;
}
}  // namespace

TEST_CASE("manifest round trips through JSON, sorted by id") {
  Resource b = file_res("/etc/b", "b", {"web-01:package:nginx"});
  b.notify.push_back(Notify{"web-01:service:nginx", OnChange::restart});
  Resource a = file_res("/etc/a", "a");
  Resource other = file_res("/etc/c", "c");
  other.host = "web-02";
  auto m = build_manifest("s0", "web-01", {&b, &a, &other});
  REQUIRE(m.resources.size() == 2);
  CHECK(m.resources[0].id == "web-01:file:/etc/a");
  auto text = manifest_to_json(m);
  auto back = parse_manifest("web-01:/var/lib/foobarctl/s0.json", text);
  REQUIRE(back.ok());
  CHECK(back->stack == "s0");
  CHECK(back->host == "web-01");
  REQUIRE(back->resources.size() == 2);
  const auto& e = back->resources[1];
  CHECK(e.id == "web-01:file:/etc/b");
  CHECK(e.kind == ResourceKind::file);
  CHECK(e.name == "/etc/b");
  CHECK(e.hash == state_hash(b));
  CHECK(e.deps == std::vector<std::string>{"web-01:package:nginx"});
  REQUIRE(e.notify.size() == 1);
  CHECK(e.notify[0].action == OnChange::restart);
  CHECK(manifest_to_json(*back) == text);  // stable text
}

TEST_CASE("state hash follows the desired state") {
  CHECK(state_hash(file_res("/x", "1")) == state_hash(file_res("/x", "1")));
  CHECK(state_hash(file_res("/x", "1")) != state_hash(file_res("/x", "2")));
  CHECK(state_hash(file_res("/x", "1")) != state_hash(file_res("/y", "1")));
}

TEST_CASE("a file holding a secret leaves no trace of its content in the manifest") {
  auto secret = [](const std::string& content) {
    Resource r = file_res("/etc/foobar/secrets.env", content);
    std::get<FileState>(r.state).sensitive = true;
    return r;
  };
  Resource one = secret("DB_PASSWORD='hunter2'\n");
  Resource two = secret("DB_PASSWORD='correct horse'\n");
  // Same hash whatever the secret: nothing to test guesses against.
  CHECK(state_hash(one) == state_hash(two));
  auto text = manifest_to_json(build_manifest("s0", "web-01", {&one}));
  CHECK(text.find(sha256_hex("DB_PASSWORD='hunter2'\n")) == std::string::npos);
  CHECK(text.find("hunter2") == std::string::npos);
  // Its mode and owner still count.
  Resource looser = secret("DB_PASSWORD='hunter2'\n");
  std::get<FileState>(looser.state).mode = "0755";
  CHECK(state_hash(looser) != state_hash(one));
  // A file without secrets is hashed with its content, as before.
  CHECK(state_hash(file_res("/x", "1")) != state_hash(file_res("/x", "2")));
}

TEST_CASE("malformed manifests are diagnosed") {
  const std::string where = "h:/var/lib/foobarctl/s.json";
  CHECK_FALSE(parse_manifest(where, "not json").ok());
  CHECK(parse_manifest(where, "{\"version\": 99, \"resources\": []}").error().message.find("version 99") !=
        std::string::npos);
  auto r = parse_manifest(where, R"({"version": 1, "resources": [{"id": "h:file:/a", "kind": "blob", "name": "/a"}]})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().where == where);
  CHECK(r.error().message.find("unknown kind 'blob'") != std::string::npos);
  CHECK_FALSE(parse_manifest(where, R"({"version": 1})").ok());
}
