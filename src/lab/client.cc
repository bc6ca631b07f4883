#include "lab/client.h"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "lab/machine.h"
#include "transport/local_connector.h"
#include "util/file.h"
#include "util/shell.h"

namespace foobar::lab {
namespace fs = std::filesystem;

namespace {

constexpr const char* kSystemBundle = "/etc/ssl/certs/ca-certificates.crt";

Status run(const std::string& what, const std::string& cmd) {
  transport::LocalConnector local("lab");
  auto r = local.run(cmd, {}, std::chrono::seconds(60));
  if (!r) return r.diagnostics();
  if (!r->ok()) return transport::command_failed("lab", what, *r);
  return ok_status();
}

Status bind_over(const std::string& source, const std::string& target) {
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) == 0) return ok_status();
  return Diagnostic::error("lab client", "cannot bind " + source + " over " + target + ": " + std::strerror(errno) +
                                             (errno == ENOENT ? "; the file must exist on this machine" : ""));
}

}  // namespace

Status make_lab_ca(const std::string& dir) {
  const std::string crt = dir + "/ca.crt", key = dir + "/ca.key";
  if (fs::exists(crt) && fs::exists(key)) return ok_status();
  return run("making the lab CA",
             "umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj " +
                 shell_quote("/CN=foobarctl lab CA/O=" + fs::path(dir).filename().string()) +
                 " -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'"
                 " -keyout " + shell_quote(key) + " -out " + shell_quote(crt) + " 2>&1 && chmod 644 " + shell_quote(crt));
}

Status issue_lab_certificate(const std::string& dir, const std::vector<std::string>& names,
                             const std::string& bundle, bool client_too) {
  if (names.empty()) return Diagnostic::error(bundle, "a certificate needs at least one name");
  std::string san;
  for (const auto& n : names) san += (san.empty() ? "" : ",") + (n.rfind("IP:", 0) == 0 ? n : "DNS:" + n);
  const std::string tmp = bundle + ".tmp";
  const std::string ext = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                          "extendedKeyUsage=serverAuth" + std::string(client_too ? ",clientAuth" : "") +
                          "\nsubjectAltName=" + san + "\n";
  auto q = [](const std::string& s) { return shell_quote(s); };
  std::string cmd = "set -e; umask 077; t=" + q(tmp) + "; trap 'rm -f \"$t\".*' EXIT; printf '%s' " + q(ext) +
                    " > \"$t.ext\"; openssl req -newkey rsa:2048 -nodes -subj " + q("/CN=" + names.front()) +
                    " -keyout \"$t.key\" -out \"$t.csr\" 2>&1; openssl x509 -req -in \"$t.csr\" -CA " +
                    q(dir + "/ca.crt") + " -CAkey " + q(dir + "/ca.key") +
                    " -CAcreateserial -days 30 -sha256 -extfile \"$t.ext\" -out \"$t.crt\" 2>&1; cat \"$t.crt\" \"$t.key\" > \"$t.pem\"; mv -f \"$t.pem\" " +
                    q(bundle);
  return run("issuing the lab certificate for " + names.front(), cmd);
}

// A nameserver that is down costs one second before the next is asked (one that
// refuses, at once).
std::string client_resolv_conf(const std::vector<std::string>& nameserver_addresses) {
  std::string resolv = "# The lab's client resolves through the stack's nameservers in the lab, in order.\n";
  for (const auto& a : nameserver_addresses) resolv += "nameserver " + a + "\n";
  if (!nameserver_addresses.empty()) resolv += "options timeout:1 attempts:2\n";
  return resolv;
}

Status write_client_files(const std::string& dir, const std::vector<std::string>& nameserver_addresses) {
  std::error_code ec;
  fs::create_directories(dir + "/client", ec);
  if (ec) return Diagnostic::error(dir + "/client", "cannot make the lab client's directory: " + ec.message());
  if (auto st = write_file_atomic(dir + "/client/resolv.conf", client_resolv_conf(nameserver_addresses), 0644); !st) return st;
  std::string bundle = read_text(kSystemBundle);
  if (fs::exists(dir + "/ca.crt")) bundle += read_text(dir + "/ca.crt");
  return write_file_atomic(dir + "/client/ca-certificates.crt", bundle, 0644);
}

Status exec_as_client(const std::string& dir, const std::vector<std::string>& argv) {
  if (argv.empty()) return Diagnostic::error("lab client", "give the command to run after --");
  const std::string resolv = dir + "/client/resolv.conf", bundle = dir + "/client/ca-certificates.crt";
  if (!fs::exists(resolv) || !fs::exists(bundle))
    return Diagnostic::error(dir, "the lab has no client files; bring it up again with 'foobarctl lab up STACK'");
  if (::unshare(CLONE_NEWNS) != 0)
    return Diagnostic::error("lab client", std::string("cannot make a mount namespace: ") + std::strerror(errno) +
                                               "; run as root");
  // Private: the bind mounts below stay in this namespace and never reach the machine.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return Diagnostic::error("lab client", std::string("cannot make / private: ") + std::strerror(errno));
  if (auto st = bind_over(resolv, "/etc/resolv.conf"); !st) return st;
  if (auto st = bind_over(bundle, kSystemBundle); !st) return st;
  std::vector<char*> av;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  ::execvp(av[0], av.data());
  return Diagnostic::error("lab client", "cannot run " + argv.front() + ": " + std::strerror(errno));
}

}  // namespace foobar::lab
