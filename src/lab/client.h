// The lab's test client and its certificate authority. The client is this machine
// (10.77.0.1 on the lab bridge) seen through a private mount namespace in which
// /etc/resolv.conf names the stack's nameserver in the lab and the system CA bundle
// also trusts the lab's CA: curl, dig, Python and the rest resolve and verify the
// site exactly as a visitor would, without any per-tool flag.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace foobar::lab {

// <dir>/ca.crt and ca.key: the lab's own CA (made once; kept while the lab is up).
Status make_lab_ca(const std::string& dir);

// A certificate for `names` (the first is the subject; "IP:ADDRESS" names an address,
// anything else a DNS name) signed by the lab CA, written with its key as one PEM
// bundle (certificate, then key; 0600) at `bundle`. For a server; `client_too` also for
// a TLS client.
Status issue_lab_certificate(const std::string& dir, const std::vector<std::string>& names,
                             const std::string& bundle, bool client_too = false);

// <dir>/client/resolv.conf (the nameservers, asked in order) and
// <dir>/client/ca-certificates.crt (this machine's bundle plus the lab CA when there is one).
Status write_client_files(const std::string& dir, const std::vector<std::string>& nameserver_addresses);
// The resolv.conf text for those nameservers (glibc reads the first 3).
std::string client_resolv_conf(const std::vector<std::string>& nameserver_addresses);

// Runs argv as the lab's client; returns only on failure (the exec replaces the process).
Status exec_as_client(const std::string& dir, const std::vector<std::string>& argv);

}  // namespace foobar::lab
