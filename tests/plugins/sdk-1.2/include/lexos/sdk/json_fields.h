#pragma once
/// @file json_fields.h
/// Reading the fields of a JSON request into checked values, with errors that name the field.
/// Part of the SDK toolbox (header only, standard library only).
///
///     // POST /api/v1/notes {"client_id": 12, "text": "...", "pinned": true}
///     JsonObject body = readJsonObject(c, {"client_id", "text", "pinned"});   // params.h
///     const std::int64_t clientId = body["client_id"].requiredId("Choose a client.");
///     const std::string text = body["text"].requiredText(5000, "Write the note.", Lines::Many);
///     const bool pinned = body["pinned"].boolean().value_or(false);
///
/// A field the handler did not name is refused (400 naming it), and so is every value of the
/// wrong kind or out of range: the host answers `{"error": {"code": "invalid", "message",
/// "field"}}` with the field as a dotted path ("billing.email", "emails[1].address").
///
/// The optional accessors return std::nullopt when the field is absent **or null**; use
/// present() / isNull() where the difference matters (a PATCH where null clears a value).
///
/// JsonObject, JsonArray and JsonField are views that share ownership of the parsed document:
/// copy them freely, keep them as long as you like. Not thread-safe to share while copying
/// (shared_ptr), like any std::shared_ptr.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lexos/sdk/errors.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// Whether a text field may hold line breaks and tabs (Many) or is a single line (One).
enum class Lines { One, Many };

/// Number of characters (Unicode code points) of valid UTF-8 text.
inline std::size_t utf8Length(std::string_view s) {
  std::size_t n = 0;
  for (char ch : s)
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  return n;
}

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
/// Text from parseJson always is; use it for query parameters and headers.
inline bool isValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = json_detail::utf8Sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

/// `s` without leading and trailing spaces, tabs and line breaks.
inline std::string trimText(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

/// Checks text from a user: valid UTF-8 (else 400 "Use valid UTF-8 text."), trimmed of
/// surrounding white space, no control characters (Lines::Many allows line breaks and tabs),
/// at most `maxChars` characters. Returns the trimmed text; 400 naming `field` otherwise.
inline std::string checkText(std::string_view raw, const std::string& field, std::size_t maxChars,
                             Lines lines = Lines::One) {
  if (!isValidUtf8(raw)) throw BadRequest(field, "Use valid UTF-8 text.");
  std::string s = trimText(raw);
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (u == 0x7F ||
        (u < 0x20 && !(lines == Lines::Many && (ch == '\n' || ch == '\r' || ch == '\t'))))
      throw BadRequest(field, lines == Lines::Many
                                  ? "Remove control characters."
                                  : "Use a single line without control characters.");
  }
  if (utf8Length(s) > maxChars)
    throw BadRequest(field, "Use at most " + std::to_string(maxChars) + " characters.");
  return s;
}

class JsonObject;
class JsonArray;

/// One field of a JSON object (or element of an array): its value, if sent, and its path for
/// errors. Obtained from JsonObject::operator[] or JsonArray::operator[].
class JsonField {
 public:
  JsonField(std::shared_ptr<const Json> doc, const Json* value, std::string path)
      : doc_(std::move(doc)), value_(value), path_(std::move(path)) {}

  /// Sent at all (null included).
  bool present() const { return value_ != nullptr; }
  /// Sent as null.
  bool isNull() const { return value_ && value_->isNull(); }
  /// Sent with a value other than null.
  bool hasValue() const { return value_ && !value_->isNull(); }
  /// The dotted path: "billing.email", "emails[1].address".
  const std::string& path() const { return path_; }
  /// The raw value; std::logic_error when the field was not sent.
  const Json& json() const {
    if (!value_) throw std::logic_error("JSON field " + path_ + " was not sent");
    return *value_;
  }
  /// Throws BadRequest naming this field.
  [[noreturn]] void refuse(const std::string& message) const { throw BadRequest(path_, message); }

