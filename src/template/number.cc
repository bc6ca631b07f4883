#include "template/number.h"

#include <cmath>

namespace foobar::tmpl {

std::optional<int64_t> int_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<int64_t> int_sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<int64_t> int_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<int64_t> int_neg(int64_t a) { return int_sub(0, a); }

std::optional<int64_t> int_floordiv(int64_t a, int64_t b) {
  if (b == -1) return int_neg(a);
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t int_mod(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

std::optional<int64_t> int_pow(int64_t base, int64_t exp) {
  if (base == 0) return exp == 0 ? 1 : 0;
  if (base == 1) return 1;
  if (base == -1) return exp % 2 == 0 ? 1 : -1;
  // |base| >= 2: the result leaves 64 bits before exp reaches 64.
  int64_t result = 1;
  while (exp > 0) {
    if (exp & 1) {
      auto r = int_mul(result, base);
      if (!r) return std::nullopt;
      result = *r;
    }
    exp >>= 1;
    if (exp == 0) break;
    auto b = int_mul(base, base);
    if (!b) return std::nullopt;
    base = *b;
  }
  return result;
}

std::optional<int64_t> float_to_int(double x) {
  if (!std::isfinite(x)) return std::nullopt;
  double t = std::trunc(x);
  // 2^63 is exactly representable; every double below it in magnitude fits.
  if (t >= 9223372036854775808.0 || t < -9223372036854775808.0) return std::nullopt;
  return static_cast<int64_t>(t);
}

std::string int_overflow_message(const std::string& what) {
  return "integer overflow: " + what +
         " does not fit in 64 bits (integers in templates range from -9223372036854775808 to 9223372036854775807)";
}

}  // namespace foobar::tmpl
