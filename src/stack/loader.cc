// Stack file -> Stack. This file does the structural part: YAML syntax, types,
// unknown/duplicate/missing keys, literal secrets. The semantic checks live in
// validate.cc and run on the typed result.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "stack/fields.h"
#include "stack/stack.h"
#include "stack/suggest.h"
#include "stack/utf8.h"
#include "util/utf8.h"

namespace foobar::stack {

namespace {

struct Entry {
  std::string key;
  SourcePos key_pos;
  YAML::Node value;
  SourcePos value_pos;
  std::string path;  // dotted path of this value, e.g. "tiers.web.port"
};

struct MapView {
  SourcePos pos;
  std::string path;
  std::vector<Entry> entries;
  std::vector<std::string> suggested;  // keys offered for misspelt ones
  const ObjectSpec* spec = nullptr;    // the table entry of this mapping; nullptr for free keys
  std::unordered_map<std::string, std::size_t> index;  // key -> entry (maps may be large)
  const Entry* get(std::string_view key) const {
    auto it = index.find(std::string(key));
    return it == index.end() ? nullptr : &entries[it->second];
  }
  void add(Entry e) {
    index.emplace(e.key, entries.size());
    entries.push_back(std::move(e));
  }
};

using Keys = std::vector<std::string>;

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// "in 'tiers.web'", or "at the top level" for the root mapping.
std::string in(const std::string& path) {
  return path.empty() ? "at the top level" : "in '" + path + "'";
}

std::string quoted_list(const Keys& keys) {
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i) out += i + 1 == keys.size() ? " or " : ", ";
    out += "'" + keys[i] + "'";
  }
  return out;
}

bool plain(const YAML::Node& n) { return n.Tag() == "?"; }

// The most values a stack file may hold with its aliases expanded. A stack of a
// thousand hosts holds some tens of thousands; the bound keeps a small file of
// nested aliases from costing minutes and gigabytes.
constexpr std::size_t kMaxExpandedValues = 1000000;

// The most problems reported for one file; the rest are counted. Past this many,
// the same mistake is usually repeated (often through an alias), and printing
// hundreds of thousands of lines helps nobody.
constexpr std::size_t kMaxDiagnostics = 1000;

// Every diagnostic of the loader: values in it are echoed with control
// characters escaped, and long ones shortened.
Diagnostic file_error(const std::string& file, SourcePos pos, const std::string& message) {
  return Diagnostic::error(escape_control(file), pos, shorten_quotes(escape_control(message)));
}

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

class Loader {
 public:
  Loader(const std::string& file, Diagnostics& diags) : m_file(file), m_diags(diags) {}

  void error(SourcePos pos, const std::string& message) {
    m_error_positions.insert(pos);
    if (m_diags.size() >= kMaxDiagnostics) {
      ++m_dropped;
      return;
    }
    m_diags.push_back(file_error(m_file, pos, message));
  }

  // Adds `more` (sorted by position) within the bound, then sorts everything and
  // says how many problems were left out.
  void finish(Diagnostics more) {
    for (Diagnostic& d : more) {
      if (m_error_positions.count(d.pos)) continue;  // already reported by the structural pass
      if (m_diags.size() >= kMaxDiagnostics) ++m_dropped;
      else m_diags.push_back(std::move(d));
    }
    sort_by_position(m_diags);
    if (m_dropped)
      m_diags.push_back(file_error(m_file, {}, std::to_string(m_dropped) + " more problems are not shown (at most " +
                                                   std::to_string(kMaxDiagnostics) +
                                                   " per file); fix these and validate again"));
  }

  SourcePos pos_of(const YAML::Node& n, SourcePos fallback) const {
    YAML::Mark m = n.Mark();
    if (m.is_null() || m.line < 0 || m.column < 0) return fallback;
    return SourcePos{m.line + 1, m.column + 1};
  }

  static std::string describe(const YAML::Node& n) {
    switch (n.Type()) {
      case YAML::NodeType::Null: return "nothing";
      case YAML::NodeType::Sequence: return "a list";
      case YAML::NodeType::Map: return "a mapping";
      case YAML::NodeType::Scalar: {
        std::string s = n.Scalar();
        if (s.size() > 40) s = s.substr(0, 37) + "...";
        return "'" + s + "'";
      }
      default: return "nothing";
    }
  }

