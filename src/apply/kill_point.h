// A test hook that makes apply stop dead at a chosen point, as a killed laptop or a
// dropped connection would: FOOBARCTL_TEST_KILL_AFTER names the point, and foobarctl
// sends itself SIGKILL there (no clean-up, no lock released, nothing flushed but stdout).
//   FOOBARCTL_TEST_KILL_AFTER=N               after the N-th step of the run (1-based)
//   FOOBARCTL_TEST_KILL_AFTER='HOST:WHAT'     after that step, e.g.
//       'web-01:update file:/opt/foobar/app.py'  (the file is in place, its restart not run)
//       'lb-01:lock'                              (locks taken, nothing changed yet)
// A step is what apply reports as done: a host's lock, or one action. A host's actions
// run as one remote script (apply/pipeline.h); a script is cut after the action the
// point names, so the host is left exactly as a kill after that action leaves it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace foobar {

// Called when a step finished; kills the process if it is the chosen point.
void kill_point(const std::string& host, const std::string& what);

// How many of a host's next steps `whats` (at least one) may run before the kill point
// comes: all of them when it is not among them.
std::size_t steps_before_kill_point(const std::string& host, const std::vector<std::string>& whats);

}  // namespace foobar
