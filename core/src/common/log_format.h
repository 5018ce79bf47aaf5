// log.format = json: one JSON object per line for log shippers (Loki, Elasticsearch, journald's
// JSON export...). Fields: "time" (UTC, ISO 8601 with milliseconds), "level", "component" (the
// logger: access, lexosd, mail, plugin.<id>), "message", and the named parameters the access line
// sets (request_id, address, method, route, status, bytes, duration_ms, firm_id, user_id,
// audience). Numbers are written as numbers; everything else as escaped strings, so a
// message can never break the line or the object. docs/operations.md, "Logs".
#pragma once

#include <Poco/Formatter.h>
#include <Poco/Message.h>

#include <string>

namespace lexos::core {

class JsonLogFormatter : public Poco::Formatter {
 public:
  void format(const Poco::Message& msg, std::string& text) override;
};

/// The level's name as log.level spells it ("information", "warning", ...).
const char* logLevelName(Poco::Message::Priority p);

/// `s` as a JSON string literal (quotes included), with control characters escaped; bytes that
/// are not valid UTF-8 become U+FFFD.
std::string jsonQuote(const std::string& s);

}  // namespace lexos::core
