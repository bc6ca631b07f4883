#include "graph/resource.h"

#include <array>
#include <utility>

namespace foobar {

namespace {
constexpr std::array<std::pair<ResourceKind, const char*>, 9> k_kind_names{{
    {ResourceKind::package, "package"},
    {ResourceKind::directory, "directory"},
    {ResourceKind::file, "file"},
    {ResourceKind::service, "service"},
    {ResourceKind::firewall, "firewall"},
    {ResourceKind::database, "database"},
    {ResourceKind::db_user, "db_user"},
    {ResourceKind::replication, "replication"},
    {ResourceKind::command, "command"},
}};
}  // namespace

const char* to_string(OnChange c) { return c == OnChange::restart ? "restart" : "reload"; }

const char* to_string(ResourceKind k) {
  for (const auto& [kind, name] : k_kind_names)
    if (kind == k) return name;
  return "unknown";
}

std::optional<ResourceKind> kind_from_name(const std::string& name) {
  for (const auto& [kind, n] : k_kind_names)
    if (name == n) return kind;
  return std::nullopt;
}

std::string make_resource_id(const std::string& host, ResourceKind kind, const std::string& name) {
  return host + ':' + to_string(kind) + ':' + name;
}

std::string Resource::id() const { return make_resource_id(host, kind, name); }

}  // namespace foobar
