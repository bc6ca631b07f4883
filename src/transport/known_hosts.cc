#include "transport/known_hosts.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

#include "util/base64.h"
#include "util/file.h"

namespace foobar::transport {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits off the next field (runs of spaces and tabs separate fields).
std::string_view next_field(std::string_view& rest) {
  auto start = rest.find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  auto end = rest.find_first_of(" \t");
  std::string_view field = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return field;
}

// `*` any run, `?` one character; both sides already lower case.
bool wildcard_match(std::string_view s, std::string_view p) {
  std::size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++si, ++pi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

// |1|salt|hash: HMAC-SHA1 of the name keyed with the salt.
bool hashed_match(std::string_view field, std::string_view name) {
  field.remove_prefix(3);
  auto bar = field.find('|');
  if (bar == std::string_view::npos) return false;
  auto salt = base64_decode(field.substr(0, bar));
  auto want = base64_decode(field.substr(bar + 1));
  if (!salt || !want || want->size() != 20) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
            reinterpret_cast<const unsigned char*>(name.data()), name.size(), mac, &len))
    return false;
  return len == want->size() && std::equal(want->begin(), want->end(), reinterpret_cast<const char*>(mac));
}

}  // namespace

std::vector<KnownHostLine> parse_known_hosts(std::string_view text) {
  std::vector<KnownHostLine> out;
  int number = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view rest = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++number;
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    KnownHostLine l;
    l.line = number;
    std::string_view first = next_field(rest);
    if (first.empty() || first.front() == '#') continue;
    if (first.front() == '@') {
      if (first == "@revoked") l.marker = KnownHostLine::Marker::revoked;
      else if (first == "@cert-authority") l.marker = KnownHostLine::Marker::cert_authority;
      else continue;  // an unknown marker: ssh(1) skips the line
      first = next_field(rest);
    }
    std::string_view type = next_field(rest);
    auto key = base64_decode(next_field(rest));
    if (first.empty() || type.empty() || !key || key->empty()) continue;
    l.hosts = std::string(first);
    l.key_type = std::string(type);
    l.key = std::move(*key);
    out.push_back(std::move(l));
  }
  return out;
}

std::string known_hosts_name(std::string_view host, int port) {
  if (port == 22) return std::string(host);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

bool host_field_matches(std::string_view field, std::string_view name) {
  const std::string n = lower(name);
  if (field.starts_with("|1|")) return hashed_match(field, n);
  bool matched = false;
  while (!field.empty()) {
    auto comma = field.find(',');
    std::string_view pattern = field.substr(0, comma);
    field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    bool negated = pattern.starts_with('!');
    if (negated) pattern.remove_prefix(1);
    if (pattern.empty() || !wildcard_match(n, lower(pattern))) continue;
    if (negated) return false;  // a negated match overrides every other pattern
    matched = true;
  }
  return matched;
}

HostKeyCheck check_host_key(const std::vector<KnownHostLine>& lines, std::string_view name, std::string_view key) {
  using Marker = KnownHostLine::Marker;
  for (const auto& l : lines)
    if (l.marker == Marker::revoked && l.key == key) return {HostKeyVerdict::revoked, l};
  const KnownHostLine* other = nullptr;
  const KnownHostLine* authority = nullptr;
  for (const auto& l : lines) {
    if (l.marker == Marker::revoked || !host_field_matches(l.hosts, name)) continue;
    if (l.marker == Marker::cert_authority) {
      if (!authority) authority = &l;
    } else if (l.key == key) {
      return {HostKeyVerdict::known, l};
    } else if (!other) {
      other = &l;
    }
  }
  if (other) return {HostKeyVerdict::changed, *other};
  if (authority) return {HostKeyVerdict::cert_authority, *authority};
  return {};
}

std::string sha256_fingerprint(std::string_view raw_key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(raw_key.data()), raw_key.size(), digest);
  std::string b64 = base64_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();  // OpenSSH prints it unpadded
  return "SHA256:" + b64;
}

std::string default_known_hosts() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.ssh/known_hosts";
}

namespace {

std::mutex g_known_hosts_mutex;  // accept_new appends from many connector threads

// The whole file, or an error naming it; a missing file is empty.
Result<std::string> read_known_hosts(const std::string& host, const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) return std::string();
  auto text = read_file(path);
  if (!text) return Diagnostic::error(host, "cannot read known_hosts file " + path + ": " + std::strerror(errno));
  return text;
}

std::string line_ref(const std::string& path, const KnownHostLine& l) { return path + ":" + std::to_string(l.line); }

}  // namespace

Status verify_host_key(const std::string& host, int port, std::string_view key_type, std::string_view raw_key,
                       const std::string& path, bool accept_new) {
  const std::string raw(raw_key);
  const std::string type_name(key_type);
  const std::string offered = "the server offers " + type_name + " key " + sha256_fingerprint(raw);
  const std::string entry_name = known_hosts_name(host, port);

  std::lock_guard lock(g_known_hosts_mutex);
  auto text = read_known_hosts(host, path);
  if (!text) return text.diagnostics();
  const auto lines = parse_known_hosts(*text);
  const HostKeyCheck check = check_host_key(lines, entry_name, raw);
  switch (check.verdict) {
    case HostKeyVerdict::known:
      return ok_status();
    case HostKeyVerdict::revoked:
      return Diagnostic::error(host, "host key for " + entry_name + " is REVOKED: " + offered + ", which " +
                                         line_ref(path, check.line) +
                                         " marks @revoked; it is refused for every host. Do not connect until "
                                         "the host has a new key, checked out of band");
    case HostKeyVerdict::changed:
      return Diagnostic::error(
          host, "host key CHANGED for " + entry_name + ": " + offered + ", but " + line_ref(path, check.line) +
                    " records a different " + check.line.key_type +
                    " key for this host; this may be a man-in-the-middle attack or a reinstalled host. If the "
                    "change is expected, remove the old entry with 'ssh-keygen -R " + entry_name + " -f " + path +
                    "' and connect again");
    case HostKeyVerdict::cert_authority:
      return Diagnostic::error(host, line_ref(path, check.line) + " trusts a certificate authority (@cert-authority) for " +
                                         entry_name +
                                         ", and foobarctl does not support host certificates: add the host's own "
                                         "key (" + type_name + ", check " + sha256_fingerprint(raw) +
                                         " out of band) as a plain known_hosts line");
    case HostKeyVerdict::unknown:
      break;
  }
  if (!accept_new)
    return Diagnostic::error(
        host, "host key for " + entry_name + " is unknown: " + offered + " and " + path +
                  " has no entry for it. Check the fingerprint out of band, then add it "
                  "(e.g. 'ssh-keyscan " + (port == 22 ? "" : "-p " + std::to_string(port) + " ") +
                  "-t " + type_name + " " + host + " >> " + path +
                  "') or allow first-use recording with accept-new");
  std::ofstream out(path, std::ios::app);
  if (!text->empty() && text->back() != '\n') out << '\n';
  out << entry_name << ' ' << type_name << ' ' << base64_encode(raw) << '\n';
  if (!out.flush())
    return Diagnostic::error(host, "cannot append the new host key to " + path);
  return ok_status();
}

}  // namespace foobar::transport
