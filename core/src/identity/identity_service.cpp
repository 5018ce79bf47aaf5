#include "identity/identity_service.h"

#include "common/time.h"
#include "common/tokens.h"
#include "identity/accounts.h"
#include "identity/audit_log.h"
#include "identity/passwords.h"
#include "identity/throttle.h"
#include "lexos/sdk/errors.h"

namespace lexos::core {

namespace {
sdk::PortalUser toPortalUser(const std::vector<sdk::Value>& r) {
  sdk::PortalUser u;
  u.user_id = sdk::asInt(r[0]);
  u.client_id = sdk::isNull(r[1]) ? 0 : sdk::asInt(r[1]);
  u.email = sdk::asText(r[2]);
  u.display_name = sdk::asText(r[3]);
  u.status = sdk::asText(r[4]);
  u.invited_at = sdk::asText(r[5]);
  u.activated_at = sdk::asText(r[6]);
  return u;
}
const char* kUserColumns = "id, client_id, email, display_name, status, invited_at, activated_at";
}  // namespace

void IdentityService::requireStaff() const {
  if (!principal_.isStaff()) throw sdk::Forbidden("Only the firm's staff can manage portal access.");
}

void IdentityService::requireSignedIn() const {
  if (principal_.kind == sdk::PrincipalKind::Anonymous || sessionId_ == 0) throw sdk::Unauthorized();
}

template <class F>
auto IdentityService::asFirm(F f) {
  const Scope request{principal_.firm_id, principal_.isPortal() ? principal_.client_id : 0};
  c_.setScope({principal_.firm_id, 0});
  ScopeRestore restore{c_, request};
  return f();
}

template <class F>
auto IdentityService::outsideTransaction(F f) {
  // Only the request's own reads precede these calls, so committing them early is harmless;
  // the request continues in a fresh write transaction in the request's scope.
  c_.commit();
  struct Reopen {
    Connection& c;
    Scope s;
    ~Reopen() {
      try {
        c.begin(true);
        c.setScope(s);
      } catch (...) {
      }
    }
  } reopen{c_, {principal_.firm_id, principal_.isPortal() ? principal_.client_id : 0}};
  return f();
}

void IdentityService::audit(const sdk::Principal& actor, const std::string& action, const std::string& type,
                            const std::string& id, const std::string& detail) {
  AuditLog::append(c_, actor, address_, requestId_, {{action, type, id, detail}});
}

sdk::Invitation IdentityService::invitePortalUser(std::int64_t clientId, const std::string& emailIn,
                                                  const std::string& displayName, int validHours) {
  requireStaff();
  const std::string email = normaliseEmail(emailIn);
  if (email.empty()) throw sdk::BadRequest("email", "Enter a valid email address.");
  if (clientId <= 0) throw sdk::BadRequest("client_id", "Choose a client.");
  if (validHours < 1 || validHours > 24 * 30) validHours = 72;
  return asFirm([&] {
    const std::string now = utcTimestamp();
    auto existing = c_.query("SELECT id, kind, client_id, status FROM users WHERE email = $1", {email});
    std::int64_t userId = 0;
    if (!existing.empty()) {
      const auto& r = existing.rows[0];
      if (sdk::asText(r[1]) != "portal")
        throw sdk::Conflict("This address belongs to a staff account; use another address.", "email");
      if (sdk::isNull(r[2]) || sdk::asInt(r[2]) != clientId)
        throw sdk::Conflict("This address already has portal access for another client.", "email");
      userId = sdk::asInt(r[0]);
      // An active user keeps working until they use the new link (it then resets the password).
      c_.execute("UPDATE users SET status = CASE WHEN status = 'active' THEN 'active' ELSE 'invited' END, "
                 "invited_at = $1, display_name = CASE WHEN $2 = '' THEN display_name ELSE $2 END WHERE id = $3",
                 {now, displayName, userId});
    } else {
      userId = c_.newId();
      c_.execute("INSERT INTO users (firm_id, id, email, display_name, password_hash, kind, role, client_id, status, "
                 "created_at, invited_at) VALUES (lexos_firm(), $1, $2, $3, NULL, 'portal', 'portal', $4, 'invited', $5, $5)",
                 {userId, email, displayName, clientId, now});
    }
    // Re-inviting invalidates every earlier link of this user.
    c_.execute("UPDATE invitations SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL", {now, userId});
    sdk::Invitation inv;
    inv.user_id = userId;
    inv.token = std::to_string(principal_.firm_id) + "." + randomToken(32);
    inv.expires_at = utcTimestamp(3600L * validHours);
    c_.execute("INSERT INTO invitations (firm_id, id, user_id, token_hash, expires_at) VALUES (lexos_firm(), $1, $2, $3, $4)",
               {c_.newId(), userId, hashToken(inv.token), inv.expires_at});
    audit(principal_, "portal.invite", "client", std::to_string(clientId), "user=" + std::to_string(userId));
    return inv;
  });
}

std::vector<sdk::PortalUser> IdentityService::portalUsers(std::int64_t clientId) {
  requireStaff();
  return asFirm([&] {
    std::vector<sdk::PortalUser> out;
    auto rs = c_.query(std::string("SELECT ") + kUserColumns + " FROM users WHERE kind = 'portal' AND client_id = $1 ORDER BY email",
                       {clientId});
    for (const auto& r : rs.rows) out.push_back(toPortalUser(r));
    return out;
  });
}

int IdentityService::revokePortalUsers(std::int64_t clientId, std::int64_t userId) {
  requireStaff();
  return asFirm([&] {
    const std::string now = utcTimestamp();
    const std::string which = "kind = 'portal' AND client_id = $1 AND status <> 'revoked'" + std::string(userId ? " AND id = $2" : "");
    std::vector<sdk::Value> params = {clientId};
    if (userId) params.push_back(userId);
    auto ids = c_.query("SELECT id FROM users WHERE " + which, params);
    for (const auto& r : ids.rows) {
      const auto id = sdk::asInt(r[0]);
      c_.execute("UPDATE users SET status = 'revoked' WHERE id = $1", {id});
      // Sessions live in the database: deleting them signs the user out on every node now.
      c_.execute("DELETE FROM sessions WHERE user_id = $1", {id});
      c_.execute("UPDATE invitations SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL", {now, id});
      audit(principal_, "portal.revoke", "client", std::to_string(clientId), "user=" + std::to_string(id));
    }
    return static_cast<int>(ids.size());
  });
}

sdk::PortalUser IdentityService::activatePortalUser(const std::string& token, const std::string& password) {
  return activate(token, password, "portal", "");
}

sdk::PortalUser IdentityService::activateStaffUser(const std::string& token, const std::string& name,
                                                   const std::string& password) {
  return activate(token, password, "staff", name);
}

sdk::PortalUser IdentityService::activate(const std::string& token, const std::string& password, const std::string& kind,
                                          const std::string& name) {
  const sdk::HttpError invalid(410, "invitation_invalid", "This invitation link is used, expired or no longer valid.", "token");
  // Every try of a token is reserved first, per address; only a valid token gives it back.
  const ThrottleRule rule{"activate:address:" + throttle::addressKey(address_), throttle::kActivationLimit};
  const Reservation attempt = outsideTransaction([&] { return Throttle::reserve(c_, {rule}); });
  if (!attempt.granted())
    throw sdk::TooManyRequests(attempt.retry_after,
                               "Too many invalid activation links from this address. Try again in " +
                                   std::to_string((attempt.retry_after + 59) / 60) + " min.",
                               "token");
  const auto dot = token.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 19) throw invalid;
  std::int64_t firm = 0;
  try {
    firm = std::stoll(token.substr(0, dot));
  } catch (...) {
    throw invalid;
  }
  if (firm <= 0) throw invalid;
  // The token, verified below, names the firm; the request does not.
  c_.setScope({firm, 0});
  auto rs = c_.query("SELECT i.id, i.user_id, i.expires_at, i.used_at, u.status FROM invitations i JOIN users u "
                     "ON u.firm_id = i.firm_id AND u.id = i.user_id WHERE i.token_hash = $1 AND u.kind = $2",
                     {hashToken(token.substr(0)), kind});
  if (rs.empty() || !sdk::isNull(rs.rows[0][3]) || sdk::asText(rs.rows[0][2]) <= utcTimestamp() ||
      sdk::asText(rs.rows[0][4]) == "revoked") {
    c_.setScope({});
    throw invalid;
  }
  if (kind == "portal" && !c_.query("SELECT 1 FROM firm_modules WHERE module = 'portal' AND NOT enabled", {}).empty()) {
    c_.setScope({});
    throw invalid;  // the firm switched its portal off
  }
  if (auto problem = passwordProblem(password); !problem.empty()) {
    // The token was right: this try is no guess. Given back now, as the error rolls back.
    outsideTransaction([&] {
      Throttle::releaseAlone(c_, attempt.id);
      return 0;
    });
    throw sdk::BadRequest("password", problem);
  }
  // Argon2 runs outside any transaction (no write lock held for its ~0.2 s); the token is
  // consumed afterwards, and only if it is still unused and unexpired then.
  const std::string hash = outsideTransaction([&] { return hashPassword(password); });
  c_.setScope({firm, 0});
  Throttle::release(c_, attempt.id);
  const auto userId = sdk::asInt(rs.rows[0][1]);
  const std::string now = utcTimestamp();
  // Consume the token first and only if still unused: of two concurrent activations one wins.
  if (c_.execute("UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1",
                 {now, sdk::asInt(rs.rows[0][0])}) != 1) {
    c_.setScope({});
    throw invalid;
  }
  if (c_.execute("UPDATE users SET password_hash = $1, status = 'active', activated_at = coalesce(activated_at, $2) "
                 "WHERE id = $3 AND status <> 'revoked'",
                 {hash, now, userId}) != 1) {
    c_.setScope({});
    throw invalid;  // revoked while the password was hashed
  }
  if (!name.empty()) c_.execute("UPDATE users SET display_name = $1 WHERE id = $2", {name, userId});
  c_.execute("DELETE FROM sessions WHERE user_id = $1", {userId});  // a reset ends old sessions
  auto u = c_.query(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = $1", {userId});
  auto user = toPortalUser(u.rows.at(0));
  sdk::Principal actor;
  actor.kind = kind == "portal" ? sdk::PrincipalKind::Portal : sdk::PrincipalKind::Staff;
  actor.firm_id = firm;
  actor.user_id = userId;
  actor.client_id = user.client_id;
  actor.email = user.email;
  audit(actor, kind + ".activate", "user", std::to_string(userId));
  return user;
}

std::string IdentityService::activationState(const std::string& token) {
  const ThrottleRule rule{"activation-check:address:" + throttle::addressKey(address_), throttle::kActivationLimit};
  const Reservation attempt = outsideTransaction([&] { return Throttle::reserve(c_, {rule}); });
  if (!attempt.granted())
    throw sdk::TooManyRequests(attempt.retry_after,
                               "Too many invalid activation links from this address. Try again in " +
                                   std::to_string((attempt.retry_after + 59) / 60) + " min.",
                               "token");
  const auto dot = token.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 19 || token.size() > 200) return "invalid";
  std::int64_t firm = 0;
  try {
    firm = std::stoll(token.substr(0, dot));
  } catch (...) {
    return "invalid";
  }
  if (firm <= 0) return "invalid";
  c_.setScope({firm, 0});
  ScopeRestore unscoped{c_, {}};
  auto rs = c_.query("SELECT i.expires_at, i.used_at, u.status FROM invitations i JOIN users u ON u.firm_id = i.firm_id AND u.id = i.user_id WHERE i.token_hash = $1",
                     {hashToken(token)});
  if (rs.empty()) return "invalid";
  // A real link is no guess: the try is given back, whatever state the link is in.
  Throttle::release(c_, attempt.id);
  if (!c_.query("SELECT 1 FROM firm_modules WHERE module = 'portal' AND NOT enabled", {}).empty()) return "invalid";
  const auto& r = rs.rows[0];
  const std::string status = sdk::asText(r[2]);
  if (status == "revoked") return "revoked";
  if (!sdk::isNull(r[1])) {
    // Closed by its own activation, or by a later invitation (re-invite). An account still
    // waiting was re-invited; an active one signs in either way.
    return status == "active" ? "used" : "replaced";
  }
  if (sdk::asText(r[0]) <= utcTimestamp()) return "expired";
  return "valid";
}