  // `keys` empty: free keys (host names); otherwise unknown keys are errors.
  std::optional<MapView> map(const YAML::Node& n, SourcePos at, const std::string& path,
                             const Keys& keys, std::string_view dup_what = "key") {
    if (!n.IsMap()) {
      error(at, "'" + path + "' must be a mapping, got " + describe(n));
      return std::nullopt;
    }
    MapView view{pos_of(n, at), path, {}, {}, {}, {}};
    for (const auto& kv : n) {
      SourcePos key_pos = pos_of(kv.first, view.pos);
      if (!kv.first.IsScalar()) {
        error(key_pos, "keys " + in(path) + " must be plain names, got " + describe(kv.first));
        continue;
      }
      std::string key = kv.first.Scalar();
      if (const Entry* first = view.get(key)) {
        error(key_pos, "duplicate " + std::string(dup_what) + " '" + key + "' " + in(path) +
                           " (first defined at line " + std::to_string(first->key_pos.line) +
                           "); YAML keeps only one, so remove or rename one of them");
        continue;
      }
      if (!keys.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string hint = did_you_mean(key, keys);
        if (hint.empty()) hint = "; expected " + quoted_list(keys);
        else view.suggested.push_back(closest(key, keys));
        error(key_pos, "unknown key '" + key + "' " + in(path) + hint);
        continue;
      }
      view.add(Entry{key, key_pos, kv.second, pos_of(kv.second, key_pos), join(path, key)});
    }
    return view;
  }

  // A mapping whose keys, required keys and enumerations are those of the field table.
  std::optional<MapView> map(const YAML::Node& n, SourcePos at, const std::string& path, const ObjectSpec& spec,
                             std::string_view dup_what = "key") {
    auto view = map(n, at, path, spec.keys(), dup_what);
    if (view) view->spec = &spec;
    return view;
  }

  // The table's entry for a key the loader reads; reading a key the table lacks is a
  // programming error, so the table cannot fall behind the loader.
  static const FieldSpec& spec_of(const MapView& m, std::string_view key) {
    const FieldSpec* f = m.spec ? m.spec->find(key) : nullptr;
    if (!f) throw std::logic_error("stack field table has no key '" + std::string(key) + "' in '" + m.path + "'");
    return *f;
  }

  template <class E>
  static std::vector<std::pair<std::string, E>> enum_names(const FieldSpec& f) {
    std::vector<std::pair<std::string, E>> out;
    for (std::size_t i = 0; i < f.values.size(); ++i) out.emplace_back(f.values[i], static_cast<E>(i));
    return out;
  }

  const Entry* required(const MapView& m, std::string_view key, std::string_view hint = "") {
    const Entry* e = m.get(key);
    bool misspelt = std::find(m.suggested.begin(), m.suggested.end(), key) != m.suggested.end();
    if (!e && !misspelt) {  // a misspelt key was already reported with this name
      std::string msg = "missing required key '" + std::string(key) + "' " + in(m.path);
      if (!hint.empty()) msg += "; " + std::string(hint);
      error(m.pos, msg);
    }
    return e;
  }

  // Scalar readers on a node. They report and return nullopt on a wrong type.
  std::optional<std::string> str(const YAML::Node& n, SourcePos at, const std::string& path) {
    if (n.IsScalar()) return n.Scalar();
    error(at, "'" + path + "' must be a string, got " + describe(n));
    return std::nullopt;
  }

  std::optional<int> integer(const YAML::Node& n, SourcePos at, const std::string& path) {
    if (n.IsScalar() && plain(n)) {
      const std::string& s = n.Scalar();
      int v = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return v;
      if (ec == std::errc::result_out_of_range) {
        error(at, "'" + path + "' is out of range: " + describe(n));
        return std::nullopt;
      }
    }
    error(at, "'" + path + "' must be an integer, got " + describe(n));
    return std::nullopt;
  }

  std::optional<bool> boolean(const YAML::Node& n, SourcePos at, const std::string& path) {
    if (n.IsScalar() && plain(n)) {
      const std::string& s = n.Scalar();
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
    }
    error(at, "'" + path + "' must be true or false, got " + describe(n));
    return std::nullopt;
  }

