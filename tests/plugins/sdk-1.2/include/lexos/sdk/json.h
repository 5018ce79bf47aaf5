#pragma once
/// @file json.h
/// JSON for plugins: a strict reader and a streaming writer. Part of the SDK toolbox: header
/// only, standard library only, everything inline. Nothing here crosses the plugin boundary
/// (each plugin compiles its own copy), so using it changes no ABI.
///
/// Reading (`parseJson`) follows RFC 8259 strictly and refuses, with a 400 that names the field
/// (or "body" and the line and column):
/// - anything that is not JSON: trailing commas, comments, single quotes, NaN and Infinity,
///   leading zeros ("007"), "+1", ".5", bare words, a byte-order mark, text after the value;
/// - strings that are not valid UTF-8 (overlong forms, surrogates, above U+10FFFF, truncated
///   sequences), raw control characters, unknown escapes, lone surrogate escapes ("\ud800");
/// - an object that has the same key twice (which value would count is otherwise up to each
///   parser: a classic way past a validator);
/// - nesting deeper than JsonLimits::max_depth (400) or text longer than max_bytes (413).
/// Numbers keep the text they were written with, so integers are read exactly (Json::toInt64,
/// int64 range, refused beyond) and decimals without rounding (Json::toDecimal).
///
/// For request bodies use readJsonObject (params.h), which also checks the Content-Type and
/// refuses fields the handler does not accept, and the JsonObject / JsonField readers
/// (json_fields.h) that turn fields into checked values.
///
/// Writing (`JsonWriter`) streams objects and arrays into a string (or an ostream) as they are
/// written, escapes what RFC 8259 requires plus U+2028, U+2029 and DEL, and **replaces invalid
/// UTF-8 with U+FFFD** (one per maximal invalid subsequence, as Unicode recommends) rather
/// than throwing: an answer built from stored data stays valid JSON even if a byte went wrong
/// somewhere. Misuse (a value where a key is due, an unclosed array, NaN) throws
/// std::logic_error, which the host answers as 500: it is a bug in the plugin.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lexos/sdk/db.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// The six kinds of JSON value.
enum class JsonType { Null, Bool, Number, String, Array, Object };

/// Limits of parseJson. Plain data.
struct JsonLimits {
  std::size_t max_bytes = 1024 * 1024;  ///< Longer text is refused with 413 (PayloadTooLarge).
  std::size_t max_depth = 32;           ///< Objects and arrays nested deeper: 400.
};

/// A parsed JSON value. Plain data: copyable, movable, no shared state; safe to read from
/// several threads at once. Objects keep their members in the order they were written and never
/// hold a key twice (parseJson refuses that).
///
/// The typed accessors (asBool, asString, at, key, ...) expect the right type and throw
/// std::logic_error otherwise (a bug: check type() first, or use the JsonField readers of
/// json_fields.h, which answer 400 naming the field instead).
class Json {
 public:
  /// null.
  Json() = default;
  static Json boolean(bool b) {
    Json j(JsonType::Bool);
    j.bool_ = b;
    return j;
  }
  /// A number from its JSON text ("12", "-0.5", "1e3"); the text is checked.
  static Json number(std::string_view text);
  static Json string(std::string s) {
    Json j(JsonType::String);
    j.text_ = std::move(s);
    return j;
  }
  static Json array() { return Json(JsonType::Array); }
  static Json object() { return Json(JsonType::Object); }

  JsonType type() const noexcept { return type_; }
  bool isNull() const noexcept { return type_ == JsonType::Null; }
  bool isBool() const noexcept { return type_ == JsonType::Bool; }
  bool isNumber() const noexcept { return type_ == JsonType::Number; }
  bool isString() const noexcept { return type_ == JsonType::String; }
  bool isArray() const noexcept { return type_ == JsonType::Array; }
  bool isObject() const noexcept { return type_ == JsonType::Object; }

  bool asBool() const { return expect(JsonType::Bool), bool_; }
  /// The decoded text of a string (valid UTF-8; may hold "\u0000" as a NUL byte).
  const std::string& asString() const { return expect(JsonType::String), text_; }
  /// A number exactly as it was written, e.g. "-12.50".
  const std::string& numberText() const { return expect(JsonType::Number), text_; }

