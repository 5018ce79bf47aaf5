#include "invitation_mail.h"

namespace lexos::portal {


sdk::MailMessage invitationMail(const std::string& to, const std::string& firmName, const std::string& firmSlug,
                                const std::string& clientName, const std::string& link, const std::string& expiresAt) {
  sdk::MailMessage m;
  m.to = to;
  m.subject = firmName + " invites you to your secure client portal";
  m.text = "Hello,\n\n" + firmName + " has given " + clientName +
           " access to its secure client portal, where you can follow the progress of your matters.\n\n"
           "Set your password and sign in here (the link works once, until " + expiresAt + "):\n\n" + link +
           "\n\nTo sign in later, use firm \"" + firmSlug + "\" and this e-mail address (" + to + ")." +
           "\n\nIf you did not expect this message, ignore it; nothing happens until the link is used.\n";
  m.html = "<!doctype html><html><body style=\"font-family:sans-serif;color:#1f2937\">"
           "<p>Hello,</p><p><strong>" + htmlEscape(firmName) + "</strong> has given " + htmlEscape(clientName) +
           " access to its secure client portal, where you can follow the progress of your matters.</p>"
           "<p><a href=\"" + htmlEscape(link) + "\" style=\"background:#0f766e;color:#fff;padding:10px 16px;"
           "border-radius:6px;text-decoration:none\">Set your password</a></p>"
           "<p>The link works once, until " + htmlEscape(expiresAt) + ".</p>"
           "<p>To sign in later, use firm <strong>" + htmlEscape(firmSlug) + "</strong> and this e-mail address (" +
           htmlEscape(to) + ").</p>"
           "<p style=\"color:#6b7280\">If you did not expect this message, ignore it; nothing happens until the link is used.</p>"
           "</body></html>";
  return m;
}

}  // namespace lexos::portal
