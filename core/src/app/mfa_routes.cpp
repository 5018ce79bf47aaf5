#include "app/mfa_routes.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>

#include "common/json.h"
#include "common/time.h"
#include "common/tokens.h"
#include "config/config.h"
#include "http/error_mapper.h"
#include "http/http_response.h"
#include "http/request_context.h"
#include "identity/audit_log.h"
#include "identity/mfa.h"
#include "identity/throttle.h"
#include "lexos/sdk/lexos.h"

namespace lexos::core {

namespace {

using sdk::Audience;
using sdk::Method;

/// Wrong codes per account per window (docs/throttling.md): with three codes valid at a time,
/// a guesser's chance is 15 in a million per window.
constexpr int kCodeLimit = 5;

RequestContext& host(sdk::Context& c) { return static_cast<RequestContext&>(c); }

Poco::JSON::Object::Ptr jsonObject(sdk::Context& ctx) {
  if (ctx.request().contentType() != "application/json")
    throw sdk::BadRequest("body", "Send the request as application/json.");
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(ctx.request().body()).extract<Poco::JSON::Object::Ptr>();
    if (!o) throw sdk::BadRequest("body", "The body must be a JSON object.");
    return o;
  } catch (const sdk::HttpError&) {
    throw;
  } catch (const std::exception&) {
    throw sdk::BadRequest("body", "The body is not valid JSON.");
  }
}

// Six digits as typed (spaces allowed between them); BadRequest naming `field` otherwise.
std::string sixDigits(const Poco::JSON::Object::Ptr& o, const std::string& field) {
  auto v = o->get(field);
  if (!v.isString())
    throw sdk::BadRequest(field, "Enter the 6-digit code from your authenticator app.");
  std::string out;
  for (char ch : v.extract<std::string>()) {
    if (ch == ' ') continue;
    if (!std::isdigit(static_cast<unsigned char>(ch)) || out.size() == 6)
      throw sdk::BadRequest(field, "Enter the 6-digit code from your authenticator app.");
    out += ch;
  }
  if (out.size() != 6)
    throw sdk::BadRequest(field, "Enter the 6-digit code from your authenticator app.");
  return out;
}

// A TOTP code or a recovery code in `field` (the signed-in routes take either).
std::string codeField(const Poco::JSON::Object::Ptr& o, const std::string& field) {
  if (!o->has(field) || o->isNull(field))
    throw sdk::BadRequest(field, "Enter a code from your authenticator app.");
  auto v = o->get(field);
  if (!v.isString() || v.extract<std::string>().empty() || v.extract<std::string>().size() > 64)
    throw sdk::BadRequest(field, "Enter a code from your authenticator app.");
  return v.extract<std::string>();
}

bool isSixDigits(const std::string& s) {
  std::string d;
  for (char ch : s)
    if (ch != ' ') d += ch;
  return d.size() == 6 && std::all_of(d.begin(), d.end(), [](char ch) {
           return std::isdigit(static_cast<unsigned char>(ch));
         });
}

std::string digitsOnly(const std::string& s) {
  std::string d;
  for (char ch : s)
    if (ch != ' ') d += ch;
  return d;
}

// The throttle's keys for a code of (firm, user): the user's own count and the address's.
std::vector<ThrottleRule> codeRules(sdk::Context& c, std::int64_t firmId, std::int64_t userId) {
  const std::string where = throttle::addressKey(c.request().remoteAddress());
  return {{"mfa:account:" + std::to_string(firmId) + ":" + std::to_string(userId), kCodeLimit},
          {"login:address:" + where, throttle::kAddressLimit}};
}

sdk::TooManyRequests tooMany(const Reservation& r) {
  return sdk::TooManyRequests(
      r.retry_after,
      "Too many wrong codes. Try again in " + std::to_string((r.retry_after + 59) / 60) + " min.");
}

// Reserves one code attempt for (firm, user) outside the request's transaction (a signed-in
// route), then scopes the reopened transaction to the firm. Throws 429 at the limit.
Reservation reserveCode(sdk::Context& c, Connection& conn, std::int64_t firmId,
                        std::int64_t userId) {
  Reservation r;
  c.outsideTransaction([&] { r = Throttle::reserve(conn, codeRules(c, firmId, userId)); });
  conn.setScope({firmId, 0});
  if (!r.granted()) throw tooMany(r);
  return r;
}

// The same at sign-in, where the login handler owns the transaction: commit what it did (a
// right password's reservation given back), reserve, then reopen in the firm's scope.
Reservation reserveAtSignIn(sdk::Context& c, Connection& conn, std::int64_t firmId,
                            std::int64_t userId) {
  conn.commit();
  const Reservation r = Throttle::reserve(conn, codeRules(c, firmId, userId));
  conn.begin(true);
  conn.setScope({firmId, 0});
  if (!r.granted()) throw tooMany(r);
  return r;
}

void sendCodes(sdk::Context& c, const std::vector<std::string>& codes, int status = 200) {
  Poco::JSON::Object o;
  Poco::JSON::Array a;
  for (const auto& code : codes) a.add(code);
  o.set("recovery_codes", a);
  c.response().sendJson(toJson(o), status);
}

void sendEnrolment(sdk::Context& c, const MfaEnrolment& e) {
  Poco::JSON::Object o;
  o.set("secret", e.secret);
  o.set("otpauth_uri", e.otpauth_uri);
  o.set("qr_svg", e.qr_svg);
  c.response().sendJson(toJson(o), 200);
}

struct UserRow {
  std::string email, kind, status, password_hash, firm_name;
};
std::optional<UserRow> userRow(Connection& conn, std::int64_t userId) {
  auto u = conn.query(
      "SELECT u.email, u.kind, u.status, u.password_hash, f.name FROM users u "
      "JOIN firms f ON f.id = u.firm_id WHERE u.id = $1",
      {userId});
  if (u.empty() || sdk::isNull(u.rows[0][3])) return std::nullopt;
  return UserRow{sdk::asText(u.rows[0][0]), sdk::asText(u.rows[0][1]), sdk::asText(u.rows[0][2]),
                 sdk::asText(u.rows[0][3]), sdk::asText(u.rows[0][4])};
}

const sdk::Principal& signedIn(sdk::Context& c) {
  const auto& p = c.principal();
  if (p.kind == sdk::PrincipalKind::Anonymous) throw sdk::Unauthorized();
  host(c).connection().setScope({p.firm_id, 0});  // identity tables are firm-internal
  return p;
}

// --- signed-in routes ----------------------------------------------------------------------

void getOwn(sdk::Context& c, const Config& config) {
  const auto& p = signedIn(c);
  Connection& conn = host(c).connection();
  const MfaState s = Mfa::state(conn, p.user_id);
  const MfaPolicy policy = Mfa::policy(conn);
  Poco::JSON::Object o;
  o.set("enrolled", s.enrolled);
  o.set("pending", s.pending);
  o.set("enforced", policy.enforces(p.isPortal() ? "portal" : "staff"));
  o.set("recovery_codes_left", s.recovery_codes_left);
  if (s.enrolled)
    o.set("enrolled_at", s.enrolled_at);
  else
    o.set("enrolled_at", Poco::Dynamic::Var());
  o.set("remember_days", config.mfa_remember_days);
  c.response().sendJson(toJson(o), 200);
}

void beginOwn(sdk::Context& c) {
  const auto& p = signedIn(c);
  Connection& conn = host(c).connection();
  auto u = userRow(conn, p.user_id);
  if (!u) throw sdk::Unauthorized();
  sendEnrolment(
      c, Mfa::begin(conn, p.user_id, u->firm_name.empty() ? "LexOS" : u->firm_name, u->email));
}

void confirmOwn(sdk::Context& c) {
  const auto& p = signedIn(c);
  auto body = jsonObject(c);
  if (!body->has("code") || body->isNull("code"))
    throw sdk::BadRequest("code", "Enter the 6-digit code from your authenticator app.");
  const std::string code = sixDigits(body, "code");
  Connection& conn = host(c).connection();
  if (!Mfa::state(conn, p.user_id).pending)
    throw sdk::Conflict("Start the enrolment first: there is no code to confirm.", "code");
  const Reservation r = reserveCode(c, conn, p.firm_id, p.user_id);
  auto codes = Mfa::confirm(conn, p.user_id, code);
  if (!codes)  // the reservation stays: it counts the wrong code
    throw sdk::BadRequest("code", "That code is not right. Enter the code your app shows now.");
  Throttle::release(conn, r.id);
  c.audit().record("mfa.enrol", "user", std::to_string(p.user_id));
  sendCodes(c, *codes);
}

// Checks a TOTP or recovery code of the signed-in, enrolled user (throttled); BadRequest
// naming "code" when it is wrong.
void proveOwn(sdk::Context& c, const sdk::Principal& p, const std::string& code) {
  Connection& conn = host(c).connection();
  const Reservation r = reserveCode(c, conn, p.firm_id, p.user_id);
  const bool ok = isSixDigits(code)
                      ? Mfa::checkCode(conn, p.user_id, digitsOnly(code)) == MfaCheck::Ok
                      : Mfa::useRecoveryCode(conn, p.user_id, code) == MfaCheck::Ok;
  if (!ok)
    throw sdk::BadRequest(
        "code", "That code is not right. Enter the code your app shows now, or a recovery code.");
  Throttle::release(conn, r.id);
}

void disableOwn(sdk::Context& c) {
  const auto& p = signedIn(c);
  auto body = jsonObject(c);
  const std::string code = codeField(body, "code");
  Connection& conn = host(c).connection();
  if (!Mfa::state(conn, p.user_id).enrolled) throw sdk::Conflict("Two-step sign-in is not on.");
  if (Mfa::policy(conn).enforces(p.isPortal() ? "portal" : "staff"))
    throw sdk::HttpError(409, "mfa_required_by_firm",
                         "Your firm requires two-step sign-in: it cannot be turned off.");
  proveOwn(c, p, code);
  Mfa::reset(conn, p.user_id);
  c.audit().record("mfa.disable", "user", std::to_string(p.user_id));
  c.response().setStatus(204);
  c.response().send("");
}

void newCodesOwn(sdk::Context& c) {
  const auto& p = signedIn(c);
  auto body = jsonObject(c);
  const std::string code = codeField(body, "code");
  Connection& conn = host(c).connection();
  if (!Mfa::state(conn, p.user_id).enrolled) throw sdk::Conflict("Two-step sign-in is not on.");
  proveOwn(c, p, code);
  auto codes = Mfa::newRecoveryCodes(conn, p.user_id);
  c.audit().record("mfa.recovery_codes", "user", std::to_string(p.user_id));
  sendCodes(c, codes);
}

// --- the owner's --------------------------------------------------------------------------

void sendPolicy(sdk::Context& c, Connection& conn, const MfaPolicy& policy) {
  Poco::JSON::Object o;
  o.set("enforce_staff", policy.enforce_staff);
  o.set("enforce_portal", policy.enforce_portal);
  Poco::JSON::Array users;
  auto rs = conn.query(
      "SELECT u.id, u.email, u.display_name, u.kind, u.status, m.confirmed_at FROM users u "
      "LEFT JOIN user_mfa m ON m.firm_id = u.firm_id AND m.user_id = u.id "
      "WHERE u.status IN ('active', 'invited') ORDER BY u.kind DESC, u.email",
      {});
  for (const auto& r : rs.rows) {
    Poco::JSON::Object u;
    u.set("id", sdk::asInt(r[0]));
    u.set("email", sdk::asText(r[1]));
    u.set("display_name", sdk::asText(r[2]));
    u.set("kind", sdk::asText(r[3]));
    u.set("status", sdk::asText(r[4]));
    u.set("mfa_enrolled", !sdk::isNull(r[5]));
    users.add(u);
  }
  o.set("users", users);
  c.response().sendJson(toJson(o), 200);
}

void getPolicy(sdk::Context& c) {
  Connection& conn = host(c).connection();
  conn.setScope({c.principal().firm_id, 0});
  sendPolicy(c, conn, Mfa::policy(conn));
}

void patchPolicy(sdk::Context& c) {
  auto body = jsonObject(c);
  std::optional<bool> staff, portal;
  std::string detail;
  for (const auto& [key, value] : *body) {
    if (key != "enforce_staff" && key != "enforce_portal")
      throw sdk::BadRequest(key, "'" + key.substr(0, 64) +
                                     "' is not an MFA setting (enforce_staff, enforce_portal).");
    if (!value.isBoolean()) throw sdk::BadRequest(key, key + " must be true or false.");
    (key == "enforce_staff" ? staff : portal) = value.extract<bool>();
    detail += (detail.empty() ? "" : ",") + key + "=" + (value.extract<bool>() ? "on" : "off");
  }
  Connection& conn = host(c).connection();
  conn.setScope({c.principal().firm_id, 0});
  const MfaPolicy p = Mfa::setPolicy(conn, staff, portal);
  c.audit().record("firm.mfa_policy", "firm", std::to_string(c.principal().firm_id), detail);
  sendPolicy(c, conn, p);
}

void resetUser(sdk::Context& c) {
  std::int64_t id = 0;
  try {
    std::size_t used = 0;
    const std::string& raw = c.request().pathParam("id");
    id = std::stoll(raw, &used);
    if (used != raw.size()) throw std::invalid_argument("id");
  } catch (...) {
    throw sdk::NotFound();
  }
  Connection& conn = host(c).connection();
  conn.setScope({c.principal().firm_id, 0});
  // Another firm's user is not visible in this firm's scope: 404 (checked by the database too).
  if (conn.query("SELECT 1 FROM users WHERE id = $1", {id}).empty()) throw sdk::NotFound();
  const bool had = Mfa::reset(conn, id);
  c.audit().record("mfa.reset", "user", std::to_string(id), had ? "enrolled" : "not enrolled");
  c.response().setStatus(204);
  c.response().send("");
}

// --- the enrolment a firm's policy forces at sign-in ---------------------------------------

void enrolAtSignIn(sdk::Context& c) {
  const std::string cookies = c.request().header("Cookie").value_or("");
  const sdk::HttpError expired(401, "mfa_expired", "Sign in again: the first step has expired.");
  auto who = Mfa::pendingUser(cookies);
  if (!who) throw expired;
  Connection& conn = host(c).connection();
  conn.setScope({who->first, 0});
  auto u = userRow(conn, who->second);
  if (!u || u->status != "active" || !Mfa::pendingValid(conn, cookies, u->password_hash))
    throw expired;
  if (Mfa::state(conn, who->second).enrolled || !Mfa::policy(conn).enforces(u->kind))
    throw sdk::Conflict("Enrol from your account page once signed in.");
  sendEnrolment(
      c, Mfa::begin(conn, who->second, u->firm_name.empty() ? "LexOS" : u->firm_name, u->email));
}

// 401 with the pending cookie: the password was right, a second step is needed. The error says
// how long "Remember this device" lasts (0: not offered).
void askForCode(sdk::Context& c, Connection& conn, const Config& config, std::int64_t firmId,
                std::int64_t userId, const std::string& passwordHash, bool enrol) {
  c.response().setHeader("Set-Cookie", Mfa::pendingCookie(conn, firmId, userId, passwordHash));
  Poco::JSON::Object e;
  e.set("code", enrol ? "mfa_enrolment_required" : "mfa_required");
  e.set("message",
        enrol ? "Your firm requires two-step sign-in. Set up an authenticator app to continue."
              : "Enter the code from your authenticator app.");
  e.set("remember_days", config.mfa_remember_days);
  Poco::JSON::Object o;
  o.set("error", e);
  c.response().sendJson(toJson(o), 401);
}

}  // namespace

