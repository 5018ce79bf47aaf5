#pragma once
// The invitation e-mail: plain text and HTML, from one template.

#include <string>

#include "lexos/sdk/context.h"
#include "lexos/sdk/mail_text.h"

namespace lexos::portal {

/// Builds the invitation to `to` for `clientName`, with the activation `link` valid until
/// `expiresAt`. Every inserted value is HTML-escaped in the HTML part.
/// `firmSlug` is the firm's short name the client types when signing in later.
sdk::MailMessage invitationMail(const std::string& to, const std::string& firmName, const std::string& firmSlug,
                                const std::string& clientName, const std::string& link, const std::string& expiresAt);

/// HTML-escapes text (the SDK toolbox's, mail_text.h).
using sdk::htmlEscape;

}  // namespace lexos::portal
