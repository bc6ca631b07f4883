#include "cli/roll_policy.h"

#include <doctest/doctest.h>

#include "stack/stack.h"

namespace foobar::cli {

namespace {

struct Roll {
  std::vector<TierRoll> rolls;
  RollPolicy policy;
  Roll() {
    TierRoll web{"web", {{"web-01"}, {"web-02"}}, {}};
    web.interrupting["web-01"] = {"reload service nginx"};
    web.interrupting["web-02"] = {"reload service nginx", "restart service foobar-app"};
    rolls.push_back(web);
    policy.guards["web-01"] = HostGuard{{GuardCall{"lb-01", RemoteCall{"roll_hap_drain", {}}, "drain in HAProxy on lb-01"}},
                                        {GuardCall{"web-01", RemoteCall{"roll_http_gate", {}}, "gate: nginx answers"}}};
  }
};

}  // namespace

TEST_CASE("the roll in the plan: text, markdown and JSON say the same batches, interruptions, drains and gates") {
  Roll r;
  CHECK(roll_text(r.rolls, r.policy) ==
        "\nRolling (a batch at a time, tier after tier; other hosts change in parallel):\n"
        "  tier web: 2 hosts in 2 batches\n"
        "    batch 1: web-01\n"
        "      web-01: interrupts service: reload service nginx\n"
        "        before: drain in HAProxy on lb-01\n"
        "        after:  gate: nginx answers\n"
        "    batch 2: web-02\n"
        "      web-02: interrupts service: reload service nginx, restart service foobar-app\n"
        "  A failed gate stops the roll there; the hosts not yet changed keep serving.\n");
  const std::string md = roll_markdown(r.rolls, r.policy);
  CHECK(md.find("\n### Rolling\n") != std::string::npos);
  CHECK(md.find("  - batch 2: `web-02`\n") != std::string::npos);
  CHECK(md.find("    - `web-02`: interrupts service: `reload service nginx`, `restart service foobar-app`\n") !=
        std::string::npos);
  CHECK(md.find("      - before: drain in HAProxy on lb-01\n") != std::string::npos);
  auto j = roll_json(r.rolls, r.policy);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["tier"] == "web");
  CHECK(j[0]["batches"] == nlohmann::json::parse(R"([["web-01"], ["web-02"]])"));
  CHECK(j[0]["hosts"]["web-01"]["drains"] == nlohmann::json::parse(R"(["drain in HAProxy on lb-01"])"));
  CHECK(j[0]["hosts"]["web-01"]["gates"] == nlohmann::json::parse(R"(["gate: nginx answers"])"));
  CHECK(j[0]["hosts"]["web-02"]["interrupts"].size() == 2);
  CHECK(j[0]["hosts"]["web-02"]["drains"].empty());
  // A restart of the primary: named apart, in both spellings; nothing when no write pauses.
  r.policy.write_primary = "db-01";
  const std::string text = roll_text(r.rolls, r.policy, {"restart service mariadb"});
  CHECK(text.find("\nInterrupts writes: db-01 (the database primary): restart service mariadb; writes pause until it "
                  "is back, the replicas keep serving reads.\n") != std::string::npos);
  CHECK(roll_markdown({}, r.policy, {"restart service mariadb"})
            .find("**Interrupts writes:** `db-01` (the database primary): `restart service mariadb`") != std::string::npos);
  CHECK(roll_text(r.rolls, r.policy, {}) == roll_text(r.rolls, r.policy));
  // Nothing rolls: no section, an empty list.
  CHECK(roll_text({}, r.policy).empty());
  CHECK(roll_markdown({}, r.policy).empty());
  CHECK(roll_json({}, r.policy) == nlohmann::json::array());
}