void IdentityService::changeOwnPassword(const std::string& currentPassword, const std::string& newPassword) {
  requireSignedIn();
  // Checked first: a weak new password costs no guess of the current one.
  if (auto problem = passwordProblem(newPassword); !problem.empty()) throw sdk::BadRequest("new_password", problem);
  const std::string hash = asFirm([&] {
    auto rs = c_.query("SELECT password_hash FROM users WHERE id = $1", {principal_.user_id});
    return rs.empty() || sdk::isNull(rs.rows[0][0]) ? std::string() : sdk::asText(rs.rows[0][0]);
  });
  // A stolen session must not guess the password without limit: each check is reserved first,
  // in its own committed transaction (the failure's 400 rolls the request back), and both
  // Argon2 runs happen outside any transaction.
  std::string fresh;
  const Reservation attempt = outsideTransaction([&] {
    auto r = Throttle::reserve(c_, {{"current-password:" + std::to_string(principal_.firm_id) + ":" +
                                         std::to_string(principal_.user_id),
                                     throttle::kCurrentPasswordLimit}});
    if (r.granted() && !hash.empty() && verifyPassword(currentPassword, hash)) fresh = hashPassword(newPassword);
    return r;
  });
  if (!attempt.granted())
    throw sdk::TooManyRequests(attempt.retry_after, "Too many wrong current passwords. Try again in " +
                                                        std::to_string((attempt.retry_after + 59) / 60) + " min.",
                               "current_password");
  if (fresh.empty()) throw sdk::BadRequest("current_password", "The current password is not right.");
  asFirm([&] {
    Throttle::release(c_, attempt.id);
    c_.execute("UPDATE users SET password_hash = $1 WHERE id = $2", {fresh, principal_.user_id});
    c_.execute("DELETE FROM sessions WHERE user_id = $1 AND id <> $2", {principal_.user_id, sessionId_});
    audit(principal_, "password.change", "user", std::to_string(principal_.user_id));
    return 0;
  });
}

int IdentityService::endOtherSessions() {
  requireSignedIn();
  return asFirm([&] {
    auto n = c_.execute("DELETE FROM sessions WHERE user_id = $1 AND id <> $2", {principal_.user_id, sessionId_});
    audit(principal_, "sessions.end_others", "user", std::to_string(principal_.user_id), "count=" + std::to_string(n));
    return static_cast<int>(n);
  });
}

}  // namespace lexos::core
