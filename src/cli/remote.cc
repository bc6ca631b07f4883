#include "cli/remote.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include "compile/secrets.h"
#include "facts/fingerprint.h"
#include "facts/gather.h"
#include "lab/lab.h"
#include "transport/ssh_connector.h"

namespace foobar::cli {

namespace {

void print(const Diagnostics& ds) {
  for (const auto& d : ds) std::fprintf(stderr, "%s\n", d.to_string().c_str());
}

// --target names hosts or tiers; the result keeps the stack's host order.
Result<std::vector<std::string>> resolve_targets(const stack::Stack& s, const std::vector<std::string>& targets) {
  std::set<std::string> wanted;
  Diagnostics errs;
  for (const auto& t : targets) {
    if (s.find_host(t)) {
      wanted.insert(t);
      continue;
    }
    const auto parsed = stack::parse_tier(t);
    const auto tier = parsed ? s.hosts_of_tier(*parsed) : std::vector<std::string>{};
    if (tier.empty()) {
      errs.push_back(Diagnostic::error("--target", "'" + t + "' is neither a host nor a tier of stack '" +
                                                       s.name.value + "'"));
      continue;
    }
    wanted.insert(tier.begin(), tier.end());
  }
  if (!errs.empty()) return errs;
  std::vector<std::string> hosts;
  for (const auto& h : s.hosts)
    if (targets.empty() || wanted.count(h.name.value)) hosts.push_back(h.name.value);
  return hosts;
}

std::string expand_home(const std::string& path) {
  if (path.rfind("~/", 0) != 0) return path;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + path.substr(1);
}

}  // namespace

transport::SshOptions host_ssh_options(const stack::Stack& s, const stack::Host& h,
                                       const transport::SshOptions& base, bool lab,
                                       std::set<std::string> seen) {
  transport::SshOptions o = base;
  o.address = h.address.value;
  o.user = h.ssh.user.value;
  o.port = h.ssh.port.value;
  if (h.ssh.key && !lab) o.key_file = expand_home(h.ssh.key->value);
  seen.insert(h.name.value);
  if (h.ssh.jump && !seen.count(h.ssh.jump->value)) {
    if (const stack::Host* j = s.find_host(h.ssh.jump->value)) {
      auto jump = std::make_shared<transport::JumpHost>();
      jump->name = j->name.value;
      jump->options = host_ssh_options(s, *j, base, lab, seen);
      o.jump = std::move(jump);
    }
  }
  return o;
}

void add_remote_options(cxxopts::Options& opts) {
  add_compile_options(opts);
  opts.add_options()("lab", "use the lab of this stack (its key, known_hosts and secrets)")(
      "known-hosts", "known_hosts file (default ~/.ssh/known_hosts)", cxxopts::value<std::string>())(
      "accept-new", "record unknown host keys (never changed ones)")(
      "target", "only this host or tier (repeat)", cxxopts::value<std::vector<std::string>>())(
      "parallelism", "hosts worked on at once", cxxopts::value<std::size_t>()->default_value("32"))(
      "secrets-file", "KEY=VALUE file of secrets (the environment's FOOBAR_SECRET_<NAME> wins)",
      cxxopts::value<std::string>());
}

std::map<std::string, transport::Connector*> Remote::connector_map() const {
  std::map<std::string, transport::Connector*> out;
  for (const auto& [host, c] : connectors) out.emplace(host, c.get());
  return out;
}

Plan Remote::make_plan(const Graph& desired, std::map<std::string, std::string>* fingerprints) const {
  auto gathered = gather_facts(
      compiled.stack.name.value, desired, hosts,
      [this](const std::string& h) -> Result<transport::Connector*> { return connectors.at(h).get(); },
      parallelism, secrets);
  if (fingerprints)
    for (const auto& [host, facts] : gathered.facts) (*fingerprints)[host] = facts_fingerprint(facts);
  PlanOptions options;
  options.stack = compiled.stack.name.value;
  options.hosts = hosts;
  options.secret_values = secret_values;
  options.unreachable_reasons = gathered.unreachable;
  if (const auto& db = compiled.stack.tiers.db) {
    options.db_primary = db->primary.value;
    options.db_primary_file = compiled.stack.file;
    options.db_primary_pos = db->primary.pos;
  }
  return foobar::make_plan(desired, gathered.facts, options);
}

std::optional<Remote> open_remote(const std::string& command, const cxxopts::ParseResult& parsed,
                                  bool with_secrets) {
  auto compiled = load_and_compile(command, parsed);
  if (!compiled) return std::nullopt;
  Remote r{std::move(*compiled), {}, {}, {}, {}, {}, parsed["parallelism"].as<std::size_t>()};
  const stack::Stack& s = r.compiled.stack;
  auto hosts = resolve_targets(s, parsed.count("target") ? parsed["target"].as<std::vector<std::string>>()
                                                         : std::vector<std::string>{});
  if (!hosts) return print(hosts.diagnostics()), std::nullopt;
  r.hosts = std::move(*hosts);

  transport::SshOptions base;
  stack::SecretSource source;
  if (parsed.count("secrets-file")) source.file = parsed["secrets-file"].as<std::string>();
  if (parsed.count("lab")) {
    auto lab = lab::load_lab_state(s.name.value);
    if (!lab) {
      std::fprintf(stderr, "%s: --lab: no lab for stack '%s' is up; run 'foobarctl lab up %s' first\n",
                   command.c_str(), s.name.value.c_str(), s.file.c_str());
      return std::nullopt;
    }
    base.key_file = lab->key;
    base.known_hosts = lab->known_hosts;
    if (source.file.empty()) source.file = lab->dir + "/secrets";
  }
  if (parsed.count("known-hosts")) base.known_hosts = parsed["known-hosts"].as<std::string>();
  base.accept_new = parsed.count("accept-new") > 0;
  for (const auto& name : r.hosts) {
    const stack::Host* h = s.find_host(name);
    auto o = host_ssh_options(s, *h, base, parsed.count("lab") > 0);
    r.connectors.emplace(name, std::make_unique<transport::SshConnector>(name, std::move(o)));
  }
  if (!with_secrets) return r;

  Diagnostics missing;
  std::map<std::string, std::string> values;
  for (const auto& ref : stack::secret_refs(s)) {
    const std::string& name = ref.name;
    auto v = stack::resolve_secret(ref, source);
    if (!v) {
      missing.insert(missing.end(), v.diagnostics().begin(), v.diagnostics().end());
      continue;
    }
    values.emplace(name, *v);
    r.secret_values.push_back(*v);
  }
  if (!missing.empty()) return print(missing), std::nullopt;
  // Files that hold secrets get their values now, in memory only.
  r.secret_source = source;
  auto filled = compile::resolve_secrets(r.compiled.graph, source);
  if (!filled) return print(filled.diagnostics()), std::nullopt;
  for (auto& v : *filled)
    if (std::find(r.secret_values.begin(), r.secret_values.end(), v) == r.secret_values.end())
      r.secret_values.push_back(std::move(v));
  r.secrets = [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
  return r;
}

}  // namespace foobar::cli