  // "500ms", "2s", "1m30s", "1h"
  std::optional<Duration> duration(const YAML::Node& n, SourcePos at, const std::string& path) {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      long long total = 0;
      std::size_t i = 0;
      bool ok = !s.empty();
      while (ok && i < s.size()) {
        std::size_t digits = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        if (i == digits || i - digits > 9) { ok = false; break; }
        long long v = std::stoll(s.substr(digits, i - digits));
        std::size_t unit = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
        std::string u = s.substr(unit, i - unit);
        long long ms = u == "ms" ? 1 : u == "s" ? 1000 : u == "m" ? 60000 : u == "h" ? 3600000 : 0;
        if (ms == 0) { ok = false; break; }
        total += v * ms;
        if (total > 365LL * 24 * 3600000) { ok = false; break; }
      }
      if (ok) return Duration{total};
    }
    error(at, "'" + path + "' must be a duration such as 500ms, 2s, 1m or 1h, got " + describe(n));
    return std::nullopt;
  }

  template <class E>
  std::optional<E> enumeration(const YAML::Node& n, SourcePos at, const std::string& path,
                               const std::vector<std::pair<std::string, E>>& names) {
    Keys keys;
    for (const auto& [name, value] : names) keys.push_back(name);
    if (n.IsScalar()) {
      for (const auto& [name, value] : names)
        if (n.Scalar() == name) return value;
      std::string hint = did_you_mean(n.Scalar(), keys);
      error(at, "'" + path + "' must be one of " + quoted_list(keys) + ", got " + describe(n) +
                    hint);
      return std::nullopt;
    }
    error(at, "'" + path + "' must be one of " + quoted_list(keys) + ", got " + describe(n));
    return std::nullopt;
  }

  // Field readers: look `key` up in `m`; absent keys keep the default (or, when
  // required, are reported and the field points at the mapping).
  template <class T, class Read>
  void field(const MapView& m, std::string_view key, Located<T>& out, Read read) {
    const bool req = spec_of(m, key).required;
    const Entry* e = req ? required(m, key) : m.get(key);
    if (!e) {
      if (req) out.pos = m.pos;
      return;
    }
    out.pos = e->value_pos;
    if (auto v = (this->*read)(e->value, e->value_pos, e->path)) out.value = *v;
  }

  void get(const MapView& m, std::string_view key, Located<std::string>& out) {
    field(m, key, out, &Loader::str);
  }
  void get(const MapView& m, std::string_view key, Located<int>& out) {
    field(m, key, out, &Loader::integer);
  }
  void get(const MapView& m, std::string_view key, Located<bool>& out) {
    field(m, key, out, &Loader::boolean);
  }
  void get(const MapView& m, std::string_view key, Located<Duration>& out) {
    field(m, key, out, &Loader::duration);
  }
  void get(const MapView& m, std::string_view key, std::optional<Located<std::string>>& out) {
    spec_of(m, key);
    if (const Entry* e = m.get(key)) {
      Located<std::string> v{{}, e->value_pos};
      if (auto s = str(e->value, e->value_pos, e->path)) v.value = *s;
      out = v;
    }
  }
  template <class E>
  void get_enum(const MapView& m, std::string_view key, Located<E>& out) {
    const auto names = enum_names<E>(spec_of(m, key));
    if (const Entry* e = m.get(key)) {
      out.pos = e->value_pos;
      if (auto v = enumeration(e->value, e->value_pos, e->path, names)) out.value = *v;
    }
  }

  template <class Fn>
  void each_item(const Entry& e, Fn fn) {
    if (!e.value.IsSequence()) {
      error(e.value_pos, "'" + e.path + "' must be a list, got " + describe(e.value));
      return;
    }
    std::size_t i = 0;
    for (const auto& item : e.value) {
      fn(item, pos_of(item, e.value_pos), e.path + "[" + std::to_string(i) + "]");
      ++i;
    }
  }

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

  void get_list(const MapView& m, std::string_view key, std::vector<Located<std::string>>& out) {
    const Entry* e = spec_of(m, key).required ? required(m, key) : m.get(key);
    if (!e) return;
    each_item(*e, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
      if (auto s = str(item, pos, path)) out.push_back({*s, pos});
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
    return SecretRef{*name, e->value_pos, m_file};
  }

  void get_secret(const MapView& m, std::string_view key, SecretRef& out) {
    out.pos = m.pos;
    out.file = m_file;
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

  const std::string& m_file;
  Diagnostics& m_diags;
  std::set<SourcePos> m_error_positions;
  std::size_t m_dropped = 0;
};

Stack Loader::load(const YAML::Node& root, SourcePos root_pos) {
  Stack s;
  s.file = m_file;
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

SourcePos to_pos(const YAML::Mark& m) {
  if (m.is_null() || m.line < 0 || m.column < 0) return {};
  return SourcePos{m.line + 1, m.column + 1};
}

// Reads the parser's events before any node is built: where documents start, and
// how many values the document holds once every alias is expanded.
//
// Document starts: yaml-cpp's LoadAll loops forever (allocating) on some
// malformed input such as a stray ',' before the first node: the parser then
// "starts" a new document at the same place again and again.
//
// Expansion: yaml-cpp shares an aliased node instead of copying it, so a short
// file of nested aliases (a "billion laughs") is cheap to parse but stands for
// billions of values, and every walk over it (the loader's, each diagnostic it
// reports) pays for all of them. The count is exact and linear in the file: an
// anchor's expanded size is recorded when its node ends, and an alias adds it.
class DocumentScan : public YAML::EventHandler {
 public:
  explicit DocumentScan(std::size_t limit) : m_limit(limit) {}

  std::vector<YAML::Mark> starts;
  std::optional<YAML::Mark> too_big;  // the alias at which the expansion passed the limit

  void OnDocumentStart(const YAML::Mark& m) override { starts.push_back(m); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { leaf(m, anchor); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = m_sizes.find(anchor);  // an alias inside its own anchor counts once
    add(m, it == m_sizes.end() ? 1 : it->second);
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(m, anchor);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  void add(const YAML::Mark& m, std::size_t n) {
    if (too_big) return;
    m_total += n;
    if (m_total > m_limit) too_big = m;
  }
  void leaf(const YAML::Mark& m, YAML::anchor_t anchor) {
    add(m, 1);
    if (anchor) m_sizes[anchor] = 1;
  }
  void open(const YAML::Mark& m, YAML::anchor_t anchor) {
    m_open.push_back({anchor, m_total});
    add(m, 1);
  }
  void close() {
    if (m_open.empty()) return;
    auto [anchor, before] = m_open.back();
    m_open.pop_back();
    if (anchor) m_sizes[anchor] = m_total - before;
  }

  std::size_t m_limit;
  std::size_t m_total = 0;
  std::vector<std::pair<YAML::anchor_t, std::size_t>> m_open;  // anchor, m_total at its start
  std::map<YAML::anchor_t, std::size_t> m_sizes;               // expanded size of each anchor
};

// Checks that the text is exactly one YAML document (or none) of a bounded size
// once aliases are expanded; reports where a second one starts, where the parser
// could not make progress, or the alias that makes the document too big.
bool check_document(const std::string& text, Loader& loader) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentScan scan(kMaxExpandedValues);
  for (int i = 0; i < 2 && parser.HandleNextDocument(scan); ++i) {
  }
  if (scan.too_big) {
    loader.error(to_pos(*scan.too_big),
                 "YAML aliases expand the stack file to more than " + std::to_string(kMaxExpandedValues) +
                     " values at this alias; each alias repeats everything its anchor holds (aliases "
                     "within it too), so use fewer aliases or write the values out");
    return false;
  }
  if (scan.starts.size() < 2) return true;
  const YAML::Mark& first = scan.starts[0];
  const YAML::Mark& second = scan.starts[1];
  if (second.pos == first.pos)
    loader.error(to_pos(second), "YAML syntax error: unexpected character here");
  else
    loader.error(to_pos(second),
                 "a stack file holds one YAML document, but a second one starts here");
  return false;
}

// The first tab in the leading whitespace of a line up to `last_line`, if any:
// the usual cause of yaml-cpp's less helpful messages.
std::optional<SourcePos> indenting_tab(std::string_view text, int last_line) {
  int line = 1;
  std::size_t start = 0;
  while (start < text.size() && (last_line <= 0 || line <= last_line)) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    std::size_t indent = l.find_first_not_of(" \t");
    if (indent != std::string_view::npos && l[indent] != '#') {
      std::size_t tab = l.substr(0, indent).find('\t');
      if (tab != std::string_view::npos) return SourcePos{line, static_cast<int>(tab) + 1};
    }
    start = end + 1;
    ++line;
  }
  return std::nullopt;
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
    if (!check_document(owned, loader)) return diags;
    stack = loader.load(YAML::Load(owned), SourcePos{1, 1});
  } catch (const YAML::Exception& e) {
    SourcePos at = to_pos(e.mark);
    if (auto tab = indenting_tab(text, at.line))
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
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return file_error(path, {}, "cannot open the stack file: " + std::string(std::strerror(errno)));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return file_error(path, {}, "cannot read the stack file");
  return parse_stack(buf.str(), path);
}

}  // namespace foobar::stack
