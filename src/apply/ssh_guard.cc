#include "apply/ssh_guard.h"

#include <algorithm>

#include "remote/library.h"

namespace foobar {

namespace {

bool hardens(const HostPlan& hp, const std::string& dropin) {
  return std::any_of(hp.actions.begin(), hp.actions.end(), [&](const Action& a) {
    return a.kind == ResourceKind::file && a.name == dropin &&
           (a.type == ActionType::create || a.type == ActionType::update);
  });
}

// "" when `host` keeps letting foobarctl in by key, else why not.
std::string refusal(transport::Connector& c, const std::string& user) {
  auto login = c.ssh_login();
  if (!login) return "";
  if (login->method != "publickey")
    return "foobarctl reaches this host by " + login->method +
           "; turning password logins off would lock it out. Authorize a key for " + user + " and log in with it";
  if (login->key_fingerprint.empty())
    return "cannot tell which key foobarctl logs in with, so cannot make sure sshd keeps accepting it once "
           "password logins are off; put its public half beside the private key (KEY.pub)";
  auto inv = remote::invoke({remote::call("fb_sshd_key_ok", {user, login->key_fingerprint})});
  auto r = c.run(inv.command, inv.input);
  if (!r) return r.diagnostics().front().message;
  if (r->ok()) return "";
  std::string why = r->err;
  while (!why.empty() && why.back() == '\n') why.pop_back();
  return "the key foobarctl logs in with (" + login->key_fingerprint + ") would not let it in once password "
         "logins are off: " + why;
}

}  // namespace

Diagnostics check_ssh_access(const Plan& plan, const SshGuard& guard,
                             const std::map<std::string, transport::Connector*>& connectors) {
  Diagnostics out;
  for (const auto& hp : plan.hosts) {
    if (!hardens(hp, guard.dropin)) continue;
    auto c = connectors.find(hp.host);
    auto u = guard.users.find(hp.host);
    if (c == connectors.end() || !c->second) continue;
    std::string why = refusal(*c->second, u == guard.users.end() ? "root" : u->second);
    if (!why.empty())
      out.push_back(Diagnostic::error(hp.host, "refusing to turn password logins off: " + why +
                                                   "; nothing was changed"));
  }
  return out;
}

}  // namespace foobar
