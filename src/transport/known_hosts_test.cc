#include "transport/known_hosts.h"

#include <doctest/doctest.h>

#include "util/base64.h"

using namespace foobar;
using namespace foobar::transport;

namespace {

// Key blobs need not be real keys: matching compares bytes.
const std::string k_ed = "ed25519-key-bytes";
const std::string k_ecdsa = "ecdsa-key-bytes";
const std::string k_other = "another-ed25519-key";

std::string line(const std::string& hosts, const std::string& type, const std::string& key) {
  return hosts + " " + type + " " + base64_encode(key) + " comment\n";
}

HostKeyVerdict verdict(const std::string& file, const std::string& name, const std::string& key) {
  return check_host_key(parse_known_hosts(file), name, key).verdict;
}

}  // namespace

TEST_CASE("known_hosts: the lookup name carries the port unless it is 22") {
  CHECK(known_hosts_name("10.0.0.5", 22) == "10.0.0.5");
  CHECK(known_hosts_name("10.0.0.5", 2222) == "[10.0.0.5]:2222");
}

TEST_CASE("known_hosts: parsing skips comments, blank and malformed lines and reads markers") {
  std::string text = "# a comment\n\n" + line("web-01", "ssh-ed25519", k_ed) + "web-02 ssh-ed25519 not*base64\n" +
                     "only-a-host\n@bogus web-03 ssh-ed25519 " + base64_encode(k_ed) + "\n" +
                     "@revoked * ssh-ed25519 " + base64_encode(k_other) + "\r\n" + "@cert-authority *.example.com " +
                     "ssh-ed25519 " + base64_encode(k_ecdsa);
  auto lines = parse_known_hosts(text);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].line == 3);
  CHECK(lines[0].hosts == "web-01");
  CHECK(lines[0].key_type == "ssh-ed25519");
  CHECK(lines[0].key == k_ed);
  CHECK(lines[1].line == 7);
  CHECK(lines[1].marker == KnownHostLine::Marker::revoked);
  CHECK(lines[1].key == k_other);
  CHECK(lines[2].marker == KnownHostLine::Marker::cert_authority);
  CHECK(lines[2].hosts == "*.example.com");
}

TEST_CASE("known_hosts: host patterns, negation and case") {
  CHECK(host_field_matches("web-01,10.0.0.5", "10.0.0.5"));
  CHECK(host_field_matches("WEB-01", "web-01"));
  CHECK(host_field_matches("*.example.com", "db.example.com"));
  CHECK_FALSE(host_field_matches("*.example.com", "example.com"));
  CHECK(host_field_matches("10.0.0.?", "10.0.0.7"));
  CHECK_FALSE(host_field_matches("10.0.0.?", "10.0.0.17"));
  CHECK_FALSE(host_field_matches("*.example.com,!bad.example.com", "bad.example.com"));
  CHECK(host_field_matches("*.example.com,!bad.example.com", "good.example.com"));
  CHECK_FALSE(host_field_matches("!bad.example.com", "good.example.com"));  // negation alone matches nothing
  CHECK(host_field_matches("[10.0.0.5]:2222", "[10.0.0.5]:2222"));
  CHECK_FALSE(host_field_matches("[10.0.0.5]:2222", "10.0.0.5"));
  CHECK_FALSE(host_field_matches("10.0.0.5", "[10.0.0.5]:2222"));
}

TEST_CASE("known_hosts: hashed names as ssh-keygen -H writes them") {
  // Both lines made by OpenSSH's `ssh-keygen -H` from "web-01.example.com" and "[10.0.0.5]:2222".
  const std::string plain22 = "|1|NuhaqYp6AtvvC9eIaqOCG+1KRSc=|T2/2fEhjG+WSGKNe40RzeHtd0oQ=";
  const std::string port2222 = "|1|IoRGRZJHwcpVJQyjuXDoOgOxjFQ=|peePtpbHpDynTBtO3CdN7h/zSbY=";
  CHECK(host_field_matches(plain22, "web-01.example.com"));
  CHECK(host_field_matches(plain22, "WEB-01.example.com"));
  CHECK_FALSE(host_field_matches(plain22, "web-02.example.com"));
  CHECK_FALSE(host_field_matches(plain22, "[web-01.example.com]:2222"));
  CHECK(host_field_matches(port2222, "[10.0.0.5]:2222"));
  CHECK_FALSE(host_field_matches(port2222, "10.0.0.5"));
  CHECK_FALSE(host_field_matches("|1|bad|salt", "10.0.0.5"));
  auto file = line(port2222, "ssh-ed25519", k_ed);
  CHECK(verdict(file, "[10.0.0.5]:2222", k_ed) == HostKeyVerdict::known);
  CHECK(verdict(file, "[10.0.0.5]:2222", k_other) == HostKeyVerdict::changed);
  CHECK(verdict(file, "10.0.0.5", k_ed) == HostKeyVerdict::unknown);
}

