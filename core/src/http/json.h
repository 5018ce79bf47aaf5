#pragma once
// Small JSON helpers over Poco::JSON for the host's own answers.

#include <Poco/JSON/Object.h>

#include <sstream>
#include <string>

namespace lexos::core {

/// Serialises a Poco JSON object compactly.
inline std::string toJson(const Poco::JSON::Object& o) {
  std::ostringstream ss;
  o.stringify(ss);
  return ss.str();
}

/// `{"error": {"code", "message", "field"?, "request_id"?}}`.
inline std::string errorJson(const std::string& code, const std::string& message,
                             const std::string& field = {}, const std::string& requestId = {}) {
  Poco::JSON::Object err;
  err.set("code", code);
  err.set("message", message);
  if (!field.empty()) err.set("field", field);
  if (!requestId.empty()) err.set("request_id", requestId);
  Poco::JSON::Object root;
  root.set("error", err);
  return toJson(root);
}

}  // namespace lexos::core
