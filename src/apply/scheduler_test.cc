#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "apply/scheduler.h"

using namespace foobar;

namespace {
// Records the order steps ran in and the most hosts seen running at once.
struct Recorder {
  std::mutex mutex;
  std::vector<std::size_t> order;
  std::map<std::string, int> active;
  int max_same_host = 0;
  int concurrent = 0;
  int max_concurrent = 0;

  bool run(const std::vector<Step>& steps, std::size_t i, bool ok = true) {
    {
      std::lock_guard g(mutex);
      max_same_host = std::max(max_same_host, ++active[steps[i].host]);
      max_concurrent = std::max(max_concurrent, ++concurrent);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard g(mutex);
    --active[steps[i].host];
    --concurrent;
    order.push_back(i);
    return ok;
  }

  std::size_t position(std::size_t step) const {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), step) - order.begin());
  }
};
}  // namespace

TEST_CASE("steps run after their dependencies, one per host at a time, hosts in parallel") {
  std::vector<Step> steps{
      {"a", {}}, {"a", {0}}, {"b", {}}, {"b", {2}}, {"c", {1, 3}}, {"c", {}}, {"d", {}}, {"e", {}}};
  Recorder rec;
  auto out = run_steps(steps, [&](std::size_t i) { return rec.run(steps, i); }, {});
  for (auto o : out) CHECK(o == StepOutcome::succeeded);
  CHECK(rec.position(0) < rec.position(1));
  CHECK(rec.position(2) < rec.position(3));
  CHECK(rec.position(1) < rec.position(4));
  CHECK(rec.position(3) < rec.position(4));
  CHECK(rec.max_same_host == 1);
  CHECK(rec.max_concurrent > 1);
}

TEST_CASE("parallelism bounds the number of hosts at work") {
  std::vector<Step> steps;
  for (int i = 0; i < 12; ++i) steps.push_back({"h" + std::to_string(i), {}});
  Recorder rec;
  ScheduleOptions opt;
  opt.parallelism = 3;
  run_steps(steps, [&](std::size_t i) { return rec.run(steps, i); }, opt);
  CHECK(rec.max_concurrent <= 3);
  CHECK(rec.order.size() == 12);
}

TEST_CASE("a failure stops new work by default") {
  // 0 fails; 1 depends on it; 2.. are independent on one other host, queued after.
  std::vector<Step> steps{{"a", {}}, {"a", {0}}, {"b", {}}, {"b", {}}, {"b", {}}};
  std::atomic<int> ran{0};
  ScheduleOptions opt;
  opt.parallelism = 1;
  auto out = run_steps(steps, [&](std::size_t i) { ++ran; return i != 0; }, opt);
  CHECK(out[0] == StepOutcome::failed);
  CHECK(out[1] == StepOutcome::skipped);
  CHECK(ran.load() == 1);
  CHECK(out[4] == StepOutcome::not_run);
}

TEST_CASE("keep_going finishes everything that does not depend on the failure") {
  std::vector<Step> steps{{"a", {}}, {"a", {0}}, {"c", {1}}, {"b", {}}, {"b", {3}}};
  ScheduleOptions opt;
  opt.keep_going = true;
  auto out = run_steps(steps, [&](std::size_t i) { return i != 0; }, opt);
  CHECK(out[0] == StepOutcome::failed);
  CHECK(out[1] == StepOutcome::skipped);
  CHECK(out[2] == StepOutcome::skipped);
  CHECK(out[3] == StepOutcome::succeeded);
  CHECK(out[4] == StepOutcome::succeeded);
}
