// Standby hosts (HAProxy backup, nginx upstream backup), secondary nameservers (NSD
// zone transfers with a TSIG key), sshd's drop-in and logged firewall drops, from the
// stack of tests/e2e/failover_test.sh.
#include <doctest/doctest.h>

#include <algorithm>

#include "compile/compile.h"
#include "compile/compile_test_util.h"
#include "compile/context.h"
#include "compile/secrets.h"
#include "compile/topology.h"

using namespace foobar;
using namespace foobar::compile;
using nlohmann::json;

namespace {

const char* const k_failover = "tests/e2e/failover-stack.yaml";

stack::Stack failover() { return testing::loaded(k_failover); }
using testing::compiled;
using testing::file;

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("standby: HAProxy and nginx send a standby traffic only when the others are down") {
  auto s = failover();
  auto t = derive_topology(s);
  REQUIRE(t.backends.size() == 2);
  CHECK_FALSE(t.backends[0].backup);
  CHECK(t.backends[1].backup);
  CHECK(t.upstreams[1].backup);
  auto g = compiled(s);
  const auto& haproxy = file(g, "lb-01:file:/etc/haproxy/haproxy.cfg").content;
  CHECK(has_line(haproxy, "    server web-01 10.77.0.21:80 check"));
  CHECK(has_line(haproxy, "    server web-02 10.77.0.22:80 check backup"));
  const auto& nginx = file(g, "web-02:file:/etc/nginx/sites-available/foobar").content;
  CHECK(has_line(nginx, "    server 10.77.0.21:8000 max_fails=3 fail_timeout=3s;"));
  CHECK(has_line(nginx, "    server 10.77.0.22:8000 max_fails=3 fail_timeout=3s backup;"));
  // Without standby nothing is a backup (stack 1).
  auto one = stack::load_stack("stacks/1-distributed.yaml");
  REQUIRE(one.ok());
  auto g1 = compiled(*one);
  CHECK(file(g1, "lb-01:file:/etc/haproxy/haproxy.cfg").content.find("backup") == std::string::npos);
}

TEST_CASE("secondaries: the zone names every nameserver and only they transfer it, signed") {
  auto s = failover();
  auto t = derive_topology(s);
  CHECK(t.nameservers == std::vector<std::string>{"lb-01", "web-02"});
  CHECK(t.is_nameserver("web-02"));
  CHECK_FALSE(t.is_nameserver("web-01"));
  auto g = compiled(s);
  const auto& zone = file(g, "lb-01:file:/etc/foobar/dns/foobar.com.zone").content;
  CHECK(has_line(zone, "@   IN  NS  ns1.foobar.com."));
  CHECK(has_line(zone, "@   IN  NS  ns2.foobar.com."));
  CHECK(has_line(zone, "ns1 IN A 10.77.0.11"));
  CHECK(has_line(zone, "ns2 IN A 10.77.0.22"));
  // The secondary renders no zone of its own: it holds what it transferred.
  CHECK_FALSE(g.find("web-02:file:/etc/foobar/dns/foobar.com.zone"));
  const auto& primary = file(g, "lb-01:file:/etc/nsd/nsd.conf").content;
  CHECK(has_line(primary, "    notify: 10.77.0.22 foobar-transfer"));
  CHECK(has_line(primary, "    provide-xfr: 10.77.0.22 foobar-transfer"));
  CHECK(primary.find("request-xfr") == std::string::npos);
  CHECK(has_line(primary, "include: \"/etc/nsd/foobar-transfer.key\""));
  const auto& secondary = file(g, "web-02:file:/etc/nsd/nsd.conf").content;
  CHECK(has_line(secondary, "    allow-notify: 10.77.0.11 foobar-transfer"));
  CHECK(has_line(secondary, "    request-xfr: AXFR 10.77.0.11 foobar-transfer"));
  CHECK(has_line(secondary, "    zonefile: \"/var/lib/nsd/foobar.com.zone\""));
  CHECK(secondary.find("provide-xfr") == std::string::npos);
  // The key is a secret: a placeholder in a 0640 file, checked as base64 when filled in.
  const auto& key = file(g, "web-02:file:/etc/nsd/foobar-transfer.key");
  CHECK(key.sensitive);
  CHECK(key.mode == "0640");
  CHECK(secret_names(key.content) == std::vector<std::string>{"DNS_TRANSFER_KEY"});
  // The secondary starts after the primary, so its first transfer finds it serving.
  const Resource* nsd2 = g.find("web-02:service:nsd");
  REQUIRE(nsd2);
  CHECK(std::find(nsd2->deps.begin(), nsd2->deps.end(), "lb-01:service:nsd") != nsd2->deps.end());
  // DNS is open on both nameservers.
  for (const char* ns : {"lb-01", "web-02"}) {
    const auto& flows = t.host(ns).inbound;
    CHECK(std::count_if(flows.begin(), flows.end(), [](const Flow& f) { return f.port == 53; }) == 2);
  }
}

TEST_CASE("secondaries: the TSIG key must be base64 of at least 16 bytes") {
  auto s = failover();
  auto resolve = [&](const std::string& value) {
    auto g = compiled(s);
    stack::SecretSource src;
    src.env = [value](const std::string& name) -> std::optional<std::string> {
      if (name == "FOOBAR_SECRET_DNS_TRANSFER_KEY") return value;
      return std::nullopt;
    };
    return resolve_secrets(g, src);
  };
  CHECK(resolve("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0").ok());
  for (const char* bad : {"c2VjcmV0", "not base64!", "c2Vj\"; secret: \"x", "c2VjcmV0c2VjcmV0c2Vj\ncmV0c2VjcmV0"}) {
    auto r = resolve(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.diagnostics().front().message.find("secret 'DNS_TRANSFER_KEY'") != std::string::npos);
  }
}

TEST_CASE("security.ssh: every host gets the drop-in, and sshd is reloaded, never removed") {
  auto s = failover();
  auto g = compiled(s);
  for (const auto& h : s.hosts) {
    const auto& dropin = file(g, h.name.value + ":file:" + k_sshd_dropin);
    CHECK(has_line(dropin.content, "PasswordAuthentication no"));
    CHECK(has_line(dropin.content, "KbdInteractiveAuthentication no"));
    CHECK(has_line(dropin.content, "PermitRootLogin prohibit-password"));
    CHECK(dropin.validate == "fb_sshd_check");
    const Resource* r = g.find(h.name.value + ":file:" + k_sshd_dropin);
    REQUIRE(r->notify.size() == 1);
    CHECK(r->notify[0].target == h.name.value + ":service:ssh");
    CHECK(r->notify[0].action == OnChange::reload);
    // openssh-server is never a managed package: destroy --purge would remove it.
    CHECK_FALSE(g.find(h.name.value + ":package:openssh-server"));
  }
  auto off = compile::testing::reference_variant(k_failover, "firewall:", "security: { ssh: false }\nfirewall:");
  auto g_off = compiled(off);
  CHECK_FALSE(g_off.find(std::string("web-01:file:") + k_sshd_dropin));
  CHECK_FALSE(g_off.find("web-01:service:ssh"));
}

TEST_CASE("firewall.log_drops: a rate-limited log line whose prefix names the host") {
  auto s = failover();
  auto g = compiled(s);
  const auto& rules = file(g, "web-01:file:/etc/nftables.conf").content;
  CHECK(has_line(rules, "        limit rate 10/minute burst 5 packets log prefix \"web-01 drop: \" level info"));
  auto quiet = compile::testing::reference_variant(k_failover, "  log_drops: true\n", "");
  CHECK(file(compiled(quiet), "web-01:file:/etc/nftables.conf").content.find("log prefix") == std::string::npos);
}
