#include "cli/lab_args.h"

#include <algorithm>

#include "util/base64.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <filesystem>

#include "compile/compile.h"
#include "compile/topology.h"
#include "lab/client.h"
#include "lab/machine.h"
#include "stack/stack.h"
#include "util/shell.h"

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

Result<LabTarget> lab_target_from_stack(const std::string& stack_path) {
  auto st = stack::load_stack(stack_path);
  if (!st) return st.diagnostics();
  LabTarget t;
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

// Lab hosts have no route off the machine and see the machine's root as their lower
// layer, so the stack's packages are installed here, before any overlay is mounted,
// with services kept from starting on the machine itself.
Status install_lab_packages(const std::vector<std::string>& packages) {
  std::string missing;
  for (const auto& p : packages) {
    std::string q = "dpkg-query -W -f='${Status}' " + shell_quote(p) + " 2>/dev/null | grep -q 'install ok installed'";
    if (std::system(q.c_str()) != 0) missing += " " + shell_quote(p);
  }
  if (missing.empty()) return ok_status();
  std::fprintf(stderr, "lab up: installing on this machine:%s\n", missing.c_str());
  const std::string cmd =
      "set -e; guard=0; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\\nexit 101\\n' > "
      "/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; guard=1; fi; "
      "trap '[ $guard = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT; "
      "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends" + missing + " >&2";
  if (std::system(("sh -c " + shell_quote(cmd)).c_str()) != 0)
    return Diagnostic::error("lab up", "installing the stack's packages failed:" + missing +
                                           "; run scripts/setup.sh (apt-get update may be needed)");
  return ok_status();
}

Status write_lab_secrets(const std::string& path, const std::vector<std::string>& names,
                         const std::map<std::string, std::string>& fixed, const std::vector<std::string>& keys) {
  std::string text = "# Secrets of this lab, made by 'foobarctl lab up'; used with --lab.\n";
  for (const auto& name : names) {
    if (auto it = fixed.find(name); it != fixed.end()) {
      text += name + "=" + it->second + "\n";
      continue;
    }
    unsigned char raw[18];
    if (RAND_bytes(raw, sizeof raw) != 1) return Diagnostic::error(path, "cannot draw random bytes for secrets");
    if (std::find(keys.begin(), keys.end(), name) != keys.end()) {
      unsigned char key[32];
      if (RAND_bytes(key, sizeof key) != 1) return Diagnostic::error(path, "cannot draw random bytes for secrets");
      text += name + "=" + base64_encode(std::string_view(reinterpret_cast<char*>(key), sizeof key)) + "\n";
      continue;
    }
    std::string value;
    for (unsigned char c : raw) value += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[c % 62];
    text += name + "=" + value + "\n";
  }
  const std::string tmp = path + ".new";
  {
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) return Diagnostic::error(path, "cannot write the lab's secrets file");
    ::fchmod(fileno(f), 0600);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Diagnostic::error(path, "cannot write the lab's secrets file");
  return ok_status();
}

}  // namespace foobar::cli

namespace foobar::cli {

Status prepare_lab_files(const std::string& dir, const LabTarget& target) {
  // A lab that grows keeps what it has: the hosts already applied use these values.
  std::map<std::string, std::string> fixed;
  if (std::filesystem::exists(dir + "/secrets")) {
    auto kept = stack::parse_secrets_file(lab::read_text(dir + "/secrets"), dir + "/secrets");
    if (!kept) return kept.diagnostics();
    fixed = std::move(*kept);
  }
  if (!target.certificate_secrets.empty() || !target.host_certificates.empty())
    if (auto st = lab::make_lab_ca(dir); !st) return st;
  for (const auto& [name, names] : target.host_certificates) {
    const std::string bundle = dir + "/" + name + ".pem";
    if (!std::filesystem::exists(bundle))
      if (auto st = lab::issue_lab_certificate(dir, names, bundle, true); !st) return st;
    fixed[name] = "@" + name + ".pem";
  }
  for (const auto& name : target.ca_secrets) fixed[name] = "@ca.crt";
  for (const auto& name : target.certificate_secrets) {
    const std::string bundle = dir + "/" + name + ".pem";
    if (!std::filesystem::exists(bundle))
      if (auto st = lab::issue_lab_certificate(dir, target.tls_names, bundle); !st) return st;
    fixed[name] = "@" + name + ".pem";  // relative to the secrets file
  }
  if (auto st = write_lab_secrets(dir + "/secrets", target.secret_names, fixed, target.key_secrets); !st) return st;
  return lab::write_client_files(dir, target.nameserver_addresses);
}

}  // namespace foobar::cli
