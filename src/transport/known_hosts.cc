#include "transport/known_hosts.h"

#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "util/base64.h"

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

}  // namespace foobar::transport
