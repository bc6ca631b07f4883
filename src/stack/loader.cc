// Stack file -> Stack: the stack's grammar, which mappings and fields a stack file
// has and how each is read, on the typed YAML reader (yaml_reader.h) and the field
// table (fields.h). Literal secrets are refused here. The semantic checks live in
// validate.cc and run on the typed result.
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "stack/fields.h"
#include "stack/stack.h"
#include "stack/utf8.h"
#include "stack/yaml_reader.h"
#include "util/file.h"

namespace foobar::stack {

namespace {

using yaml::Entry;
using yaml::Keys;
using yaml::MapView;
using yaml::file_error;

bool is_env_secret_name(std::string_view name) {
  static const std::set<std::string> words = {"PASSWORD", "PASSWD", "PASS",  "PWD",
                                              "SECRET",   "TOKEN",  "KEY",   "APIKEY",
                                              "PRIVATE",  "CREDENTIALS"};
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::size_t start = 0;
  while (start <= upper.size()) {
    std::size_t end = upper.find_first_of("_-.", start);
    if (end == std::string::npos) end = upper.size();
    if (words.count(upper.substr(start, end - start))) return true;
    start = end + 1;
  }
  return false;
}

class Loader : public yaml::Reader {
 public:
  using Reader::Reader;

  // A tier's hosts: names, or { host: NAME, standby: BOOL } mappings; a standby one is
  // also added to `standby`.
  void get_members(const MapView& m, std::string_view key, std::vector<Located<std::string>>& hosts,
                   std::vector<Located<std::string>>& standby) {
    spec_of(m, key);
    const Entry* e = m.get(key);
    if (!e) return;
    each_item(*e, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
      if (!item.IsMap()) {
        if (auto s = str(item, pos, path)) hosts.push_back({*s, pos});
        return;
      }
      auto im = map(item, pos, path, spec::member());
      if (!im) return;
      Located<std::string> host;
      Located<bool> is_standby{false, {}};
      get(*im, "host", host);
      get(*im, "standby", is_standby);
      if (host->empty()) return;
      hosts.push_back(host);
      if (is_standby.value) standby.push_back(host);
    });
  }

  // `{ secret: NAME }`. A plain string here is a secret written into the file.
  std::optional<SecretRef> secret(const YAML::Node& n, SourcePos at, const std::string& path) {
    if (n.IsScalar()) {
      error(at, "'" + path +
                    "' holds a literal secret; secrets never go into the stack file: use "
                    "{ secret: NAME } and provide FOOBAR_SECRET_NAME or a secrets file");
      return std::nullopt;
    }
    if (!n.IsMap()) {
      error(at, "'" + path + "' must be { secret: NAME }, got " + describe(n));
      return std::nullopt;
    }
    auto m = map(n, at, path, spec::secret());
    if (!m) return std::nullopt;
    const Entry* e = required(*m, "secret", "write { secret: NAME }");
    if (!e) return std::nullopt;
    auto name = str(e->value, e->value_pos, e->path);
    if (!name) return std::nullopt;
    return SecretRef{*name, e->value_pos, file()};
  }

  void get_secret(const MapView& m, std::string_view key, SecretRef& out) {
    out.pos = m.pos;
    out.file = file();
    if (const Entry* e = required(m, key, "write { secret: NAME }"))
      if (auto s = secret(e->value, e->value_pos, e->path)) out = *s;
  }

  Stack load(const YAML::Node& root, SourcePos root_pos);

