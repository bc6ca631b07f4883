// Values derived from a whole stack, computed once per compile: who talks to whom
// (HAProxy backends, nginx upstreams), MySQL server ids, VRRP priorities, scrape
// targets, DNS entry hosts, and one HostModel per host (model.h: tiers, roles,
// firewall flows, ...). Templates only print these; the per-host context
// (context.h), the resources (resources.h) and the diagram read them from here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compile/model.h"
#include "stack/stack.h"

namespace foobar::compile {

// Fixed ports of the services the stack does not configure.
inline constexpr int k_prometheus_port = 9090;
inline constexpr int k_node_exporter_port = 9100;
inline constexpr int k_nginx_exporter_port = 9113;
inline constexpr int k_mysqld_exporter_port = 9104;
inline constexpr int k_haproxy_stats_port = 8404;
inline constexpr int k_alertmanager_port = 9093;
// RELP over TLS: every host ships its logs to the log collector here.
inline constexpr int k_logs_port = 2514;
// HAProxy's runtime API socket (templates/haproxy.cfg.j2 opens it) and the backend
// of the web hosts there: rolling applies drain web hosts through them.
inline constexpr const char* k_haproxy_runtime_socket = "/run/haproxy/admin.sock";
// keepalived's track file: a non-zero value puts the host's VRRP instance in FAULT, so
// the floating IP moves to the peer (rolling changes, src/remote/roll.sh).
inline constexpr const char* k_keepalived_hold_file = "/etc/keepalived/foobar-hold";
inline constexpr const char* k_haproxy_web_backend = "be_web";
// The frontend the site's requests arrive at (its counters are the LB's request rate).
inline constexpr const char* k_haproxy_frontend = "fe_http";
// nginx's access log of the site: one line a request (status counts them).
inline constexpr const char* k_nginx_access_log = "/var/log/nginx/foobar.access.log";
// How long nginx leaves an app host out of its upstream after failures (fail_timeout).
// Short, so a host back from a restart gets requests again soon: a rolling apply waits
// this long after a host's gate before it stops the next one.
inline constexpr int k_upstream_fail_timeout_seconds = 3;

// The stack's monitoring CA (a PEM certificate) and each host's certificate bundle
// (certificate, then key) signed by it: the exporters serve metrics with the host's
// certificate and admit only clients of this CA; Prometheus scrapes with the
// collector's. Secrets, as every certificate of the stack ('foobarctl lab up' issues
// them from the lab's CA).
inline constexpr const char* k_monitoring_ca_secret = "MONITORING_CA";
// "MONITORING_TLS_WEB_01" for web-01 (secret names are [A-Z0-9_]+).
std::string monitoring_cert_secret(const std::string& host);

struct Endpoint {
  std::string name;
  std::string address;
  int port = 0;
  bool backup = false;  // a standby: sent traffic only when every other one is down
};

struct ScrapeJob {
  std::string job;
  std::vector<Endpoint> targets;  // address:port is printed from these
  bool up_only = false;  // only whether the target answers matters: its samples are dropped
};

struct ZoneRecord {
  std::string name;  // relative to the zone; "@" is the apex
  std::string type;
  std::string value;
  std::optional<int> ttl;  // none: the zone's TTL
};

struct Topology {
  const stack::Stack* stack = nullptr;
  // One host carries everything: services talk over loopback (stack 0).
  bool single_host = false;
  std::unordered_map<std::string, std::string> address;  // host name -> address

  std::vector<Endpoint> lb_hosts;   // port unused
  std::vector<Endpoint> backends;   // web hosts as HAProxy servers
  std::vector<Endpoint> upstreams;  // app hosts as nginx upstream members
  std::vector<std::string> entry_hosts;  // DNS zone hosts: the LBs, else the web hosts
  std::unordered_map<std::string, int> server_id;  // db host -> MySQL server_id
  std::unordered_map<std::string, int> vrrp_priority;  // lb host -> priority (with vip)
  std::vector<ScrapeJob> jobs;
  std::string server_name;  // the site's name (web.server_name or www.<domain>)
  std::vector<std::string> server_aliases;  // other names DNS points at the entry
  std::string health_path;
  bool tls = false;        // TLS terminated at the LBs
  bool reencrypt = false;  // ... and again from the LBs to nginx
  std::vector<ZoneRecord> zone_records;  // the stack's records, ns1, one A per host
  std::uint32_t dns_serial = 0;
  // The host serving the zone with NSD (ns1): dns.nameserver, else the first entry host.
  std::string nameserver;
  // Every nameserver, the primary first, then dns.secondaries (ns2, ns3, ...).
  std::vector<std::string> nameservers;

  // Stack::hosts_of_tier, computed once (a linear scan).
  std::map<stack::Tier, std::vector<std::string>> tier_members;
  // The hosts' models, in stack order.
  std::vector<HostModel> hosts;
  std::unordered_map<std::string, std::size_t> host_index;  // name -> index in hosts

  // The model of a host of the stack (std::out_of_range for another name).
  const HostModel& host(const std::string& name) const;
  HostModel& host(const std::string& name);
  const std::vector<std::string>& hosts_of(stack::Tier tier) const;
  bool carries(const std::string& host, stack::Tier tier) const;
  bool has_exporter(stack::Exporter e) const;
  bool is_collector(const std::string& host) const;
  bool is_entry(const std::string& host) const;
  bool is_nameserver(const std::string& host) const;
  // "ns1" for the primary, "ns2"... for the secondaries, in order.
  static std::string ns_label(std::size_t index) { return "ns" + std::to_string(index + 1); }
  // The address other hosts of the stack use to reach `host` (loopback in a
  // single-host stack).
  std::string service_address(const std::string& host) const;
  const std::string& address_of(const std::string& host) const;
};

// The names a host's monitoring certificate must hold, the subject first: its name,
// its FQDN, "IP:" its address (Prometheus scrapes addresses and verifies them) and,
// on a load balancer, "IP:" the floating IP (the `vip` job scrapes through it).
std::vector<std::string> monitoring_cert_names(const Topology& t, const std::string& host);

// dns_serial: taken as is when set (e.g. kept monotonic in a manifest); otherwise
// derived from the records, so it changes exactly when they do.
Topology derive_topology(const stack::Stack& stack, std::optional<std::uint32_t> dns_serial = {});

// The port nginx serves the site on: to the load balancers over TLS on their own
// `tls.port` when they re-encrypt to the web tier, else on `web.port`. The firewall,
// HAProxy's servers, the diagram and the rolling gates all take it from here.
int web_serving_port(const stack::Stack& stack);
// Whether the load balancers re-encrypt to the web tier (TLS from them to nginx).
bool reencrypts(const stack::Stack& stack);

// "10.77.0.0/24" -> "10.77.0.%", "10.0.0.1/32" -> "10.0.0.1", other prefixes
// "addr/netmask" (the MySQL/MariaDB account host syntax); IPv6 and "any" -> "%".
std::string mysql_host_pattern(const std::string& cidr);

}  // namespace foobar::compile
