// What a lab made for a stack needs beside its hosts: the stack's packages on this
// machine, and in the lab's state directory its CA, certificates, secrets file and the
// client's files. The stack is read into a LabTarget by the caller (cli), so the lab
// knows nothing of how a stack compiles.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lab/lab.h"
#include "transport/ssh_connector.h"
#include "util/result.h"

namespace foobar::lab {

// A lab named after a stack, with one host per stack host at its address.
struct LabTarget {
  std::string name;
  std::vector<LabHostSpec> hosts;
  std::vector<std::string> secret_names;  // the stack's secrets, made up for the lab
  std::vector<std::string> packages;      // every package the stack's hosts need
  // The site's TLS names (server name first) and the secrets holding a certificate
  // bundle: the lab issues one certificate from its own CA for each of them.
  std::vector<std::string> tls_names;
  std::vector<std::string> certificate_secrets;
  // Secrets holding a host's monitoring certificate (server and client) and its names;
  // and those whose value is the CA's certificate.
  std::vector<std::pair<std::string, std::vector<std::string>>> host_certificates;
  std::vector<std::string> ca_secrets;
  std::vector<std::string> nameserver_addresses;  // where the lab's client resolves names, in order (none: no DNS)
  std::vector<std::string> key_secrets;            // secrets holding a base64 key (TSIG)
};

// Makes the lab's CA and certificates, the secrets file and the client's files in the
// state directory of a lab that is up. What is there already (a lab that grows) is kept.
Status prepare_lab_files(const std::string& dir, const LabTarget& target);

// Installs the packages missing on this machine (services kept from starting).
Status install_lab_packages(const std::vector<std::string>& packages);

// Writes a KEY=VALUE secrets file (0600) with a random value per name, except the
// names in `fixed`, which get the value given there, and those in `keys`, which get
// 32 random bytes in base64 (a TSIG key).
Status write_lab_secrets(const std::string& path, const std::vector<std::string>& names,
                         const std::map<std::string, std::string>& fixed = {},
                         const std::vector<std::string>& keys = {});

// How to reach the lab's hosts over ssh: its key, and its known_hosts unless
// `known_hosts` names another file.
transport::SshOptions lab_ssh_options(const LabState& s, const std::string& known_hosts = "");

}  // namespace foobar::lab
