// The typed stack file: what a stack.yaml says, after parsing and validation.
// Every value that a later diagnostic may point at carries its SourcePos
// (1-based line/column in the stack file; {0,0} when the value was defaulted
// and the file says nothing about it). The schema is documented in
// docs/stack-file.md.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/diagnostic.h"
#include "util/result.h"

namespace foobar::stack {

// The tiers of a stack, in request order (the order tier_names() lists them in).
enum class Tier { lb, web, app, db };
inline constexpr std::array<Tier, 4> k_tiers = {Tier::lb, Tier::web, Tier::app, Tier::db};

// A set of tiers; lists them in k_tiers order.
class TierSet {
 public:
  TierSet() = default;
  void insert(Tier t) { m_bits |= bit(t); }
  bool has(Tier t) const { return (m_bits & bit(t)) != 0; }
  bool empty() const { return m_bits == 0; }
  std::vector<Tier> list() const;
  std::vector<std::string> names() const;  // "lb", "web", ...
  bool operator==(const TierSet&) const = default;

 private:
  static unsigned bit(Tier t) { return 1u << static_cast<unsigned>(t); }
  unsigned m_bits = 0;
};

// A value together with the place in the stack file it came from.
template <class T>
struct Located {
  T value{};
  SourcePos pos;

  const T& operator*() const { return value; }
  T& operator*() { return value; }
  const T* operator->() const { return &value; }
  T* operator->() { return &value; }
};

using Duration = std::chrono::milliseconds;

// A reference to a secret (`{ secret: NAME }`); the stack file never holds the
// secret itself. Resolved at apply time with resolve_secret().
struct SecretRef {
  std::string name;  // [A-Z0-9_]+
  SourcePos pos;     // of the `secret:` value
  std::string file;  // stack file the reference is in, for diagnostics
};

// SSH settings; in a Host these are effective (stack defaults merged with the
// host's own keys).
struct SshConfig {
  Located<std::string> user{"root", {}};
  Located<int> port{22, {}};
  std::optional<Located<std::string>> key;   // private key path (may start with ~/)
  std::optional<Located<std::string>> jump;  // name of a host to jump through
};

struct Host {
  Located<std::string> name;     // [a-z0-9-]+
  Located<std::string> address;  // IPv4 or IPv6 literal, validated
  SshConfig ssh;                 // effective settings
  SourcePos pos;                 // of the host's key in `hosts:`
  bool ipv6() const;
};

enum class RecordType { a, aaaa, cname, txt, mx };
// What a record's value turned out to be after validation.
enum class RecordTarget { address, host, vip, text };

struct DnsRecord {
  Located<std::string> name;  // relative to the domain; "@" is the apex
  Located<RecordType> type;
  Located<std::string> value;  // as written
  RecordTarget target = RecordTarget::text;
  std::string resolved;  // A/AAAA: the address the value denotes; else == value
  SourcePos pos;
};

struct Dns {
  Located<int> ttl{300, {}};
  std::optional<Located<std::string>> nameserver;  // host serving the zone
  // Hosts running NSD as secondaries: they transfer the zone from the nameserver
  // (AXFR on NOTIFY), signed with the TSIG key `transfer_key` (base64 secret).
  std::vector<Located<std::string>> secondaries;
  std::optional<SecretRef> transfer_key;
  std::vector<DnsRecord> records;
  SourcePos pos;
};

enum class Balance { roundrobin, leastconn, source, first, uri };

struct HealthCheck {
  Located<std::string> path{"/healthz", {}};
  Located<Duration> interval{Duration{2000}, {}};
  Located<int> rise{2, {}};
  Located<int> fall{3, {}};
  SourcePos pos;
};

// A floating IP held by one lb host at a time (keepalived/VRRP).
struct Vip {
  Located<std::string> address;
  Located<int> router_id;                      // VRRP virtual router id, 1..255
  Located<std::string> interface{"eth0", {}};  // interface on the lb hosts
  SourcePos pos;
};

struct Certificate {
  bool self_signed = true;         // `certificate: self-signed`
  std::optional<SecretRef> bundle;  // `certificate: { secret: NAME }`: PEM cert+key
  SourcePos pos;
};

struct Tls {
  Located<bool> enabled{true, {}};
  Certificate certificate;
  Located<bool> redirect_http{true, {}};  // answer plain HTTP with a redirect
  Located<bool> reencrypt{false, {}};     // TLS also from the lb to the web tier
  Located<int> port{443, {}};
  SourcePos pos;
};

// How a tier's hosts take a change that interrupts service: `rolling: { batch: N | "N%" }`.
// `batch` as written ("1", "2", "50%"); resolved against the tier's size by batch_size().
struct Rolling {
  Located<std::string> batch{"1", {}};
  SourcePos pos;
};

// The number of hosts a batch of `rolling` holds in a tier of `hosts` hosts: N, or
// N% of the hosts rounded down but at least 1; never more than the tier. nullopt when
// `batch` breaks its grammar (rolling_batch_problem in grammar.h).
std::optional<std::size_t> batch_size(std::string_view batch, std::size_t hosts);

struct LbTier {
  std::vector<Located<std::string>> hosts;
  Located<Balance> balance{Balance::roundrobin, {}};
  Located<int> port{80, {}};  // plain HTTP frontend
  HealthCheck health_check;
  std::optional<Vip> vip;
  std::optional<Tls> tls;
  std::optional<Rolling> rolling;
  SourcePos pos;
};

struct WebTier {
  std::vector<Located<std::string>> hosts;
  Located<int> port{80, {}};
  Located<std::string> server_name;  // defaults to www.<domain>
  Located<std::string> root{"/var/www/foobar", {}};
  std::vector<Located<std::string>> static_paths;  // key `static`
  // Hosts of `hosts` that take traffic only when every other one is down.
  std::vector<Located<std::string>> standby;
  std::optional<Rolling> rolling;
  SourcePos pos;
};

// An environment value: either literal text or a secret reference.
struct EnvValue {
  std::string literal;
  std::optional<SecretRef> secret;
  SourcePos pos;
};

struct AppTier {
  std::vector<Located<std::string>> hosts;
  Located<std::string> source;  // local directory copied to the hosts (relative to cwd)
  Located<std::string> path{"/opt/foobar", {}};
  Located<std::string> command;
  Located<int> port{8000, {}};
  Located<std::string> user{"www-data", {}};
  std::vector<std::pair<Located<std::string>, EnvValue>> environment;  // file order
  std::vector<Located<std::string>> standby;  // as WebTier::standby, for nginx's upstream
  std::optional<Rolling> rolling;
  SourcePos pos;
};

enum class DbEngine { mariadb, mysql };

struct DbUser {
  Located<std::string> name;
  SecretRef password;
  Located<std::string> from;  // CIDR the user may connect from
  std::vector<Located<std::string>> grants;  // e.g. "ALL PRIVILEGES ON foobar.*"
  SourcePos pos;
};

struct Replication {
  Located<std::string> user;
  SecretRef password;
  SourcePos pos;
};

struct DbTier {
  Located<DbEngine> engine{DbEngine::mariadb, {}};
  Located<std::string> primary;
  std::vector<Located<std::string>> replicas;
  Located<int> port{3306, {}};
  std::vector<Located<std::string>> databases;
  std::vector<DbUser> users;
  std::optional<Replication> replication;  // present whenever replicas exist
  SourcePos pos;
  // primary then replicas
  std::vector<std::string> host_names() const;
};

struct Tiers {
  std::optional<LbTier> lb;
  std::optional<WebTier> web;
  std::optional<AppTier> app;
  std::optional<DbTier> db;
  SourcePos pos;
};

enum class Proto { tcp, udp };

struct FirewallRule {
  std::vector<Located<std::string>> hosts;  // hosts the rule opens a port on
  Located<int> port;
  Located<Proto> proto{Proto::tcp, {}};
  std::vector<Located<std::string>> from;  // CIDRs; empty = anywhere
  SourcePos pos;
};

struct Firewall {
  Located<bool> enabled{true, {}};
  std::vector<Located<std::string>> admin_cidrs;  // may reach SSH and the collector UI
  std::vector<FirewallRule> rules;
  Located<bool> log_drops{false, {}};  // log dropped inbound packets (rate-limited)
  SourcePos pos;
};

// Host hardening foobarctl applies to every managed host.
struct Security {
  // sshd: no password or keyboard-interactive logins, root only with a key.
  Located<bool> ssh{true, {}};
  SourcePos pos;
};

enum class Exporter { node, nginx, haproxy, mysqld };
enum class AlertSeverity { info, warning, critical };

struct Alert {
  Located<std::string> name;
  Located<std::string> expr;  // PromQL
  Located<Duration> for_{Duration{0}, {}};  // key `for`
  Located<AlertSeverity> severity{AlertSeverity::warning, {}};
  SourcePos pos;
};

// Where Alertmanager sends the alerts: exactly one of `webhook` and `email` is set
// (an empty value is an absent key); `smarthost` and `from` go with `email`.
struct AlertReceiver {
  Located<std::string> webhook;    // http(s) URL, receives Alertmanager's JSON
  Located<std::string> email;      // address
  Located<std::string> smarthost;  // HOST:PORT of the SMTP relay
  Located<std::string> from;       // sender; default alertmanager@<domain>
  SourcePos pos;
};

struct Monitoring {
  Located<std::string> collector;  // host running Prometheus
  std::vector<Located<Exporter>> exporters;  // defaults to [node]
  Located<Duration> scrape_interval{Duration{15000}, {}};
  std::vector<Alert> alerts;
  std::vector<AlertReceiver> alerts_to;  // Alertmanager's receivers (none: alerts stay in Alertmanager)
  Located<std::string> logs_collector;   // monitoring.logs.collector; empty: the collector
  SourcePos pos;
  // The host every host ships its logs to.
  const std::string& log_collector() const { return logs_collector->empty() ? collector.value : logs_collector.value; }
};

struct Stack {
  std::string file;  // path as given to the loader
  Located<std::string> name;    // key `stack`
  Located<std::string> domain;
  Located<bool> protected_{false, {}};  // key `protected`: destroy refuses it without --force
  SshConfig ssh_defaults;       // `defaults.ssh`, with built-in defaults filled in
  std::vector<Host> hosts;      // file order
  std::optional<Dns> dns;
  Tiers tiers;
  std::optional<Firewall> firewall;  // absent = no firewall managed
  std::optional<Monitoring> monitoring;
  Security security;

