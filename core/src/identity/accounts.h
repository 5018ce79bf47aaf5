#pragma once
// Firms, staff users and module switches, for lexosctl and the setup flow.

#include <map>
#include <string>
#include <vector>

#include "identity/audit_log.h"
#include "identity/firm_settings.h"
#include "identity/mfa.h"
#include "identity/staff_directory.h"
#include "data/connection_pool.h"

namespace lexos::core {

class ConnectionPool;
class Host;
class Registry;

class Accounts {
 public:
  /// Works through `pool` (runtime connections) for the modules of `registry`; both outlive it.
  Accounts(ConnectionPool& pool, const Registry& registry) : pool_(pool), registry_(registry) {}
  /// The same for a host's pool and registry. Defined in app/host.cpp: the app layer knows the
  /// host, this layer does not (docs/architecture.md, Layering).
  explicit Accounts(Host& host);
  /// Creates a firm; slug is [a-z0-9-]{2,63}. Throws std::invalid_argument naming the field.
  std::int64_t createFirm(const std::string& slug, const std::string& name);
  std::vector<std::string> listFirms();
  std::int64_t firmId(const std::string& slug);
  /// Creates an active staff user with a password (rules of passwords.h).
  std::int64_t createStaffUser(const std::string& firmSlug, const std::string& email, const std::string& role,
                               const std::string& name, const std::string& password);
  /// Creates an active portal user bound to `clientId` (tests, demo; the portal module invites).
  std::int64_t createPortalUser(const std::string& firmSlug, std::int64_t clientId, const std::string& email,
                                const std::string& password);
  /// Disables (or re-enables) a user; disabling ends all their sessions at once.
  void setUserStatus(const std::string& firmSlug, const std::string& email, bool active);
  /// The firm's staff accounts (identity/staff_directory.h), with their last sign-in.
  std::vector<StaffMember> staff(const std::string& firmSlug);
  /// Changes a staff account's role and/or disables it, by e-mail, with the rules of
  /// StaffDirectory::change (the last active owner stays); audited like the HTTP route.
  StaffMember changeStaff(const std::string& firmSlug, const std::string& email, const StaffDirectory::Change& change);
  /// Invites a member of staff (StaffDirectory::invite); the caller sends the link.
  StaffInvitation inviteStaff(const std::string& firmSlug, const std::string& email, const std::string& role,
                              const std::string& name);
  void setModule(const std::string& firmSlug, const std::string& module, bool enabled);
  /// Every loaded module (except core) with its state for the firm.
  std::map<std::string, bool> modules(const std::string& firmSlug);
  /// The firm's settings (identity/firm_settings.h).
  FirmSettings firmSettings(const std::string& firmSlug);
  /// Changes them as PATCH /api/v1/firm does (same checks; sdk::BadRequest naming the field),
  /// audited as "firm.update" by lexosctl.
  FirmSettings setFirmSettings(const std::string& firmSlug, const FirmSettingsChange& change);
  /// The firm's two-step sign-in policy, changed first where given (audited as
  /// "firm.mfa_policy" by lexosctl).
  MfaPolicy mfaPolicy(const std::string& firmSlug, std::optional<bool> enforceStaff = std::nullopt,
                      std::optional<bool> enforcePortal = std::nullopt);
  /// Removes a user's (staff or portal) TOTP secret and recovery codes, audited as "mfa.reset";
  /// false when none was set. std::invalid_argument naming "email" for an unknown user.
  bool resetMfa(const std::string& firmSlug, const std::string& email);
  AuditLog::Verdict verifyAudit(const std::string& firmSlug, const AuditLog::Head* expected = nullptr);

 private:
  ConnectionPool& pool_;
  const Registry& registry_;
};

/// Lower-cases and checks an e-mail address; empty result means invalid.
std::string normaliseEmail(const std::string& email);

}  // namespace lexos::core
