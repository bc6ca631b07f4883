// The rolling policy of a stack (apply/rolling.h), from its compiled topology: the
// app, web and lb tiers in that order (the lb pair BACKUP first), their batches, and
// the drains and gates around each host.
#pragma once

#include <optional>
#include <string>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "apply/rolling.h"
#include "stack/stack.h"
#include "util/result.h"

namespace foobar::cli {

struct RollOptions {
  bool enabled = true;                // false: --no-rolling
  std::optional<std::string> batch;   // --batch N|N%: every tier's batch
  // Move the floating IP off the MASTER before a stop or restart of HAProxy or
  // keepalived there, and back after its gates (docs/rolling.md, "The LB pair").
  bool move_floating_ip = true;
};

// Bounds of the waits, in seconds.
inline constexpr int k_drain_seconds = 10;
inline constexpr int k_gate_seconds = 20;

// Fails when --batch breaks the grammar of rolling.batch.
Result<RollPolicy> roll_policy(const stack::Stack& stack, const RollOptions& options);

// --batch and --no-rolling (plan and apply).
void add_roll_options(cxxopts::Options& opts);
// The policy the options ask for; prints the problem with --batch and returns
// nothing when it is invalid.
std::optional<RollPolicy> roll_policy(const stack::Stack& stack, const cxxopts::ParseResult& parsed);

// The roll as the plan shows it: per tier its batches in order, what interrupts
// service on each host, its drains and gates. Empty when nothing rolls.
// Then, apart, the actions that interrupt writes (apply/rolling.h, write_interruptions).
std::string roll_text(const std::vector<TierRoll>& rolls, const RollPolicy& policy,
                      const std::vector<std::string>& writes = {});
// The same as markdown (plan --format markdown), and as the JSON plan's "roll": one
// object per tier, {tier, batches: [[host...]...], hosts: {HOST: {interrupts, drains,
// gates}}}.
std::string roll_markdown(const std::vector<TierRoll>& rolls, const RollPolicy& policy,
                          const std::vector<std::string>& writes = {});
nlohmann::json roll_json(const std::vector<TierRoll>& rolls, const RollPolicy& policy);

}  // namespace foobar::cli
