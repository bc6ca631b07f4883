#include "apply/scheduler.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "util/thread_pool.h"

namespace foobar {

namespace {

class Scheduler {
 public:
  Scheduler(const std::vector<Step>& steps, const std::function<bool(std::size_t)>& run,
            const ScheduleOptions& options)
      : m_steps(steps), m_run(run), m_options(options),
        m_outcome(steps.size(), StepOutcome::not_run), m_waiting(steps.size()),
        m_users(steps.size()) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      m_waiting[i] = steps[i].deps.size();
      for (std::size_t d : steps[i].deps) m_users[d].push_back(i);
      if (m_waiting[i] == 0) m_ready.insert(i);
    }
    m_unsettled = steps.size();
  }

  std::vector<StepOutcome> run() {
    run_on_threads(std::max<std::size_t>(1, std::min(m_options.parallelism, m_steps.size())), [this] { work(); });
    return m_outcome;
  }

 private:
  void work() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      std::size_t next = m_steps.size();
      m_cv.wait(lock, [&] { return finished() || (next = pick()) < m_steps.size(); });
      if (next == m_steps.size()) return;
      m_ready.erase(next);
      m_busy_hosts.insert(m_steps[next].host);
      ++m_running;
      lock.unlock();
      bool ok = m_run(next);
      lock.lock();
      --m_running;
      m_busy_hosts.erase(m_steps[next].host);
      settle(next, ok);
      m_cv.notify_all();
    }
  }

  // Lowest-index ready step whose host is free; none once stopped.
  std::size_t pick() const {
    if (m_stopped) return m_steps.size();
    for (std::size_t i : m_ready)
      if (!m_busy_hosts.count(m_steps[i].host)) return i;
    return m_steps.size();
  }

  bool finished() const {
    if (m_unsettled == 0) return true;
    return m_stopped && m_running == 0;
  }

  void settle(std::size_t i, bool ok) {
    m_outcome[i] = ok ? StepOutcome::succeeded : StepOutcome::failed;
    --m_unsettled;
    if (!ok) {
      if (!m_options.keep_going) m_stopped = true;
      skip_users(i);
      return;
    }
    for (std::size_t u : m_users[i])
      if (--m_waiting[u] == 0 && m_outcome[u] == StepOutcome::not_run) m_ready.insert(u);
  }

  void skip_users(std::size_t i) {
    for (std::size_t u : m_users[i]) {
      if (m_outcome[u] != StepOutcome::not_run) continue;
      m_outcome[u] = StepOutcome::skipped;
      m_ready.erase(u);
      --m_unsettled;
      skip_users(u);
    }
  }

  const std::vector<Step>& m_steps;
  const std::function<bool(std::size_t)>& m_run;
  ScheduleOptions m_options;
  std::vector<StepOutcome> m_outcome;
  std::vector<std::size_t> m_waiting;
  std::vector<std::vector<std::size_t>> m_users;
  std::set<std::size_t> m_ready;
  std::unordered_set<std::string> m_busy_hosts;
  std::size_t m_unsettled = 0;
  std::size_t m_running = 0;
  bool m_stopped = false;
  std::mutex m_mutex;
  std::condition_variable m_cv;
};

}  // namespace

std::vector<StepOutcome> run_steps(const std::vector<Step>& steps,
                                   const std::function<bool(std::size_t)>& run,
                                   const ScheduleOptions& options) {
  if (steps.empty()) return {};
  return Scheduler(steps, run, options).run();
}

}  // namespace foobar