  const Host* find_host(std::string_view name) const;
  bool has_tier(Tier t) const;
  // Tier names ("lb", "web", "app", "db") present in the stack, in that order.
  std::vector<std::string> tier_names() const;
  // Host names of one tier; empty if absent.
  std::vector<std::string> hosts_of_tier(Tier tier) const;
  // Tiers a host carries (tiers_of_host: their names, in the order of tier_names()).
  TierSet tier_set_of(std::string_view host) const;
  std::vector<std::string> tiers_of_host(std::string_view host) const;
  bool firewall_enabled() const { return firewall && firewall->enabled.value; }
  bool tls_enabled() const;
  // The host serving the zone with NSD: dns.nameserver, else the first lb host, else
  // the first web host, else the first host; "" without dns.
  std::string nameserver_host() const;
  // Whether `host` is listed as standby in tier `tier` (web or app).
  bool is_standby(Tier tier, std::string_view host) const;
  bool is_standby(std::string_view tier, std::string_view host) const;
};

// Parses and validates a stack file. On failure the result holds every
// diagnostic found (sorted by position), never just the first.
Result<Stack> load_stack(const std::string& path);
Result<Stack> parse_stack(std::string_view text, const std::string& file_name);

// The semantic checks (references, addresses, uniqueness, ...) on an already
// built Stack; parse_stack runs them too. Empty when the stack is valid.
Diagnostics validate_stack(const Stack& stack);

// Where secrets come from: the environment (FOOBAR_SECRET_<NAME>) first, then an
// optional secrets file of KEY=VALUE lines.
struct SecretSource {
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
  EnvLookup env;           // unset = the process environment
  std::string file;        // empty = no secrets file
};

Result<std::string> resolve_secret(const SecretRef& ref, const SecretSource& source);
// Every secret the stack refers to, in file order, each name once.
std::vector<SecretRef> secret_refs(const Stack& stack);
// Parses a secrets file: KEY=VALUE per line, blank lines and # comments ignored,
// optional matching quotes around VALUE.
Result<std::map<std::string, std::string>> parse_secrets_file(std::string_view text,
                                                              const std::string& file_name);

// Names used in the stack file, for messages and templates.
const char* to_string(Tier t);
// "lb" -> Tier::lb; nullopt for any other name.
std::optional<Tier> parse_tier(std::string_view name);
const char* to_string(RecordType t);
const char* to_string(Balance b);
const char* to_string(DbEngine e);
const char* to_string(Proto p);
const char* to_string(Exporter e);
const char* to_string(AlertSeverity s);
// "2s", "500ms", "1m", "1h" (the largest unit that divides evenly).
std::string format_duration(Duration d);

}  // namespace foobar::stack
