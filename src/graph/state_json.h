// A resource's desired state as JSON, without file contents: what the on-host
// manifest hashes (plan/manifest.cc, which adds a file's content hash) and what
// `foobarctl graph --format json` shows (which adds its source and size).
#pragma once

#include <nlohmann/json.hpp>

#include "graph/resource.h"

namespace foobar {

nlohmann::json state_json(const DesiredState& state);

}  // namespace foobar
