#include "util/thread_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>
#include <set>
#include <stdexcept>

using foobar::parallel_for;
using foobar::run_on_threads;
using foobar::ThreadPool;

TEST_CASE("thread pool runs every task and returns results") {
  ThreadPool pool(3);
  CHECK(pool.size() == 3);
  std::vector<std::future<int>> futures;
  for (int i = 0; i < 50; ++i) futures.push_back(pool.submit([i] { return i * i; }));
  int sum = 0;
  for (auto& f : futures) sum += f.get();
  int expected = 0;
  for (int i = 0; i < 50; ++i) expected += i * i;
  CHECK(sum == expected);
}

TEST_CASE("thread pool runs tasks on several threads at once") {
  ThreadPool pool(4);
  std::atomic<int> running{0}, peak{0};
  std::vector<std::future<void>> futures;
  for (int i = 0; i < 8; ++i)
    futures.push_back(pool.submit([&] {
      int now = ++running;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      --running;
    }));
  for (auto& f : futures) f.get();
  CHECK(peak.load() > 1);
  CHECK(peak.load() <= 4);
}

TEST_CASE("thread pool passes exceptions through the future") {
  ThreadPool pool(1);
  auto f = pool.submit([]() -> int { throw std::runtime_error("boom"); });
  CHECK_THROWS_AS(f.get(), std::runtime_error);
}

TEST_CASE("thread pool destructor drains queued tasks") {
  std::atomic<int> done{0};
  {
    ThreadPool pool(1);
    for (int i = 0; i < 10; ++i) (void)pool.submit([&] { ++done; });
  }
  CHECK(done.load() == 10);
}

TEST_CASE("parallel_for calls the body once per index, on several threads; run_on_threads runs each worker") {
  std::vector<std::atomic<int>> seen(100);
  std::mutex m;
  std::set<std::thread::id> threads;
  parallel_for(seen.size(), 4, [&](std::size_t i) {
    ++seen[i];
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::lock_guard lock(m);
    threads.insert(std::this_thread::get_id());
  });
  for (const auto& s : seen) CHECK(s == 1);
  CHECK(threads.size() > 1);
  CHECK(threads.size() <= 4);
  parallel_for(0, 0, [&](std::size_t) { FAIL("no index to call"); });
  std::atomic<int> workers{0};
  run_on_threads(3, [&] { ++workers; });
  CHECK(workers == 3);
}
