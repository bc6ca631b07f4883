#include "apply/pipeline.h"

#include <stdexcept>

#include "util/base64.h"

namespace foobar {

remote::Invocation pipeline_invocation(const std::vector<PipelineStep>& steps) {
  std::vector<std::string> calls;
  std::string payload;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const RemoteOp& op = steps[i].op;
    if (op.input_from) throw std::logic_error("an operation reading another host's output is not pipelined");
    std::vector<std::string> args{std::to_string(i), std::to_string(op.input.size()), op.call.function};
    args.insert(args.end(), op.call.args.begin(), op.call.args.end());
    calls.push_back(remote::call("fb_step", args));
    for (const auto& c : steps[i].then) calls.push_back(c.text());
    payload += op.input;
  }
  return remote::invoke(calls, payload);
}

// Parses what fb_step (src/remote/common.sh) prints: step N STATUS BASE64_OUTPUT.
Result<std::vector<StepResult>> parse_step_records(const std::string& host, std::string_view out) {
  std::vector<StepResult> steps;
  std::size_t pos = 0;
  int line = 0;
  while (pos < out.size()) {
    auto nl = out.find('\n', pos);
    std::string_view l = out.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? out.size() : nl + 1;
    ++line;
    if (l.empty()) continue;
    std::vector<std::string_view> f;
    for (std::size_t s = 0;;) {
      auto t = l.find('\t', s);
      f.push_back(l.substr(s, t == std::string_view::npos ? std::string_view::npos : t - s));
      if (t == std::string_view::npos) break;
      s = t + 1;
    }
    auto bad = [&](const std::string& what) {
      return Diagnostic::error(host, "apply output line " + std::to_string(line) + ": " + what + ": '" +
                                         std::string(l.substr(0, 60)) + "'");
    };
    if ((f.size() != 4 && f.size() != 5) || f[0] != "step") return bad("expected a step record");
    StepResult r;
    try {
      r.op = std::stoul(std::string(f[1]));
      r.status = std::stoi(std::string(f[2]));
      if (f.size() == 5) r.ms = std::stol(std::string(f[4]));
    } catch (const std::exception&) {
      return bad("malformed step number or status");
    }
    auto output = base64_decode(f[3]);
    if (!output) return bad("invalid base64 output");
    r.output = std::move(*output);
    steps.push_back(std::move(r));
  }
  return steps;
}

}  // namespace foobar
