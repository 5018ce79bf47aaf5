#include "identity/staff_directory.h"

#include <algorithm>
#include <map>

#include "common/time.h"
#include "common/tokens.h"
#include "data/connection.h"
#include "identity/accounts.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/principal.h"

namespace lexos::core {

namespace {

const char* kColumns =
    "u.id, u.email, u.display_name, u.role, u.status, u.created_at, u.invited_at, u.activated_at, "
    "(SELECT max(i.expires_at) FROM invitations i WHERE i.firm_id = u.firm_id AND i.user_id = u.id "
    "AND i.used_at IS NULL AND i.expires_at > $1)";

StaffMember toMember(const std::vector<sdk::Value>& r) {
  StaffMember m;
  m.id = sdk::asInt(r[0]);
  m.email = sdk::asText(r[1]);
  m.name = sdk::asText(r[2]);
  m.role = sdk::asText(r[3]);
  m.status = sdk::asText(r[4]);
  m.created_at = sdk::asText(r[5]);
  m.invited_at = sdk::isNull(r[6]) ? "" : sdk::asText(r[6]);
  m.activated_at = sdk::isNull(r[7]) ? "" : sdk::asText(r[7]);
  m.invitation_expires = sdk::isNull(r[8]) ? "" : sdk::asText(r[8]);
  return m;
}

}  // namespace

bool StaffDirectory::isStaffRole(const std::string& role) {
  return role == sdk::kRoleOwner || role == sdk::kRoleAttorney || role == sdk::kRoleParalegal ||
         role == sdk::kRoleBilling;
}

std::vector<StaffMember> StaffDirectory::list(bool lastSignIn) {
  std::vector<StaffMember> out;
  auto rs = c_.query(std::string("SELECT ") + kColumns +
                         " FROM users u WHERE u.kind = 'staff' ORDER BY lower(u.display_name), u.email",
                     {utcTimestamp()});
  for (const auto& r : rs.rows) out.push_back(toMember(r));
  if (lastSignIn && !out.empty()) {
    // The audit log already records every sign-in (login.success, object = the user's id): the
    // list reads it there rather than keeping a second copy on the account.
    std::map<std::string, std::string> last;
    for (const auto& r : c_.query("SELECT object_id, max(at) FROM audit_log WHERE action = 'login.success' "
                                  "AND object_type = 'user' GROUP BY object_id",
                                  {})
                             .rows)
      last[sdk::asText(r[0])] = sdk::asText(r[1]);
    for (auto& m : out)
      if (auto it = last.find(std::to_string(m.id)); it != last.end()) m.last_sign_in_at = it->second;
  }
  return out;
}

StaffMember StaffDirectory::get(std::int64_t id) {
  auto rs = c_.query(std::string("SELECT ") + kColumns + " FROM users u WHERE u.kind = 'staff' AND u.id = $2",
                     {utcTimestamp(), id});
  if (rs.empty()) throw sdk::NotFound("No such member of staff.");
  return toMember(rs.rows[0]);
}

StaffInvitation StaffDirectory::newLink(std::int64_t userId, const std::string& email, int validHours) {
  if (validHours < 1 || validHours > 24 * 30) validHours = 72;
  const std::string now = utcTimestamp();
  // A new link invalidates every earlier one of this account.
  c_.execute("UPDATE invitations SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL", {now, userId});
  StaffInvitation inv;
  inv.user_id = userId;
  inv.email = email;
  // The firm leads the token, as in portal invitations: the activation knows its firm before
  // it can look the token up under that firm's row-level security.
  inv.token = std::to_string(firm_) + "." + randomToken(32);
  inv.expires_at = utcTimestamp(3600L * validHours);
  c_.execute("INSERT INTO invitations (firm_id, id, user_id, token_hash, expires_at) VALUES (lexos_firm(), $1, $2, $3, $4)",
             {c_.newId(), userId, hashToken(inv.token), inv.expires_at});
  c_.execute("UPDATE users SET status = 'invited', invited_at = $1 WHERE id = $2", {now, userId});
  return inv;
}

StaffInvitation StaffDirectory::invite(const std::string& emailIn, const std::string& role, const std::string& name,
                                       int validHours) {
  const std::string email = normaliseEmail(emailIn);
  if (email.empty()) throw sdk::BadRequest("email", "Enter a valid e-mail address.");
  // A non-ASCII address would need SMTPUTF8 from every server on the way (as for portal invitations).
  if (std::any_of(email.begin(), email.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; }))
    throw sdk::BadRequest("email", "Use an e-mail address written in plain ASCII; invitations cannot be sent to it otherwise.");
  if (!isStaffRole(role)) throw sdk::BadRequest("role", "Choose a role: owner, attorney, paralegal or billing.");
  auto existing = c_.query("SELECT id, kind, status FROM users WHERE email = $1", {email});
  std::int64_t userId = 0;
  if (!existing.empty()) {
    const auto& r = existing.rows[0];
    if (sdk::asText(r[1]) != "staff")
      throw sdk::Conflict("This address belongs to a client's portal account; use another address.", "email");
    const std::string status = sdk::asText(r[2]);
    if (status != "invited" && status != "revoked")
      throw sdk::Conflict("This address already has a staff account (" + status + ").", "email");
    userId = sdk::asInt(r[0]);
    c_.execute("UPDATE users SET role = $1, display_name = CASE WHEN $2 = '' THEN display_name ELSE $2 END WHERE id = $3",
               {role, name, userId});
  } else {
    userId = c_.newId();
    c_.execute("INSERT INTO users (firm_id, id, email, display_name, password_hash, kind, role, status, created_at, "
               "invited_at) VALUES (lexos_firm(), $1, $2, $3, NULL, 'staff', $4, 'invited', $5, $5)",
               {userId, email, name, role, utcTimestamp()});
  }
  return newLink(userId, email, validHours);
}