  /// A number written as an integer ("42", "-7"; not "42.0" or "4.2e1") within int64, exactly;
  /// nullopt otherwise (fractions, exponents, beyond int64). For non-numbers: nullopt.
  std::optional<std::int64_t> toInt64() const;
  /// A number as the nearest double; nullopt when it is beyond double's range or not a number.
  std::optional<double> toDouble() const;
  /// A decimal number as an exact integer count of 10^-scale units: with scale 2, "12.5" gives
  /// 1250 and "0.125" gives nullopt (it would need rounding), as does anything beyond int64.
  /// Exponents are allowed ("1.5e2" with scale 0 gives 150). For money in minor units.
  std::optional<std::int64_t> toDecimal(int scale) const;

  /// Elements of an array, or members of an object.
  std::size_t size() const { return expectContainer(), items_.size(); }
  bool empty() const { return size() == 0; }
  /// Element `i` of an array (std::out_of_range past the end).
  const Json& at(std::size_t i) const { return expect(JsonType::Array), items_.at(i); }
  /// Key of member `i` of an object, in the order written.
  const std::string& key(std::size_t i) const { return expect(JsonType::Object), keys_.at(i); }
  /// Value of member `i` of an object.
  const Json& value(std::size_t i) const { return expect(JsonType::Object), items_.at(i); }
  /// The value of `key` in an object, or nullptr when it has no such member. Linear in the
  /// number of members (objects in requests are small; the reader caps nothing else).
  const Json* find(std::string_view key) const {
    expect(JsonType::Object);
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == key) return &items_[i];
    return nullptr;
  }

  /// Appends an element to an array.
  Json& push(Json v) {
    expect(JsonType::Array);
    items_.push_back(std::move(v));
    return items_.back();
  }
  /// Appends a member to an object. Does not look for an existing member of that key: keep
  /// keys unique (parseJson guarantees it for what it reads).
  Json& add(std::string key, Json v) {
    expect(JsonType::Object);
    keys_.push_back(std::move(key));
    items_.push_back(std::move(v));
    return items_.back();
  }

  /// "null", "boolean", "number", "string", "array" or "object".
  static const char* typeName(JsonType t) {
    switch (t) {
      case JsonType::Null: return "null";
      case JsonType::Bool: return "boolean";
      case JsonType::Number: return "number";
      case JsonType::String: return "string";
      case JsonType::Array: return "array";
      case JsonType::Object: return "object";
    }
    return "?";
  }

 private:
  friend class JsonParser;
  explicit Json(JsonType t) : type_(t) {}
  void expect(JsonType t) const {
    if (type_ != t)
      throw std::logic_error(std::string("JSON value is ") + typeName(type_) + ", not " +
                             typeName(t));
  }
  void expectContainer() const {
    if (type_ != JsonType::Array && type_ != JsonType::Object)
      throw std::logic_error(std::string("JSON value is ") + typeName(type_) +
                             ", not an array or object");
  }

  JsonType type_ = JsonType::Null;
  bool bool_ = false;
  std::string text_;               // string value, or the number's text
  std::vector<std::string> keys_;  // object: member keys, parallel to items_
  std::vector<Json> items_;        // array elements or object member values
};

namespace json_detail {

/// Length of the well-formed UTF-8 sequence starting at s[i] (1 to 4), or 0 when the bytes
/// there are not one. With `prefix`, the number of bytes that form the longest valid start of a
/// sequence (at least 1): the "maximal subpart" that one U+FFFD replaces.
inline std::size_t utf8Sequence(std::string_view s, std::size_t i, std::size_t* prefix = nullptr) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (prefix) *prefix = 1;
  if (b0 < 0x80) return 1;
  // The length of the sequence and the range of its second byte (RFC 3629, section 4): the
  // narrower ranges exclude overlong forms (E0, F0), UTF-16 surrogates (ED) and code points
  // above U+10FFFF (F4). C0, C1 and F5..FF start nothing, and neither does a continuation byte.
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
  if (b0 >= 0xE0 && b0 <= 0xEF) len = 3;
  if (b0 >= 0xF0 && b0 <= 0xF4) len = 4;
  if (b0 == 0xE0) lo = 0xA0;
  if (b0 == 0xED) hi = 0x9F;
  if (b0 == 0xF0) lo = 0x90;
  if (b0 == 0xF4) hi = 0x8F;
  if (len == 0) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return 0;
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
    if (prefix) *prefix = k + 1;
  }
  return len;
}

