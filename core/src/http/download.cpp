#include "http/download.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <vector>

namespace lexos::core {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    auto c = s.find(',', i);
    if (c == std::string::npos) c = s.size();
    out.push_back(trim(s.substr(i, c - i)));
    i = c + 1;
  }
  return out;
}

// A decimal number of at most 19 digits; false otherwise.
bool parseNumber(const std::string& s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  out = std::stoull(s);
  return true;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Entity tags in an If-None-Match / If-Range list, without W/, quotes kept.
std::string opaque(const std::string& tag) { return tag.rfind("W/", 0) == 0 ? tag.substr(2) : tag; }

}  // namespace

RangeAnswer decideRange(const std::string& header, std::uint64_t size, ByteRange& range) {
  const std::string h = trim(header);
  const auto eq = h.find('=');
  if (eq == std::string::npos || lower(trim(h.substr(0, eq))) != "bytes") return RangeAnswer::kWhole;
  const auto specs = splitComma(h.substr(eq + 1));
  bool found = false;
  ByteRange first;
  for (const auto& spec : specs) {
    if (spec.empty()) continue;  // "bytes=0-1, ,5-6": empty list elements are allowed
    const auto dash = spec.find('-');
    if (dash == std::string::npos) return RangeAnswer::kWhole;
    const std::string a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
    std::uint64_t x = 0, y = 0;
    if (a.empty()) {  // suffix: the last y bytes
      if (!parseNumber(b, y)) return RangeAnswer::kWhole;
      if (found || y == 0 || size == 0) continue;
      first = {size - std::min(y, size), size - 1};
      found = true;
      continue;
    }
    if (!parseNumber(a, x)) return RangeAnswer::kWhole;
    if (b.empty()) {
      y = size == 0 ? 0 : size - 1;
    } else {
      if (!parseNumber(b, y) || y < x) return RangeAnswer::kWhole;
      if (size > 0) y = std::min(y, size - 1);
    }
    if (found || x >= size) continue;
    first = {x, y};
    found = true;
  }
  if (!found) {
    const bool any = std::any_of(specs.begin(), specs.end(), [](const std::string& s) { return !s.empty(); });
    return any ? RangeAnswer::kUnsatisfiable : RangeAnswer::kWhole;
  }
  range = first;
  return RangeAnswer::kPartial;
}

std::string quoteEtag(const std::string& etag) {
  std::string v = etag;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  for (unsigned char c : v)
    if (c < 0x21 || c == 0x7f || c == '"' || c == '\\')
      throw std::invalid_argument("SendOptions.etag holds a character an entity tag cannot carry "
                                  "(a quote, backslash, space or control character)");
  return "\"" + v + "\"";
}

bool noneMatchHits(const std::string& header, const std::string& etag) {
  if (etag.empty()) return trim(header) == "*";
  for (const auto& tag : splitComma(header))
    if (tag == "*" || opaque(tag) == etag) return true;
  return false;
}

bool ifRangeHolds(const std::string& header, const std::string& etag, const std::string& lastModified) {
  const std::string h = trim(header);
  if (h.empty()) return true;
  if (h.front() == '"' || h.rfind("W/", 0) == 0) return !etag.empty() && h == etag;  // strong comparison
  return !lastModified.empty() && h == lastModified;
}

std::string safeFilename(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\' && c != '/') out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // A UTF-8 sequence: kept whole when valid (no overlong forms, surrogates or > U+10FFFF).
    std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    if (c > 0xf4) len = 0;
    bool ok = len > 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xc0) == 0x80;
    if (ok && len == 3) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
    }
    if (ok && len == 4) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (!ok) {
      ++i;  // an invalid byte is dropped
      continue;
    }
    // C1 controls (U+0080..U+009F) and the line/paragraph separators are dropped too.
    const bool c1 = len == 2 && c == 0xc2 && static_cast<unsigned char>(in[i + 1]) < 0xa0;
    const bool sep = len == 3 && c == 0xe2 && static_cast<unsigned char>(in[i + 1]) == 0x80 &&
                     (static_cast<unsigned char>(in[i + 2]) == 0xa8 || static_cast<unsigned char>(in[i + 2]) == 0xa9);
    if (!c1 && !sep) out.append(in, i, len);
    i += len;
  }
  out = trim(out);
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  out = trim(out);
  if (out.size() > 255) {
    // Cut at a character boundary.
    std::size_t cut = 255;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out.resize(cut);
  }
  return out.empty() ? "download" : out;
}

std::string contentDisposition(bool inlineDisposition, const std::string& filename) {
  std::string v = inlineDisposition ? "inline" : "attachment";
  if (filename.empty()) return v;
  std::string ascii, encoded;
  static const char* hex = "0123456789ABCDEF";
  for (std::size_t i = 0; i < filename.size(); ++i) {
    const auto c = static_cast<unsigned char>(filename[i]);
    // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
    if (std::isalnum(c) || std::string("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string::npos) {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.push_back('%');
      encoded.push_back(hex[c >> 4]);
      encoded.push_back(hex[c & 15]);
    }
    if (c >= 0x80) {
      if ((c & 0xc0) != 0x80) ascii.push_back('_');  // one '_' per non-ASCII character
    } else if (c == '%') {
      ascii.push_back('_');  // some browsers percent-decode the plain form
    } else {
      ascii.push_back(static_cast<char>(c));
    }
  }
  v += "; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  return v;
}

bool inlineAllowed(const std::string& contentType) {
  std::string t = lower(trim(contentType.substr(0, contentType.find(';'))));
  if (t == "application/pdf") return true;
  return t.rfind("image/", 0) == 0 && t.size() > 6 && t != "image/svg+xml";
}

}  // namespace lexos::core
