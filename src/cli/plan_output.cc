#include "cli/plan_output.h"

#include <cstdio>

#include "util/strings.h"

namespace foobar::cli {

namespace {

const char* sign(ActionType t) {
  switch (t) {
    case ActionType::create: return "+";
    case ActionType::update: return "~";
    case ActionType::destroy: return "-";
    case ActionType::reload:
    case ActionType::restart: return "*";
    case ActionType::noop: return " ";
  }
  return " ";
}

const char* colour(ActionType t) {
  switch (t) {
    case ActionType::create: return "\033[32m";
    case ActionType::update: return "\033[33m";
    case ActionType::destroy: return "\033[31m";
    default: return "\033[36m";
  }
}

std::string headline(const Action& a) {
  std::string line = std::string(sign(a.type)) + " " + to_string(a.type) + " " + to_string(a.kind) + " " + a.name;
  if (!a.reasons.empty()) line += " (" + join(a.reasons, "; ") + ")";
  if (a.handler && a.type != ActionType::reload && a.type != ActionType::restart)
    line += ", then " + std::string(to_string(*a.handler));
  if (!a.notified_by.empty()) line += " <- " + join(a.notified_by, ", ");
  return line;
}

int unchanged(const HostPlan& hp) {
  int n = 0;
  for (const auto& a : hp.actions) n += !a.changes();
  return n;
}

}  // namespace

std::string plan_text(const Plan& plan, bool color) {
  const std::string reset = color ? "\033[0m" : "", bold = color ? "\033[1m" : "";
  std::string out;
  for (const auto& hp : plan.hosts) {
    if (!hp.reachable) {
      out += bold + hp.host + reset + ": " + (color ? "\033[31m" : "") + "unreachable: " + hp.unreachable_reason +
             reset + "\n\n";
      continue;
    }
    out += bold + hp.host + reset;
    if (hp.lock.held) out += " (apply lock held by " + hp.lock.holder + ")";
    out += "\n";
    for (const auto& a : hp.actions) {
      if (!a.changes()) continue;
      out += "  " + (color ? colour(a.type) : std::string()) + headline(a) + reset + "\n";
      if (a.sensitive && a.type != ActionType::destroy) out += "      (sensitive content hidden)\n";
      if (!a.diff.empty()) {
        std::size_t pos = 0;
        while (pos < a.diff.size()) {
          std::size_t nl = a.diff.find('\n', pos);
          std::string line = a.diff.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
          const char* c = !color ? "" : line.rfind("+", 0) == 0 ? "\033[32m" : line.rfind("-", 0) == 0 ? "\033[31m" : "";
          out += "      " + std::string(c) + line + reset + "\n";
          if (nl == std::string::npos) break;
          pos = nl + 1;
        }
      }
    }
    out += "  (" + std::to_string(unchanged(hp)) + " unchanged)\n";
    for (const auto& f : hp.facts) out += "  fact: " + f + "\n";
    out += "\n";
  }
  for (const auto& d : plan.diagnostics) out += d.to_string() + "\n";
  const auto s = plan.summary();
  if (!plan.has_changes() && plan.complete())
    out += "No changes. The hosts match the stack.\n";
  else
    out += summary_line(s) + "\n";
  return out;
}

std::string plan_markdown(const Plan& plan) {
  std::string out = "## foobarctl plan: " + plan.stack + "\n\n**" + summary_line(plan.summary()) + "**\n";
  for (const auto& hp : plan.hosts) {
    out += "\n### " + hp.host + "\n\n";
    if (!hp.reachable) {
      out += "Unreachable: " + hp.unreachable_reason + "\n";
      continue;
    }
    bool any = false;
    for (const auto& a : hp.actions) {
      if (!a.changes()) continue;
      any = true;
      out += "- `" + headline(a) + "`\n";
      if (a.sensitive && a.type != ActionType::destroy) out += "  (sensitive content hidden)\n";
      if (!a.diff.empty()) out += "\n```diff\n" + a.diff + (a.diff.back() == '\n' ? "" : "\n") + "```\n\n";
    }
    if (!any) out += "No changes.\n";
    for (const auto& f : hp.facts) out += "\n- fact: " + f + "\n";
  }
  return out;
}

bool plan_format_known(const std::string& command, const std::string& format) {
  if (format == "human" || format == "json" || format == "markdown") return true;
  std::fprintf(stderr, "%s: --format must be human, json or markdown, not '%s'\n", command.c_str(), format.c_str());
  return false;
}

}  // namespace foobar::cli