inline void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// Length of the JSON number at the start of `s` (RFC 8259 grammar), or 0 when there is none.
/// `leadingZero` is set when a digit follows a leading 0 ("01"), which JSON forbids.
inline std::size_t scanNumber(std::string_view s, bool* leadingZero = nullptr) {
  std::size_t i = 0;
  const auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digit(i)) return 0;
  if (s[i] == '0') {
    ++i;
    if (digit(i)) {
      if (leadingZero) *leadingZero = true;
      return 0;
    }
  } else {
    while (digit(i)) ++i;
  }
  if (i < s.size() && s[i] == '.') {
    if (!digit(i + 1)) return 0;
    ++i;
    while (digit(i)) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t k = i + 1;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    if (!digit(k)) return 0;
    while (digit(k)) ++k;
    i = k;
  }
  return i;
}

}  // namespace json_detail

inline Json Json::number(std::string_view text) {
  if (text.empty() || json_detail::scanNumber(text) != text.size())
    throw std::invalid_argument("not a JSON number: " + std::string(text.substr(0, 40)));
  Json j(JsonType::Number);
  j.text_ = std::string(text);
  return j;
}

inline std::optional<std::int64_t> Json::toInt64() const {
  if (type_ != JsonType::Number) return std::nullopt;
  std::int64_t v = 0;
  const char* b = text_.data();
  const char* e = b + text_.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e) return std::nullopt;  // fraction, exponent or out of range
  return v;
}

inline std::optional<double> Json::toDouble() const {
  if (type_ != JsonType::Number) return std::nullopt;
  double v = 0;
  const char* b = text_.data();
  const char* e = b + text_.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e || !std::isfinite(v)) return std::nullopt;
  return v;
}

inline std::optional<std::int64_t> Json::toDecimal(int scale) const {
  if (type_ != JsonType::Number || scale < 0 || scale > 18) return std::nullopt;
  // Split "-ddd.fff e±xx" into sign, significant digits and a power of ten.
  const std::string& t = text_;
  std::size_t i = 0;
  const bool negative = t[0] == '-';
  if (negative) ++i;
  std::string digits;
  long exponent = 0;
  for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
    if (t[i] == '.') continue;
    digits += t[i];
  }
  if (const auto dot = t.find('.'); dot != std::string::npos) {
    const auto end = std::min(t.find_first_of("eE"), t.size());
    exponent -= static_cast<long>(end - dot - 1);
  }
  if (i < t.size()) {  // the exponent; anything beyond ±10^6 is out of range either way
    long e = 0;
    auto [p, ec] = std::from_chars(t.data() + i + 1 + (t[i + 1] == '+'), t.data() + t.size(), e);
    if (ec != std::errc() || p != t.data() + t.size()) e = (t[i + 1] == '-') ? -1000000 : 1000000;
    exponent += std::max(-1000000L, std::min(1000000L, e));
  }
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return 0;
  exponent += scale;
  while (exponent < 0 && digits.back() == '0') digits.pop_back(), ++exponent;
  if (exponent < 0) return std::nullopt;  // more decimals than the scale allows
  if (digits.size() + static_cast<std::size_t>(exponent) > 19) return std::nullopt;
  digits.append(static_cast<std::size_t>(exponent), '0');
  std::uint64_t magnitude = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude > max + (negative ? 1 : 0)) return std::nullopt;
  if (negative)
    return magnitude == max + 1 ? std::numeric_limits<std::int64_t>::min()
                                : -static_cast<std::int64_t>(magnitude);
  return static_cast<std::int64_t>(magnitude);
}

/// The reader behind parseJson. Use parseJson; this class is public only so that Json can
/// befriend it.
class JsonParser {
 public:
  JsonParser(std::string_view text, const JsonLimits& limits) : s_(text), limits_(limits) {}

