// The SDK's strict JSON reader (sdk/include/lexos/sdk/json.h): every refusal names a field or
// the body and says where; what it accepts it keeps exactly.
#include <catch2/catch.hpp>

#include <string>

#include "lexos/sdk/json.h"

using namespace lexos::sdk;

namespace {

// The field an input is refused with ("" when it is accepted).
std::string refusedField(const std::string& text, const JsonLimits& limits = {}) {
  try {
    parseJson(text, limits);
  } catch (const HttpError& e) {
    return e.field();
  }
  return "";
}

std::string refusal(const std::string& text) {
  try {
    parseJson(text);
  } catch (const HttpError& e) {
    return e.what();
  }
  return "";
}

std::string nested(int levels, const std::string& inner = "1") {
  return std::string(static_cast<std::size_t>(levels), '[') + inner + std::string(static_cast<std::size_t>(levels), ']');
}

}  // namespace

TEST_CASE("the JSON reader accepts every kind of value and keeps members in order") {
  Json j = parseJson(R"( {"s": "text", "n": -12.5e3, "t": true, "f": false, "z": null, "a": [1, [], {}], "o": {"k": "v"}} )");
  REQUIRE(j.isObject());
  REQUIRE(j.size() == 7);
  CHECK(j.key(0) == "s");
  CHECK(j.key(6) == "o");
  CHECK(j.find("s")->asString() == "text");
  CHECK(j.find("n")->numberText() == "-12.5e3");
  CHECK(j.find("t")->asBool());
  CHECK_FALSE(j.find("f")->asBool());
  CHECK(j.find("z")->isNull());
  CHECK(j.find("a")->size() == 3);
  CHECK(j.find("a")->at(1).isArray());
  CHECK(j.find("o")->find("k")->asString() == "v");
  CHECK(j.find("missing") == nullptr);
  CHECK(toJson(j) == R"({"s":"text","n":-12.5e3,"t":true,"f":false,"z":null,"a":[1,[],{}],"o":{"k":"v"}})");
  // Any value may be the whole text (RFC 8259).
  CHECK(parseJson("\"x\"").asString() == "x");
  CHECK(parseJson("0").toInt64() == 0);
  CHECK(parseJson(" null ").isNull());
}

TEST_CASE("the JSON reader refuses trailing commas, comments and other non-JSON") {
  for (const char* text : {R"({"a":1,})", "[1,2,]", R"({,})", R"({"a":1 // note
})", "# note\n{}", R"({'a':1})", R"({a:1})", "[1 2]", R"({"a" 1})", R"({"a":1 "b":2})",
                           "", "   ", "\xEF\xBB\xBF{}", "{} {}", "{}x", "[", "{", R"({"a":)", R"({"a")", R"(["a)",
                           "tru", "nul", "True", "undefined", "[1]]", "{\"a\":1}}"}) {
    INFO(text);
    CHECK(refusedField(text) == "body");
    CHECK_THAT(refusal(text), Catch::StartsWith("The body is not valid JSON: ") && Catch::Contains("(line "));
  }
  // Where a value should start, the value's place is named.
  CHECK(refusedField(R"({"a":/* note */1})") == "a");
  CHECK(refusedField("[,]") == "[0]");
}

TEST_CASE("the JSON reader refuses NaN, infinities, leading zeros and other malformed numbers, naming the field") {
  for (const char* n : {"NaN", "Infinity", "-Infinity", "01", "-01", "00", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-",
                        "0x10", "1_000"}) {
    const std::string text = std::string(R"({"amount":)") + n + "}";
    INFO(text);
    const std::string field = refusedField(text);
    // Some are refused where the value starts (the field), some after it (the body's structure).
    CHECK((field == "amount" || field == "body"));
  }
  CHECK(refusedField(R"({"amount":01})") == "amount");
  CHECK_THAT(refusal(R"({"amount":01})"), Catch::Contains("leading zeros"));
  CHECK(refusedField(R"({"amount":NaN})") == "amount");
  CHECK(refusedField(R"({"amount":+1})") == "amount");
  CHECK(refusedField("[0, 1.]") == "[1]");
}