 private:
  void load_ssh(const Entry& e, SshConfig& ssh);
  void load_hosts(const Entry& e, Stack& s);
  void load_dns(const Entry& e, Stack& s);
  void load_tiers(const Entry& e, Stack& s);
  void load_lb(const Entry& e, LbTier& lb);
  void load_tls(const Entry& e, Tls& tls);
  void load_rolling(const MapView& tier, std::optional<Rolling>& out);
  void load_web(const Entry& e, WebTier& web);
  void load_app(const Entry& e, AppTier& app);
  void load_db(const Entry& e, DbTier& db);
  void load_firewall(const Entry& e, Stack& s);
  void load_monitoring(const Entry& e, Stack& s);
};

Stack Loader::load(const YAML::Node& root, SourcePos root_pos) {
  Stack s;
  s.file = file();
  if (root.IsNull()) {
    error(root_pos, "the stack file is empty; it must be a mapping with at least 'stack', "
                    "'domain', 'hosts' and 'tiers'");
    return s;
  }
  if (!root.IsMap()) {
    error(pos_of(root, root_pos),
          "a stack file must be a mapping with keys such as 'stack', 'hosts' and 'tiers', got " +
              describe(root));
    return s;
  }
  auto m = map(root, root_pos, "",
               spec::root());
  m->path = "";
  get(*m, "stack", s.name);
  get(*m, "domain", s.domain);
  get(*m, "protected", s.protected_);
  if (const Entry* d = m->get("defaults")) {
    if (auto dm = map(d->value, d->value_pos, d->path, spec::defaults()))
      if (const Entry* ssh = dm->get("ssh")) load_ssh(*ssh, s.ssh_defaults);
  }
  if (const Entry* e = required(*m, "hosts")) load_hosts(*e, s);
  if (const Entry* e = m->get("dns")) load_dns(*e, s);
  if (const Entry* e = required(*m, "tiers"))
    load_tiers(*e, s);
  else
    s.tiers.pos = m->pos;
  if (const Entry* e = m->get("firewall")) load_firewall(*e, s);
  if (const Entry* e = m->get("monitoring")) load_monitoring(*e, s);
  if (const Entry* e = m->get("security")) {
    s.security.pos = e->key_pos;
    if (auto sm = map(e->value, e->value_pos, e->path, spec::security())) get(*sm, "ssh", s.security.ssh);
  }
  return s;
}

void Loader::load_ssh(const Entry& e, SshConfig& ssh) {
  auto m = map(e.value, e.value_pos, e.path, spec::ssh());
  if (!m) return;
  get(*m, "user", ssh.user);
  get(*m, "port", ssh.port);
  get(*m, "key", ssh.key);
  get(*m, "jump", ssh.jump);
}

void Loader::load_hosts(const Entry& e, Stack& s) {
  auto hosts = map(e.value, e.value_pos, e.path, Keys{}, "host name");
  if (!hosts) return;
  if (e.value.size() == 0)
    error(e.value_pos, "'hosts' is empty; define at least one host with its address");
  for (const Entry& h : hosts->entries) {
    Host host;
    host.name = {h.key, h.key_pos};
    host.pos = h.key_pos;
    host.ssh = s.ssh_defaults;
    if (auto hm = map(h.value, h.value_pos, h.path, spec::host())) {
      get(*hm, "address", host.address);
      if (const Entry* ssh = hm->get("ssh")) load_ssh(*ssh, host.ssh);
    } else {
      host.address.pos = h.value_pos;
    }
    s.hosts.push_back(std::move(host));
  }
}

void Loader::load_dns(const Entry& e, Stack& s) {
  auto m = map(e.value, e.value_pos, e.path, spec::dns());
  if (!m) return;
  Dns dns;
  dns.pos = m->pos;
  get(*m, "ttl", dns.ttl);
  get(*m, "nameserver", dns.nameserver);
  get_list(*m, "secondaries", dns.secondaries);
  spec_of(*m, "transfer_key");
  if (const Entry* k = m->get("transfer_key"))
    if (auto ref = secret(k->value, k->value_pos, k->path)) dns.transfer_key = *ref;
  if (const Entry* r = m->get("records")) {
    each_item(*r, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
      auto rm = map(item, pos, path, spec::record());
      if (!rm) return;
      DnsRecord rec;
      rec.pos = rm->pos;
      get(*rm, "name", rec.name);
      rec.type.pos = rm->pos;
      const Entry* t = required(*rm, "type");
      if (!t) return;
      rec.type.pos = t->value_pos;
      auto type = enumeration<RecordType>(t->value, t->value_pos, t->path, enum_names<RecordType>(spec_of(*rm, "type")));
      if (!type) return;  // the value cannot be checked without its type
      rec.type.value = *type;
      get(*rm, "value", rec.value);
      rec.resolved = rec.value.value;
      dns.records.push_back(std::move(rec));
    });
  }
  s.dns = std::move(dns);
}

void Loader::load_tiers(const Entry& e, Stack& s) {
  auto m = map(e.value, e.value_pos, e.path, spec::tiers(), "tier");
  s.tiers.pos = e.value_pos;
  if (!m) return;
  s.tiers.pos = m->pos;
  if (const Entry* t = m->get("lb")) load_lb(*t, s.tiers.lb.emplace());
  if (const Entry* t = m->get("web")) load_web(*t, s.tiers.web.emplace());
  if (const Entry* t = m->get("app")) load_app(*t, s.tiers.app.emplace());
  if (const Entry* t = m->get("db")) load_db(*t, s.tiers.db.emplace());
}