  Json parseDocument() {
    if (s_.size() > limits_.max_bytes)
      throw PayloadTooLarge("The JSON text is larger than " + std::to_string(limits_.max_bytes) +
                            " bytes.");
    if (s_.size() >= 3 && s_.substr(0, 3) == "\xEF\xBB\xBF")
      syntax("it starts with a byte-order mark; send UTF-8 without one");
    skipSpace();
    Json root;
    parseValue(root, 0);
    skipSpace();
    if (pos_ != s_.size()) syntax("there is more text after the JSON value");
    return root;
  }

 private:
  // One open container on the way down, for naming the field in an error.
  struct Frame {
    const Json* container;
  };

  // Not JSON at all: names the body. Not JSON in a value: names the value's field.
  [[noreturn]] void syntax(const std::string& what) {
    fail("body", "The body is not valid JSON: " + what);
  }
  [[noreturn]] void valueError(const std::string& what) {
    fail(path(), "The body is not valid JSON: " + what);
  }
  // Every message ends with where it happened: "(line 3, column 14)", counting characters.
  [[noreturn]] void fail(const std::string& field, const std::string& message) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n')
        ++line, column = 1;
      else if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80)
        ++column;
    }
    throw BadRequest(field, message + " (line " + std::to_string(line) + ", column " +
                                std::to_string(column) + ").");
  }

  // The dotted path of the value being read: "billing.address.city", "emails[2].address";
  // "body" at the top.
  std::string path() const {
    std::string p;
    for (const auto& f : frames_) {
      if (f.container->isObject()) {
        if (f.container->keys_.empty()) break;
        if (!p.empty()) p += '.';
        p += f.container->keys_.back();
      } else {
        if (f.container->items_.empty()) break;
        p += '[' + std::to_string(f.container->items_.size() - 1) + ']';
      }
    }
    return p.empty() ? "body" : p;
  }

  void skipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void parseValue(Json& out, std::size_t depth) {
    if (pos_ >= s_.size()) syntax("it ends where a value was expected");
    const char c = s_[pos_];
    switch (c) {
      case '{': return parseObject(out, depth + 1);
      case '[': return parseArray(out, depth + 1);
      case '"': out.type_ = JsonType::String; return parseString(out.text_, true);
      case 't': return literal(out, "true", JsonType::Bool, true);
      case 'f': return literal(out, "false", JsonType::Bool, false);
      case 'n': return literal(out, "null", JsonType::Null, false);
      default: break;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parseNumber(out);
    valueError("expected a value (an object, array, string, number, true, false or null)");
  }

  void literal(Json& out, std::string_view word, JsonType t, bool b) {
    if (s_.substr(pos_, word.size()) != word)
      valueError("expected a value (an object, array, string, number, true, false or null)");
    pos_ += word.size();
    out.type_ = t;
    out.bool_ = b;
  }

  void parseNumber(Json& out) {
    bool leadingZero = false;
    const std::size_t n = json_detail::scanNumber(s_.substr(pos_), &leadingZero);
    if (leadingZero) valueError("numbers are written without leading zeros");
    if (n == 0) valueError("this number is not written as JSON numbers are (e.g. -12, 0.5, 1e6)");
    out.type_ = JsonType::Number;
    out.text_.assign(s_.data() + pos_, n);
    pos_ += n;
  }

  void enter(std::size_t depth, const Json& container) {
    if (depth > limits_.max_depth)
      fail(path(), "The body nests objects and arrays deeper than " +
                       std::to_string(limits_.max_depth) + " levels");
    frames_.push_back({&container});
  }

  void parseArray(Json& out, std::size_t depth) {
    out.type_ = JsonType::Array;
    enter(depth, out);
    ++pos_;  // [
    skipSpace();
    if (!eat(']')) {
      for (;;) {
        out.items_.emplace_back();
        parseValue(out.items_.back(), depth);
        skipSpace();
        if (eat(']')) break;
        if (!eat(','))
          syntax(pos_ < s_.size() ? "expected ',' or ']' in an array" : "it ends inside an array");
        skipSpace();
        if (pos_ < s_.size() && s_[pos_] == ']')
          syntax("a comma must be followed by another value (no trailing commas)");
      }
    }
    frames_.pop_back();
  }

  void parseObject(Json& out, std::size_t depth) {
    out.type_ = JsonType::Object;
    enter(depth, out);
    ++pos_;  // {
    skipSpace();
    std::unordered_set<std::string> seen;  // the keys, once there are many
    if (!eat('}')) {
      for (;;) {
        if (pos_ >= s_.size()) syntax("it ends inside an object");
        if (s_[pos_] != '"')
          syntax(s_[pos_] == '}' ? "a comma must be followed by another field (no trailing commas)"
                                 : "expected a field name in double quotes");
        std::string key;
        parseString(key, false);
        // Small objects are searched; from 16 members on, a set keeps each lookup constant.
        bool duplicate;
        if (out.keys_.size() < 16) {
          duplicate = std::find(out.keys_.begin(), out.keys_.end(), key) != out.keys_.end();
        } else {
          if (seen.empty()) seen.insert(out.keys_.begin(), out.keys_.end());
          duplicate = !seen.insert(key).second;
        }
        out.keys_.push_back(std::move(key));
        out.items_.emplace_back();
        if (duplicate)
          fail(path(), "This field appears more than once in its object; send it once");
        skipSpace();
        if (!eat(':'))
          syntax(pos_ < s_.size() ? "expected ':' after a field name" : "it ends inside an object");
        skipSpace();
        parseValue(out.items_.back(), depth);
        skipSpace();
        if (eat('}')) break;
        if (!eat(','))
          syntax(pos_ < s_.size() ? "expected ',' or '}' in an object"
                                  : "it ends inside an object");
        skipSpace();
      }
    }
    frames_.pop_back();
  }

  unsigned hex4() {
    if (pos_ + 4 > s_.size()) syntax("it ends inside a \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9')
        v |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        v |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        v |= static_cast<unsigned>(h - 'A' + 10);
      else
        stringError("\\u must be followed by four hexadecimal digits");
    }
    return v;
  }

  // Errors inside a value's string name the value; inside a key they name the body.
  [[noreturn]] void stringError(const std::string& what) {
    if (inValue_) valueError(what);
    syntax(what + " in a field name");
  }

  void parseString(std::string& out, bool isValue) {
    inValue_ = isValue;
    ++pos_;  // opening quote
    for (;;) {
      // Copy the plain run up to the next quote, backslash or byte needing a check.
      std::size_t run = pos_;
      while (run < s_.size()) {
        const auto b = static_cast<unsigned char>(s_[run]);
        if (b == '"' || b == '\\' || b < 0x20 || b >= 0x80) break;
        ++run;
      }
      out.append(s_.data() + pos_, run - pos_);
      pos_ = run;
      if (pos_ >= s_.size()) syntax("it ends inside a string");
      const auto b = static_cast<unsigned char>(s_[pos_]);
      if (b == '"') {
        ++pos_;
        return;
      }
      if (b < 0x20)
        stringError("a control character inside a string must be escaped (\\n, \\t, \\u0000)");
      if (b >= 0x80) {
        const std::size_t n = json_detail::utf8Sequence(s_, pos_);
        if (n == 0) stringError("the text is not valid UTF-8");
        out.append(s_.data() + pos_, n);
        pos_ += n;
        continue;
      }
      // A backslash escape.
      ++pos_;
      if (pos_ >= s_.size()) syntax("it ends inside a string");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          char32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF)
            stringError("a \\u escape holds a lone low surrogate; send valid UTF-16 pairs");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.substr(pos_, 2) != "\\u")
              stringError("a \\u escape holds a lone high surrogate; send valid UTF-16 pairs");
            pos_ += 2;
            const char32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF)
              stringError("a \\u escape holds a lone high surrogate; send valid UTF-16 pairs");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          json_detail::appendUtf8(out, cp);
          break;
        }
        default: stringError("unknown escape; use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
      }
    }
  }

  std::string_view s_;
  JsonLimits limits_;
  std::size_t pos_ = 0;
  std::vector<Frame> frames_;
  bool inValue_ = false;
};