TEST_CASE("integers are read exactly up to the int64 edges and refused beyond") {
  CHECK(parseJson("9223372036854775807").toInt64() == INT64_MAX);
  CHECK(parseJson("-9223372036854775808").toInt64() == INT64_MIN);
  CHECK_FALSE(parseJson("9223372036854775808").toInt64());
  CHECK_FALSE(parseJson("-9223372036854775809").toInt64());
  CHECK_FALSE(parseJson("18446744073709551616").toInt64());
  CHECK(parseJson("9007199254740993").toInt64() == 9007199254740993);  // beyond double's exact range
  CHECK(parseJson("-0").toInt64() == 0);
  // A fraction or exponent is not an integer, even when its value is whole.
  CHECK_FALSE(parseJson("1.0").toInt64());
  CHECK_FALSE(parseJson("1e2").toInt64());
  // The text is kept as written, so nothing is lost on the way through.
  CHECK(parseJson("123456789012345678901234567890").numberText() == "123456789012345678901234567890");
  CHECK_FALSE(parseJson("\"12\"").toInt64());
}

TEST_CASE("decimals are read exactly in units of the scale, never rounded") {
  CHECK(parseJson("12.5").toDecimal(2) == 1250);
  CHECK(parseJson("12.50").toDecimal(2) == 1250);
  CHECK(parseJson("-0.01").toDecimal(2) == -1);
  CHECK(parseJson("7").toDecimal(2) == 700);
  CHECK(parseJson("1.5e2").toDecimal(0) == 150);
  CHECK(parseJson("1250e-2").toDecimal(1) == 125);
  CHECK_FALSE(parseJson("1250e-2").toDecimal(0));
  CHECK(parseJson("0.000").toDecimal(0) == 0);
  CHECK(parseJson("92233720368547758.07").toDecimal(2) == INT64_MAX);
  CHECK(parseJson("-92233720368547758.08").toDecimal(2) == INT64_MIN);
  CHECK_FALSE(parseJson("92233720368547758.08").toDecimal(2));
  CHECK_FALSE(parseJson("0.125").toDecimal(2));  // would need rounding
  CHECK_FALSE(parseJson("1e400").toDecimal(2));
  CHECK(parseJson("0e999999999999").toDecimal(2) == 0);
  CHECK_FALSE(parseJson("1e-999999999999").toDecimal(2));
  CHECK(parseJson("0.1").toDouble() == Approx(0.1));
  CHECK_FALSE(parseJson("1e400").toDouble());
}

TEST_CASE("escapes are decoded and surrogate pairs become one code point") {
  CHECK(parseJson(R"("\" \\ \/ \b \f \n \r \t")").asString() == "\" \\ / \b \f \n \r \t");
  CHECK(parseJson(R"("\u00e9\u20AC")").asString() == "\xC3\xA9\xE2\x82\xAC");
  CHECK(parseJson(R"("\ud83d\ude00")").asString() == "\xF0\x9F\x98\x80");
  CHECK(parseJson(R"("\uDBFF\uDFFF")").asString() == "\xF4\x8F\xBF\xBF");
  CHECK(parseJson(R"("a\u0000b")").asString() == std::string("a\0b", 3));
}

TEST_CASE("lone surrogates, unknown escapes and raw control characters are refused, naming the field") {
  for (const char* v : {R"("\ud800")", R"("\ud800x")", R"("\ud800\u0041")", R"("\udc00")", R"("\ude00\ud83d")",
                        R"("\x41")", R"("\u12")", R"("\u12G4")", "\"a\x01z\"", "\"tab\there\"", "\"line\nbreak\""}) {
    const std::string text = std::string(R"({"name":)") + v + "}";
    INFO(text);
    CHECK(refusedField(text) == "name");
  }
  CHECK_THAT(refusal(R"({"name":"\ud800"})"), Catch::Contains("lone high surrogate"));
  CHECK_THAT(refusal(R"({"name":"\udc00"})"), Catch::Contains("lone low surrogate"));
  // In a key there is no field to name yet: the body.
  CHECK(refusedField(R"({"\ud800":1})") == "body");
}

