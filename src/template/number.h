// Python's integer arithmetic on 64-bit integers: floor division and modulo,
// powers by squaring, and an empty result where Python's unbounded int would
// leave 64 bits (the caller reports it; nothing wraps).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace foobar::tmpl {

std::optional<int64_t> int_add(int64_t a, int64_t b);
std::optional<int64_t> int_sub(int64_t a, int64_t b);
std::optional<int64_t> int_mul(int64_t a, int64_t b);
std::optional<int64_t> int_neg(int64_t a);
// b != 0.
std::optional<int64_t> int_floordiv(int64_t a, int64_t b);
int64_t int_mod(int64_t a, int64_t b);
// exp >= 0; O(log exp) whatever the exponent.
std::optional<int64_t> int_pow(int64_t base, int64_t exp);
// Python's int(x) for a float: truncation toward zero; empty for NaN, infinities
// and values outside 64 bits.
std::optional<int64_t> float_to_int(double x);

// The located message for an overflow: "1 + 9223372036854775807 does not fit ...".
std::string int_overflow_message(const std::string& what);

}  // namespace foobar::tmpl