SignInCodes signInCodes(const Poco::JSON::Object::Ptr& body) {
  SignInCodes s;
  if (body->has("totp") && !body->isNull("totp")) s.totp = sixDigits(body, "totp");
  if (body->has("recovery_code") && !body->isNull("recovery_code")) {
    auto v = body->get("recovery_code");
    const std::string text = v.isString() ? v.extract<std::string>() : std::string();
    if (text.empty() || text.size() > 64)
      throw sdk::BadRequest("recovery_code", "Enter one of your recovery codes.");
    s.recovery_code = text;
  }
  if (!s.totp.empty() && !s.recovery_code.empty())
    throw sdk::BadRequest("recovery_code", "Send either totp or recovery_code, not both.");
  if (body->has("remember_device") && !body->isNull("remember_device")) {
    auto v = body->get("remember_device");
    if (!v.isBoolean())
      throw sdk::BadRequest("remember_device", "remember_device must be true or false.");
    s.remember_device = v.extract<bool>();
  }
  return s;
}

SecondFactor secondFactor(sdk::Context& c, Connection& conn, const Config& config,
                          const SignInCodes& codes, std::int64_t firmId, std::int64_t userId,
                          const std::string& kind, const std::string& passwordHash) {
  SecondFactor out;
  const MfaState state = Mfa::state(conn, userId);
  const std::string cookies = c.request().header("Cookie").value_or("");
  sdk::Principal actor;
  actor.firm_id = firmId;
  actor.user_id = userId;
  actor.kind = kind == "portal" ? sdk::PrincipalKind::Portal : sdk::PrincipalKind::Staff;
  if (!state.enrolled) {
    if (!Mfa::policy(conn).enforces(kind)) return out;
    if (!state.pending || codes.totp.empty()) {
      askForCode(c, conn, config, firmId, userId, passwordHash, true);
      out.answered = true;
      return out;
    }
    // The enrolment the policy forced, confirmed by its first code: the session may start.
    const Reservation r = reserveAtSignIn(c, conn, firmId, userId);
    auto recovery = Mfa::confirm(conn, userId, codes.totp);
    if (!recovery) {
      AuditLog::append(conn, actor, c.request().remoteAddress(), c.request().requestId(),
                       {{"login.mfa_failure", "user", std::to_string(userId), "enrolment"}});
      throw AnswerAfterCommit(
          sdk::HttpError(401, "invalid_code",
                         "That code is not right. Enter the code your app shows now.", "totp"));
    }
    Throttle::release(conn, r.id);
    AuditLog::append(conn, actor, c.request().remoteAddress(), c.request().requestId(),
                     {{"mfa.enrol", "user", std::to_string(userId), "at sign-in"}});
    out.recovery_codes = std::move(*recovery);
    return out;
  }
  if (!codes.any()) {
    if (config.mfa_remember_days > 0 &&
        Mfa::remembered(conn, cookies, firmId, userId, passwordHash))
      return out;
    askForCode(c, conn, config, firmId, userId, passwordHash, false);
    out.answered = true;
    return out;
  }
  const Reservation r = reserveAtSignIn(c, conn, firmId, userId);
  const bool ok = !codes.totp.empty()
                      ? Mfa::checkCode(conn, userId, codes.totp) == MfaCheck::Ok
                      : Mfa::useRecoveryCode(conn, userId, codes.recovery_code) == MfaCheck::Ok;
  if (!ok) {
    AuditLog::append(conn, actor, c.request().remoteAddress(), c.request().requestId(),
                     {{"login.mfa_failure", "user", std::to_string(userId),
                       codes.totp.empty() ? "recovery code" : "totp"}});
    throw AnswerAfterCommit(sdk::HttpError(
        401, "invalid_code",
        codes.totp.empty() ? "That recovery code is not right, or was used before."
                           : "That code is not right. Enter the code your app shows now.",
        codes.totp.empty() ? "recovery_code" : "totp"));
  }
  Throttle::release(conn, r.id);
  if (!codes.recovery_code.empty())
    AuditLog::append(conn, actor, c.request().remoteAddress(), c.request().requestId(),
                     {{"mfa.recovery_code_used", "user", std::to_string(userId), ""}});
  if (codes.remember_device && config.mfa_remember_days > 0)
    out.remember_cookie =
        Mfa::rememberCookie(conn, firmId, userId, passwordHash, config.mfa_remember_days);
  return out;
}

