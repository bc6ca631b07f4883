#include "facts/status.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "util/base64.h"

using namespace foobar;

TEST_CASE("status calls: the probe's frame, two samples only when asked, Prometheus on the collector") {
  StatusRequest q;
  q.manifest = "/var/lib/foobarctl/s.json";
  q.services = {"haproxy", "keepalived"};
  q.addresses = {"10.77.0.10"};
  q.haproxy_socket = "/run/haproxy/admin.sock";
  auto calls = status_calls(q);
  REQUIRE(calls.size() == 5);
  CHECK(calls.front().rfind("fb_probe_begin ", 0) == 0);
  CHECK(calls.back() == "fb_probe_end");
  CHECK(calls[1] == "status_host '/var/lib/foobarctl/s.json'");
  CHECK(calls[2] == "fact_services 'haproxy' 'keepalived'");
  CHECK(calls[3] == "status_address '10.77.0.10'");
  q.sample_seconds = 3;
  calls = status_calls(q);
  int hap = 0, pause = 0;
  for (const auto& c : calls) {
    hap += c.rfind("status_hap ", 0) == 0;
    pause += c == "status_pause '3'";
  }
  CHECK(hap == 2);
  CHECK(pause == 1);
  StatusRequest c;
  c.prometheus_url = "http://10.77.0.51:9090";
  c.queries = {"up", "sum by (host) (rate(x{proxy=\"fe_http\"}[1m]))"};
  c.replica = true;
  calls = status_calls(c);
  CHECK(std::find(calls.begin(), calls.end(), "fb_replica_status") != calls.end());
  CHECK(std::find(calls.begin(), calls.end(),
                  "status_prom 'http://10.77.0.51:9090' 'up' 'sum by (host) (rate(x{proxy=\"fe_http\"}[1m]))'") !=
        calls.end());
}

TEST_CASE("status output: its own records, and the probe's service and replica records") {
  const std::string answer = R"({"status":"success","data":{"resultType":"vector","result":[]}})";
  std::string out = "foobar-probe\t1\n"
                    "status\tuptime\t3600\n"
                    "status\tapplied\t1764670000\n"
                    "svc\thaproxy\trunning\tenabled\n"
                    "svc\tkeepalived\tstopped\tenabled\n"
                    "replica\tstatus\tYes\tYes\t10.77.0.41\t2\t0-1-40\n"
                    "status\taddress\t10.77.0.10\theld\n"
                    "status\thap\t100.0\tfe_http\tFRONTEND\tOPEN\t10\t1\n"
                    "status\thap\t100.0\tbe_web\tweb-01\tUP\t4\t0\n"
                    "status\thap\t105.0\tfe_http\tFRONTEND\tOPEN\t60\t2\n"
                    "status\thap\t105.0\tbe_web\tweb-01\tUP\t29\t0\n"
                    "status\tlines\t100.5\t/var/log/nginx/foobar.access.log\t7\n"
                    "status\tprom\t0\tok\t" +
                    base64_encode(answer) + "\nend\tok\n";
  auto st = parse_status_output("lb-01", out);
  REQUIRE(st);
  CHECK(st->uptime_seconds == 3600);
  CHECK(st->applied == 1764670000);
  CHECK(st->addresses.at("10.77.0.10"));
  CHECK(st->facts.services.at("haproxy").running);
  CHECK_FALSE(st->facts.services.at("keepalived").running);
  REQUIRE(st->facts.db.replica);
  CHECK(st->facts.db.replica->seconds_behind == "2");
  REQUIRE(st->hap.size() == 2);
  CHECK(*counter_rate(hap_series(st->hap, "fe_http", "FRONTEND")) == doctest::Approx(10.0));
  CHECK(*counter_rate(hap_series(st->hap, "fe_http", "FRONTEND", true)) == doctest::Approx(0.2));
  CHECK(*counter_rate(hap_series(st->hap, "be_web", "web-01")) == doctest::Approx(5.0));
  CHECK_FALSE(counter_rate(hap_series(st->hap, "be_web", "web-02")));
  CHECK(st->lines.at("/var/log/nginx/foobar.access.log").size() == 1);
  CHECK(st->prom.at(0).body == answer);

  // A cut-short answer is an error, not an empty status.
  auto cut = parse_status_output("lb-01", "foobar-probe\t1\nstatus\tuptime\t5\n");
  CHECK_FALSE(cut);
  auto bad = parse_status_output("lb-01", "foobar-probe\t1\nstatus\thap\tx\tfe\tFRONTEND\tOPEN\t1\t0\nend\tok\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("not numbers") != std::string::npos);
  auto unknown = parse_status_output("lb-01", "foobar-probe\t1\nstatus\tweird\t1\nend\tok\n");
  CHECK_FALSE(unknown);
}

TEST_CASE("counter rates: over the samples' time, a reset counts from zero") {
  CHECK_FALSE(counter_rate({}));
  CHECK_FALSE(counter_rate({{1, 5}}));
  CHECK_FALSE(counter_rate({{1, 5}, {1, 9}}));
  CHECK(*counter_rate({{0, 100}, {2, 120}}) == doctest::Approx(10));
  // 100 -> 120 (+20), restart, 0 -> 6 (+6): 26 in 4 s.
  CHECK(*counter_rate({{0, 100}, {2, 120}, {4, 6}}) == doctest::Approx(6.5));
}

TEST_CASE("Prometheus answers: an instant vector's labels and values, errors named") {
  auto v = parse_prom_vector("mon-01", R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"host":"lb-01"},"value":[1764670000.1,"12.5"]},
      {"metric":{"host":"lb-02"},"value":[1764670000.1,"NaN"]},
      {"metric":{},"value":[1764670000.1,"3"]}]}})");
  REQUIRE(v);
  REQUIRE(v->size() == 2);
  CHECK(v->at(0).labels.at("host") == "lb-01");
  CHECK(v->at(0).value == doctest::Approx(12.5));
  CHECK(v->at(1).labels.empty());
  auto err = parse_prom_vector("mon-01", R"({"status":"error","errorType":"bad_data","error":"parse error"})");
  REQUIRE_FALSE(err);
  CHECK(err.error().message.find("parse error") != std::string::npos);
  CHECK_FALSE(parse_prom_vector("mon-01", "<html>"));
  CHECK_FALSE(parse_prom_vector("mon-01", R"({"status":"success","data":{"resultType":"matrix","result":[]}})"));
  CHECK_FALSE(parse_prom_vector("mon-01", R"({"status":"success","data":{"resultType":"vector"}})"));
}