/// Parses a complete JSON text (any value at the top: object, array, string, ...).
/// Throws BadRequest naming the field where the value is wrong (a duplicate key, a bad string
/// or number: "billing.email", "emails[1]") or "body" for the structure, with a message saying
/// what and where (line, column); PayloadTooLarge beyond limits.max_bytes. Thread-safe.
inline Json parseJson(std::string_view text, const JsonLimits& limits = {}) {
  return JsonParser(text, limits).parseDocument();
}

/// Writes JSON as it goes: objects and arrays are opened and closed, keys and values appended,
/// with commas and escaping taken care of. One writer per document; not thread-safe.
///
///     JsonWriter w;
///     w.beginObject();
///     w.member("id", id).member("name", name);     // key + value
///     w.key("tags").beginArray();
///     for (const auto& t : tags) w.value(t);
///     w.endArray();
///     w.endObject();
///     c.response().sendJson(w.str());               // or sendJson(c, w) from lists.h
///
/// Strings are escaped per RFC 8259 (quote, backslash, control characters, plus DEL, U+2028
/// and U+2029 so the text is also safe inside a JavaScript string); invalid UTF-8 is replaced
/// with U+FFFD. Given an ostream, the writer hands its text over in pieces of about
/// `flush_bytes` as it grows (call finish() at the end); otherwise it keeps all of it (str()).
class JsonWriter {
 public:
  JsonWriter() = default;
  /// Streams into `sink` (e.g. Response::stream()) in pieces of about `flush_bytes`.
  explicit JsonWriter(std::ostream& sink, std::size_t flush_bytes = 64 * 1024)
      : sink_(&sink), flush_bytes_(flush_bytes) {}

