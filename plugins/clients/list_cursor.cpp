#include "list_cursor.h"

#include <cstring>

#include "lexos/sdk/errors.h"
#include "lexos/sdk/json.h"

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

const char* sortParam(ListSort sort) {
  switch (sort) {
    case ListSort::NameAsc: return "name";
    case ListSort::NameDesc: return "-name";
    case ListSort::AddedAsc: return "added";
    case ListSort::AddedDesc: return "-added";
  }
  return "name";
}

bool parseSort(const std::string& text, ListSort& sort) {
  for (ListSort s : {ListSort::NameAsc, ListSort::NameDesc, ListSort::AddedAsc, ListSort::AddedDesc})
    if (text == sortParam(s)) {
      sort = s;
      return true;
    }
  return false;
}

std::string ListCursor::encode() const {
  sdk::JsonWriter w;
  w.beginArray();
  if (sort != ListSort::NameAsc) w.value(sortParam(sort));
  w.value(sort_name).value(id).endArray();
  return base64url(w.take());
}

ListCursor ListCursor::decode(const std::string& textIn) {
  std::string json;
  if (textIn.empty() || textIn.size() > 2048 || !unbase64url(textIn, json)) invalid();
  sdk::Json a;
  try {
    a = sdk::parseJson(json);
  } catch (const sdk::HttpError&) {
    invalid();  // named "cursor", not the body
  }
  if (!a.isArray() || (a.size() != 2 && a.size() != 3)) invalid();
  ListCursor c;
  std::size_t k = 0;
  if (a.size() == 3) {
    // The three-element form names an order other than the default one.
    if (!a.at(0).isString() || !parseSort(a.at(0).asString(), c.sort) || c.sort == ListSort::NameAsc) invalid();
    k = 1;
  }
  if (!a.at(k).isString() || !a.at(k + 1).toInt64()) invalid();
  c.sort_name = a.at(k).asString();
  c.id = *a.at(k + 1).toInt64();
  if (c.id <= 0) invalid();
  return c;
}

}  // namespace lexos::clients