  /// Text, checked as checkText does (trimmed; may be empty when blank). nullopt when absent
  /// or null; 400 "Enter text." for another type.
  std::optional<std::string> text(std::size_t maxChars, Lines lines = Lines::One) const {
    if (!hasValue()) return std::nullopt;
    if (!value_->isString()) refuse("Enter text.");
    return checkText(value_->asString(), path_, maxChars, lines);
  }
  /// The string exactly as sent: valid UTF-8 (the reader saw to that), not trimmed, control
  /// characters allowed; for passwords and tokens, which the host checks itself. nullopt when
  /// absent or null; 400 "Enter text." for another type.
  std::optional<std::string> rawString() const {
    if (!hasValue()) return std::nullopt;
    if (!value_->isString()) refuse("Enter text.");
    return value_->asString();
  }
  /// Text that must be there and not blank; `message` (e.g. "Enter the client's name.") when
  /// it is absent, null or blank.
  std::string requiredText(std::size_t maxChars, const std::string& message,
                           Lines lines = Lines::One) const {
    auto s = text(maxChars, lines);
    if (!s || s->empty()) refuse(message);
    return *s;
  }
  /// A whole JSON number from `min` to `max`, exactly ("12.0", "1e3", strings and booleans are
  /// refused). nullopt when absent or null; 400 with `message` otherwise (default: "Enter a
  /// whole number from MIN to MAX.").
  std::optional<std::int64_t> integer(std::int64_t min, std::int64_t max,
                                      const std::string& message = {}) const {
    if (!hasValue()) return std::nullopt;
    auto n = value_->toInt64();
    if (!n || *n < min || *n > max)
      refuse(message.empty() ? "Enter a whole number from " + std::to_string(min) + " to " +
                                   std::to_string(max) + "."
                             : message);
    return n;
  }
  /// An id: a positive whole number, sent as a JSON number or as a string of digits (the API
  /// treats ids as opaque, so clients may send either). nullopt when absent or null; 400 with
  /// `message` (default "This must be an id.") otherwise.
  std::optional<std::int64_t> id(const std::string& message = {}) const {
    if (!hasValue()) return std::nullopt;
    std::optional<std::int64_t> n;
    if (value_->isNumber())
      n = value_->toInt64();
    else if (value_->isString())
      n = parseId(value_->asString());
    if (!n || *n <= 0) refuse(message.empty() ? "This must be an id." : message);
    return n;
  }
  /// An id that must be there; `message` when absent, null or not an id.
  std::int64_t requiredId(const std::string& message) const {
    auto n = id(message);
    if (!n) refuse(message);
    return *n;
  }
  /// true or false. nullopt when absent or null; 400 "Use true or false." otherwise.
  std::optional<bool> boolean() const {
    if (!hasValue()) return std::nullopt;
    if (!value_->isBool()) refuse("Use true or false.");
    return value_->asBool();
  }
  /// A decimal JSON number as an exact count of 10^-scale units (scale 2: 12.5 -> 1250), from
  /// `min` to `max` units; more decimals than `scale` are refused, not rounded. nullopt when
  /// absent or null; 400 with `message` otherwise.
  std::optional<std::int64_t> decimal(int scale, std::int64_t min, std::int64_t max,
                                      const std::string& message) const {
    if (!hasValue()) return std::nullopt;
    auto n = value_->toDecimal(scale);
    if (!n || *n < min || *n > max) refuse(message);
    return n;
  }
  /// Any finite JSON number as a double. nullopt when absent or null; 400 "Enter a number."
  /// otherwise.
  std::optional<double> number() const {
    if (!hasValue()) return std::nullopt;
    auto d = value_->toDouble();
    if (!d) refuse("Enter a number.");
    return d;
  }
  /// A nested object whose fields must be among `accepted` (else 400 naming the unknown one,
  /// e.g. "billing.colour"). nullopt when absent or null; 400 "Send an object." otherwise.
  inline std::optional<JsonObject> object(std::initializer_list<std::string_view> accepted) const;
  /// A list of at most `maxItems` elements; an empty list when absent or null (ask isNull()
  /// where that differs); 400 "Send a list." or "Send at most N items." otherwise. Returned by
  /// value so that `for (JsonField e : body["tags"].array(20))` is safe.
  inline JsonArray array(std::size_t maxItems) const;

  /// A positive id written as digits only ("42"; leading zeros allowed), within int64; nullopt
  /// for anything else. What pathId and queryId (params.h) accept.
  static std::optional<std::int64_t> parseId(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::int64_t v = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return std::nullopt;
      if (v > (std::numeric_limits<std::int64_t>::max() - (ch - '0')) / 10) return std::nullopt;
      v = v * 10 + (ch - '0');
    }
    if (v <= 0) return std::nullopt;
    return v;
  }

 private:
  std::shared_ptr<const Json> doc_;
  const Json* value_;
  std::string path_;
};

