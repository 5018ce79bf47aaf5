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

/// Appends `s` to `out` as a JSON string (quotes included), escaping per RFC 8259. For hot
/// paths that build their JSON by hand instead of through Poco::JSON's Dynamic::Var tree.
inline void appendJsonString(std::string& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
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
