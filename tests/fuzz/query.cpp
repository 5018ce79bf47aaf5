// Fuzz target: percent-decoding and query strings (core/src/http/http_request.cpp:
// urlDecode, parseQuery). Input: the raw text; its first byte also chooses whether '+' is a
// space. Properties: decoding never grows the text, refuses "%00" (a NUL would cut names in C
// APIs) and malformed escapes, and agrees with a plain reference decoder; parseQuery either
// throws BadRequest naming "query" or returns one pair per non-empty '&'-separated part.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "http/http_request.h"
#include "lexos/sdk/errors.h"

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The reference: what RFC 3986 percent-decoding gives, NUL refused.
bool reference(const std::string& in, std::string& out, bool plusIsSpace) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(plusIsSpace && in[i] == '+' ? ' ' : in[i]);
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string raw(reinterpret_cast<const char*>(data), size);
  const bool plus = size > 0 && (data[0] & 1);
  std::string out, expected;
  const bool ok = lexos::core::urlDecode(raw, out, plus);
  FUZZ_CHECK(ok == reference(raw, expected, plus));
  if (ok) {
    FUZZ_CHECK(out == expected);
    FUZZ_CHECK(out.size() <= raw.size());
    FUZZ_CHECK(out.find('\0') == std::string::npos || raw.find('\0') != std::string::npos);
  }

  std::size_t parts = 0;
  for (std::size_t i = 0; i <= raw.size();) {
    auto amp = raw.find('&', i);
    if (amp == std::string::npos) amp = raw.size();
    if (amp > i) ++parts;
    i = amp + 1;
  }
  try {
    const auto q = lexos::core::parseQuery(raw);
    FUZZ_CHECK(q.size() == parts);
  } catch (const lexos::sdk::BadRequest& e) {
    FUZZ_CHECK(e.field() == "query");
  }
  return 0;
}
