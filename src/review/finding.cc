#include "review/finding.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "review/checks.h"

namespace foobar::review {

using Sev = FindingSeverity;

const char* to_string(FindingSeverity s) {
  switch (s) {
    case Sev::error: return "error";
    case Sev::warning: return "warning";
    case Sev::info: return "info";
  }
  return "error";
}

namespace {

std::string place(const Finding& f) {
  std::string out = f.file;
  if (f.pos.line > 0) out += ":" + std::to_string(f.pos.line) + ":" + std::to_string(f.pos.column);
  return out;
}

std::string subject(const Finding& f) {
  std::string out = f.tier.empty() ? "" : "tier " + f.tier;
  if (!f.hosts.empty()) out += (out.empty() ? "" : ", ") + std::string("hosts ") + detail::join(f.hosts);
  return out.empty() ? "stack" : out;
}

}  // namespace

std::string format_text(const Findings& findings) {
  std::string out;
  int counts[3] = {0, 0, 0};
  for (const auto& f : findings) {
    ++counts[static_cast<int>(f.severity)];
    out += place(f) + ": " + to_string(f.severity) + " [" + f.code + "] " + f.message + "\n";
    out += "    concerns: " + subject(f) + "\n";
    out += "    why: " + f.why + "\n";
    out += "    fix: " + f.fix + "\n";
  }
  out += std::to_string(counts[0]) + " error(s), " + std::to_string(counts[1]) + " warning(s), " +
         std::to_string(counts[2]) + " info\n";
  return out;
}

std::string format_json(const Findings& findings) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  nlohmann::ordered_json summary = {{"error", 0}, {"warning", 0}, {"info", 0}};
  for (const auto& f : findings) {
    summary[to_string(f.severity)] = summary[to_string(f.severity)].get<int>() + 1;
    list.push_back({{"code", f.code},
                    {"severity", to_string(f.severity)},
                    {"file", f.file},
                    {"line", f.pos.line},
                    {"column", f.pos.column},
                    {"tier", f.tier},
                    {"hosts", f.hosts},
                    {"message", f.message},
                    {"why", f.why},
                    {"fix", f.fix}});
  }
  nlohmann::ordered_json doc = {{"findings", list}, {"summary", summary}};
  return doc.dump(2) + "\n";
}

int exit_code(const Findings& findings) {
  bool err = std::any_of(findings.begin(), findings.end(),
                         [](const Finding& f) { return f.severity == Sev::error; });
  return err ? 3 : 0;
}

}  // namespace foobar::review
