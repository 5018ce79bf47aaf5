// The SDK's streaming JSON writer (sdk/include/lexos/sdk/json.h): correct escaping, invalid
// UTF-8 replaced, exact numbers, misuse refused, and what it writes reads back the same.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "lexos/sdk/json.h"

using namespace lexos::sdk;

namespace {
std::string quoted(const std::string& s) {
  std::string out;
  JsonWriter::appendString(out, s);
  return out;
}
}  // namespace

TEST_CASE("the JSON writer escapes quotes, backslashes, control characters, DEL and the JavaScript line separators") {
  CHECK(quoted("plain") == R"("plain")");
  CHECK(quoted("say \"hi\"") == R"("say \"hi\"")");
  CHECK(quoted("a\\b/c") == R"("a\\b/c")");
  CHECK(quoted("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(quoted(std::string("nul\0x", 5)) == R"("nul\u0000x")");
  CHECK(quoted("\x01\x1f\x7f") == R"("\u0001\u001f\u007f")");
  CHECK(quoted("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c") == R"("a\u2028b\u2029c")");
  CHECK(quoted("Zoë Ünal </script> ✓ 😀") == "\"Zoë Ünal </script> ✓ 😀\"");
}

TEST_CASE("the JSON writer replaces invalid UTF-8 with one U+FFFD per maximal invalid subsequence") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(quoted("a\xFFz") == "\"a" + r + "z\"");
  CHECK(quoted("a\xC0\xAFz") == "\"a" + r + r + "z\"");          // C0 can start nothing
  CHECK(quoted("a\xF0\x9F\x98z") == "\"a" + r + "z\"");          // a truncated 4-byte sequence: one
  CHECK(quoted("a\xED\xA0\x80z") == "\"a" + r + r + r + "z\"");  // an encoded surrogate: three
  CHECK(quoted("a\xE2\x82") == "\"a" + r + "\"");                // cut at the end
  CHECK(quoted("\x80\x80") == "\"" + r + r + "\"");
  CHECK(quoted("\xF4\x90\x80\x80") == "\"" + r + r + r + r + "\"");  // above U+10FFFF
}

TEST_CASE("the JSON writer writes integers exactly at every edge and doubles in their shortest form") {
  JsonWriter w;
  w.beginArray()
      .value(std::numeric_limits<std::int64_t>::min())
      .value(std::numeric_limits<std::int64_t>::max())
      .value(std::numeric_limits<std::uint64_t>::max())
      .value(0)
      .value(-7)
      .value(0.1)
      .value(1e21)
      .value(-2.5)
      .endArray();
  CHECK(w.take() == "[-9223372036854775808,9223372036854775807,18446744073709551615,0,-7,0.1,1e+21,-2.5]");
  JsonWriter nan;
  nan.beginArray();
  CHECK_THROWS_AS(nan.value(std::nan("")), std::logic_error);
  CHECK_THROWS_AS(nan.value(std::numeric_limits<double>::infinity()), std::logic_error);
}

TEST_CASE("the JSON writer writes nulls, optionals, booleans and database values") {
  JsonWriter w;
  w.beginObject()
      .member("none", nullptr)
      .member("empty", std::optional<std::string>())
      .member("some", std::optional<std::string>("x"))
      .member("count", std::optional<std::int64_t>(3))
      .member("yes", true)
      .member("text", "literal")
      .member("db_null", Value(nullptr))
      .member("db_int", Value(std::int64_t{42}))
      .member("db_text", Value(std::string("t")))
      .member("db_bool", Value(false))
      .member("db_real", Value(1.5))
      .endObject();
  CHECK(w.str() == R"({"none":null,"empty":null,"some":"x","count":3,"yes":true,"text":"literal",)"
                   R"("db_null":null,"db_int":42,"db_text":"t","db_bool":false,"db_real":1.5})");
  CHECK(w.complete());
}

TEST_CASE("the JSON writer refuses to write anything but one well-formed value") {
  {
    JsonWriter w;
    w.beginObject();
    CHECK_THROWS_AS(w.value(1), std::logic_error);  // no key
    CHECK_THROWS_AS(w.endArray(), std::logic_error);
  }
  {
    JsonWriter w;
    w.beginArray();
    CHECK_THROWS_AS(w.key("k"), std::logic_error);
    CHECK_THROWS_AS(w.take(), std::logic_error);  // still open
  }
  {
    JsonWriter w;
    w.beginObject().key("k");
    CHECK_THROWS_AS(w.key("again"), std::logic_error);
    CHECK_THROWS_AS(w.endObject(), std::logic_error);  // a key without its value
  }
  {
    JsonWriter w;
    w.value(1);
    CHECK_THROWS_AS(w.value(2), std::logic_error);  // a second document
    CHECK_THROWS_AS(w.endObject(), std::logic_error);
  }
}

TEST_CASE("what the JSON writer writes reads back as the same value") {
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  all += "Ünïcødé ✓ 😀 \xE2\x80\xA8";
  JsonWriter w;
  w.beginObject().member(all, all).key("list").beginArray().value(all).beginObject().endObject().endArray().endObject();
  const Json back = parseJson(w.str());
  CHECK(back.key(0) == all);
  CHECK(back.value(0).asString() == all);
  CHECK(back.find("list")->at(0).asString() == all);
  CHECK(toJson(back) == w.str());
}

TEST_CASE("a streaming JSON writer hands its text to the stream in pieces and all of it at the end") {
  std::ostringstream sink;
  JsonWriter w(sink, 100);
  w.beginArray();
  for (int i = 0; i < 1000; ++i) w.value("item " + std::to_string(i));
  w.endArray();
  CHECK(sink.str().size() > 10000);  // most of it left before the end
  w.finish();
  const Json back = parseJson(sink.str());
  CHECK(back.size() == 1000);
  CHECK(back.at(999).asString() == "item 999");
}
