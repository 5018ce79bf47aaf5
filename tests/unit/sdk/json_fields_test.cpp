// The SDK's field readers (json_fields.h): unknown fields refused by name, values checked and
// refused with the dotted path of the field.
#include <catch2/catch.hpp>

#include <string>

#include "lexos/sdk/json_fields.h"

using namespace lexos::sdk;

namespace {

// The field a check refuses ("" when it passes).
template <typename F>
std::string refused(F&& f) {
  try {
    f();
  } catch (const BadRequest& e) {
    return e.field();
  }
  return "";
}

template <typename F>
std::string message(F&& f) {
  try {
    f();
  } catch (const BadRequest& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a field the handler does not accept is refused by name, at any depth") {
  CHECK(refused([] { JsonObject::parse(R"({"name":"A","nickname":"Al"})", {"name"}); }) == "nickname");
  CHECK_THAT(message([] { JsonObject::parse(R"({"nickname":"Al"})", {"name", "email"}); }),
             Catch::Contains("Unknown field 'nickname'") && Catch::Contains("name, email"));
  auto body = JsonObject::parse(R"({"billing":{"email":"a@b.example","colour":"red"}})", {"billing"});
  CHECK(refused([&] { body["billing"].object({"email"}); }) == "billing.colour");
  auto list = JsonObject::parse(R"({"emails":[{"address":"a"},{"address":"b","x":1}]})", {"emails"});
  CHECK(refused([&] {
          for (JsonField e : list["emails"].array(10)) e.object({"address"});
        }) == "emails[1].x");
  CHECK(refused([] { JsonObject::parse(R"({"a":1})", {}); }) == "a");
}

TEST_CASE("a body that is not a JSON object is refused naming the body") {
  CHECK(refused([] { JsonObject::parse("[1,2]", {"a"}); }) == "body");
  CHECK(refused([] { JsonObject::parse("\"text\"", {"a"}); }) == "body");
  CHECK(refused([] { JsonObject::parse(R"({"name":)", {"name"}); }) == "body");
  CHECK_THAT(message([] { JsonObject::parse("null", {"a"}); }), Catch::Equals("The body must be a JSON object."));
}

TEST_CASE("text fields are trimmed and checked for type, length in characters and control characters") {
  auto b = JsonObject::parse(R"({"name":"  Zoë  ","n":42,"long":"ééééé","ctl":"a\u0007b","ml":"one\ntwo\ttab","z":null,"blank":"  "})",
                             {"name", "n", "long", "ctl", "ml", "z", "blank", "absent"});
  CHECK(b["name"].text(3) == "Zoë");  // three characters, four bytes
  CHECK(refused([&] { b["name"].text(2); }) == "name");
  CHECK_THAT(message([&] { b["name"].text(2); }), Catch::Equals("Use at most 2 characters."));
  CHECK(refused([&] { b["n"].text(10); }) == "n");
  CHECK_THAT(message([&] { b["n"].text(10); }), Catch::Equals("Enter text."));
  CHECK(b["long"].text(5) == "ééééé");
  CHECK(refused([&] { b["ctl"].text(10, Lines::Many); }) == "ctl");
  CHECK(refused([&] { b["ml"].text(100); }) == "ml");
  CHECK(b["ml"].text(100, Lines::Many) == "one\ntwo\ttab");
  CHECK_FALSE(b["z"].text(10));
  CHECK_FALSE(b["absent"].text(10));
  CHECK(b["blank"].text(10) == "");
  CHECK(refused([&] { b["blank"].requiredText(10, "Enter a name."); }) == "blank");
  CHECK(refused([&] { b["z"].requiredText(10, "Enter a name."); }) == "z");
  CHECK_THAT(message([&] { b["absent"].requiredText(10, "Enter a name."); }), Catch::Equals("Enter a name."));
  CHECK(b["name"].requiredText(10, "Enter a name.") == "Zoë");
}

TEST_CASE("presence, null and absence are told apart") {
  auto b = JsonObject::parse(R"({"a":null,"b":0})", {"a", "b", "c"});
  CHECK(b["a"].present());
  CHECK(b["a"].isNull());
  CHECK_FALSE(b["a"].hasValue());
  CHECK(b["b"].hasValue());
  CHECK_FALSE(b["c"].present());
  CHECK(b.has("a"));
  CHECK_FALSE(b.has("c"));
  CHECK(b.keys() == std::vector<std::string>{"a", "b"});
  CHECK_THROWS_AS(b["c"].json(), std::logic_error);
}

TEST_CASE("whole numbers are exact and within their range, strings, fractions and booleans are refused") {
  auto b = JsonObject::parse(R"({"days":30,"big":9223372036854775807,"frac":12.5,"whole":12.0,"str":"30","bool":true,"neg":-1})",
                             {"days", "big", "frac", "whole", "str", "bool", "neg"});
  CHECK(b["days"].integer(0, 365) == 30);
  CHECK(b["big"].integer(0, INT64_MAX) == INT64_MAX);
  for (const char* f : {"frac", "whole", "str", "bool", "neg"}) {
    INFO(f);
    CHECK(refused([&] { b[f].integer(0, 365); }) == f);
  }
  CHECK_THAT(message([&] { b["neg"].integer(0, 365); }), Catch::Equals("Enter a whole number from 0 to 365."));
  CHECK_THAT(message([&] { b["neg"].integer(0, 365, "Enter the days."); }), Catch::Equals("Enter the days."));
}

TEST_CASE("ids may be JSON numbers or strings of digits and must be positive") {
  auto b = JsonObject::parse(R"({"n":42,"s":"42","zero":0,"neg":-3,"frac":4.2,"word":"abc","huge":"99999999999999999999","z":null})",
                             {"n", "s", "zero", "neg", "frac", "word", "huge", "z", "absent"});
  CHECK(b["n"].id() == 42);
  CHECK(b["s"].id() == 42);
  for (const char* f : {"zero", "neg", "frac", "word", "huge"}) {
    INFO(f);
    CHECK(refused([&] { b[f].id(); }) == f);
  }
  CHECK_FALSE(b["z"].id());
  CHECK(refused([&] { b["absent"].requiredId("Choose a client."); }) == "absent");
  CHECK(b["n"].requiredId("Choose a client.") == 42);
}

TEST_CASE("booleans, decimals and numbers are read as their kind only") {
  auto b = JsonObject::parse(R"({"t":true,"one":1,"price":12.5,"fine":0.125,"x":1e3})", {"t", "one", "price", "fine", "x"});
  CHECK(b["t"].boolean() == true);
  CHECK(refused([&] { b["one"].boolean(); }) == "one");
  CHECK(b["price"].decimal(2, 0, 100000, "Enter a price.") == 1250);
  CHECK(refused([&] { b["fine"].decimal(2, 0, 100000, "Enter a price."); }) == "fine");
  CHECK(refused([&] { b["price"].decimal(2, 0, 1000, "Enter a price."); }) == "price");
  CHECK(b["x"].number() == Approx(1000.0));
  CHECK(refused([&] { b["t"].number(); }) == "t");
}

TEST_CASE("nested objects and lists are checked and their elements named by path") {
  auto b = JsonObject::parse(R"({"address":{"city":"Leeds"},"tags":["a","b","c"],"bad":"x","none":null})",
                             {"address", "tags", "bad", "none", "absent"});
  auto address = b["address"].object({"city", "country"});
  REQUIRE(address);
  CHECK((*address)["city"].text(100) == "Leeds");
  CHECK((*address)["country"].path() == "address.country");
  CHECK(refused([&] { b["bad"].object({"city"}); }) == "bad");
  CHECK_FALSE(b["none"].object({"city"}));
  auto tags = b["tags"].array(3);
  CHECK(tags.size() == 3);
  CHECK(tags[2].path() == "tags[2]");
  CHECK_THROWS_AS(tags[3], std::out_of_range);
  std::string joined;
  for (JsonField t : b["tags"].array(3)) joined += *t.text(5);
  CHECK(joined == "abc");
  CHECK(b["none"].array(3).empty());
  CHECK(b["absent"].array(3).empty());
  CHECK(refused([&] { b["tags"].array(2); }) == "tags");
  CHECK_THAT(message([&] { b["tags"].array(2); }), Catch::Equals("Send at most 2 items."));
  CHECK(refused([&] { b["bad"].array(2); }) == "bad");
}

TEST_CASE("text from elsewhere is checked like a text field") {
  CHECK(checkText("  ok ", "q", 10) == "ok");
  CHECK(refused([] { checkText("a\xFF", "q", 10); }) == "q");
  CHECK(isValidUtf8("Zoë 😀"));
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));
  CHECK(utf8Length("Zoë 😀") == 5);
}