void registerMfaRoutes(sdk::Registrar& r, const Config& config) {
  const Config* cfg = &config;
  r.addRoute(
      {Method::Post, "/api/v1/auth/mfa/enrol", Audience::Public, sdk::kPublic,
       [](sdk::Context& c) { enrolAtSignIn(c); }, 1024,
       "Sign-in enrolment a firm's policy requires: a new TOTP secret for the pending sign-in"});
  r.addRoute({Method::Get, "/api/v1/me/mfa", Audience::Public, sdk::kPublic,
              [cfg](sdk::Context& c) { getOwn(c, *cfg); }, 0,
              "Your two-step sign-in: enrolled, enforced, recovery codes left"});
  r.addRoute({Method::Post, "/api/v1/me/mfa/totp", Audience::Public, sdk::kPublic,
              [](sdk::Context& c) { beginOwn(c); }, 1024,
              "Start TOTP enrolment: {secret, otpauth_uri, qr_svg}"});
  r.addRoute({Method::Post, "/api/v1/me/mfa/totp/confirm", Audience::Public, sdk::kPublic,
              [](sdk::Context& c) { confirmOwn(c); }, 1024,
              "Confirm TOTP enrolment with a current code: {code}"});
  r.addRoute({Method::Post, "/api/v1/me/mfa/disable", Audience::Public, sdk::kPublic,
              [](sdk::Context& c) { disableOwn(c); }, 1024,
              "Turn two-step sign-in off: {code} (TOTP or recovery code)"});
  r.addRoute({Method::Post, "/api/v1/me/mfa/recovery-codes", Audience::Public, sdk::kPublic,
              [](sdk::Context& c) { newCodesOwn(c); }, 1024,
              "New recovery codes replace the old ones: {code}"});
  r.addRoute({Method::Get, "/api/v1/firm/mfa", Audience::Staff, "core.users.manage",
              [](sdk::Context& c) { getPolicy(c); }, 0,
              "The firm's two-step sign-in policy and who is enrolled"});
  r.addRoute({Method::Patch, "/api/v1/firm/mfa", Audience::Staff, "core.users.manage",
              [](sdk::Context& c) { patchPolicy(c); }, 1024,
              "Require two-step sign-in: {enforce_staff?, enforce_portal?}"});
  r.addRoute({Method::Delete, "/api/v1/users/{id}/mfa", Audience::Staff, "core.users.manage",
              [](sdk::Context& c) { resetUser(c); }, 0,
              "Reset a user's two-step sign-in (staff or portal user)"});
}

}  // namespace lexos::core
