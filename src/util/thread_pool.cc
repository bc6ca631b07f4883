#include "util/thread_pool.h"

namespace foobar {

std::size_t core_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void run_on_threads(std::size_t threads, const std::function<void()>& work) {
  std::vector<std::thread> others;
  for (std::size_t t = 1; t < threads; ++t) others.emplace_back(work);
  work();
  for (auto& t : others) t.join();
}

void parallel_for(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& body) {
  if (threads == 0) threads = core_threads();
  std::atomic<std::size_t> next{0};
  run_on_threads(std::min(threads, count), [&] {
    for (std::size_t i; (i = next++) < count;) body(i);
  });
}

ThreadPool::ThreadPool(std::size_t size) {
  if (size == 0) size = core_threads();
  m_workers.reserve(size);
  for (std::size_t i = 0; i < size; ++i) m_workers.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_cv.notify_all();
  for (auto& t : m_workers) t.join();
}

void ThreadPool::enqueue(std::function<void()> job) {
  {
    std::lock_guard lock(m_mutex);
    m_jobs.push_back(std::move(job));
  }
  m_cv.notify_one();
}

void ThreadPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(m_mutex);
      m_cv.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
      if (m_jobs.empty()) return;  // stopping and drained
      job = std::move(m_jobs.front());
      m_jobs.pop_front();
    }
    job();  // packaged_task stores exceptions in the future
  }
}

}  // namespace foobar
