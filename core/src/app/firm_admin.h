#pragma once
// Firm administration routes of the core module (docs/accounts.md, "Firm administration"):
// staff accounts and their invitations (/api/v1/users, /api/v1/staff), module switches per firm
// (/api/v1/firm/modules) and the audit chain's verdict (/api/v1/audit/verify). The work is in
// identity/ (StaffDirectory, AuditLog); this file checks input, audits and answers.

#include <string>

#include "identity/staff_directory.h"
#include "lexos/sdk/context.h"
#include "lexos/sdk/registrar.h"

namespace lexos::core {

class Registry;
class AuditSequencer;

/// Registers the routes and the permission core.staff.read with `r` (the core module's
/// registrar). `registry` and `sequencer` are read at request time and outlive the routes.
void registerFirmAdministration(sdk::Registrar& r, const Registry& registry, AuditSequencer* const& sequencer);

/// The staff app's activation address for an invitation token: PUBLIC_URL/app/#/join/TOKEN.
std::string staffInvitationLink(const std::string& publicUrl, const std::string& token);
/// The invitation e-mail (text and HTML) for `inv`, from the firm `firmName` (short name
/// `slug`, for signing in later); used by POST /api/v1/users and `lexosctl user invite`.
sdk::MailMessage staffInvitationMail(const std::string& firmName, const std::string& slug, const std::string& publicUrl,
                                     const StaffInvitation& inv, const std::string& role);

}  // namespace lexos::core
