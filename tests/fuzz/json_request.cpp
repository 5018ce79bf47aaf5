// Fuzz target: the bundled modules' JSON body reader (plugins/common/json_request.cpp).
// Input: one byte choosing the field whitelist, then the body. Properties: the reader either
// returns an object or throws a typed HttpError (a 400 naming the field); every field helper
// does the same on every field; a parsed object serialises and parses back to the same text.

#include "json_request.h"

#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_check.h"
#include "lexos/sdk/errors.h"

using namespace lexos;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::set<std::string> kClientFields = {
      "name", "email", "phone", "emails", "phones", "address", "billing", "status", "date"};
  const bool whitelist = data[0] & 1;
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  Poco::JSON::Object::Ptr o;
  try {
    o = plugin::parseJsonObject("application/json", body,
                                whitelist ? kClientFields : std::set<std::string>{});
  } catch (const sdk::HttpError& e) {
    FUZZ_CHECK(e.status() == 400);
    return 0;
  }
  FUZZ_CHECK(o);
  for (const auto& name : o->getNames()) {
    if (whitelist) FUZZ_CHECK(kClientFields.count(name) == 1);
    try {
      auto t = plugin::optText(o, name, 200, data[0] & 2);
      if (t) {
        FUZZ_CHECK(plugin::charCount(*t) <= 200);
        plugin::checkDate(*t, name);
      }
    } catch (const sdk::BadRequest&) {
    }
    try {
      plugin::optInt(o, name);
    } catch (const sdk::BadRequest&) {
    }
    try {
      plugin::optBool(o, name);
    } catch (const sdk::BadRequest&) {
    }
  }
  const std::string once = plugin::toJson(o);
  Poco::JSON::Parser parser;
  const std::string twice = plugin::toJson(parser.parse(once));
  FUZZ_CHECK(once == twice);
  return 0;
}
