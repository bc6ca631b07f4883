#include "apply/kill_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace foobar {

namespace {

const std::string& point() {
  static const std::string p = [] {
    const char* v = std::getenv("FOOBARCTL_TEST_KILL_AFTER");
    return std::string(v ? v : "");
  }();
  return p;
}

bool numeric() { return point().find_first_not_of("0123456789") == std::string::npos; }

std::atomic<long> steps{0};

}  // namespace

std::size_t steps_before_kill_point(const std::string& host, const std::vector<std::string>& whats) {
  if (point().empty()) return whats.size();
  if (numeric()) {
    const long left = std::atol(point().c_str()) - steps.load();
    return left >= 1 && static_cast<std::size_t>(left) < whats.size() ? static_cast<std::size_t>(left) : whats.size();
  }
  for (std::size_t i = 0; i < whats.size(); ++i)
    if (point() == host + ":" + whats[i]) return i + 1;
  return whats.size();
}

void kill_point(const std::string& host, const std::string& what) {
  if (point().empty()) return;
  const long n = ++steps;
  if (numeric() ? n == std::atol(point().c_str()) : point() == host + ":" + what) {
    std::fflush(stdout);
    std::fprintf(stderr, "FOOBARCTL_TEST_KILL_AFTER: killed after %s:%s\n", host.c_str(), what.c_str());
    kill(getpid(), SIGKILL);
  }
}

}  // namespace foobar
