#include "transport/connector.h"

#include <cstdio>

namespace foobar::transport {

std::string upload_command(const std::string& path, unsigned mode, const std::string& owner) {
  char mode_str[16];
  std::snprintf(mode_str, sizeof mode_str, "%04o", mode & 07777);
  const std::string p = shell_quote(path);
  // The temp file sits beside the target so that mv is a rename on one filesystem.
  std::string cmd = "set -e; umask 077; t=$(mktemp \"$(dirname " + p +
                    ")/.foobar-upload.XXXXXX\"); trap 'rm -f \"$t\"' EXIT; cat > \"$t\"; ";
  if (!owner.empty()) cmd += "chown " + shell_quote(owner) + " \"$t\"; ";
  cmd += std::string("chmod ") + mode_str + " \"$t\"; mv -f \"$t\" " + p + "; trap - EXIT";
  return cmd;
}

Status upload(Connector& conn, const std::string& path, std::string_view content, unsigned mode,
              const std::string& owner) {
  auto r = conn.run(upload_command(path, mode, owner), content);
  if (!r) return r.diagnostics();
  if (!r->ok()) return command_failed(conn.name(), "writing " + path, *r);
  return ok_status();
}

Diagnostic output_too_large(const std::string& host, const std::string& command, const char* stream,
                            std::size_t cap) {
  std::string first = command.substr(0, command.find('\n'));
  if (first.size() > 120) first = first.substr(0, 117) + "...";
  std::string size = cap % (1 << 20) == 0 ? std::to_string(cap >> 20) + " MiB" : std::to_string(cap) + " bytes";
  return Diagnostic::error(host, std::string("the command printed more than ") + size + " on " + stream +
                                     ", the cap on one command's output; it was stopped and its output dropped "
                                     "(command: " + first + ")");
}

Diagnostic command_failed(const std::string& host, const std::string& what,
                          const CommandResult& r) {
  std::string err = r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  std::string msg = what + " failed with exit status " + std::to_string(r.exit_status);
  if (!err.empty()) msg += ": " + err;
  return Diagnostic::error(host, msg);
}

}  // namespace foobar::transport