/// A JSON object whose fields were checked against the list the handler accepts.
class JsonObject {
 public:
  /// Views `object` (which must be a JSON object inside `doc`), refusing any member not in
  /// `accepted` with 400 naming it. `path` is the object's own path ("" at the top).
  JsonObject(std::shared_ptr<const Json> doc, const Json* object, std::string path,
             std::initializer_list<std::string_view> accepted)
      : doc_(std::move(doc)), node_(object), path_(std::move(path)) {
    for (std::size_t i = 0; i < node_->size(); ++i) {
      const std::string& k = node_->key(i);
      bool known = false;
      for (auto a : accepted) known = known || a == k;
      if (!known) {
        std::string list;
        for (auto a : accepted) list += (list.empty() ? "" : ", ") + std::string(a);
        throw BadRequest(pathOf(k),
                         "Unknown field '" + k + "'" +
                             (list.empty() ? std::string(": no fields are accepted here.")
                                           : "; the fields accepted here are: " + list + "."));
      }
    }
  }

  /// Parses `text` as a JSON object and checks its fields (400 naming "body" when it is not an
  /// object). What readJsonObject (params.h) does with a request body.
  static JsonObject parse(std::string_view text, std::initializer_list<std::string_view> accepted,
                          const JsonLimits& limits = {}) {
    auto doc = std::make_shared<const Json>(parseJson(text, limits));
    if (!doc->isObject()) throw BadRequest("body", "The body must be a JSON object.");
    const Json* root = doc.get();
    return JsonObject(std::move(doc), root, "", accepted);
  }

  /// The field `key` (absent fields too: JsonField::present() says whether it was sent).
  JsonField operator[](std::string_view key) const {
    return JsonField(doc_, node_->find(key), pathOf(key));
  }
  /// Sent at all (null included).
  bool has(std::string_view key) const { return node_->find(key) != nullptr; }
  /// The keys sent, in order.
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node_->size(); ++i) out.push_back(node_->key(i));
    return out;
  }
  /// The path of a member: "billing.email" (or "email" at the top).
  std::string pathOf(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  /// This object's own path ("" at the top).
  const std::string& path() const { return path_; }
  /// The parsed object.
  const Json& json() const { return *node_; }

 private:
  std::shared_ptr<const Json> doc_;
  const Json* node_;
  std::string path_;
};

/// A JSON array: its elements are JsonFields named "list[0]", "list[1]", ...
class JsonArray {
 public:
  JsonArray(std::shared_ptr<const Json> doc, const Json* array, std::string path)
      : doc_(std::move(doc)), node_(array), path_(std::move(path)) {}

  /// An empty list named `path` (what JsonField::array gives for an absent or null field).
  explicit JsonArray(std::string path) : node_(nullptr), path_(std::move(path)) {}

  std::size_t size() const { return node_ ? node_->size() : 0; }
  bool empty() const { return size() == 0; }
  /// Element `i` (std::out_of_range past the end).
  JsonField operator[](std::size_t i) const {
    if (i >= size()) throw std::out_of_range("no element " + std::to_string(i) + " in " + path_);
    return JsonField(doc_, &node_->at(i), path_ + "[" + std::to_string(i) + "]");
  }
  const std::string& path() const { return path_; }

  /// Iterates the elements as JsonFields: `for (JsonField e : list) ...`.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = JsonField;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = JsonField;
    iterator(const JsonArray* a, std::size_t i) : a_(a), i_(i) {}
    JsonField operator*() const { return (*a_)[i_]; }
    iterator& operator++() { return ++i_, *this; }
    bool operator==(const iterator& o) const { return i_ == o.i_; }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    const JsonArray* a_;
    std::size_t i_;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size()); }

 private:
  std::shared_ptr<const Json> doc_;
  const Json* node_;
  std::string path_;
};

inline std::optional<JsonObject> JsonField::object(
    std::initializer_list<std::string_view> accepted) const {
  if (!hasValue()) return std::nullopt;
  if (!value_->isObject()) refuse("Send an object.");
  return JsonObject(doc_, value_, path_, accepted);
}

inline JsonArray JsonField::array(std::size_t maxItems) const {
  if (!hasValue()) return JsonArray(path_);
  if (!value_->isArray()) refuse("Send a list.");
  if (value_->size() > maxItems) refuse("Send at most " + std::to_string(maxItems) + " items.");
  return JsonArray(doc_, value_, path_);
}

}  // namespace v1
}  // namespace lexos::sdk
