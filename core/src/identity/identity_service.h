#pragma once
// The host's implementation of sdk::Identity for one request.

#include "data/connection.h"
#include "lexos/sdk/identity.h"
#include "lexos/sdk/principal.h"

namespace lexos::core {

class IdentityService : public sdk::Identity {
 public:
  /// `sessionId`: the caller's session (0: none, anonymous). `address` and `requestId` go into
  /// audit rows.
  IdentityService(Connection& c, const sdk::Principal& principal, std::int64_t sessionId,
                  std::string address, std::string requestId)
      : c_(c), principal_(principal), sessionId_(sessionId), address_(std::move(address)),
        requestId_(std::move(requestId)) {}

  sdk::Invitation invitePortalUser(std::int64_t clientId, const std::string& email, const std::string& displayName,
                                   int validHours) override;
  std::vector<sdk::PortalUser> portalUsers(std::int64_t clientId) override;
  int revokePortalUsers(std::int64_t clientId, std::int64_t userId) override;
  sdk::PortalUser activatePortalUser(const std::string& token, const std::string& password) override;
  /// Staff invitations (identity/staff_directory.h; not part of sdk::Identity, for the core's
  /// POST /api/v1/staff/activate): the invitee sets `name` (kept when blank) and a password.
  /// 410 for a used, expired or revoked link; 400 naming "password" for a weak password.
  sdk::PortalUser activateStaffUser(const std::string& token, const std::string& name, const std::string& password);
  void changeOwnPassword(const std::string& currentPassword, const std::string& newPassword) override;
  int endOtherSessions() override;
  /// Public: what an activation link would meet now, without using it: "valid", "used" (its
  /// account was activated with it or since), "replaced" (a newer invitation was sent),
  /// "revoked", "expired", or "invalid" (no such link, or the firm's portal is off). Counted
  /// against the address like an activation (throttle::kActivationLimit, a counter of its own)
  /// unless the link exists; throws sdk::TooManyRequests past the limit. Leaves the connection
  /// unscoped.
  std::string activationState(const std::string& token);

 private:
  /// The activation both kinds of invitation share; `kind` is "portal" or "staff", and a
  /// token of the other kind is as invalid as an unknown one.
  sdk::PortalUser activate(const std::string& token, const std::string& password, const std::string& kind,
                           const std::string& name);
  void requireStaff() const;
  void requireSignedIn() const;
  /// Runs `f` with the transaction bound to the caller's firm only (identity tables are
  /// firm-internal), then restores the request's scope.
  template <class F>
  auto asFirm(F f);
  /// Commits the request's transaction, runs `f` outside any (for a throttle reservation and
  /// the Argon2 work), then begins a write transaction in the request's scope again.
  template <class F>
  auto outsideTransaction(F f);
  void audit(const sdk::Principal& actor, const std::string& action, const std::string& type, const std::string& id,
             const std::string& detail = {});
  Connection& c_;
  const sdk::Principal& principal_;
  std::int64_t sessionId_;
  std::string address_;
  std::string requestId_;
};

}  // namespace lexos::core
