#include "template/py_random.h"

#include <openssl/evp.h>

namespace foobar::tmpl {
namespace {

constexpr int kN = 624;
constexpr int kM = 397;

// The bytes of a big-endian number as CPython's int keys the generator: 32-bit
// words, least significant first, at least one.
std::vector<uint32_t> words_of_big_endian(const std::vector<unsigned char>& bytes) {
  std::vector<uint32_t> key;
  size_t n = bytes.size();
  for (size_t end = n; end > 0; end = end >= 4 ? end - 4 : 0) {
    uint32_t w = 0;
    size_t begin = end >= 4 ? end - 4 : 0;
    for (size_t i = begin; i < end; ++i) w = (w << 8) | bytes[i];
    key.push_back(w);
    if (begin == 0) break;
  }
  // CPython drops leading zero words of the number (but keeps one word).
  while (key.size() > 1 && key.back() == 0) key.pop_back();
  if (key.empty()) key.push_back(0);
  return key;
}

}  // namespace

PyRandom::PyRandom(uint64_t n) {
  std::vector<uint32_t> key{static_cast<uint32_t>(n)};
  if (n >> 32) key.push_back(static_cast<uint32_t>(n >> 32));
  init_by_array(key);
}

PyRandom::PyRandom(std::string_view s) {
  std::vector<unsigned char> bytes(s.begin(), s.end());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), digest, &len, EVP_sha512(), nullptr);
  bytes.insert(bytes.end(), digest, digest + len);
  init_by_array(words_of_big_endian(bytes));
}

void PyRandom::init_by_array(const std::vector<uint32_t>& key) {
  m_mt[0] = 19650218U;
  for (int i = 1; i < kN; ++i)
    m_mt[i] = 1812433253U * (m_mt[i - 1] ^ (m_mt[i - 1] >> 30)) + static_cast<uint32_t>(i);
  int i = 1;
  size_t j = 0;
  const int klen = static_cast<int>(key.size());
  for (int k = kN > klen ? kN : klen; k > 0; --k) {
    m_mt[i] = (m_mt[i] ^ ((m_mt[i - 1] ^ (m_mt[i - 1] >> 30)) * 1664525U)) + key[j] + static_cast<uint32_t>(j);
    ++i, ++j;
    if (i >= kN) m_mt[0] = m_mt[kN - 1], i = 1;
    if (j >= key.size()) j = 0;
  }
  for (int k = kN - 1; k > 0; --k) {
    m_mt[i] = (m_mt[i] ^ ((m_mt[i - 1] ^ (m_mt[i - 1] >> 30)) * 1566083941U)) - static_cast<uint32_t>(i);
    ++i;
    if (i >= kN) m_mt[0] = m_mt[kN - 1], i = 1;
  }
  m_mt[0] = 0x80000000U;
  m_index = kN;
}

void PyRandom::generate() {
  auto twist = [](uint32_t u, uint32_t v) {
    uint32_t y = (u & 0x80000000U) | (v & 0x7fffffffU);
    return (y >> 1) ^ ((y & 1U) ? 0x9908b0dfU : 0U);
  };
  for (int k = 0; k < kN; ++k) m_mt[k] = m_mt[(k + kM) % kN] ^ twist(m_mt[k], m_mt[(k + 1) % kN]);
  m_index = 0;
}

uint32_t PyRandom::next32() {
  if (m_index >= kN) generate();
  uint32_t y = m_mt[m_index++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

uint64_t PyRandom::bits(int k) {
  if (k <= 0) return 0;
  if (k <= 32) return next32() >> (32 - k);
  uint64_t low = next32();
  uint64_t high = next32() >> (64 - k);
  return low | (high << 32);
}

uint64_t PyRandom::below(uint64_t n) {
  if (n == 0) return 0;
  int k = 64 - __builtin_clzll(n);
  uint64_t r = bits(k);
  while (r >= n) r = bits(k);
  return r;
}

}  // namespace foobar::tmpl
