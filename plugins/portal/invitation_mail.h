#pragma once
// The invitation e-mail: plain text and HTML, from one template. The HTML part carries the
// firm's logo (a link to its public address, with the firm's name as the alternative text);
// the plain-text part says everything without it.

#include <string>

#include "lexos/sdk/context.h"
#include "lexos/sdk/mail_text.h"

namespace lexos::portal {

/// What goes into an invitation.
struct InvitationWords {
  std::string to;           ///< the invitee's address
  std::string firm_name;    ///< as the firm's owner set it
  std::string firm_slug;    ///< the firm's short name (its portal address /portal/<slug>/)
  std::string client_name;  ///< the client the access is for
  std::string link;         ///< the activation link
  std::string expires;      ///< the link's expiry in words (expiryInWords)
  std::string logo_url;     ///< absolute address of the firm's logo; empty: none
  std::string portal_url;   ///< the firm's portal address, for signing in later
  std::string note;         ///< the staff member's personal note; may be empty
  std::string note_from;    ///< who wrote the note (the staff member's name or address)
};

/// Builds the invitation. Every inserted value is HTML-escaped in the HTML part.
sdk::MailMessage invitationMail(const InvitationWords& w);

/// A UTC instant "YYYY-MM-DDTHH:MM:SSZ" as words in the firm's time zone, by ICU:
/// "Tuesday, December 8 at 5:00 PM (America/Chicago)". A zone ICU does not know is shown in UTC.
std::string expiryInWords(const std::string& utc, const std::string& zone);

/// HTML-escapes text (the SDK toolbox's, mail_text.h).
using sdk::htmlEscape;

}  // namespace lexos::portal
