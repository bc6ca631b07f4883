#include "lab/lab.h"
#include "lab/client.h"

#include <doctest/doctest.h>

using namespace foobar::lab;

namespace {
bool mentions(const foobar::Status& st, const std::string& part) {
  for (const auto& d : st.diagnostics())
    if (d.message.find(part) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("lab validation accepts hosts inside 10.77.0.0/24") {
  CHECK(validate_lab("demo", {{"web-01", "10.77.0.11"}, {"db", "10.77.0.254"}}).ok());
}

TEST_CASE("lab validation rejects addresses outside the lab subnet and reserved ones") {
  auto outside = validate_lab("demo", {{"web", "10.78.0.11"}});
  REQUIRE_FALSE(outside.ok());
  CHECK(mentions(outside, "outside the lab subnet"));
  CHECK_FALSE(validate_lab("demo", {{"web", "192.168.1.5"}}).ok());
  CHECK_FALSE(validate_lab("demo", {{"web", "not-an-ip"}}).ok());
  auto reserved = validate_lab("demo", {{"web", "10.77.0.1"}});
  REQUIRE_FALSE(reserved.ok());
  CHECK(mentions(reserved, "reserved"));
  CHECK_FALSE(validate_lab("demo", {{"web", "10.77.0.255"}}).ok());
}

TEST_CASE("lab validation rejects bad names, duplicates and empty labs") {
  CHECK_FALSE(validate_lab("Demo", {{"web", "10.77.0.2"}}).ok());
  CHECK_FALSE(validate_lab("demo", {{"web_01", "10.77.0.2"}}).ok());
  CHECK_FALSE(validate_lab("demo", {{"-web", "10.77.0.2"}}).ok());
  auto dup = validate_lab("demo", {{"web", "10.77.0.2"}, {"web", "10.77.0.2"}});
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.diagnostics().size() == 2);
  CHECK_FALSE(validate_lab("demo", {}).ok());
}

TEST_CASE("lab state survives a JSON round trip") {
  LabState s;
  s.name = "demo";
  s.dir = "/var/lib/foobarctl/lab/demo";
  s.key = s.dir + "/id_ed25519";
  s.known_hosts = s.dir + "/known_hosts";
  s.bridge_created = true;
  s.hosts.push_back({"web-01", "10.77.0.11", "fbl-demo.web-01", "fblv0", s.dir + "/hosts/web-01", 41, 42});
  s.hosts.push_back({"db-01", "10.77.0.21", "fbl-demo.db-01", "fblv1", s.dir + "/hosts/db-01", 43, 0, LabInit::systemd});
  auto back = state_from_json(state_to_json(s), "state.json");
  REQUIRE(back.ok());
  CHECK(back->bridge_created);
  REQUIRE(back->hosts.size() == 2);
  CHECK(back->hosts[0].init == LabInit::sysv);
  CHECK(back->hosts[1].init == LabInit::systemd);
  CHECK(back->hosts[1].pid == 43);
  CHECK(back->hosts[0].netns == "fbl-demo.web-01");
  CHECK(back->hosts[0].init_pid == 42);
  CHECK(back->find("10.77.0.11") == &back->hosts[0]);
  CHECK(back->find("web-01") == &back->hosts[0]);
  CHECK(back->find("db") == nullptr);
  CHECK_FALSE(state_from_json("{\"name\": 1}", "state.json").ok());
}

TEST_CASE("sshd_answers is false where nothing listens") {
  CHECK_FALSE(sshd_answers("127.0.0.1", 1, 200));
}

TEST_CASE("lab init kinds: systemd and sysv by name, anything else a clear error") {
  CHECK(parse_lab_init("systemd").value() == LabInit::systemd);
  CHECK(parse_lab_init("sysv").value() == LabInit::sysv);
  CHECK(std::string(to_string(LabInit::systemd)) == "systemd");
  auto bad = parse_lab_init("upstart");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("use systemd") != std::string::npos);
  // state.json written before hosts knew their init reads as sysv hosts
  auto old = state_from_json(R"({"name":"d","dir":"/x","key":"/x/k","known_hosts":"/x/kh","hosts":[
    {"name":"h","address":"10.77.0.2","netns":"fbl-d.h","veth":"fblv0","base":"/x/hosts/h"}]})", "state.json");
  REQUIRE(old.ok());
  CHECK(old->hosts[0].init == LabInit::sysv);
  CHECK_FALSE(state_from_json(R"({"name":"d","dir":"/x","key":"/x/k","known_hosts":"/x/kh","hosts":[
    {"name":"h","address":"10.77.0.2","netns":"fbl-d.h","veth":"fblv0","base":"/x/hosts/h","init":"rc"}]})",
                              "state.json").ok());
}

TEST_CASE("the lab client's resolv.conf names every nameserver, in order") {
  std::string text = client_resolv_conf({"10.77.0.11", "10.77.0.22"});
  auto first = text.find("nameserver 10.77.0.11\n"), second = text.find("nameserver 10.77.0.22\n");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  CHECK(first < second);
  CHECK(text.find("options timeout:1 attempts:2\n") != std::string::npos);
  CHECK(client_resolv_conf({}).find("\nnameserver ") == std::string::npos);
}
