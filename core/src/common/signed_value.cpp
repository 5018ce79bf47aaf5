#include "common/signed_value.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace lexos::core {

std::optional<std::vector<std::string>> splitSignedValue(const std::string& value, std::size_t fields) {
  if (value.empty() || value.size() > 200) return std::nullopt;
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (parts.size() < fields + 2) {  // one more than wanted is enough to refuse
    const auto dot = value.find('.', i);
    parts.push_back(value.substr(i, dot == std::string::npos ? std::string::npos : dot - i));
    if (dot == std::string::npos) break;
    i = dot + 1;
  }
  if (parts.size() != fields + 1 || parts.back().size() != 64) return std::nullopt;
  return parts;
}

std::optional<std::int64_t> wholeNumber(const std::string& s) {
  try {
    std::size_t used = 0;
    const std::int64_t n = std::stoll(s, &used);
    if (used != s.size()) return std::nullopt;
    return n;
  } catch (...) {
    return std::nullopt;
  }
}

std::string hmacSha256Hex(const std::string& key, const std::string& payload) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), md, &len))
    throw std::runtime_error("HMAC-SHA256 is not available");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace lexos::core
