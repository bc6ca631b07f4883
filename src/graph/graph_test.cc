#include <doctest/doctest.h>

#include "graph/graph.h"

using namespace foobar;

namespace {
Resource file_res(const std::string& host, const std::string& path, std::vector<std::string> deps = {}) {
  Resource r;
  r.host = host;
  r.kind = ResourceKind::file;
  r.name = path;
  r.state = FileState{};
  r.deps = std::move(deps);
  return r;
}

std::vector<std::vector<std::string>> layer_ids(const Graph& g, const Layers& layers) {
  std::vector<std::vector<std::string>> out;
  for (const auto& layer : layers) {
    out.emplace_back();
    for (auto i : layer) out.back().push_back(g.resources()[i].id());
  }
  return out;
}
}  // namespace

TEST_CASE("resource ids are host:kind:name") {
  CHECK(file_res("web-01", "/etc/x").id() == "web-01:file:/etc/x");
  CHECK(kind_from_name("db_user") == ResourceKind::db_user);
  CHECK_FALSE(kind_from_name("nope").has_value());
}

TEST_CASE("duplicate ids are rejected") {
  Graph g;
  REQUIRE(g.add(file_res("a", "/x")).ok());
  auto again = g.add(file_res("a", "/x"));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message.find("defined twice") != std::string::npos);
}

TEST_CASE("layers respect dependencies and sort by id within a layer") {
  Graph g;
  REQUIRE(g.add(file_res("h", "/c", {"h:file:/a", "h:file:/b"})).ok());
  REQUIRE(g.add(file_res("h", "/b", {"h:file:/a"})).ok());
  REQUIRE(g.add(file_res("h", "/z")).ok());
  REQUIRE(g.add(file_res("h", "/a")).ok());
  auto layers = g.layers();
  REQUIRE(layers.ok());
  auto ids = layer_ids(g, *layers);
  REQUIRE(ids.size() == 3);
  CHECK(ids[0] == std::vector<std::string>{"h:file:/a", "h:file:/z"});
  CHECK(ids[1] == std::vector<std::string>{"h:file:/b"});
  CHECK(ids[2] == std::vector<std::string>{"h:file:/c"});
  CHECK(g.dependents(3).size() == 2);
}

TEST_CASE("a cycle is reported with its resources in order") {
  Graph g;
  REQUIRE(g.add(file_res("h", "/start", {"h:file:/a"})).ok());
  REQUIRE(g.add(file_res("h", "/a", {"h:file:/b"})).ok());
  REQUIRE(g.add(file_res("h", "/b", {"h:file:/c"})).ok());
  REQUIRE(g.add(file_res("h", "/c", {"h:file:/a"})).ok());
  auto layers = g.layers();
  REQUIRE_FALSE(layers.ok());
  CHECK(layers.error().message ==
        "dependency cycle: h:file:/a -> h:file:/b -> h:file:/c -> h:file:/a");
}

TEST_CASE("a dependency on an undefined resource is an error naming both") {
  Graph g;
  REQUIRE(g.add(file_res("h", "/a", {"h:service:nginx"})).ok());
  auto layers = g.layers();
  REQUIRE_FALSE(layers.ok());
  CHECK(layers.error().message ==
        "resource 'h:file:/a' depends on 'h:service:nginx', which is not defined");
}
