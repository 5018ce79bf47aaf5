// Fuzz target: the Cookie header and the session cookie (core/src/guard/guard.cpp:
// Guard::cookieValue, Guard::parseSessionCookie, Guard::hashToken).
// Input: the Cookie header; its first byte also picks the cookie name looked up (the session
// cookie, or a short name cut from the input). Properties: a found value is a substring of the
// header that follows "name="; a parsed session names a positive firm and a token of at least
// 19 bytes that ends the cookie; the token hashes to 64 hex digits.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "guard/guard.h"

using lexos::core::Guard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string header(reinterpret_cast<const char*>(data), size);
  std::string name = lexos::core::kSessionCookie;
  if (size > 1 && (data[0] & 1)) name = header.substr(1, data[0] % 8);
  const std::string value = Guard::cookieValue(header, name);
  if (!value.empty()) FUZZ_CHECK(header.find(name + "=" + value) != std::string::npos);

  for (const std::string* cookie : {&value, &header}) {
    std::int64_t firm = 0;
    std::string token;
    if (!Guard::parseSessionCookie(*cookie, firm, token)) continue;
    FUZZ_CHECK(firm > 0);
    FUZZ_CHECK(token.size() >= 19);
    FUZZ_CHECK(cookie->size() > token.size() &&
               cookie->compare(cookie->size() - token.size(), token.size(), token) == 0);
    const std::string hash = Guard::hashToken(token);
    FUZZ_CHECK(hash.size() == 64 &&
               hash.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  return 0;
}
