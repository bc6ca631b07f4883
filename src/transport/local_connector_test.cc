#include "transport/local_connector.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "transport/connector.h"

using namespace foobar::transport;
using namespace std::chrono_literals;

TEST_CASE("local connector returns exit status, stdout and stderr apart") {
  LocalConnector local;
  auto r = local.run("echo out; echo err >&2; exit 3");
  REQUIRE(r.ok());
  CHECK(r->exit_status == 3);
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\n");
  CHECK_FALSE(r->ok());
}

TEST_CASE("local connector passes no descriptor of the caller beyond stdin, stdout and stderr") {
  int fd = ::open("/dev/null", O_RDONLY);  // not close-on-exec, like a flock(1) lock
  REQUIRE(fd > 2);
  LocalConnector local;
  auto r = local.run("[ -e /proc/self/fd/" + std::to_string(fd) + " ] && echo leaked || echo closed");
  ::close(fd);
  REQUIRE(r.ok());
  CHECK(r->out == "closed\n");
}

TEST_CASE("local connector feeds input through stdin, also large input") {
  LocalConnector local;
  std::string big(1 << 20, 'x');
  big += "end";
  auto r = local.run("wc -c; tail -c 3", big);
  REQUIRE(r.ok());
  CHECK(r->out.find(std::to_string(big.size())) != std::string::npos);
  auto r2 = local.run("cat", "secret\n");
  REQUIRE(r2.ok());
  CHECK(r2->out == "secret\n");
}

TEST_CASE("local connector survives a command that ignores its input") {
  LocalConnector local;
  auto r = local.run("exec 0<&-; echo done", std::string(1 << 20, 'y'));
  REQUIRE(r.ok());
  CHECK(r->out == "done\n");
}

TEST_CASE("local connector kills the whole process group on timeout") {
  LocalConnector local;
  auto start = std::chrono::steady_clock::now();
  auto r = local.run("sleep 30 & sleep 31; echo never", {}, 300ms);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("timed out") != std::string::npos);
  CHECK(took < 5s);
  auto left = local.run("pgrep -f 'sleep 3[01]$' || true");
  REQUIRE(left.ok());
  CHECK(left->out.empty());
}

TEST_CASE("local connector does not wait for daemons that keep the output open") {
  LocalConnector local;
  auto start = std::chrono::steady_clock::now();
  auto r = local.run("(sleep 3; true) & echo started");
  REQUIRE(r.ok());
  CHECK(r->out == "started\n");
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  (void)local.run("pkill -f '^sleep 3$' || true");
}

TEST_CASE("local connector reports a signal as 128+N") {
  LocalConnector local;
  auto r = local.run("kill -9 $$");
  REQUIRE(r.ok());
  CHECK(r->exit_status == 137);
}

TEST_CASE("local connector stops a command that prints more than the output cap") {
  LocalConnector local("web-01");
  auto start = std::chrono::steady_clock::now();
  auto r = local.run("yes foobar-cap-test", {}, 30s);  // endless output
  REQUIRE_FALSE(r.ok());
  CHECK(std::chrono::steady_clock::now() - start < 20s);
  CHECK(r.error().where == "web-01");
  CHECK(r.error().message.find("more than 8 MiB on stdout") != std::string::npos);
  CHECK(r.error().message.find("(command: yes foobar-cap-test)") != std::string::npos);
  auto left = local.run("sleep 0.2; pgrep -f '^yes foobar-cap-test' || true");
  REQUIRE(left.ok());
  CHECK(left->out.empty());
  // stderr has its own cap; exactly the cap is fine; a caller may set another cap.
  auto err = local.run("head -c 9000000 /dev/zero >&2");
  REQUIRE_FALSE(err.ok());
  CHECK(err.error().message.find("on stderr") != std::string::npos);
  auto exact = local.run("head -c " + std::to_string(k_output_cap) + " /dev/zero");
  REQUIRE(exact.ok());
  CHECK(exact->out.size() == k_output_cap);
  auto small = local.run("printf 12345678901", {}, Timeout::zero(), 10);
  REQUIRE_FALSE(small.ok());
  CHECK(small.error().message.find("more than 10 bytes on stdout") != std::string::npos);
  auto big = local.run("head -c 9000000 /dev/zero", {}, Timeout::zero(), k_no_output_cap);
  REQUIRE(big.ok());
  CHECK(big->out.size() == 9000000);
}
