#include "facts/status.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "facts/probe.h"
#include "remote/library.h"
#include "util/base64.h"

namespace foobar {

namespace {

// The counters of one sample: HAProxy's rows and each log's line count.
void sample(const StatusRequest& r, std::vector<std::string>& calls) {
  if (!r.haproxy_socket.empty()) calls.push_back(remote::call("status_hap", {r.haproxy_socket}));
  for (const auto& log : r.logs) calls.push_back(remote::call("status_lines", {log}));
}

std::optional<double> number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string text(s);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

std::optional<long long> whole(std::string_view s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::vector<std::string> status_calls(const StatusRequest& r) {
  // The probe's header and end frame the records, so its own parser reads the
  // service and replica records (one meaning of "running" and "replicating").
  std::vector<std::string> calls{remote::call("fb_probe_begin", {std::to_string(k_probe_version), "0", "0"})};
  calls.push_back(remote::call("status_host", {r.manifest}));
  if (!r.services.empty()) calls.push_back(remote::call("fact_services", r.services));
  if (r.replica) calls.push_back(remote::call("fb_replica_status"));
  for (const auto& a : r.addresses) calls.push_back(remote::call("status_address", {a}));
  if (!r.prometheus_url.empty() && !r.queries.empty()) {
    std::vector<std::string> args{r.prometheus_url};
    args.insert(args.end(), r.queries.begin(), r.queries.end());
    calls.push_back(remote::call("status_prom", args));
  }
  if (r.sample_seconds > 0 && (!r.haproxy_socket.empty() || !r.logs.empty())) {
    sample(r, calls);
    calls.push_back(remote::call("status_pause", {std::to_string(r.sample_seconds)}));
    sample(r, calls);
  }
  calls.push_back(remote::call("fb_probe_end"));
  return calls;
}

namespace {

// One "status\t..." record into `st`; what is wrong with it, or nothing.
std::string parse_status_record(HostStatus& st, const std::vector<std::string_view>& f, std::string_view line) {
  const std::string_view kind = f.size() > 1 ? f[1] : std::string_view{};
  if (kind == "uptime" && f.size() == 3) {
    st.uptime_seconds = whole(f[2]);
    return st.uptime_seconds ? "" : "uptime is not a number";
  }
  if (kind == "applied" && f.size() == 3) {
    if (f[2] == "none") return "";
    st.applied = whole(f[2]);
    return st.applied ? "" : "the manifest's time is not a number";
  }
  if (kind == "address" && f.size() == 4 && (f[3] == "held" || f[3] == "absent")) {
    st.addresses[std::string(f[2])] = f[3] == "held";
    return "";
  }
  if (kind == "hap" && f.size() == 8) {
    auto t = number(f[2]);
    auto n = number(f[6]);
    auto e = number(f[7]);
    if (!t || !n || !e) return "HAProxy counters are not numbers";
    if (st.hap.empty() || st.hap.back().time != *t) st.hap.push_back(HapSample{*t, {}});
    st.hap.back().rows.push_back(HapRow{std::string(f[3]), std::string(f[4]), std::string(f[5]), *n, *e});
    return "";
  }
  if (kind == "lines" && f.size() == 5) {
    auto t = number(f[2]);
    auto n = number(f[4]);
    if (!t || !n) return "a log's line count is not a number";
    st.lines[std::string(f[3])].push_back(LineSample{*t, *n});
    return "";
  }
  if (kind == "prom" && f.size() == 5 && (f[3] == "ok" || f[3] == "error")) {
    auto i = whole(f[2]);
    auto body = base64_decode(f[4]);
    if (!i || *i < 0 || !body) return "a Prometheus answer is malformed";
    st.prom[static_cast<std::size_t>(*i)] = PromAnswer{f[3] == "ok", std::move(*body)};
    return "";
  }
  return "unknown status record '" + std::string(line.substr(0, 60)) + "'";
}

}  // namespace

Result<HostStatus> parse_status_output(const std::string& host, std::string_view out) {
  HostStatus st;
  st.host = host;
  std::string rest;  // the probe's own records
  Diagnostics errors;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < out.size()) {
    auto nl = out.find('\n', pos);
    auto line = out.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? out.size() : nl + 1;
    ++line_no;
    if (line.rfind("status\t", 0) != 0) {
      rest.append(line).push_back('\n');
      continue;
    }
    if (auto what = parse_status_record(st, split_record(line), line); !what.empty())
      errors.push_back(Diagnostic::error(host, SourcePos{line_no, 0},
                                         "status output line " + std::to_string(line_no) + ": " + what));
  }
  if (!errors.empty()) return errors;
  auto facts = parse_probe_output(host, rest);
  if (!facts) return facts.diagnostics();
  st.facts = std::move(*facts);
  return st;
}

std::optional<double> counter_rate(const std::vector<std::pair<double, double>>& samples) {
  if (samples.size() < 2) return std::nullopt;
  double total = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    double d = samples[i].second - samples[i - 1].second;
    total += d >= 0 ? d : samples[i].second;
  }
  double secs = samples.back().first - samples.front().first;
  if (secs <= 0) return std::nullopt;
  return total / secs;
}

std::vector<std::pair<double, double>> hap_series(const std::vector<HapSample>& samples, const std::string& proxy,
                                                  const std::string& server, bool errors_5xx) {
  std::vector<std::pair<double, double>> out;
  for (const auto& s : samples)
    for (const auto& row : s.rows)
      if (row.proxy == proxy && row.server == server) out.emplace_back(s.time, errors_5xx ? row.errors_5xx : row.requests);
  return out;
}

Result<std::vector<PromValue>> parse_prom_vector(const std::string& where, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Diagnostic::error(where, "Prometheus answered something that is not JSON: " + body.substr(0, 120));
  if (j.value("status", "") != "success")
    return Diagnostic::error(where, "Prometheus refused the query: " + j.value("error", std::string("no reason given")));
  const nlohmann::json& data = j["data"];
  if (!data.is_object() || data.value("resultType", "") != "vector" || !data.contains("result") ||
      !data.at("result").is_array())
    return Diagnostic::error(where, "Prometheus's answer is not an instant vector");
  std::vector<PromValue> out;
  for (const auto& r : data.at("result")) {
    if (!r.is_object() || !r.contains("value")) continue;
    const auto& value = r.at("value");
    if (!value.is_array() || value.size() != 2 || !value.at(1).is_string()) continue;
    PromValue v;
    auto n = number(value.at(1).get<std::string>());
    if (!n || !std::isfinite(*n)) continue;  // NaN and Inf are not figures to show
    v.value = *n;
    if (r.contains("metric") && r.at("metric").is_object())
      for (const auto& [k, val] : r.at("metric").items())
        if (val.is_string()) v.labels[k] = val.get<std::string>();
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace foobar
