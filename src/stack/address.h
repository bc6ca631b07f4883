// IP address and CIDR parsing for the stack file (strict: no leading zeros,
// no zone ids, no hostnames).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace foobar::stack {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
  int bits() const { return v6 ? 128 : 32; }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct Cidr {
  IpAddress base;
  int prefix = 0;
  bool contains(const IpAddress& a) const;
};

std::optional<IpAddress> parse_ip(std::string_view text);
std::optional<IpAddress> parse_ipv4(std::string_view text);
std::optional<IpAddress> parse_ipv6(std::string_view text);
// "a.b.c.d/n" or "x::y/n"; a bare address is a host route (/32 or /128).
// Host bits below the prefix must be zero (10.77.0.1/24 is rejected).
std::optional<Cidr> parse_cidr(std::string_view text);
// Why parse_cidr rejected the text, in words; empty when it is valid.
std::string cidr_problem(std::string_view text);

std::string to_string(const IpAddress& a);
std::string to_string(const Cidr& c);

}  // namespace foobar::stack