TEST_CASE("known_hosts: a key of another type recorded for the host is a changed key") {
  auto file = line("web-01", "ecdsa-sha2-nistp256", k_ecdsa);
  auto check = check_host_key(parse_known_hosts(file), "web-01", k_ed);
  CHECK(check.verdict == HostKeyVerdict::changed);
  CHECK(check.line.key_type == "ecdsa-sha2-nistp256");
  CHECK(check.line.line == 1);
  // The same key under another host's entry does not make it known here.
  CHECK(verdict(line("web-02", "ssh-ed25519", k_ed), "web-01", k_ed) == HostKeyVerdict::unknown);
  // One matching line among others for the host is enough (a host has one key per type).
  CHECK(verdict(file + line("web-01", "ssh-ed25519", k_ed), "web-01", k_ed) == HostKeyVerdict::known);
}

TEST_CASE("known_hosts: plain entries are port 22 only, bracketed ones their port only") {
  auto plain = line("10.0.0.5", "ssh-ed25519", k_ed);
  CHECK(verdict(plain, known_hosts_name("10.0.0.5", 22), k_ed) == HostKeyVerdict::known);
  CHECK(verdict(plain, known_hosts_name("10.0.0.5", 2222), k_ed) == HostKeyVerdict::unknown);
  auto bracketed = line("[10.0.0.5]:2222", "ssh-ed25519", k_ed);
  CHECK(verdict(bracketed, known_hosts_name("10.0.0.5", 2222), k_ed) == HostKeyVerdict::known);
  CHECK(verdict(bracketed, known_hosts_name("10.0.0.5", 22), k_ed) == HostKeyVerdict::unknown);
  CHECK(verdict(bracketed, known_hosts_name("10.0.0.5", 2223), k_ed) == HostKeyVerdict::unknown);
  // Another port's different key does not make port 22's key changed.
  CHECK(verdict(bracketed + plain, "10.0.0.5", k_ed) == HostKeyVerdict::known);
  CHECK(verdict(line("[10.0.0.5]:2222", "ssh-ed25519", k_other), "10.0.0.5", k_ed) == HostKeyVerdict::unknown);
}

TEST_CASE("known_hosts: a revoked key is refused for every host, even where it is also recorded") {
  auto revoked = "@revoked some-other-host ssh-ed25519 " + base64_encode(k_ed) + "\n";
  auto file = line("web-01", "ssh-ed25519", k_ed) + revoked;
  auto check = check_host_key(parse_known_hosts(file), "web-01", k_ed);
  CHECK(check.verdict == HostKeyVerdict::revoked);
  CHECK(check.line.line == 2);
  CHECK(verdict(revoked, "[10.9.9.9]:2200", k_ed) == HostKeyVerdict::revoked);
  // Another key is judged by the plain lines as usual.
  CHECK(verdict(file, "web-01", k_other) == HostKeyVerdict::changed);
  CHECK(verdict(revoked, "web-01", k_other) == HostKeyVerdict::unknown);
}

TEST_CASE("known_hosts: @cert-authority is reported, not taken for an unknown host") {
  auto ca = "@cert-authority *.example.com ssh-ed25519 " + base64_encode(k_other) + "\n";
  CHECK(verdict(ca, "web.example.com", k_ed) == HostKeyVerdict::cert_authority);
  CHECK(verdict(ca, "web.other.org", k_ed) == HostKeyVerdict::unknown);
  // A plain key for the host still decides: it matches, or the key changed.
  CHECK(verdict(ca + line("web.example.com", "ssh-ed25519", k_ed), "web.example.com", k_ed) == HostKeyVerdict::known);
  CHECK(verdict(ca + line("web.example.com", "ssh-ed25519", k_ecdsa), "web.example.com", k_ed) ==
        HostKeyVerdict::changed);
}