TEST_CASE("the roll in the plan: hosts joining and leaving a tier, around the reloads of the tiers after it") {
  TierRoll web{"web", {}, {}};
  web.joining["web-03"] = {"start service nginx"};
  web.leaving["web-04"] = {"destroy service nginx"};
  web.reloads = {"lb-01", "lb-02"};
  RollPolicy policy;
  policy.guards["web-03"] = HostGuard{{GuardCall{"lb-01", RemoteCall{"roll_hap_drain", {}}, "drain in HAProxy on lb-01"}},
                                      {GuardCall{"web-03", RemoteCall{"roll_http_gate", {}}, "gate: nginx answers"}}};
  CHECK(roll_text({web}, policy) ==
        "\nRolling (a batch at a time, tier after tier; other hosts change in parallel):\n"
        "  tier web: 1 joining, 1 leaving\n"
        "    joins: web-03: start service nginx; gated before lb-01, lb-02 change\n"
        "        after:  gate: nginx answers\n"
        "    leaves: web-04: destroy service nginx; only after lb-01, lb-02 changed (and passed their gates), which "
        "stop sending it requests\n"
        "  A failed gate stops the roll there; the hosts not yet changed keep serving.\n");
  CHECK(roll_markdown({web}, policy).find("  - joins: `web-03`: `start service nginx`; gated before `lb-01`, `lb-02` change\n") !=
        std::string::npos);
  auto j = roll_json({web}, policy);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["batches"].empty());
  CHECK(j[0]["joining"]["web-03"]["gates"] == nlohmann::json::parse(R"(["gate: nginx answers"])"));
  CHECK(j[0]["leaving"]["web-04"]["after"] == nlohmann::json::parse(R"(["lb-01", "lb-02"])"));
}

TEST_CASE("roll policy of stack 3: the MASTER moves the floating IP to the BACKUP, for stops and restarts only") {
  auto st = stack::load_stack("stacks/3-scale-up.yaml");
  REQUIRE(st.ok());
  RollOptions stay;
  stay.move_floating_ip = false;
  CHECK(roll_policy(*st, stay)->guards.at("lb-01").move.empty());
  auto p = roll_policy(*st, RollOptions{});  // on by default
  REQUIRE(p.ok());
  const HostGuard& master = p->guards.at("lb-01");
  CHECK(master.move_services == std::vector<std::string>{"haproxy", "keepalived"});
  REQUIRE(master.move.size() == 2);
  CHECK(master.move[0].host == "lb-01");
  CHECK(master.move[0].call.function == "roll_vip_hold");
  CHECK(master.move[0].call.args == std::vector<std::string>{"/etc/keepalived/foobar-hold", "10.77.0.10", "20"});
  CHECK(master.move[1].host == "lb-02");
  CHECK(master.move[1].what == "the floating IP 10.77.0.10 is on lb-02");
  REQUIRE(master.move_back.size() == 1);
  CHECK(master.move_back[0].call.function == "roll_vip_release");
  CHECK(p->guards.at("lb-02").move.empty());  // the BACKUP holds nothing
  // In the plan's roll: the move as the first drain, the way back as the last gate.
  TierRoll lb{"lb", {{"lb-02"}, {"lb-01"}}, {{"lb-02", {"restart service keepalived"}}, {"lb-01", {"restart service keepalived"}}}};
  lb.moves_ip = {"lb-01"};
  auto j = roll_json({lb}, *p);
  CHECK(j[0]["hosts"]["lb-01"]["moves_ip"] == true);
  CHECK(j[0]["hosts"]["lb-01"]["drains"][0] == "move the floating IP 10.77.0.10 to lb-02 (keepalived track file)");
  CHECK(j[0]["hosts"]["lb-01"]["gates"].back() == "the floating IP 10.77.0.10 back on lb-01");
  CHECK(j[0]["hosts"]["lb-02"]["drains"].empty());
  CHECK(roll_text({lb}, *p).find("        before: the floating IP 10.77.0.10 is on lb-02\n") != std::string::npos);
  CHECK(roll_markdown({lb}, *p).find("      - after: the floating IP 10.77.0.10 back on lb-01\n") != std::string::npos);
}

}  // namespace foobar::cli
