#include "common/log_format.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <cstdio>

namespace lexos::core {

namespace {

// The named parameters a message may carry (Poco 1.11's Message cannot list its own), in the
// order they are written, and which of them are numbers.
struct Field {
  const char* name;
  bool number;
};
constexpr Field kFields[] = {{"request_id", false}, {"address", false}, {"method", false}, {"route", false},
                             {"status", true},      {"bytes", true},    {"duration_ms", true}, {"firm_id", true},
                             {"user_id", true},     {"audience", false}};

bool isNumber(const std::string& v) {
  if (v.empty() || v.size() > 24) return false;
  bool dot = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '.' && !dot && i > 0 && i + 1 < v.size()) dot = true;
    else if (c < '0' || c > '9') return false;
  }
  return !(v.size() > 1 && v[0] == '0' && v[1] != '.');
}

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8Length(const std::string& s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  if (n == 2 && b < 0xc2) return 0;  // overlong
  return n;
}

}  // namespace

const char* logLevelName(Poco::Message::Priority p) {
  switch (p) {
    case Poco::Message::PRIO_FATAL: return "fatal";
    case Poco::Message::PRIO_CRITICAL: return "critical";
    case Poco::Message::PRIO_ERROR: return "error";
    case Poco::Message::PRIO_WARNING: return "warning";
    case Poco::Message::PRIO_NOTICE: return "notice";
    case Poco::Message::PRIO_INFORMATION: return "information";
    case Poco::Message::PRIO_DEBUG: return "debug";
    default: return "trace";
  }
}

std::string jsonQuote(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else {
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (const std::size_t n = utf8Length(s, i)) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
  return out;
}

void JsonLogFormatter::format(const Poco::Message& msg, std::string& text) {
  text.reserve(160 + msg.getText().size());
  text += "{\"time\":\"";
  text += Poco::DateTimeFormatter::format(msg.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ");
  text += "\",\"level\":\"";
  text += logLevelName(msg.getPriority());
  text += "\",\"component\":";
  text += jsonQuote(msg.getSource());
  text += ",\"message\":";
  text += jsonQuote(msg.getText());
  for (const auto& f : kFields) {
    if (!msg.has(f.name)) continue;
    const std::string& value = msg.get(f.name);
    text += ",\"";
    text += f.name;
    text += "\":";
    if (f.number && isNumber(value)) text += value;
    else text += jsonQuote(value);
  }
  text += '}';
}

}  // namespace lexos::core
