#include "util/timestamp.h"

#include <ctime>

namespace foobar {

std::string utc_timestamp() { return utc_timestamp(std::time(nullptr)); }

std::string utc_timestamp(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace foobar
