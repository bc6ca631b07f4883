#include "util/hash.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace foobar {

namespace {

std::string digest(std::string_view data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
    throw std::runtime_error("digest computation failed in libcrypto");
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string hex(std::string_view bytes, const char* digits) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) { return hex(digest(data, EVP_sha256()), "0123456789abcdef"); }

std::string mysql_native_password_hash(std::string_view password) {
  return "*" + hex(digest(digest(password, EVP_sha1()), EVP_sha1()), "0123456789ABCDEF");
}

}  // namespace foobar
