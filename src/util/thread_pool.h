// A fixed-size pool of worker threads. Hosts are worked on in parallel by giving
// each its own task (and its own connector); submit() returns the task's future.
#pragma once

#include <algorithm>
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