void Loader::load_lb(const Entry& e, LbTier& lb) {
  lb.pos = e.key_pos;
  auto m = map(e.value, e.value_pos, e.path,
               spec::lb());
  if (!m) return;
  get_list(*m, "hosts", lb.hosts);
  get_enum(*m, "balance", lb.balance);
  get(*m, "port", lb.port);
  if (const Entry* h = m->get("health_check")) {
    lb.health_check.pos = h->value_pos;
    if (auto hm = map(h->value, h->value_pos, h->path, spec::health_check())) {
      get(*hm, "path", lb.health_check.path);
      get(*hm, "interval", lb.health_check.interval);
      get(*hm, "rise", lb.health_check.rise);
      get(*hm, "fall", lb.health_check.fall);
    }
  }
  if (const Entry* v = m->get("vip")) {
    Vip& vip = lb.vip.emplace();
    vip.pos = v->key_pos;
    if (auto vm = map(v->value, v->value_pos, v->path, spec::vip())) {
      get(*vm, "address", vip.address);
      get(*vm, "router_id", vip.router_id);
      get(*vm, "interface", vip.interface);
    } else {
      lb.vip.reset();
    }
  }
  if (const Entry* t = m->get("tls")) load_tls(*t, lb.tls.emplace());
  load_rolling(*m, lb.rolling);
}

void Loader::load_rolling(const MapView& tier, std::optional<Rolling>& out) {
  const Entry* e = tier.get("rolling");
  if (!e) return;
  Rolling& r = out.emplace();
  r.pos = e->key_pos;
  r.batch.pos = e->value_pos;
  if (auto m = map(e->value, e->value_pos, e->path, spec::rolling())) get(*m, "batch", r.batch);
}

void Loader::load_tls(const Entry& e, Tls& tls) {
  tls.pos = e.key_pos;
  auto m = map(e.value, e.value_pos, e.path,
               spec::tls());
  if (!m) return;
  get(*m, "enabled", tls.enabled);
  get(*m, "redirect_http", tls.redirect_http);
  get(*m, "reencrypt", tls.reencrypt);
  get(*m, "port", tls.port);
  tls.certificate.pos = m->pos;
  if (const Entry* c = m->get("certificate")) {
    tls.certificate.pos = c->value_pos;
    if (c->value.IsScalar() && c->value.Scalar() == "self-signed") {
      tls.certificate.self_signed = true;
    } else if (auto ref = secret(c->value, c->value_pos, c->path)) {
      tls.certificate.self_signed = false;
      tls.certificate.bundle = *ref;
    }
  }
}

void Loader::load_web(const Entry& e, WebTier& web) {
  web.pos = e.key_pos;
  auto m = map(e.value, e.value_pos, e.path, spec::web());
  if (!m) return;
  get_members(*m, "hosts", web.hosts, web.standby);
  get(*m, "port", web.port);
  get(*m, "server_name", web.server_name);
  get(*m, "root", web.root);
  get_list(*m, "static", web.static_paths);
  get_list(*m, "standby", web.standby);  // after the hosts' own marks: listed twice is an error
  load_rolling(*m, web.rolling);
}

void Loader::load_app(const Entry& e, AppTier& app) {
  app.pos = e.key_pos;
  auto m = map(e.value, e.value_pos, e.path,
               spec::app());
  if (!m) return;
  get_members(*m, "hosts", app.hosts, app.standby);
  get(*m, "source", app.source);
  get(*m, "path", app.path);
  get(*m, "command", app.command);
  get(*m, "port", app.port);
  get(*m, "user", app.user);
  get_list(*m, "standby", app.standby);
  load_rolling(*m, app.rolling);
  const Entry* env = m->get("environment");
  if (!env) return;
  auto em = map(env->value, env->value_pos, env->path, Keys{}, "variable");
  if (!em) return;
  for (const Entry& v : em->entries) {
    EnvValue value;
    value.pos = v.value_pos;
    if (v.value.IsMap()) {
      if (auto ref = secret(v.value, v.value_pos, v.path)) value.secret = *ref;
    } else if (v.value.IsScalar()) {
      value.literal = v.value.Scalar();
      if (is_env_secret_name(v.key) && !value.literal.empty())
        error(v.value_pos, "'" + v.path +
                               "' looks like a secret but holds a literal value; secrets never "
                               "go into the stack file: use { secret: NAME }");
    } else {
      error(v.value_pos,
            "'" + v.path + "' must be a string or { secret: NAME }, got " + describe(v.value));
    }
    app.environment.emplace_back(Located<std::string>{v.key, v.key_pos}, std::move(value));
  }
}

void Loader::load_db(const Entry& e, DbTier& db) {
  db.pos = e.key_pos;
  auto m = map(e.value, e.value_pos, e.path,
               spec::db());
  if (!m) return;
  get_enum(*m, "engine", db.engine);
  get(*m, "primary", db.primary);
  get_list(*m, "replicas", db.replicas);
  get(*m, "port", db.port);
  get_list(*m, "databases", db.databases);
  if (const Entry* u = m->get("users")) {
    each_item(*u, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
      auto um = map(item, pos, path, spec::db_user());
      if (!um) return;
      DbUser user;
      user.pos = um->pos;
      get(*um, "name", user.name);
      get_secret(*um, "password", user.password);
      get(*um, "from", user.from);
      get_list(*um, "grants", user.grants);
      db.users.push_back(std::move(user));
    });
  }
  if (const Entry* r = m->get("replication")) {
    Replication& rep = db.replication.emplace();
    rep.pos = r->key_pos;
    if (auto rm = map(r->value, r->value_pos, r->path, spec::replication())) {
      get(*rm, "user", rep.user);
      get_secret(*rm, "password", rep.password);
    }
  }
}

