#pragma once
/// @file mail_text.h
/// Writing the HTML part of a MailMessage: text escaped for HTML element content and attribute
/// values. Part of the SDK toolbox (header only, standard library only).

#include <string>

namespace lexos::sdk {
inline namespace v1 {

/// `s` with & < > " ' replaced by their character references: safe in element content and in
/// double- or single-quoted attribute values (names, addresses, links the user gave).
inline std::string htmlEscape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += ch;
    }
  }
  return o;
}

}  // namespace v1
}  // namespace lexos::sdk
