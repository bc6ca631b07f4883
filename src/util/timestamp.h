// The current time as people and records read it.
#pragma once

#include <ctime>
#include <string>

namespace foobar {

// UTC, ISO 8601 to the second: "2026-12-01T21:50:10Z".
std::string utc_timestamp();
// The same for the time `t`.
std::string utc_timestamp(std::time_t t);

}  // namespace foobar
