// A fixed-size pool of worker threads. Hosts are worked on in parallel by giving
// each its own task (and its own connector); submit() returns the task's future.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace foobar {

// The threads "as many as the machine has" means: one per hardware core, at least one.
std::size_t core_threads();

// Runs `work` on `threads` threads at once (the caller's among them) and returns when
// every one has returned: for workers that take their jobs from shared state.
void run_on_threads(std::size_t threads, const std::function<void()>& work);

// Calls body(i) for every i in [0, count), spread over up to `threads` threads (0:
// core_threads()); returns when all are done. body must not throw.
void parallel_for(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& body);

class ThreadPool {
 public:
  // size 0 means one thread per hardware core (at least one).
  explicit ThreadPool(std::size_t size = 0);
  // Runs every task already submitted, then joins the workers.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const { return m_workers.size(); }

  template <class F>
  auto submit(F f) -> std::future<std::invoke_result_t<F>> {
    using R = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
    std::future<R> fut = task->get_future();
    enqueue([task] { (*task)(); });
    return fut;
  }

 private:
  void enqueue(std::function<void()> job);
  void work();

  std::vector<std::thread> m_workers;
  std::deque<std::function<void()>> m_jobs;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stopping = false;
};

}  // namespace foobar
