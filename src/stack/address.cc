#include "stack/address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace foobar::stack {

namespace {

// inet_pton needs a NUL-terminated string; anything longer than an IPv6
// literal is no address anyway.
bool to_cstr(std::string_view text, char (&buf)[64]) {
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  return true;
}

std::optional<int> parse_prefix(std::string_view text, int max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max)
    return std::nullopt;
  return value;
}

bool host_bits_zero(const IpAddress& a, int prefix) {
  for (int bit = prefix; bit < a.bits(); ++bit)
    if (a.bytes[bit / 8] & (0x80 >> (bit % 8))) return false;
  return true;
}

IpAddress mask(IpAddress a, int prefix) {
  for (int bit = prefix; bit < a.bits(); ++bit) a.bytes[bit / 8] &= ~(0x80 >> (bit % 8));
  return a;
}

}  // namespace

std::optional<IpAddress> parse_ipv4(std::string_view text) {
  char buf[64];
  if (!to_cstr(text, buf)) return std::nullopt;
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
  return a;
}

std::optional<IpAddress> parse_ipv6(std::string_view text) {
  char buf[64];
  if (!to_cstr(text, buf)) return std::nullopt;
  IpAddress a;
  a.v6 = true;
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  return a;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
  return parse_ipv4(text);
}

bool Cidr::contains(const IpAddress& a) const {
  return a.v6 == base.v6 && mask(a, prefix) == base;
}

std::string cidr_problem(std::string_view text) {
  auto slash = text.find('/');
  auto addr = parse_ip(text.substr(0, slash));
  if (!addr) return "'" + std::string(text.substr(0, slash)) + "' is not an IPv4 or IPv6 address";
  if (slash == std::string_view::npos) return {};
  auto prefix = parse_prefix(text.substr(slash + 1), addr->bits());
  if (!prefix)
    return "the prefix length must be a number from 0 to " + std::to_string(addr->bits());
  if (!host_bits_zero(*addr, *prefix))
    return "host bits are set below the /" + std::to_string(*prefix) + " prefix; did you mean " +
           to_string(Cidr{mask(*addr, *prefix), *prefix}) + "?";
  return {};
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  if (!cidr_problem(text).empty()) return std::nullopt;
  auto slash = text.find('/');
  Cidr c;
  c.base = *parse_ip(text.substr(0, slash));
  c.prefix = slash == std::string_view::npos ? c.base.bits()
                                             : *parse_prefix(text.substr(slash + 1), c.base.bits());
  return c;
}

std::string to_string(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf);
  return buf;
}

std::string to_string(const Cidr& c) { return to_string(c.base) + "/" + std::to_string(c.prefix); }

}  // namespace foobar::stack
