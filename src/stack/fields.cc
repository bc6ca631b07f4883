#include "stack/fields.h"

namespace foobar::stack {

const FieldSpec* ObjectSpec::find(std::string_view key) const {
  for (const auto& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

std::vector<std::string> ObjectSpec::keys() const {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.key);
  return out;
}

namespace spec {

using T = FieldType;

namespace {
const char* kHostList = "host names, each defined under `hosts`";
const char* kMemberList =
    "host names, each defined under `hosts`, or { host: NAME, standby: true } for a standby (see standby)";
}  // namespace

const ObjectSpec& secret() {
  static const ObjectSpec s{"secret", "a secret by name; its value comes from FOOBAR_SECRET_<NAME> or a secrets file",
                            {{"secret", T::string, "the secret's name: A-Z, 0-9 and _", true}}};
  return s;
}

const ObjectSpec& ssh() {
  static const ObjectSpec s{"ssh", "how foobarctl reaches a host",
                            {{"user", T::string, "the SSH user", false, "\"root\""},
                             {"port", T::integer, "the SSH port, 1..65535", false, "22"},
                             {"key", T::string, "private key file; ~/ is the user's home (default: agent, ssh defaults)"},
                             {"jump", T::string, "a host of this stack to jump through"}}};
  return s;
}

const ObjectSpec& defaults() {
  static const ObjectSpec s{"defaults", "settings applied to every host",
                            {{"ssh", T::object, "SSH settings every host starts from", false, "", {}, &ssh()}}};
  return s;
}

const ObjectSpec& host() {
  static const ObjectSpec s{"hosts.<name>", "one machine of the stack",
                            {{"address", T::string, "IPv4 or IPv6 literal, unique among hosts", true},
                             {"ssh", T::object, "overrides defaults.ssh key by key", false, "", {}, &ssh()}}};
  return s;
}

const ObjectSpec& record() {
  static const ObjectSpec s{
      "dns.records[]", "one record of the zone",
      {{"name", T::string, "@ (the domain itself) or a name relative to the domain", true},
       {"type", T::enumeration, "the record type", true, "", {"A", "AAAA", "CNAME", "TXT", "MX"}},
       {"value", T::string,
        "A/AAAA: an address, a host name or vip; CNAME: a DNS name; MX: PRIORITY NAME; TXT: text", true}}};
  return s;
}

const ObjectSpec& dns() {
  static const ObjectSpec s{
      "dns", "the domain's zone, served by NSD",
      {{"ttl", T::integer, "record TTL in seconds, 1..604800", false, "300"},
       {"nameserver", T::string, "the host serving the zone (default: the first host a record points at)"},
       {"secondaries", T::string_list,
        "hosts running NSD as secondaries: they transfer the zone from the nameserver (AXFR on NOTIFY)", false,
        "[]"},
       {"transfer_key", T::secret,
        "TSIG key (HMAC-SHA256, base64) signing the zone transfers; required with secondaries"},
       {"records", T::object_list, "the zone's records", false, "[]", {}, &record()}}};
  return s;
}

const ObjectSpec& member() {
  static const ObjectSpec s{"tiers.hosts[]", "a host of a web or app tier, with its role",
                            {{"host", T::string, "a host defined under `hosts`", true},
                             {"standby", T::boolean, "the host gets traffic only when every other one is down",
                              false, "false"}}};
  return s;
}

const ObjectSpec& health_check() {
  static const ObjectSpec s{"tiers.lb.health_check", "how HAProxy checks each backend",
                            {{"path", T::string, "path starting with /", false, "\"/healthz\""},
                             {"interval", T::duration, "time between checks, at least 100ms", false, "\"2s\""},
                             {"rise", T::integer, "successes before a backend is up, 1..100", false, "2"},
                             {"fall", T::integer, "failures before a backend is down, 1..100", false, "3"}}};
  return s;
}

const ObjectSpec& vip() {
  static const ObjectSpec s{"tiers.lb.vip", "a floating IP held by one lb host (keepalived/VRRP)",
                            {{"address", T::string, "the floating address; not any host's address", true},
                             {"router_id", T::integer, "VRRP virtual router id, 1..255, unique on the network", true},
                             {"interface", T::string, "interface the address is added to", false, "\"eth0\""}}};
  return s;
}

const ObjectSpec& tls() {
  static const ObjectSpec s{
      "tiers.lb.tls", "HTTPS terminated at the lb",
      {{"enabled", T::boolean, "", false, "true"},
       {"certificate", T::certificate,
        "self-signed (each lb makes its own) or { secret: NAME } holding a PEM bundle, certificate + key", false,
        "\"self-signed\""},
       {"redirect_http", T::boolean, "plain HTTP answers with a redirect to HTTPS", false, "true"},
       {"reencrypt", T::boolean, "also TLS from the lb to the web tier", false, "false"},
       {"port", T::integer, "the HTTPS port, 1..65535", false, "443"}}};
  return s;
}

const ObjectSpec& rolling() {
  static const ObjectSpec s{"tiers.TIER.rolling", "how a change that interrupts service rolls over the tier's hosts",
                            {{"batch", T::string,
                              "hosts changed at a time: N (1..1000) or \"N%\" of the tier (1..100, at least one host)",
                              false, "1"}}};
  return s;
}

const ObjectSpec& lb() {
  static const ObjectSpec s{
      "tiers.lb", "HAProxy",
      {{"hosts", T::string_list, kHostList},
       {"balance", T::enumeration, "the balancing algorithm", false, "\"roundrobin\"",
        {"roundrobin", "leastconn", "source", "first", "uri"}},
       {"port", T::integer, "the plain HTTP frontend port, 1..65535", false, "80"},
       {"health_check", T::object, "how backends are checked", false, "", {}, &health_check()},
       {"vip", T::object, "a floating IP shared by the lb hosts", false, "", {}, &vip()},
       {"tls", T::object, "HTTPS at the lb (default: HTTP only)", false, "", {}, &tls()},
       {"rolling", T::object, "batches of a change that reloads or restarts HAProxy or keepalived", false, "", {},
        &rolling()}}};
  return s;
}

const ObjectSpec& web() {
  static const ObjectSpec s{
      "tiers.web", "nginx",
      {{"hosts", T::host_list, kMemberList, false, "", {}, &member()},
       {"port", T::integer, "1..65535", false, "80"},
       {"server_name", T::string, "DNS name (default: www.<domain>)"},
       {"root", T::string, "absolute path of the static files", false, "\"/var/www/foobar\""},
       {"static", T::string_list, "locations served from root (paths starting with /); the rest goes to the app",
        false, "[]"},
       {"standby", T::string_list,
        "hosts of this tier the lb sends traffic to only when every other one is down (HAProxy backup)", false,
        "[]"},
       {"rolling", T::object, "batches of a change that reloads nginx", false, "", {}, &rolling()}}};
  return s;
}

const ObjectSpec& app() {
  static const ObjectSpec s{
      "tiers.app", "the application server",
      {{"hosts", T::host_list, kMemberList, false, "", {}, &member()},
       {"source", T::string, "local directory copied to the hosts, relative to the directory foobarctl runs in",
        true},
       {"path", T::string, "absolute path the source goes to", false, "\"/opt/foobar\""},
       {"command", T::string, "the server's command line", true},
       {"port", T::integer, "1..65535", false, "8000"},
       {"user", T::string, "the user the server runs as", false, "\"www-data\""},
       {"environment", T::environment, "variables for the server: a string or { secret: NAME } each", false,
        "{}"},
       {"standby", T::string_list,
        "hosts of this tier nginx sends requests to only when every other one is down (upstream backup)", false,
        "[]"},
       {"rolling", T::object, "batches of a change that restarts the app server", false, "", {}, &rolling()}}};
  return s;
}

const ObjectSpec& db_user() {
  static const ObjectSpec s{"tiers.db.users[]", "a database user",
                            {{"name", T::string, "A-Za-z0-9_, at most 32 characters, unique", true},
                             {"password", T::secret, "the user's password", true},
                             {"from", T::string, "CIDR the user may connect from", true},
                             {"grants", T::string_list, "PRIVILEGES ON db.table, e.g. ALL PRIVILEGES ON foobar.*",
                              false, "[]"}}};
  return s;
}

const ObjectSpec& replication() {
  static const ObjectSpec s{"tiers.db.replication", "the account replicas replicate with",
                            {{"user", T::string, "A-Za-z0-9_; not also an application user", true},
                             {"password", T::secret, "its password", true}}};
  return s;
}

const ObjectSpec& db() {
  static const ObjectSpec s{
      "tiers.db", "MariaDB / MySQL",
      {{"engine", T::enumeration, "mysql installs MariaDB on Debian 12", false, "\"mariadb\"", {"mariadb", "mysql"}},
       {"primary", T::string, "the host taking the writes", true},
       {"replicas", T::string_list, "read replicas; not the primary, each once", false, "[]"},
       {"port", T::integer, "1..65535", false, "3306"},
       {"databases", T::string_list, "databases created on the primary (A-Za-z0-9_)", false, "[]"},
       {"users", T::object_list, "database users", false, "[]", {}, &db_user()},
       {"replication", T::object, "required when there are replicas", false, "", {}, &replication()}}};
  return s;
}

const ObjectSpec& tiers() {
  static const ObjectSpec s{"tiers", "what the hosts run; at least one tier",
                            {{"lb", T::object, "HAProxy load balancers", false, "", {}, &lb()},
                             {"web", T::object, "nginx web servers", false, "", {}, &web()},
                             {"app", T::object, "application servers", false, "", {}, &app()},
                             {"db", T::object, "MariaDB/MySQL primary and replicas", false, "", {}, &db()}}};
  return s;
}

const ObjectSpec& rule() {
  static const ObjectSpec s{"firewall.rules[]", "an extra allowed flow",
                            {{"hosts", T::string_list, "hosts the port is opened on", true},
                             {"port", T::integer, "1..65535", true},
                             {"proto", T::enumeration, "", false, "\"tcp\"", {"tcp", "udp"}},
                             {"from", T::string_list, "CIDRs allowed in (default: anywhere)"}}};
  return s;
}

const ObjectSpec& firewall() {
  static const ObjectSpec s{"firewall", "nftables on every host",
                            {{"enabled", T::boolean, "", false, "true"},
                             {"admin_cidrs", T::string_list, "CIDRs that may reach SSH and the collector; not empty "
                                                             "when enabled",
                              false, "[]"},
                             {"rules", T::object_list, "extra allowed flows", false, "[]", {}, &rule()},
                             {"log_drops", T::boolean,
                              "log dropped inbound packets to the kernel log, rate-limited, prefixed with the host's "
                              "name",
                              false, "false"}}};
  return s;
}

const ObjectSpec& security() {
  static const ObjectSpec s{"security", "hardening foobarctl applies to every managed host",
                            {{"ssh", T::boolean,
                              "sshd: password and keyboard-interactive logins off, root only with a key "
                              "(a drop-in checked with sshd -t)",
                              false, "true"}}};
  return s;
}

const ObjectSpec& alert() {
  static const ObjectSpec s{"monitoring.alerts[]", "a Prometheus alerting rule",
                            {{"name", T::string, "[A-Za-z_][A-Za-z0-9_]*, unique", true},
                             {"expr", T::string, "PromQL", true},
                             {"for", T::duration, "", false, "\"0s\""},
                             {"severity", T::enumeration, "", false, "\"warning\"", {"info", "warning", "critical"}}}};
  return s;
}

const ObjectSpec& alert_receiver() {
  static const ObjectSpec s{"monitoring.alerts_to[]", "where Alertmanager sends alerts: a webhook or an e-mail address",
                            {{"webhook", T::string, "http:// or https:// URL receiving Alertmanager's JSON", false},
                             {"email", T::string, "address the alerts are mailed to", false},
                             {"smarthost", T::string, "HOST:PORT of the SMTP relay (with email)", false},
                             {"from", T::string, "sender address (with email)", false, "\"alertmanager@<domain>\""}}};
  return s;
}

const ObjectSpec& logs() {
  static const ObjectSpec s{"monitoring.logs", "central logs: every host ships its logs to one host over TLS",
                            {{"collector", T::string,
                              "the host that keeps every host's logs (default: monitoring.collector)", false}}};
  return s;
}

const ObjectSpec& monitoring() {
  static const ObjectSpec s{
      "monitoring", "exporters and a Prometheus collector",
      {{"collector", T::string, "the host running Prometheus", true},
       {"exporters", T::enum_list, "each at most once; node runs on every host", false, "[\"node\"]",
        {"node", "nginx", "haproxy", "mysqld"}},
       {"scrape_interval", T::duration, "at least 1s", false, "\"15s\""},
       {"alerts", T::object_list, "alerting rules", false, "[]", {}, &alert()},
       {"alerts_to", T::object_list, "Alertmanager's receivers on the collector", false, "[]", {},
        &alert_receiver()},
       {"logs", T::object, "central logs (rsyslog over TLS); on whenever monitoring is", false, "", {}, &logs()}}};
  return s;
}

const ObjectSpec& root() {
  static const ObjectSpec s{
      "", "a foobarctl stack file",
      {{"stack", T::string, "the stack's name: a-z, 0-9 and -", true},
       {"domain", T::string, "the site's domain, e.g. foobar.com", true},
       {"protected", T::boolean, "destroy refuses a protected stack unless given --force", false, "false"},
       {"defaults", T::object, "settings applied to every host", false, "", {}, &defaults()},
       {"hosts", T::object_map, "every machine of the stack, by name (a-z, 0-9 and -)", true, "", {}, &host()},
       {"dns", T::object, "records of the domain's zone", false, "", {}, &dns()},
       {"tiers", T::object, "lb, web, app and db", true, "", {}, &tiers()},
       {"firewall", T::object, "nftables on every host (default: no firewall managed)", false, "", {}, &firewall()},
       {"monitoring", T::object, "exporters and a Prometheus collector", false, "", {}, &monitoring()},
       {"security", T::object, "hardening of every managed host (default: sshd hardened)", false, "", {},
        &security()}}};
  return s;
}

}  // namespace spec

const ObjectSpec& stack_spec() { return spec::root(); }

}  // namespace foobar::stack
