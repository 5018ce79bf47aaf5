// log.format = json (common/log_format.h): each line one JSON object a real parser reads back,
// whatever the message holds.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Message.h>

#include <catch2/catch.hpp>
#include <string>

#include "common/log_format.h"

using lexos::core::JsonLogFormatter;
using lexos::core::jsonQuote;

namespace {
Poco::JSON::Object::Ptr parse(const std::string& line) {
  Poco::JSON::Parser p;
  return p.parse(line).extract<Poco::JSON::Object::Ptr>();
}
}  // namespace

TEST_CASE("a JSON log line carries time, level, component and message, and the access fields with numbers as numbers") {
  Poco::Message m("access", "0001 127.0.0.1 GET /api/v1/clients/{id} firm=7 user=3 200 512 1.5ms",
                  Poco::Message::PRIO_INFORMATION);
  m.set("request_id", "0001");
  m.set("method", "GET");
  m.set("route", "/api/v1/clients/{id}");
  m.set("status", "200");
  m.set("bytes", "512");
  m.set("duration_ms", "1.5");
  m.set("firm_id", "7");
  m.set("user_id", "3");
  m.set("audience", "staff");
  std::string line;
  JsonLogFormatter().format(m, line);
  CHECK(line.find('\n') == std::string::npos);
  auto o = parse(line);
  CHECK(o->getValue<std::string>("level") == "information");
  CHECK(o->getValue<std::string>("component") == "access");
  CHECK(o->getValue<std::string>("route") == "/api/v1/clients/{id}");
  CHECK(o->get("status").isInteger());
  CHECK(o->getValue<int>("status") == 200);
  CHECK(o->getValue<int>("bytes") == 512);
  CHECK(o->getValue<double>("duration_ms") == Approx(1.5));
  CHECK(o->getValue<int>("firm_id") == 7);
  CHECK(o->getValue<std::string>("audience") == "staff");
  const std::string t = o->getValue<std::string>("time");
  REQUIRE(t.size() == 24);
  CHECK(t.back() == 'Z');
  CHECK(t[10] == 'T');
  CHECK_FALSE(o->has("address"));  // a parameter not set is not written
}

TEST_CASE("a JSON log line stays one parseable line whatever the message holds: quotes, newlines, control bytes, bad UTF-8") {
  const std::string nasty = std::string("he said \"hi\"\\ then\nINJECTED {\"level\":\"fatal\"}\r\t\x01 caf\xc3\xa9 \xff\xfe end");
  Poco::Message m("plugin.billing", nasty, Poco::Message::PRIO_WARNING);
  m.set("status", "20x");  // not a number: written as a string, never raw
  std::string line;
  JsonLogFormatter().format(m, line);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find('\r') == std::string::npos);
  auto o = parse(line);
  CHECK(o->getValue<std::string>("level") == "warning");
  CHECK(o->getValue<std::string>("component") == "plugin.billing");
  const std::string back = o->getValue<std::string>("message");
  CHECK(back.find("he said \"hi\"\\ then\nINJECTED") == 0);
  CHECK(back.find("caf\xc3\xa9") != std::string::npos);     // valid UTF-8 kept
  CHECK(back.find("\xef\xbf\xbd\xef\xbf\xbd end") != std::string::npos);  // two bad bytes, two U+FFFD
  CHECK(o->getValue<std::string>("status") == "20x");
  CHECK(jsonQuote("") == "\"\"");
  CHECK(jsonQuote("\x7f") == "\"\\u007f\"");
}