void Loader::load_firewall(const Entry& e, Stack& s) {
  auto m = map(e.value, e.value_pos, e.path, spec::firewall());
  if (!m) return;
  Firewall& fw = s.firewall.emplace();
  fw.pos = e.key_pos;
  get(*m, "enabled", fw.enabled);
  get_list(*m, "admin_cidrs", fw.admin_cidrs);
  get(*m, "log_drops", fw.log_drops);
  if (const Entry* r = m->get("rules")) {
    each_item(*r, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
      auto rm = map(item, pos, path, spec::rule());
      if (!rm) return;
      FirewallRule rule;
      rule.pos = rm->pos;
      get_list(*rm, "hosts", rule.hosts);
      get(*rm, "port", rule.port);
      get_enum(*rm, "proto", rule.proto);
      get_list(*rm, "from", rule.from);
      fw.rules.push_back(std::move(rule));
    });
  }
}

void Loader::load_monitoring(const Entry& e, Stack& s) {
  auto m = map(e.value, e.value_pos, e.path,
               spec::monitoring());
  if (!m) return;
  Monitoring& mon = s.monitoring.emplace();
  mon.pos = e.key_pos;
  get(*m, "collector", mon.collector);
  get(*m, "scrape_interval", mon.scrape_interval);
  if (const Entry* x = m->get("exporters")) {
    each_item(*x, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
      if (auto v = enumeration<Exporter>(item, pos, path, enum_names<Exporter>(spec_of(*m, "exporters"))))
        mon.exporters.push_back({*v, pos});
    });
  } else {
    mon.exporters.push_back({Exporter::node, {}});
  }
  if (const Entry* a = m->get("alerts")) {
    each_item(*a, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
      auto am = map(item, pos, path, spec::alert());
      if (!am) return;
      Alert alert;
      alert.pos = am->pos;
      get(*am, "name", alert.name);
      get(*am, "expr", alert.expr);
      get(*am, "for", alert.for_);
      get_enum(*am, "severity", alert.severity);
      mon.alerts.push_back(std::move(alert));
    });
  }
  if (const Entry* a = m->get("alerts_to")) {
    each_item(*a, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
      auto rm = map(item, pos, path, spec::alert_receiver());
      if (!rm) return;
      AlertReceiver r;
      r.pos = rm->pos;
      get(*rm, "webhook", r.webhook);
      get(*rm, "email", r.email);
      get(*rm, "smarthost", r.smarthost);
      get(*rm, "from", r.from);
      mon.alerts_to.push_back(std::move(r));
    });
  }
  if (const Entry* l = m->get("logs")) {
    auto lm = map(l->value, l->value_pos, l->path, spec::logs());
    if (lm) get(*lm, "collector", mon.logs_collector);
  }
}

}  // namespace

void resolve_dns(Stack& stack);  // validate.cc

Result<Stack> parse_stack(std::string_view text, const std::string& file_name) {
  Diagnostics diags;
  if (auto bad = check_text(text)) {
    diags.push_back(file_error(file_name, bad->pos, bad->message));
    return diags;
  }
  Loader loader(file_name, diags);
  Stack stack;
  try {
    std::string owned(text);
    if (!yaml::check_document(owned, loader)) return diags;
    stack = loader.load(YAML::Load(owned), SourcePos{1, 1});
  } catch (const YAML::Exception& e) {
    SourcePos at = yaml::to_pos(e.mark);
    if (auto tab = yaml::indenting_tab(text, at.line))
      diags.push_back(
          file_error(file_name, *tab, "YAML syntax error: a tab indents this line; YAML indents with spaces only"));
    else
      diags.push_back(file_error(file_name, at, "YAML syntax error: " + e.msg));
    return diags;
  } catch (const std::exception& e) {
    diags.push_back(file_error(file_name, {}, std::string("cannot read YAML: ") + e.what()));
    return diags;
  }
  // Semantic checks; a place already reported by the structural pass is not
  // reported again (a wrongly typed port is not also "out of range").
  loader.finish(validate_stack(stack));
  if (has_errors(diags)) return diags;
  resolve_dns(stack);
  return stack;
}

Result<Stack> load_stack(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return file_error(path, {}, "is a directory, not a stack file");
  auto text = read_file(path);
  if (!text) return file_error(path, {}, "cannot open the stack file: " + std::string(std::strerror(errno)));
  return parse_stack(*text, path);
}

}  // namespace foobar::stack
