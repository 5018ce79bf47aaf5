// Fuzz target: the SDK's JSON reader and writer and the field readers every bundled plugin reads
// its request bodies with (sdk/include/lexos/sdk/json.h, json_fields.h).
// Input: one byte of options (bit 0: check the fields against a whitelist; bit 1: multi-line
// text; bit 2: a depth limit of 4 and a size limit of 256 bytes), then the body.
// Properties:
// - the reader accepts the body or refuses it with 400 naming a field and saying where
//   ("(line L, column C)"), or 413 beyond the size limit; nothing else escapes;
// - what it accepts the writer writes back as text that reads back to the same value and writes
//   again to the same text; strings hold valid UTF-8; integers read exactly as written;
// - the field readers on every member either answer within their limits or throw BadRequest
//   naming that member (or a path inside it); the whitelist refuses exactly the unknown names;
// - the writer's escaping of the raw input bytes reads back as the input when the input is valid
//   UTF-8, and as valid UTF-8 (U+FFFD for bad bytes) when it is not.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_check.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/json_fields.h"

using namespace lexos::sdk;

namespace {

bool sameValue(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case JsonType::Null: return true;
    case JsonType::Bool: return a.asBool() == b.asBool();
    case JsonType::Number: return a.numberText() == b.numberText();
    case JsonType::String: return a.asString() == b.asString();
    case JsonType::Array:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!sameValue(a.at(i), b.at(i))) return false;
      return true;
    case JsonType::Object:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (a.key(i) != b.key(i) || !sameValue(a.value(i), b.value(i))) return false;
      return true;
  }
  return false;
}

// Strings are valid UTF-8 and integers read back as written, everywhere in the value.
void checkContents(const Json& j) {
  switch (j.type()) {
    case JsonType::String: FUZZ_CHECK(isValidUtf8(j.asString())); break;
    case JsonType::Number:
      if (auto n = j.toInt64()) FUZZ_CHECK(std::to_string(*n) == j.numberText() || j.numberText() == "-0");
      if (auto d = j.toDecimal(0)) FUZZ_CHECK(!j.toInt64() || *d == *j.toInt64());
      break;
    case JsonType::Array:
      for (std::size_t i = 0; i < j.size(); ++i) checkContents(j.at(i));
      break;
    case JsonType::Object: {
      std::set<std::string> keys;
      for (std::size_t i = 0; i < j.size(); ++i) {
        FUZZ_CHECK(isValidUtf8(j.key(i)));
        FUZZ_CHECK(keys.insert(j.key(i)).second);  // no duplicate survives
        checkContents(j.value(i));
      }
      break;
    }
    default: break;
  }
}

bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// A refusal from a field reader names the field or something inside it.
void checkNamed(const BadRequest& e, const std::string& path) {
  const std::string& f = e.field();
  FUZZ_CHECK(f == path || startsWith(f, path + ".") || startsWith(f, path + "["));
}

// Every reader on one field: an answer within its limits, or a refusal naming the field.
void readField(const JsonField& f, Lines lines) {
  try {
    if (auto t = f.text(200, lines)) {
      FUZZ_CHECK(utf8Length(*t) <= 200);
      for (char ch : *t) FUZZ_CHECK(static_cast<unsigned char>(ch) >= 0x20 || lines == Lines::Many);
      FUZZ_CHECK(t->empty() || (t->front() != ' ' && t->back() != ' '));
    }
  } catch (const BadRequest& e) {
    checkNamed(e, f.path());
  }
  try {
    if (auto n = f.integer(-1000, 1000)) FUZZ_CHECK(*n >= -1000 && *n <= 1000);
  } catch (const BadRequest& e) {
    checkNamed(e, f.path());
  }
  try {
    if (auto id = f.id()) FUZZ_CHECK(*id > 0);
  } catch (const BadRequest& e) {
    checkNamed(e, f.path());
  }
  try {
    f.boolean();
  } catch (const BadRequest& e) {
    checkNamed(e, f.path());
  }
  try {
    if (auto d = f.decimal(2, 0, 100000000, "Enter an amount.")) FUZZ_CHECK(*d >= 0 && *d <= 100000000);
  } catch (const BadRequest& e) {
    checkNamed(e, f.path());
  }
  try {
    for (const JsonField item : f.array(50)) readField(item, lines);
  } catch (const BadRequest& e) {
    checkNamed(e, f.path());
  }
  try {
    if (auto o = f.object({"line1", "city", "country", "email", "address"}))
      for (const auto& k : o->keys()) readField((*o)[k], lines);
  } catch (const BadRequest& e) {
    checkNamed(e, f.path());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool whitelist = data[0] & 1;
  const Lines lines = (data[0] & 2) ? Lines::Many : Lines::One;
  JsonLimits limits;
  if (data[0] & 4) {
    limits.max_depth = 4;
    limits.max_bytes = 256;
  }
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);

  // The writer's escaping of arbitrary bytes.
  std::string quoted;
  JsonWriter::appendString(quoted, body);
  const Json back = parseJson(quoted, JsonLimits{quoted.size(), 1});
  FUZZ_CHECK(back.isString() && isValidUtf8(back.asString()));
  if (isValidUtf8(body)) FUZZ_CHECK(back.asString() == body);

  // The reader.
  Json doc;
  try {
    doc = parseJson(body, limits);
  } catch (const HttpError& e) {
    const std::string what = e.what();
    FUZZ_CHECK(e.status() == 400 || (e.status() == 413 && body.size() > limits.max_bytes));
    if (e.status() == 400) {
      FUZZ_CHECK(!e.field().empty());
      FUZZ_CHECK(what.find("(line ") != std::string::npos && what.size() > 2 && what.compare(what.size() - 2, 2, ").") == 0);
    }
    return 0;
  }
  checkContents(doc);
  const std::string once = toJson(doc);
  const Json again = parseJson(once, JsonLimits{once.size(), limits.max_depth});
  FUZZ_CHECK(sameValue(doc, again));
  FUZZ_CHECK(toJson(again) == once);

  // The field readers, as a handler uses them.
  if (!doc.isObject()) return 0;
  static const char* kAccepted[] = {"name", "email", "phone", "emails", "phones", "address", "billing", "status", "date"};
  try {
    const JsonObject o = whitelist ? JsonObject::parse(body, {"name", "email", "phone", "emails", "phones", "address",
                                                              "billing", "status", "date"},
                                                       limits)
                                   : JsonObject::parse(body, {}, limits);
    // Only a body without members passes an empty whitelist.
    FUZZ_CHECK(whitelist || doc.size() == 0);
    for (const auto& k : o.keys()) {
      bool known = false;
      for (const char* a : kAccepted) known = known || k == a;
      FUZZ_CHECK(known);
      readField(o[k], lines);
    }
  } catch (const BadRequest& e) {
    // The first member that is not accepted, by name.
    bool named = false;
    for (std::size_t i = 0; i < doc.size() && !named; ++i) {
      bool known = false;
      for (const char* a : kAccepted) known = known || (whitelist && doc.key(i) == a);
      if (!known) {
        FUZZ_CHECK(e.field() == doc.key(i));
        named = true;
      }
    }
    FUZZ_CHECK(named);
  }
  return 0;
}
