#include "list_cursor.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <cstring>
#include <sstream>

#include "lexos/sdk/errors.h"
#include "text.h"

namespace lexos::clients {

namespace {

constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const std::string& in) {
  std::string out;
  std::size_t i = 0;
  while (i + 2 < in.size()) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    const unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

bool unbase64url(const std::string& in, std::string& out) {
  if (in.size() % 4 == 1) return false;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(kAlphabet, c);
    if (!p || c == '\0') return false;
    buf = (buf << 6) | static_cast<unsigned>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return true;
}

[[noreturn]] void invalid() {
  throw sdk::BadRequest("cursor", "This page link is not valid any more; start again from the first page.");
}

}  // namespace

std::string ListCursor::encode() const {
  Poco::JSON::Array a;
  a.add(sort_name);
  a.add(static_cast<Poco::Int64>(id));
  std::ostringstream ss;
  a.stringify(ss);
  return base64url(ss.str());
}

ListCursor ListCursor::decode(const std::string& textIn) {
  std::string json;
  if (textIn.empty() || textIn.size() > 2048 || !unbase64url(textIn, json) || !text::isValidUtf8(json)) invalid();
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(json);
    if (v.type() != typeid(Poco::JSON::Array::Ptr)) invalid();
    auto a = v.extract<Poco::JSON::Array::Ptr>();
    if (!a || a->size() != 2 || !a->get(0).isString() || !a->get(1).isInteger()) invalid();
    ListCursor c;
    c.sort_name = a->get(0).extract<std::string>();
    c.id = a->get(1).convert<Poco::Int64>();
    if (c.id <= 0) invalid();
    return c;
  } catch (const sdk::HttpError&) {
    throw;
  } catch (const std::exception&) {
    invalid();
  }
}

}  // namespace lexos::clients
