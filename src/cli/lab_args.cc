#include "cli/lab_args.h"

#include <filesystem>
#include <map>
#include <set>

#include "compile/compile.h"
#include "compile/topology.h"
#include "stack/stack.h"

namespace foobar::cli {

Result<std::vector<lab::LabHostSpec>> lab_specs_from_args(const std::vector<std::string>& host_args) {
  std::vector<lab::LabHostSpec> specs;
  Diagnostics errs;
  for (const auto& a : host_args) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size()) {
      errs.push_back(Diagnostic::error("--host", "'" + a + "' is not NAME=ADDRESS (e.g. web-01=10.77.0.11)"));
      continue;
    }
    specs.push_back({a.substr(0, eq), a.substr(eq + 1)});
  }
  if (!errs.empty()) return errs;
  if (specs.empty())
    return Diagnostic::error("lab up", "no hosts given: add --host NAME=ADDRESS (one per host)");
  return specs;
}

bool names_stack_file(const std::string& arg) {
  auto ext = std::filesystem::path(arg).extension();
  return ext == ".yaml" || ext == ".yml" || std::filesystem::is_regular_file(arg);
}

Result<lab::LabTarget> lab_target_from_stack(const std::string& stack_path) {
  auto st = stack::load_stack(stack_path);
  if (!st) return st.diagnostics();
  lab::LabTarget t;
  t.name = st->name.value;
  for (const auto& ref : stack::secret_refs(*st)) t.secret_names.push_back(ref.name);
  for (const auto& h : st->hosts) t.hosts.push_back({h.name.value, h.address.value});
  auto graph = compile::compile_stack(*st);
  if (!graph) return graph.diagnostics();
  std::set<std::string> packages;
  std::map<std::string, std::vector<std::string>> units;  // host -> its services
  for (const auto& r : graph->resources()) {
    if (r.kind == ResourceKind::package) packages.insert(r.name);
    if (r.kind == ResourceKind::service) units[r.host].push_back(r.name);
  }
  for (auto& h : t.hosts) h.units = units[h.name];
  t.packages.assign(packages.begin(), packages.end());
  auto topo = compile::derive_topology(*st);
  for (const auto& ns : topo.nameservers) t.nameserver_addresses.push_back(topo.address_of(ns));
  if (st->dns && st->dns->transfer_key) t.key_secrets.push_back(st->dns->transfer_key->name);
  if (const auto& lb = st->tiers.lb; topo.tls && lb->tls->certificate.bundle) {
    t.certificate_secrets.push_back(lb->tls->certificate.bundle->name);
    t.tls_names.push_back(topo.server_name);
    for (const auto& a : topo.server_aliases) t.tls_names.push_back(a);
  }
  if (st->monitoring) {
    t.ca_secrets.push_back(compile::k_monitoring_ca_secret);
    t.secret_names.push_back(compile::k_monitoring_ca_secret);
    for (const auto& h : st->hosts) {
      const std::string secret = compile::monitoring_cert_secret(h.name.value);
      t.host_certificates.push_back({secret, compile::monitoring_cert_names(topo, h.name.value)});
      t.secret_names.push_back(secret);
    }
  }
  return t;
}

}  // namespace foobar::cli

