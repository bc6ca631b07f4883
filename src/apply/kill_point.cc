#include "apply/kill_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace foobar {

void kill_point(const std::string& host, const std::string& what) {
  static const std::string point = [] {
    const char* v = std::getenv("FOOBARCTL_TEST_KILL_AFTER");
    return std::string(v ? v : "");
  }();
  if (point.empty()) return;
  static std::atomic<long> steps{0};
  const long n = ++steps;
  const bool numeric = point.find_first_not_of("0123456789") == std::string::npos;
  if (numeric ? n == std::atol(point.c_str()) : point == host + ":" + what) {
    std::fflush(stdout);
    std::fprintf(stderr, "FOOBARCTL_TEST_KILL_AFTER: killed after %s:%s\n", host.c_str(), what.c_str());
    kill(getpid(), SIGKILL);
  }
}

}  // namespace foobar
