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