  JsonWriter& beginObject() { return open('{', true); }
  JsonWriter& endObject() { return close('}', true); }
  JsonWriter& beginArray() { return open('[', false); }
  JsonWriter& endArray() { return close(']', false); }

  /// Writes a member's key inside an object; the next call writes its value.
  JsonWriter& key(std::string_view name) {
    if (stack_.empty() || !stack_.back().object) misuse("key() outside an object");
    if (after_key_) misuse("key() right after another key");
    if (!stack_.back().first) out_ += ',';
    stack_.back().first = false;
    appendString(out_, name);
    out_ += ':';
    after_key_ = true;
    return *this;
  }

  JsonWriter& value(std::string_view s) { return before(), appendString(out_, s), after(); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(const char* s) { return s ? value(std::string_view(s)) : null(); }
  JsonWriter& value(bool b) { return before(), out_ += b ? "true" : "false", after(); }
  /// Integers of any type, written exactly.
  template <typename T,
            typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                        !std::is_same_v<T, char>>>
  JsonWriter& value(T n) {
    before();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    out_.append(buf, r.ptr);
    return after();
  }
  /// A finite double in its shortest form that reads back the same ("0.1", "1e+21").
  /// NaN and infinities have no JSON form: std::logic_error.
  JsonWriter& value(double d) {
    if (!std::isfinite(d)) misuse("NaN or infinity has no JSON form");
    before();
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    out_.append(buf, r.ptr);
    return after();
  }
  JsonWriter& value(std::nullptr_t) { return null(); }
  JsonWriter& null() { return before(), out_ += "null", after(); }
  /// The value, or null when empty.
  template <typename T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  /// A database value (db.h): NULL, integer, real, text or boolean as the JSON of that kind.
  /// SQLite returns booleans as integers: write those with value(asBool(v)).
  JsonWriter& value(const Value& v) {
    if (isNull(v)) return null();
    if (auto p = std::get_if<std::int64_t>(&v)) return value(*p);
    if (auto p = std::get_if<double>(&v)) return value(*p);
    if (auto p = std::get_if<bool>(&v)) return value(*p);
    return value(std::get<std::string>(v));
  }
  /// A parsed value, written again (compact, same member order).
  JsonWriter& value(const Json& j) {
    switch (j.type()) {
      case JsonType::Null: return null();
      case JsonType::Bool: return value(j.asBool());
      case JsonType::Number: return before(), out_ += j.numberText(), after();
      case JsonType::String: return value(j.asString());
      case JsonType::Array:
        beginArray();
        for (std::size_t i = 0; i < j.size(); ++i) value(j.at(i));
        return endArray();
      case JsonType::Object:
        beginObject();
        for (std::size_t i = 0; i < j.size(); ++i) key(j.key(i)).value(j.value(i));
        return endObject();
    }
    return *this;
  }

  /// key(name).value(v).
  template <typename T>
  JsonWriter& member(std::string_view name, const T& v) {
    return key(name).value(v);
  }

  /// True once one complete value (the document) has been written.
  bool complete() const { return done_; }
  /// The text written so far (the whole document when complete() and not streaming).
  const std::string& str() const { return out_; }
  /// Moves the text out; the writer is empty afterwards. Throws std::logic_error unless complete.
  std::string take() {
    if (!done_) misuse("take() before the document is complete");
    std::string s = std::move(out_);
    out_.clear();
    return s;
  }
  /// Streaming: writes what is left to the sink. Throws std::logic_error unless complete.
  void finish() {
    if (!done_) misuse("finish() before the document is complete");
    if (sink_) sink_->write(out_.data(), static_cast<std::streamsize>(out_.size())), out_.clear();
  }

  /// Appends `s` as a JSON string (quotes included) to `out`. The escaping the writer uses.
  static void appendString(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
      std::size_t run = i;  // plain printable ASCII needs nothing
      while (run < s.size()) {
        const auto b = static_cast<unsigned char>(s[run]);
        if (b < 0x20 || b == '"' || b == '\\' || b >= 0x7F) break;
        ++run;
      }
      out.append(s.data() + i, run - i);
      i = run;
      if (i >= s.size()) break;
      const auto b = static_cast<unsigned char>(s[i]);
      if (b < 0x80) {
        switch (b) {
          case '"': out += "\\\""; break;
          case '\\': out += "\\\\"; break;
          case '\b': out += "\\b"; break;
          case '\f': out += "\\f"; break;
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          case '\t': out += "\\t"; break;
          default:  // other control characters and DEL
            out += "\\u00";
            out += hex[b >> 4];
            out += hex[b & 0xF];
        }
        ++i;
        continue;
      }
      std::size_t prefix = 1;
      const std::size_t n = json_detail::utf8Sequence(s, i, &prefix);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for the maximal invalid subsequence
        i += prefix;
      } else if (n == 3 && b == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                 (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                  static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
        out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
        i += 3;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
    }
    out += '"';
  }

 private:
  struct Level {
    bool object;
    bool first;
  };
  [[noreturn]] static void misuse(const char* what) {
    throw std::logic_error(std::string("JsonWriter: ") + what);
  }

  void before() {
    if (done_) misuse("a second value after the document is complete");
    if (stack_.empty()) return;
    if (stack_.back().object) {
      if (!after_key_) misuse("a value inside an object without key() first");
      after_key_ = false;
    } else {
      if (!stack_.back().first) out_ += ',';
      stack_.back().first = false;
    }
  }
  JsonWriter& after() {
    if (stack_.empty()) done_ = true;
    if (sink_ && out_.size() >= flush_bytes_) {
      sink_->write(out_.data(), static_cast<std::streamsize>(out_.size()));
      out_.clear();
    }
    return *this;
  }
  JsonWriter& open(char c, bool object) {
    before();
    out_ += c;
    stack_.push_back({object, true});
    return *this;
  }
  JsonWriter& close(char c, bool object) {
    if (stack_.empty() || stack_.back().object != object)
      misuse(object ? "endObject() without an open object" : "endArray() without an open array");
    if (after_key_) misuse("a key without its value");
    stack_.pop_back();
    out_ += c;
    return after();
  }

  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
  bool done_ = false;
  std::ostream* sink_ = nullptr;
  std::size_t flush_bytes_ = 64 * 1024;
};

/// The compact JSON text of a value.
inline std::string toJson(const Json& j) {
  JsonWriter w;
  w.value(j);
  return w.take();
}

}  // namespace v1
}  // namespace lexos::sdk
