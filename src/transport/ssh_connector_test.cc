// SshConnector against a real sshd on 127.0.0.1 with its own host key (needs root
// and /usr/sbin/sshd; skipped otherwise).
#include "transport/ssh_connector.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "transport/known_hosts.h"
#include "transport/local_connector.h"
#include "util/test_support.h"

using namespace foobar;
using namespace foobar::transport;
using namespace std::chrono_literals;

namespace {

int free_loopback_port(int* keep_fd = nullptr, bool listen_too = false) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  if (listen_too) ::listen(fd, 4);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  if (keep_fd)
    *keep_fd = fd;
  else
    ::close(fd);
  return ntohs(a.sin_port);
}

std::string sh(LocalConnector& local, const std::string& cmd) {
  auto r = local.run(cmd);
  REQUIRE(r.ok());
  REQUIRE_MESSAGE(r->ok(), cmd << ": " << r->err);
  return r->out;
}

// A throwaway sshd on loopback with its own host key and one authorized client key.
struct LoopbackSshd {
  LocalConnector local;
  std::string dir;
  int port = 0;
  std::string pid;

  LoopbackSshd() {
    char t[] = "/tmp/foobar-sshd-XXXXXX";
    REQUIRE(mkdtemp(t));
    dir = t;
    port = free_loopback_port();
    sh(local, "cd " + dir +
                  " && ssh-keygen -q -t ed25519 -N '' -f host_key && ssh-keygen -q -t ed25519 -N '' "
                  "-f client && ssh-keygen -q -t ed25519 -N '' -f other && cp client.pub "
                  "authorized_keys && mkdir -p /run/sshd && touch empty_known_hosts");
    pid = sh(local, "/usr/sbin/sshd -D -f /dev/null -o ListenAddress=127.0.0.1 -p " +
                        std::to_string(port) + " -o HostKey=" + dir + "/host_key -o AuthorizedKeysFile=" +
                        dir + "/authorized_keys -o StrictModes=no -o PidFile=none -E " + dir +
                        "/sshd.log </dev/null >/dev/null 2>&1 & echo $!");
    for (int i = 0; i < 100; ++i) {
      auto r = local.run("bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) + "' 2>/dev/null",
                         {}, 1s);
      if (r.ok() && r->ok()) break;
      std::this_thread::sleep_for(50ms);
    }
    std::string pub = sh(local, "cat " + dir + "/host_key.pub");
    sh(local, "echo '[127.0.0.1]:" + std::to_string(port) + " '" + shell_quote(pub.substr(0, pub.rfind(' '))) +
                  " > " + dir + "/known_hosts");
  }
  ~LoopbackSshd() { (void)local.run("kill " + pid + "; rm -rf " + dir); }

  SshOptions options(const std::string& known_hosts = "known_hosts") const {
    SshOptions o;
    o.port = port;
    o.key_file = dir + "/client";
    o.known_hosts = dir + "/" + known_hosts;
    o.connect_timeout = 5s;
    return o;
  }
};

bool can_run_sshd() { return ::geteuid() == 0 && ::access("/usr/sbin/sshd", X_OK) == 0; }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("base64 and SHA256 fingerprints match OpenSSH's spelling") {
  // sha256("") = e3b0c442...; base64 without padding as ssh-keygen -l prints it.
  CHECK(sha256_fingerprint("") == "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
}

TEST_CASE("the fingerprint of a private key file: from KEY.pub, else from the key itself") {
  test_support::TempDir dir;
  const std::string key = (dir.path / "k").string();
  int st = 0;
  test_support::command_output("ssh-keygen -q -t ed25519 -N '' -C test -f " + key, &st);
  REQUIRE(st == 0);
  std::string listed = test_support::command_output("ssh-keygen -lf " + key + ".pub");
  auto fp = listed.substr(listed.find(' ') + 1);
  fp = fp.substr(0, fp.find(' '));
  REQUIRE(fp.rfind("SHA256:", 0) == 0);
  CHECK(key_file_fingerprint(key) == fp);
  std::filesystem::remove(key + ".pub");
  CHECK(key_file_fingerprint(key) == fp);  // openssh-key-v1 carries the public key in the clear
  dir.write("garbage", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
  CHECK(key_file_fingerprint((dir.path / "garbage").string()).empty());
  CHECK(key_file_fingerprint((dir.path / "missing").string()).empty());
}

TEST_CASE("ssh connector: connection refused and handshake timeout are distinct errors") {
  SshOptions o;
  o.port = free_loopback_port();
  o.connect_timeout = 500ms;
  SshConnector refused("127.0.0.1", o);
  auto r = refused.run("true");
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "connection refused"));

  int listener = -1;
  o.port = free_loopback_port(&listener, true);  // accepts TCP, never speaks SSH
  SshConnector silent("127.0.0.1", o);
  auto start = std::chrono::steady_clock::now();
  auto t = silent.run("true");
  ::close(listener);
  REQUIRE_FALSE(t.ok());
  CHECK(contains(t.error().message, "timed out"));
  CHECK(std::chrono::steady_clock::now() - start < 3s);
}

