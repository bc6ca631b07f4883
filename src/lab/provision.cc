#include "lab/provision.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "lab/client.h"
#include "lab/machine.h"
#include "stack/stack.h"
#include "util/base64.h"
#include "util/file.h"
#include "util/shell.h"

namespace foobar::lab {

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
  return write_file_atomic(path, text, 0600);
}

Status prepare_lab_files(const std::string& dir, const LabTarget& target) {
  // A lab that grows keeps what it has: the hosts already applied use these values.
  std::map<std::string, std::string> fixed;
  if (std::filesystem::exists(dir + "/secrets")) {
    auto kept = stack::parse_secrets_file(read_text(dir + "/secrets"), dir + "/secrets");
    if (!kept) return kept.diagnostics();
    fixed = std::move(*kept);
  }
  if (!target.certificate_secrets.empty() || !target.host_certificates.empty())
    if (auto st = make_lab_ca(dir); !st) return st;
  for (const auto& [name, names] : target.host_certificates) {
    const std::string bundle = dir + "/" + name + ".pem";
    if (!std::filesystem::exists(bundle))
      if (auto st = issue_lab_certificate(dir, names, bundle, true); !st) return st;
    fixed[name] = "@" + name + ".pem";
  }
  for (const auto& name : target.ca_secrets) fixed[name] = "@ca.crt";
  for (const auto& name : target.certificate_secrets) {
    const std::string bundle = dir + "/" + name + ".pem";
    if (!std::filesystem::exists(bundle))
      if (auto st = issue_lab_certificate(dir, target.tls_names, bundle); !st) return st;
    fixed[name] = "@" + name + ".pem";  // relative to the secrets file
  }
  if (auto st = write_lab_secrets(dir + "/secrets", target.secret_names, fixed, target.key_secrets); !st) return st;
  return write_client_files(dir, target.nameserver_addresses);
}

transport::SshOptions lab_ssh_options(const LabState& s, const std::string& known_hosts) {
  transport::SshOptions o;
  o.key_file = s.key;
  o.known_hosts = known_hosts.empty() ? s.known_hosts : known_hosts;
  o.connect_timeout = std::chrono::seconds(10);
  return o;
}

}  // namespace foobar::lab
