#include "common/tokens.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace lexos::core {

std::string hashToken(const std::string& token) {
  // OpenSSL directly: one call, no per-use library initialiser (Poco::Crypto's per-object
  // OpenSSLInitializer reference counting races under concurrent use).
  // The digest is fetched once: SHA256() fetches it from the provider store on every call.
  static EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char md[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  if (!sha256 || EVP_Digest(token.data(), token.size(), md, &len, sha256, nullptr) != 1 || len != SHA256_DIGEST_LENGTH)
    throw std::runtime_error("SHA-256 is not available");
  static const char* hex = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  return out;
}

std::string randomToken(std::size_t n) {
  std::string raw(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("no randomness available");
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0, acc = 0;
  for (unsigned char ch : raw) {
    acc = (acc << 8) | ch;
    bits += 8;
    while (bits >= 6) {
      out.push_back(a[(acc >> (bits - 6)) & 63]);
      bits -= 6;
    }
  }
  if (bits > 0) out.push_back(a[(acc << (6 - bits)) & 63]);
  return out;
}

bool safeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

std::string cookieValue(const std::string& header, const std::string& name) {
  std::size_t i = 0;
  while (i < header.size()) {
    auto semi = header.find(';', i);
    if (semi == std::string::npos) semi = header.size();
    std::string part = header.substr(i, semi - i);
    auto b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    auto eq = part.find('=');
    if (eq != std::string::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    i = semi + 1;
  }
  return {};
}

}  // namespace lexos::core
