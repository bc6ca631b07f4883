#pragma once

#include <chrono>

namespace foobar {

// Time since construction: the figures foobarctl prints ("Apply complete in 6.1 s")
// and logs under -v.
class Stopwatch {
 public:
  double seconds() const { return std::chrono::duration<double>(Clock::now() - m_start).count(); }
  long long ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_start).count();
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point m_start = Clock::now();
};

}  // namespace foobar
