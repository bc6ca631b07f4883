// Python's random.Random: the Mersenne Twister MT19937 seeded as CPython seeds
// it (an int by its 32-bit words, a str by its UTF-8 bytes followed by their
// SHA-512), with randrange() and choice() drawing as CPython 3.11 does, so a
// seeded `random` filter gives the number Ansible gives.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace foobar::tmpl {

class PyRandom {
 public:
  // random.Random(n): the absolute value of n.
  explicit PyRandom(uint64_t n);
  // random.Random(s) for a str (seed version 2).
  explicit PyRandom(std::string_view s);

  uint32_t next32();
  // getrandbits(k), 0 <= k <= 64.
  uint64_t bits(int k);
  // _randbelow(n): uniform in [0, n); 0 when n is 0.
  uint64_t below(uint64_t n);

 private:
  std::array<uint32_t, 624> m_mt{};
  int m_index = 625;

  void init_by_array(const std::vector<uint32_t>& key);
  void generate();
};

}  // namespace foobar::tmpl
