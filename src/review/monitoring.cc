// Monitoring: a collector, an exporter on every host, an alert on the request rate, a receiver.
#include <algorithm>

#include "review/checks.h"
#include "review/review.h"

namespace foobar::review::detail {

namespace {

// Whether the collector scrapes an exporter on `host`: compile's scrape jobs list
// every exporter target (node everywhere, the others on the tier they watch).
// Prometheus scraping itself and the floating IP's up-only target are no exporter.
bool scraped(const compile::Topology& t, const std::string& host) {
  return std::any_of(t.jobs.begin(), t.jobs.end(), [&](const compile::ScrapeJob& j) {
    return !j.up_only && std::any_of(j.targets.begin(), j.targets.end(), [&](const compile::Endpoint& e) {
             return e.name == host && e.port != compile::k_prometheus_port;
           });
  });
}

}  // namespace

void check_monitoring(const Ctx& c) {
  if (!c.s.monitoring) {
    c.add("MON-NONE", Sev::warning, c.s.name.pos, "monitoring", used_hosts(c.t),
          "nothing monitors the stack",
          "outages, full disks, replication breaks and load growth go unnoticed until users report "
          "them, and there is no history to size the next step from",
          "add monitoring: { collector: HOST, exporters: [node, nginx, haproxy, mysqld], alerts: [...] }");
    return;
  }
  const auto& mon = *c.s.monitoring;
  for (const auto& h : used_hosts(c.t)) {
    if (scraped(c.t, h)) continue;
    c.add("MON-NO-EXPORTER", Sev::warning, mon.pos, "monitoring", {h},
          "host " + h + " runs no exporter, so the collector cannot see it",
          "its failure or resource exhaustion raises no alert",
          "add 'node' to monitoring.exporters (it runs on every host)");
  }
  bool qps = std::any_of(mon.alerts.begin(), mon.alerts.end(),
                         [](const auto& a) { return expr_mentions_request_rate(a.expr.value); });
  if (!qps)
    c.add("MON-NO-QPS-ALERT", Sev::warning, mon.pos, "monitoring", {mon.collector.value},
          "no alert watches the request rate (web QPS)",
          "a traffic spike or a sudden drop to zero (the site unreachable) goes unnoticed",
          "add an alert such as expr: \"sum(rate(haproxy_frontend_http_requests_total[1m])) > 100\"");
  if (mon.alerts_to.empty())
    c.add("MON-NO-RECEIVER", Sev::info, mon.pos, "monitoring", {mon.collector.value},
          "alerts reach no one: monitoring.alerts_to names no receiver",
          "firing alerts wait in Alertmanager on the collector until someone looks at it",
          "add alerts_to: [{ webhook: URL }] or [{ email: ADDRESS, smarthost: HOST:PORT }]");
}

}  // namespace foobar::review::detail