// Skipped (and counted as skipped) without root and /usr/sbin/sshd.
TEST_CASE("ssh connector against a loopback sshd" * doctest::skip(!can_run_sshd())) {
  LoopbackSshd sshd;

  SUBCASE("runs commands on one reused session with stdin, stdout, stderr and status") {
    SshConnector ssh("127.0.0.1", sshd.options());
    auto r = ssh.run("cat; echo err >&2; exit 7", "payload\n");
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(r->out == "payload\n");
    CHECK(r->err == "err\n");
    CHECK(r->exit_status == 7);
    std::string big(3 << 20, 'z');
    auto w = ssh.run("wc -c", big);
    REQUIRE(w.ok());
    CHECK(contains(w->out, std::to_string(big.size())));
    auto killed = ssh.run("kill -9 $$");
    REQUIRE(killed.ok());
    CHECK(killed->exit_status == 137);
    // It says how it logged in: with the key it was given.
    auto login = ssh.ssh_login();
    REQUIRE(login);
    CHECK(login->method == "publickey");
    CHECK(login->key_fingerprint == key_file_fingerprint(sshd.options().key_file));
    CHECK_FALSE(login->key_fingerprint.empty());
  }
  SUBCASE("output past the cap is an error naming the stream, and the connector recovers") {
    auto o = sshd.options();
    o.address = "127.0.0.1";
    SshConnector ssh("web-01", o);
    auto r = ssh.run("head -c 9000000 /dev/zero");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().where == "web-01");
    CHECK(contains(r.error().message, "more than 8 MiB on stdout"));
    auto endless = ssh.run("yes");
    REQUIRE_FALSE(endless.ok());
    CHECK(contains(endless.error().message, "(command: yes)"));
    auto again = ssh.run("echo back");
    REQUIRE_MESSAGE(again.ok(), again.error().to_string());
    CHECK(again->out == "back\n");
    auto big = ssh.run("head -c 9000000 /dev/zero", {}, Timeout::zero(), k_no_output_cap);
    REQUIRE(big.ok());
    CHECK(big->out.size() == 9000000);
  }
  SUBCASE("a command timeout is an error and the connector recovers") {
    SshConnector ssh("127.0.0.1", sshd.options());
    auto r = ssh.run("sleep 20", {}, 300ms);
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().message, "timed out"));
    auto again = ssh.run("echo back");
    REQUIRE(again.ok());
    CHECK(again->out == "back\n");
  }
  SUBCASE("an unknown host key is refused with its fingerprint") {
    SshConnector ssh("127.0.0.1", sshd.options("empty_known_hosts"));
    auto r = ssh.run("true");
    REQUIRE_FALSE(r.ok());
    std::string fp = sh(sshd.local, "ssh-keygen -lf " + sshd.dir + "/host_key.pub | cut -d' ' -f2");
    fp.pop_back();
    CHECK(contains(r.error().message, "unknown"));
    CHECK(contains(r.error().message, "ssh-ed25519"));
    CHECK(contains(r.error().message, fp));
  }
  SUBCASE("accept_new records an unknown key once, then it matches") {
    auto o = sshd.options("new_known_hosts");
    o.accept_new = true;
    SshConnector first("127.0.0.1", o);
    REQUIRE(first.run("true").ok());
    std::string lines = sh(sshd.local, "cat " + o.known_hosts);
    CHECK(contains(lines, "[127.0.0.1]:" + std::to_string(sshd.port) + " ssh-ed25519 "));
    o.accept_new = false;
    SshConnector second("127.0.0.1", o);
    CHECK(second.run("true").ok());
  }
  SUBCASE("a changed host key is refused, also with accept_new") {
    std::string other = sh(sshd.local, "cut -d' ' -f1,2 " + sshd.dir + "/other.pub");
    sh(sshd.local, "echo '[127.0.0.1]:" + std::to_string(sshd.port) + " " + other.substr(0, other.size() - 1) +
                       "' > " + sshd.dir + "/changed_known_hosts");
    auto o = sshd.options("changed_known_hosts");
    o.accept_new = true;
    SshConnector ssh("127.0.0.1", o);
    auto r = ssh.run("true");
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().message, "CHANGED"));
    CHECK(contains(r.error().message, "ssh-keygen -R"));
  }
  SUBCASE("OpenSSH trust semantics against the real server key") {
    const std::string port = std::to_string(sshd.port);
    const std::string entry = "[127.0.0.1]:" + port;
    std::string real = sh(sshd.local, "cut -d' ' -f1,2 " + sshd.dir + "/host_key.pub");
    real.pop_back();
    sh(sshd.local, "cd " + sshd.dir + " && ssh-keygen -q -t ecdsa -N '' -f ecdsa_key");
    std::string ecdsa = sh(sshd.local, "cut -d' ' -f1,2 " + sshd.dir + "/ecdsa_key.pub");
    ecdsa.pop_back();
    auto run_with = [&](const std::string& name, const std::string& text, bool accept_new) {
      sh(sshd.local, "printf '%s' " + shell_quote(text) + " > " + sshd.dir + "/" + name);
      auto o = sshd.options(name);
      o.accept_new = accept_new;
      auto r = SshConnector("127.0.0.1", o).run("true");
      std::string after = sh(sshd.local, "cat " + sshd.dir + "/" + name);
      CHECK_MESSAGE(after == text, name << " was modified");
      return r;
    };
    // A key of another type recorded for host and port: changed, also with accept_new.
    auto other_type = run_with("kh_other_type", entry + " " + ecdsa + "\n", true);
    REQUIRE_FALSE(other_type.ok());
    CHECK(contains(other_type.error().message, "CHANGED"));
    CHECK(contains(other_type.error().message, "kh_other_type:1 records a different ecdsa-sha2-nistp256 key"));
    // The real key, revoked under another host's name, with a valid entry too.
    auto revoked = run_with("kh_revoked", entry + " " + real + "\n@revoked elsewhere.example " + real + "\n", true);
    REQUIRE_FALSE(revoked.ok());
    CHECK(contains(revoked.error().message, "REVOKED"));
    CHECK(contains(revoked.error().message, "kh_revoked:2"));
    // A certificate authority for the host: not supported, never recorded.
    auto ca = run_with("kh_ca", "@cert-authority 127.0.0.1,[127.0.0.1]:* " + ecdsa + "\n", true);
    REQUIRE_FALSE(ca.ok());
    CHECK(contains(ca.error().message, "@cert-authority"));
    CHECK(contains(ca.error().message, "not support"));
    // A plain entry is for port 22 only: unknown on this port.
    auto plain = run_with("kh_plain", "127.0.0.1 " + real + "\n", false);
    REQUIRE_FALSE(plain.ok());
    CHECK(contains(plain.error().message, entry + " is unknown"));
    // Another port's entry neither matches nor changes this one.
    auto other_port = run_with("kh_other_port", "[127.0.0.1]:1 " + ecdsa + "\n", false);
    REQUIRE_FALSE(other_port.ok());
    CHECK(contains(other_port.error().message, " is unknown"));
    // Hashed by ssh-keygen -H, the entry still matches.
    sh(sshd.local, "cd " + sshd.dir + " && cp known_hosts kh_hashed && ssh-keygen -q -H -f kh_hashed && rm -f kh_hashed.old");
    std::string hashed = sh(sshd.local, "cat " + sshd.dir + "/kh_hashed");
    CHECK(hashed.starts_with("|1|"));
    auto ok = SshConnector("127.0.0.1", sshd.options("kh_hashed")).run("echo hashed");
    REQUIRE_MESSAGE(ok.ok(), ok.error().to_string());
    CHECK(ok->out == "hashed\n");
  }
  SUBCASE("accept_new leaves an unknown host's neighbours alone and ends a last line without newline") {
    auto o = sshd.options("kh_no_newline");
    sh(sshd.local, "printf 'other-host ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' > " +
                       o.known_hosts);
    o.accept_new = true;
    REQUIRE(SshConnector("127.0.0.1", o).run("true").ok());
    std::string lines = sh(sshd.local, "cat " + o.known_hosts);
    CHECK(contains(lines, "GKJl\n[127.0.0.1]:" + std::to_string(sshd.port) + " ssh-ed25519 "));
    o.accept_new = false;
    CHECK(SshConnector("127.0.0.1", o).run("true").ok());
  }
  SUBCASE("a key the server does not accept and an unreadable key are distinct errors") {
    auto o = sshd.options();
    o.key_file = sshd.dir + "/other";
    auto r = SshConnector("127.0.0.1", o).run("true");
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().message, "authentication failed"));
    o.key_file = sshd.dir + "/missing";
    auto m = SshConnector("127.0.0.1", o).run("true");
    REQUIRE_FALSE(m.ok());
    CHECK(contains(m.error().message, "cannot read private key file"));
    o.key_file = sshd.dir + "/authorized_keys";  // a public key, not a private one
    auto bad = SshConnector("127.0.0.1", o).run("true");
    REQUIRE_FALSE(bad.ok());
    CHECK(contains(bad.error().message, "could not be loaded"));
  }
}

