#include "feed_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <vector>

namespace lexos::schedules {

namespace {

std::string mac(const std::string& message, const std::string& secret) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

std::string payload(const FeedToken& t) {
  return std::to_string(t.firm_id) + "-" + std::to_string(t.user_id) + "-" + std::to_string(t.generation);
}

}  // namespace

std::string signFeedToken(const FeedToken& t, const std::string& secret) {
  const std::string p = payload(t);
  return p + "-" + mac("lexos-schedules-feed:" + p, secret);
}

std::optional<FeedToken> verifyFeedToken(std::string token, const std::string& secret) {
  if (secret.empty()) return std::nullopt;
  if (token.size() > 4 && token.compare(token.size() - 4, 4, ".ics") == 0) token.resize(token.size() - 4);
  if (token.size() > 200) return std::nullopt;
  std::vector<std::string> parts(1);
  for (char ch : token) {
    if (ch == '-') {
      parts.emplace_back();
    } else {
      if (!std::isalnum(static_cast<unsigned char>(ch))) return std::nullopt;
      parts.back() += ch;
    }
  }
  if (parts.size() != 4 || parts[3].size() != 64) return std::nullopt;
  FeedToken t;
  try {
    for (int i = 0; i < 3; ++i) {
      if (parts[i].empty() || parts[i].size() > 18) return std::nullopt;
      for (char ch : parts[i])
        if (!std::isdigit(static_cast<unsigned char>(ch))) return std::nullopt;
    }
    t.firm_id = std::stoll(parts[0]);
    t.user_id = std::stoll(parts[1]);
    t.generation = std::stoll(parts[2]);
  } catch (...) {
    return std::nullopt;
  }
  const std::string want = mac("lexos-schedules-feed:" + payload(t), secret);
  if (CRYPTO_memcmp(want.data(), parts[3].data(), 64) != 0) return std::nullopt;
  return t;
}

}  // namespace lexos::schedules