TEST_CASE("invalid UTF-8 is refused and every valid edge is accepted") {
  for (const char* bad : {"\x80", "\xBF", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xE0\x9F\xBF", "\xED\xA0\x80",
                          "\xED\xBF\xBF", "\xF0\x80\x80\xAF", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                          "\xFF", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xC3\x28", "\xE2\x28\xA1"}) {
    const std::string text = std::string(R"({"name":"a)") + bad + "z\"}";
    INFO(text);
    CHECK(refusedField(text) == "name");
    CHECK_THAT(refusal(text), Catch::Contains("not valid UTF-8"));
  }
  for (const char* good : {"\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
                           "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    const std::string text = std::string(R"({"name":"a)") + good + "z\"}";
    INFO(text);
    CHECK(parseJson(text).find("name")->asString() == std::string("a") + good + "z");
  }
}

TEST_CASE("the same key twice in an object is refused, naming its path") {
  CHECK(refusedField(R"({"a":1,"a":2})") == "a");
  CHECK(refusedField(R"({"billing":{"email":"x","email":"y"}})") == "billing.email");
  CHECK(refusedField(R"({"emails":[{"address":"a"},{"address":"b","address":"c"}]})") == "emails[1].address");
  CHECK_THAT(refusal(R"({"a":1,"a":2})"), Catch::Contains("appears more than once"));
  // Beyond the small-object scan too.
  std::string big = "{";
  for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  CHECK(refusedField(big + "\"x\":0}") == "");
  CHECK(refusedField(big + "\"k3\":0}") == "k3");
  CHECK(refusedField(big + "\"k39\":0}") == "k39");
  // The same key in different objects is fine.
  CHECK(refusedField(R"({"a":{"id":1},"b":{"id":2},"id":3})") == "");
}

TEST_CASE("nesting is limited to the configured depth and the refusal names where") {
  CHECK(refusedField(nested(32)) == "");
  CHECK(refusedField(nested(33)) != "");
  CHECK_THAT(refusal(nested(33)), Catch::Contains("deeper than 32 levels"));
  std::string path = "a.b";  // two objects and 30 arrays are open when the 31st array starts
  for (int i = 0; i < 30; ++i) path += "[0]";
  CHECK(refusedField(R"({"a":{"b":)" + nested(31) + "}}") == path);
  JsonLimits shallow;
  shallow.max_depth = 2;
  CHECK(refusedField(R"({"a":[1]})", shallow) == "");
  CHECK(refusedField(R"({"a":[[1]]})", shallow) == "a[0]");
  // Far past any limit the stack is safe: refused, not crashed.
  CHECK(refusedField(nested(100000)) != "");
}

TEST_CASE("text longer than the size limit is refused with 413") {
  JsonLimits small;
  small.max_bytes = 10;
  CHECK_NOTHROW(parseJson("[1,2,3,4]", small));
  try {
    parseJson("[1,2,3,4,5]", small);
    FAIL("accepted");
  } catch (const HttpError& e) {
    CHECK(e.status() == 413);
  }
}

TEST_CASE("JSON refusals say on which line and column") {
  CHECK_THAT(refusal("{\n  \"a\": 1,\n  \"b\": tru\n}"), Catch::EndsWith("(line 3, column 8)."));
  CHECK_THAT(refusal("[\"Zoë\", x]"), Catch::EndsWith("(line 1, column 9)."));  // characters, not bytes
}

TEST_CASE("a JSON value is only read as the type it has") {
  Json j = parseJson(R"({"n":1})");
  CHECK_THROWS_AS(j.asString(), std::logic_error);
  CHECK_THROWS_AS(j.at(0), std::logic_error);
  CHECK_THROWS_AS(j.find("n")->size(), std::logic_error);
  CHECK_FALSE(Json::string("12").toInt64());
  CHECK_THROWS_AS(Json::number("01"), std::invalid_argument);
  CHECK(Json::number("-1.5E+3").numberText() == "-1.5E+3");
}
