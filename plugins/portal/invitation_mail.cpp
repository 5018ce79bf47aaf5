#include "invitation_mail.h"

#include <unicode/locid.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <ctime>
#include <memory>

namespace lexos::portal {

namespace {

// Text with its line breaks kept in HTML.
std::string htmlLines(const std::string& s) {
  std::string out;
  for (char ch : htmlEscape(s)) {
    if (ch == '\n') out += "<br>";
    else out += ch;
  }
  return out;
}

}  // namespace

std::string expiryInWords(const std::string& utc, const std::string& zoneIn) {
  std::tm tm{};
  if (utc.size() < 19 || !strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return utc;
  const std::time_t t = timegm(&tm);
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zoneIn)));
  std::string zone = zoneIn;
  if (!tz || *tz == icu::TimeZone::getUnknown()) {
    tz.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8("UTC")));
    zone = "UTC";
  }
  UErrorCode status = U_ZERO_ERROR;
  // Words, not a locale's short form: the day's name tells a reader at a glance how long is left.
  icu::SimpleDateFormat format(icu::UnicodeString::fromUTF8("EEEE, MMMM d 'at' h:mm a"), icu::Locale::getUS(), status);
  if (U_FAILURE(status)) return utc;
  format.adoptTimeZone(tz.release());
  icu::UnicodeString out;
  format.format(static_cast<UDate>(t) * 1000.0, out);
  std::string words;
  out.toUTF8String(words);
  return words + " (" + zone + ")";
}

sdk::MailMessage invitationMail(const InvitationWords& w) {
  sdk::MailMessage m;
  m.to = w.to;
  m.subject = w.firm_name + " invites you to your secure client portal";
  std::string note;
  if (!w.note.empty()) note = "A note from " + w.note_from + ":\n\n" + w.note + "\n\n";
  m.text = "Hello,\n\n" + w.firm_name + " has given " + w.client_name +
           " access to its secure client portal, where you can follow the progress of your matters.\n\n" + note +
           "Set your password and sign in here. The link works once; it works until " + w.expires + ".\n\n" + w.link +
           "\n\nTo sign in later, go to " + w.portal_url + " and use this e-mail address (" + w.to + ")." +
           "\n\nIf you did not expect this message, ignore it; nothing happens until the link is used.\n";
  // A whole document (language, character set, title): mail programs show it as it is, and the
  // staff app's preview shows this very text in a frame (docs/accounts.md).
  std::string html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + htmlEscape(m.subject) +
                     "</title></head><body style=\"font-family:sans-serif;color:#1f2937\">";
  if (!w.logo_url.empty())
    html += "<p><img src=\"" + htmlEscape(w.logo_url) + "\" alt=\"" + htmlEscape(w.firm_name) +
            "\" style=\"max-height:64px;max-width:240px\"></p>";
  html += "<p>Hello,</p><p><strong>" + htmlEscape(w.firm_name) + "</strong> has given " + htmlEscape(w.client_name) +
          " access to its secure client portal, where you can follow the progress of your matters.</p>";
  if (!w.note.empty())
    html += "<p>A note from " + htmlEscape(w.note_from) +
            ":</p><blockquote style=\"margin:0 0 1em;padding:8px 12px;border-left:4px solid #0f766e;background:#f0fdfa\">" +
            htmlLines(w.note) + "</blockquote>";
  html += "<p><a href=\"" + htmlEscape(w.link) +
          "\" style=\"background:#0f766e;color:#fff;padding:10px 16px;"
          "border-radius:6px;text-decoration:none\">Set your password</a></p>"
          "<p>The link works once; it works until " + htmlEscape(w.expires) + ".</p>"
          "<p>To sign in later, go to <a href=\"" + htmlEscape(w.portal_url) + "\">" + htmlEscape(w.portal_url) +
          "</a> and use this e-mail address (" + htmlEscape(w.to) + ").</p>"
          "<p style=\"color:#6b7280\">If you did not expect this message, ignore it; nothing happens until the link is used.</p>"
          "</body></html>";
  m.html = html;
  return m;
}

}  // namespace lexos::portal
