// known_hosts with OpenSSH's trust semantics, read and matched by us: libssh2's
// knownhost API treats a key of another type as unknown (so accept-new would record
// a second key for a host whose key changed), and knows neither markers nor ports
// the way sshd(8)'s SSH_KNOWN_HOSTS FILE FORMAT defines them.
//
// - Entries are looked up under "host" for port 22 and "[host]:port" otherwise, so
//   a plain entry applies to port 22 only and a bracketed one to its port only.
// - Host fields are comma-separated patterns with `*`, `?` and `!` negation, or one
//   hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
// - A key recorded for the host that is not the offered one, whatever its type,
//   makes the offered key CHANGED.
// - A key on an `@revoked` line is refused for every host, whatever the line's
//   host patterns (stricter than ssh(1), which reads the patterns too).
// - `@cert-authority` lines are recognized and refused as not supported, rather
//   than ignored (foobarctl checks plain host keys only).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace foobar::transport {

struct KnownHostLine {
  enum class Marker { none, revoked, cert_authority };
  int line = 0;  // 1-based line number in the file
  Marker marker = Marker::none;
  std::string hosts;     // the host field as written (patterns or a hashed name)
  std::string key_type;  // e.g. "ssh-ed25519"
  std::string key;       // the raw key blob (base64-decoded)
};

// The lines that hold a key; comments, blank and malformed lines are skipped, as
// ssh(1) skips them.
std::vector<KnownHostLine> parse_known_hosts(std::string_view text);

// The name a host is looked up by: "host" on port 22, "[host]:port" otherwise.
std::string known_hosts_name(std::string_view host, int port);

// Whether a host field (patterns or one hashed name) covers `name` (case-insensitive).
bool host_field_matches(std::string_view field, std::string_view name);

enum class HostKeyVerdict { known, unknown, changed, revoked, cert_authority };

struct HostKeyCheck {
  HostKeyVerdict verdict = HostKeyVerdict::unknown;
  KnownHostLine line;  // the deciding line (line 0 when unknown)
};

// The verdict on `key` (raw blob) offered under `name` (see known_hosts_name).
HostKeyCheck check_host_key(const std::vector<KnownHostLine>& lines, std::string_view name, std::string_view key);

// "SHA256:" + unpadded base64 of the SHA-256 of the raw key, as OpenSSH prints it.
std::string sha256_fingerprint(std::string_view raw_key);

// ~/.ssh/known_hosts of the user running foobarctl.
std::string default_known_hosts();

// The host key `raw_key` of type `key_type` (e.g. "ssh-ed25519") that `host` offers on
// `port`, checked against the known_hosts file at `path` (see the rules above). An
// unknown key is an error naming the fix, or with accept_new is appended to the
// file; a changed, revoked or CA-signed one is always an error. Safe to call from
// many threads at once.
Status verify_host_key(const std::string& host, int port, std::string_view key_type, std::string_view raw_key,
                       const std::string& path, bool accept_new);

}  // namespace foobar::transport