namespace {

size_t thread_count() {
  LocalConnector local;
  auto r = local.run("ls /proc/" + std::to_string(::getpid()) + "/task | wc -l");
  REQUIRE(r.ok());
  return std::stoul(r->out);
}

// Known_hosts files in the target's directory: both keys, only one, or none.
std::string known_hosts_of(LoopbackSshd& target, const std::string& name,
                           const std::vector<const LoopbackSshd*>& from) {
  std::string cmd = "cat /dev/null";
  for (const auto* s : from) cmd += " " + s->dir + "/known_hosts";
  sh(target.local, cmd + " > " + target.dir + "/" + name);
  return target.dir + "/" + name;
}

// Options for `target` reached through `jump`, with one known_hosts file for both.
SshOptions via(const LoopbackSshd& jump, const LoopbackSshd& target, const std::string& known_hosts) {
  auto j = std::make_shared<JumpHost>();
  j->name = "bastion";
  j->options = jump.options();
  j->options.address = "127.0.0.1";
  j->options.known_hosts = known_hosts;
  SshOptions o = target.options();
  o.address = "127.0.0.1";
  o.known_hosts = known_hosts;
  o.jump = std::move(j);
  return o;
}

// The error text, for a REQUIRE's message (evaluated even when the result is ok).
template <class T>
std::string why(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().to_string();
}

int accepted_logins(LoopbackSshd& s) {
  return std::stoi(sh(s.local, "grep -c 'Accepted publickey' " + s.dir + "/sshd.log || true"));
}

}  // namespace

