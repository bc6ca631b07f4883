// The on-host manifest: what foobarctl manages on a host for one stack, written by
// apply to /var/lib/foobarctl/<stack>.json and read back by the probe. Plan takes
// deletes from it (managed before, no longer desired); destroy works from it alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/resource.h"
#include "util/result.h"

namespace foobar {

inline constexpr int k_manifest_version = 1;

struct ManifestEntry {
  std::string id;
  ResourceKind kind = ResourceKind::file;
  std::string name;
  std::string hash;               // sha256 of the desired state as applied
  std::vector<std::string> deps;  // resource ids, for reverse-order deletes
  std::vector<Notify> notify;     // services to reload/restart when it goes away
};

struct Manifest {
  int version = k_manifest_version;
  std::string stack;
  std::string host;
  std::vector<ManifestEntry> resources;  // sorted by id
};

// sha256 of a canonical form of the resource's desired state (file content by hash).
std::string state_hash(const Resource& r);

Manifest build_manifest(const std::string& stack, const std::string& host,
                        const std::vector<const Resource*>& resources);
std::string manifest_to_json(const Manifest& m);
// `where` names the manifest in diagnostics, e.g. "web-01:/var/lib/foobarctl/s.json".
Result<Manifest> parse_manifest(const std::string& where, std::string_view text);

// The resource's entry as one line of the manifest's log (compact JSON, no newline):
// apply records it before creating the resource, so a run that stops before it writes
// the manifest still leaves every resource it made findable by destroy.
std::string manifest_log_line(const Resource& r);
// Adds the log's entries that `m` lacks (a later line replaces an earlier one of the
// same id). A malformed line is an error naming it.
Status merge_manifest_log(const std::string& where, std::string_view log, Manifest& m);

}  // namespace foobar
