// What `foobarctl status` reads off one host in one round trip: the script
// (src/remote/status.sh, with the probe's service and replica records), and its
// output parsed. Both halves are pure functions; what to ask each host is the
// caller's (cli/cmd_status.cc, from the compiled stack).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "facts/facts.h"
#include "util/result.h"

namespace foobar {

struct StatusRequest {
  std::string manifest;               // the stack's manifest path on the host
  std::vector<std::string> services;  // the services the stack runs there
  bool replica = false;               // a database host: ask its replica status
  std::vector<std::string> addresses; // addresses it may hold (the floating IP)
  std::string haproxy_socket;         // HAProxy's runtime API; "" when none
  std::vector<std::string> logs;      // logs of one line a request (nginx's access log)
  int sample_seconds = 0;             // > 0: sample the counters twice, this far apart
  std::string prometheus_url;         // the collector's own API ("http://127.0.0.1:9090"); "" when none
  std::vector<std::string> queries;   // PromQL instant queries to it
};

// The remote calls (remote::call) of the request, in order.
std::vector<std::string> status_calls(const StatusRequest& request);

// One HAProxy row of one sample: a frontend (server "FRONTEND") or a server.
struct HapRow {
  std::string proxy;
  std::string server;
  std::string status;     // UP, DOWN, DRAIN, MAINT, OPEN (a frontend)...
  double requests = 0;    // req_tot for a frontend; answered responses for a server
  double errors_5xx = 0;  // hrsp_5xx
};

struct HapSample {
  double time = 0;  // epoch seconds
  std::vector<HapRow> rows;
};

struct LineSample {
  double time = 0;
  double count = 0;
};

struct PromAnswer {
  bool ok = false;
  std::string body;  // the API's JSON answer, or curl's error
};

// One value of a Prometheus instant vector: its labels and value.
struct PromValue {
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct HostStatus {
  std::string host;
  std::optional<long long> uptime_seconds;
  std::optional<long long> applied;             // epoch seconds the manifest was written
  std::map<std::string, bool> addresses;        // address -> held here
  std::vector<HapSample> hap;                   // in sample order
  std::map<std::string, std::vector<LineSample>> lines;  // log -> samples
  std::map<std::size_t, PromAnswer> prom;       // query index -> answer
  Facts facts;                                  // services, db.replica
};

Result<HostStatus> parse_status_output(const std::string& host, std::string_view out);

// The per-second rate of a counter between its first and its last sample; nullopt
// with fewer than two samples or no time between them. A counter that went down (a
// restart, a rotated log) counts from zero.
std::optional<double> counter_rate(const std::vector<std::pair<double, double>>& samples);

// HAProxy's rows of `proxy`/`server` across the samples, as (time, requests) and
// (time, 5xx) pairs for counter_rate.
std::vector<std::pair<double, double>> hap_series(const std::vector<HapSample>& samples, const std::string& proxy,
                                                  const std::string& server, bool errors_5xx = false);

// The values of an instant-vector answer of the Prometheus HTTP API; an error names
// what was wrong (the API's own error, or not a vector).
Result<std::vector<PromValue>> parse_prom_vector(const std::string& where, const std::string& body);

}  // namespace foobar
