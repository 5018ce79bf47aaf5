#include <catch2/catch.hpp>

#include <Poco/JSON/Parser.h>

#include "common/json.h"

using lexos::core::appendJsonString;

namespace {
std::string quoted(const std::string& s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}
}  // namespace

TEST_CASE("appendJsonString escapes quotes, backslashes and control characters") {
  CHECK(quoted("plain") == "\"plain\"");
  CHECK(quoted("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(quoted("a\\b") == "\"a\\\\b\"");
  CHECK(quoted("l1\nl2\r\t") == "\"l1\\nl2\\r\\t\"");
  CHECK(quoted(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
  CHECK(quoted("\x1f") == "\"\\u001f\"");
  CHECK(quoted("Müller & Söhne </script>") == "\"Müller & Söhne </script>\"");
}

TEST_CASE("appendJsonString output parses back to the same text") {
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  all += "Ünïcødé ✓";
  std::string doc = "{\"v\":";
  appendJsonString(doc, all);
  doc += "}";
  Poco::JSON::Parser parser;
  auto obj = parser.parse(doc).extract<Poco::JSON::Object::Ptr>();
  CHECK(obj->getValue<std::string>("v") == all);
}