// Skipped (and counted as skipped) without root and /usr/sbin/sshd.
TEST_CASE("ssh connector through a jump host (two loopback sshds)" * doctest::skip(!can_run_sshd())) {
  LoopbackSshd jump;
  LoopbackSshd target;
  REQUIRE(jump.port != target.port);
  const std::string both = known_hosts_of(target, "both_known_hosts", {&jump, &target});

  SUBCASE("commands, a 1 MiB stdin round trip and exit status go through the jump") {
    const size_t threads_before = thread_count();
    {
      SshConnector ssh("web-01", via(jump, target, both));
      auto r = ssh.run("cat; echo err >&2; exit 7", "payload\n");
      REQUIRE_MESSAGE(r.ok(), why(r));
      CHECK(r->out == "payload\n");
      CHECK(r->err == "err\n");
      CHECK(r->exit_status == 7);
      std::string big(1 << 20, '\0');
      for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919) % 26);
      auto echo = ssh.run("cat", big);
      REQUIRE(echo.ok());
      CHECK(echo->out.size() == big.size());
      CHECK(echo->out == big);
      // The jump host saw one login, the target one: the session went through the jump.
      CHECK(accepted_logins(jump) == 1);
      CHECK(accepted_logins(target) == 1);
      CHECK(thread_count() == threads_before + 1);  // the pump
    }
    CHECK(thread_count() == threads_before);
  }
  SUBCASE("the connector is reused for several commands, recovers and destructs promptly") {
    const size_t threads_before = thread_count();
    {
      SshConnector ssh("web-01", via(jump, target, both));
      for (int i = 0; i < 5; ++i) {
        auto r = ssh.run("echo " + std::to_string(i));
        REQUIRE_MESSAGE(r.ok(), why(r));
        CHECK(r->out == std::to_string(i) + "\n");
      }
      CHECK(accepted_logins(target) == 1);  // one session for all five
      // The timed-out command is abandoned, not waited for: the next one answers long
      // before the remote sleep would have ended, however slow the machine.
      const auto slow_start = std::chrono::steady_clock::now();
      auto slow = ssh.run("sleep 120", {}, 300ms);
      REQUIRE_FALSE(slow.ok());
      CHECK(contains(slow.error().message, "timed out"));
      auto again = ssh.run("echo back");
      REQUIRE_MESSAGE(again.ok(), why(again));
      CHECK(again->out == "back\n");
      CHECK(std::chrono::steady_clock::now() - slow_start < 100s);
      ssh.disconnect();
      CHECK(thread_count() == threads_before);
      auto after = ssh.run("echo reconnected");
      REQUIRE(after.ok());
      CHECK(after->out == "reconnected\n");
    }
    CHECK(thread_count() == threads_before);
  }
  SUBCASE("a jump host reached through a jump host of its own (a chain)") {
    auto o = via(jump, target, both);
    auto inner = std::make_shared<JumpHost>(*o.jump);
    auto outer = std::make_shared<JumpHost>(*o.jump);
    outer->name = "outer";
    inner->options.jump = outer;
    o.jump = inner;
    const size_t threads_before = thread_count();
    {
      SshConnector ssh("web-01", o);
      auto r = ssh.run("echo chained");
      REQUIRE_MESSAGE(r.ok(), why(r));
      CHECK(r->out == "chained\n");
      CHECK(accepted_logins(jump) == 2);
      CHECK(thread_count() == threads_before + 2);
    }
    CHECK(thread_count() == threads_before);
  }
  SUBCASE("a dropped jump connection is reconnected on the next command") {
    SshConnector ssh("web-01", via(jump, target, both));
    auto first = ssh.run("echo one");
    REQUIRE_MESSAGE(first.ok(), why(first));
    // End the jump sshd's per-connection processes; the listener stays.
    sh(jump.local, "pkill -TERM -P " + jump.pid.substr(0, jump.pid.find('\n')) + "; sleep 0.2");
    auto second = ssh.run("echo two");
    REQUIRE_MESSAGE(second.ok(), why(second));
    CHECK(second->out == "two\n");
    CHECK(accepted_logins(jump) == 2);
  }
  SUBCASE("a target key unknown to known_hosts is refused, also through the jump") {
    auto o = via(jump, target, known_hosts_of(target, "jump_only", {&jump}));
    auto r = SshConnector("web-01", o).run("true");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().where == "web-01");
    CHECK(contains(r.error().message, "through jump host bastion (127.0.0.1)"));
    CHECK(contains(r.error().message, "[127.0.0.1]:" + std::to_string(target.port) + " is unknown"));
    CHECK(accepted_logins(target) == 0);
  }
  SUBCASE("a jump host whose key is unknown is refused, naming the jump host") {
    auto o = via(jump, target, known_hosts_of(target, "target_only", {&target}));
    auto r = SshConnector("web-01", o).run("true");
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().message, "jump host bastion (127.0.0.1): host key for [127.0.0.1]:" +
                                          std::to_string(jump.port) + " is unknown"));
    CHECK_FALSE(contains(r.error().message, "through"));
    CHECK(accepted_logins(jump) == 0);
  }
  SUBCASE("a jump host that refuses the key names the jump leg") {
    auto o = via(jump, target, both);
    auto j = std::make_shared<JumpHost>(*o.jump);
    j->options.key_file = jump.dir + "/other";
    o.jump = j;
    auto r = SshConnector("web-01", o).run("true");
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().message, "jump host bastion (127.0.0.1): authentication failed"));
  }
  SUBCASE("a refused target port is a clear error about the second leg") {
    auto o = via(jump, target, both);
    o.port = free_loopback_port();
    auto r = SshConnector("web-01", o).run("true");
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().message, "through jump host bastion (127.0.0.1): connection to 127.0.0.1:" +
                                          std::to_string(o.port) + " refused"));
    CHECK(accepted_logins(jump) == 1);
  }
}
