#pragma once
// The firm's staff accounts as its owner administers them (docs/accounts.md, "Firm
// administration"): the list with status and last sign-in, invitations by e-mail (single-use,
// expiring links in the core `invitations` table, like the portal's), role changes and
// disabling. Used by the /api/v1/users routes and by lexosctl; one firm at a time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lexos::core {

class Connection;

/// One staff account as the owner sees it.
struct StaffMember {
  std::int64_t id = 0;
  std::string email;
  std::string name;
  std::string role;    ///< owner, attorney, paralegal, billing
  std::string status;  ///< active, invited, disabled, revoked (an invitation withdrawn)
  std::string created_at;
  std::string invited_at;          ///< empty unless invited
  std::string activated_at;        ///< empty until the invitation was used
  std::string invitation_expires;  ///< the open invitation's expiry; empty when none is open
  std::string last_sign_in_at;     ///< from the audit log's login.success events; empty: never
};

/// A fresh invitation: the link's token is only ever shown here (the table keeps its hash).
struct StaffInvitation {
  std::int64_t user_id = 0;
  std::string email;
  std::string token;
  std::string expires_at;
};

/// Works in the caller's transaction on `c`, which must be scoped to the firm's staff scope
/// ({firm, 0}); a write transaction for the changing calls. Not thread-safe (a connection is
/// not). Errors are typed sdk errors naming the field: BadRequest, Conflict, NotFound.
class StaffDirectory {
 public:
  StaffDirectory(Connection& c, std::int64_t firm) : c_(c), firm_(firm) {}

  /// Every staff account of the firm, by name then e-mail. `lastSignIn` reads the audit log
  /// (chained rows only: chain the firm's pending events first for a current answer).
  std::vector<StaffMember> list(bool lastSignIn = true);
  /// One account; NotFound for another firm's id, a portal user's id or no such id.
  StaffMember get(std::int64_t id);
  /// Invites `email` as `role`: a new account in status "invited", or a fresh link for an
  /// account still invited or whose invitation was revoked (earlier links stop working).
  /// Conflict naming "email" for an active or disabled account, or a portal user's address.
  StaffInvitation invite(const std::string& email, const std::string& role, const std::string& name,
                         int validHours);
  /// A new link for an account still invited (or revoked); Conflict otherwise.
  StaffInvitation resend(std::int64_t id, int validHours);
  /// Withdraws an open invitation: the account becomes "revoked", its links stop working.
  /// Conflict when the account is not invited.
  void revokeInvitation(std::int64_t id);

  struct Change {
    std::optional<std::string> role;
    std::optional<bool> disabled;
  };
  /// Changes role and/or disables or re-enables an account, as `actorUserId` (0: lexosctl,
  /// the operator). Disabling ends the account's sessions at once (they live in the
  /// database). The firm keeps at least one active owner, and nobody disables themselves:
  /// Conflict naming the field otherwise. Returns the account as changed.
  StaffMember change(std::int64_t actorUserId, std::int64_t id, const Change& change);

  /// True for a staff role: owner, attorney, paralegal, billing.
  static bool isStaffRole(const std::string& role);

 private:
  StaffInvitation newLink(std::int64_t userId, const std::string& email, int validHours);
  Connection& c_;
  std::int64_t firm_;
};

}  // namespace lexos::core
