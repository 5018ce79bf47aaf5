#pragma once
/// @file identity.h
/// Accounts, as modules see them (ABI 1.1). The host owns users, passwords and sessions; a
/// module asks it to invite, activate or revoke portal users of a client, and lets signed-in
/// users change their own password or end their other sessions. Everything runs inside the
/// request's transaction (it lands or rolls back with the handler's own changes). Implemented
/// by the host; valid during the handler call; not thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// A portal account of a client. status: "invited", "active", "revoked".
struct PortalUser {
  std::int64_t user_id = 0;
  std::int64_t client_id = 0;
  std::string email;
  std::string display_name;
  std::string status;
  std::string invited_at;    ///< UTC ISO-8601, empty when never invited
  std::string activated_at;  ///< UTC ISO-8601, empty when not yet active
};

/// A fresh single-use activation token for a portal user, to be sent in a link. The host
/// stores only its hash; the token itself exists only in this value.
struct Invitation {
  std::int64_t user_id = 0;
  std::string token;
  std::string expires_at;  ///< UTC ISO-8601
};

class Identity {
 public:
  virtual ~Identity() = default;
  /// Staff only. Creates (or re-invites) the portal user `email` for `client_id` of the firm,
  /// valid `validHours`; a previous invitation of that user stops working. Throws
  /// BadRequest("email", ...) for an unusable address and Conflict("email", ...) when the
  /// address belongs to a staff user or to another client's portal user.
  virtual Invitation invitePortalUser(std::int64_t clientId, const std::string& email,
                                      const std::string& displayName, int validHours) = 0;
  /// Staff only. The portal users of a client.
  virtual std::vector<PortalUser> portalUsers(std::int64_t clientId) = 0;
  /// Staff only. Revokes one portal user of the client (userId), or all of them (userId 0):
  /// they cannot sign in and their sessions end at once. Returns how many were revoked.
  virtual int revokePortalUsers(std::int64_t clientId, std::int64_t userId) = 0;
  /// Public routes. Checks an activation token (single use, not expired), sets the password
  /// (same rules as staff: BadRequest("password", ...)) and marks the user active. The token,
  /// not the request, names the firm: from here on the request's transaction is bound to that
  /// firm as a staff request would be, so the module can record the activation in its own
  /// tables; do nothing else with it. Throws HttpError 410 "invitation_invalid" for a used,
  /// expired or unknown token.
  virtual PortalUser activatePortalUser(const std::string& token, const std::string& password) = 0;
  /// Signed-in users. Changes the caller's password after checking the current one
  /// (BadRequest("current_password", ...)); ends the caller's other sessions.
  virtual void changeOwnPassword(const std::string& currentPassword, const std::string& newPassword) = 0;
  /// Signed-in users. Ends every session of the caller except the current one; returns how many.
  virtual int endOtherSessions() = 0;
};

}  // namespace v1
}  // namespace lexos::sdk