StaffInvitation StaffDirectory::resend(std::int64_t id, int validHours) {
  const StaffMember m = get(id);
  if (m.status != "invited" && m.status != "revoked")
    throw sdk::Conflict("This account is " + m.status + ": there is no invitation to send.", "id");
  return newLink(id, m.email, validHours);
}

void StaffDirectory::revokeInvitation(std::int64_t id) {
  const StaffMember m = get(id);
  if (m.status != "invited") throw sdk::Conflict("This account has no open invitation.", "id");
  c_.execute("UPDATE invitations SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL", {utcTimestamp(), id});
  c_.execute("UPDATE users SET status = 'revoked' WHERE id = $1", {id});
}

StaffMember StaffDirectory::change(std::int64_t actorUserId, std::int64_t id, const Change& change) {
  StaffMember m = get(id);
  if (change.role && !isStaffRole(*change.role))
    throw sdk::BadRequest("role", "Choose a role: owner, attorney, paralegal or billing.");
  if (change.disabled && m.status != "active" && m.status != "disabled")
    throw sdk::Conflict("An invitation is open for this account: revoke it instead.", "disabled");
  const std::string role = change.role.value_or(m.role);
  const std::string status = change.disabled ? (*change.disabled ? "disabled" : "active") : m.status;
  if (change.disabled && *change.disabled && id == actorUserId)
    throw sdk::Conflict("You cannot disable your own account; ask another owner.", "disabled");
  // The firm never loses its last active owner: nobody could administer it any more.
  if (m.role == sdk::kRoleOwner && m.status == "active" && (role != sdk::kRoleOwner || status != "active")) {
    auto others = c_.query("SELECT count(*) FROM users WHERE kind = 'staff' AND role = 'owner' AND status = 'active' AND id <> $1",
                           {id});
    if (sdk::asInt(others.rows[0][0]) == 0)
      throw sdk::Conflict("The firm needs at least one active owner: make someone else owner first.",
                          role != sdk::kRoleOwner ? "role" : "disabled");
  }
  if (role != m.role) c_.execute("UPDATE users SET role = $1 WHERE id = $2", {role, id});
  if (status != m.status) {
    c_.execute("UPDATE users SET status = $1 WHERE id = $2", {status, id});
    // Sessions live in the database: deleting them ends them on every node at once (and the
    // guard's session cache hears of it through the change triggers).
    if (status == "disabled") c_.execute("DELETE FROM sessions WHERE user_id = $1", {id});
  }
  return get(id);
}

}  // namespace lexos::core
