#include "app/core_module.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstdint>

#include "app/core_schema.h"
#include "app/mfa_routes.h"
#include "app/jobs_schema.h"
#include "app/mail_schema.h"
#include "app/openapi.h"
#include "app/mfa_schema.h"
#include "app/firm_admin.h"
#include "app/firm_face.h"
#include "app/throttle_schema.h"
#include "app/vault_schema.h"
#include "common/json.h"
#include "common/time.h"
#include "config/config.h"
#include "guard/guard.h"
#include "http/error_mapper.h"
#include "http/request_context.h"
#include "identity/accounts.h"
#include "identity/audit_log.h"
#include "identity/audit_sequencer.h"
#include "identity/firm_settings.h"
#include "identity/mfa.h"
#include "identity/passwords.h"
#include "identity/throttle.h"
#include "lexos/sdk/lexos.h"
#include "lexos/sdk/params.h"
#include "plugins/registry.h"

namespace lexos::core {

namespace {

using sdk::Audience;
using sdk::Method;

// Parses a JSON object body; BadRequest naming "body" when it is not one.
Poco::JSON::Object::Ptr jsonBody(sdk::Context& ctx) {
  if (ctx.request().contentType() != "application/json")
    throw sdk::BadRequest("body", "Send the request as application/json.");
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(ctx.request().body());
    auto o = v.extract<Poco::JSON::Object::Ptr>();
    if (!o) throw sdk::BadRequest("body", "The body must be a JSON object.");
    return o;
  } catch (const sdk::HttpError&) {
    throw;
  } catch (const std::exception&) {
    throw sdk::BadRequest("body", "The body is not valid JSON.");
  }
}

std::string requiredString(const Poco::JSON::Object::Ptr& o, const std::string& field, std::size_t max = 320) {
  if (!o->has(field) || o->isNull(field)) throw sdk::BadRequest(field, "Enter " + field + ".");
  auto v = o->get(field);
  if (!v.isString()) throw sdk::BadRequest(field, field + " must be text.");
  std::string s = v.extract<std::string>();
  if (s.empty()) throw sdk::BadRequest(field, "Enter " + field + ".");
  if (s.size() > max) throw sdk::BadRequest(field, field + " is too long.");
  return s;
}

std::string lowerTrim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

class CoreModule : public sdk::Plugin {
 public:
  CoreModule(const Config& config, const Registry& registry, const Guard* const& guard,
             AuditSequencer* const& sequencer)
      : config_(config), registry_(registry), guard_(guard), sequencer_(sequencer) {}

  void registerWith(sdk::Registrar& r) override {
    r.addPermission({"core.users.manage", "Manage the firm's staff accounts", {sdk::kRoleOwner}});
    r.addPermission({"core.audit.read", "Read the firm's audit log", {sdk::kRoleOwner}});
    r.addTable({"firm_modules", sdk::Tenancy::Firm, "", "", {"firm_id", "module"}});
    r.addTable({"users", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"sessions", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"audit_log", sdk::Tenancy::Firm, "", "", {"firm_id", "seq"}});
    r.addMigration({1, "ids and tenant functions", "", schema::kV1Sqlite, schema::kV1Postgres});
    r.addMigration({2, "firms, users, sessions, audit log", schema::kV2, "", ""});
    r.addMigration({3, "portal invitations", schema::kV3, "", ""});
    r.addMigration({4, "guard change triggers", "", schema::guardTriggers(false), schema::guardTriggers(true)});
    r.addMigration({5, "guard change triggers for module switches", "", schema::moduleSwitchTriggers(false),
                    schema::moduleSwitchTriggers(true)});
    r.addMigration({6, "per-firm ids", "", schema::kV6Sqlite, schema::kV6Postgres});
    r.addTable({"invitations", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    // Sign-in throttle (docs/throttling.md): SQL in throttle_schema.h; tables untenanted.
    r.addMigration({7, "sign-in throttle reservations and device-cookie secret", "", schema::throttleMigration(false),
                    schema::throttleMigration(true)});
    // The vault (docs/vault.md): firm keys, blob records, the database store's chunks.
    r.addTable({"vault_keys", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"vault_blobs", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"vault_chunks", sdk::Tenancy::Firm, "", "", {"firm_id", "blob_id", "seq"}});
    r.addMigration({8, "vault keys, blobs and chunks", schema::kV8Vault, "", ""});
    // Idempotency-Key: first answers of writing requests, replayed to repeats (http/idempotency.h).
    r.addTable({"idempotency_keys", sdk::Tenancy::Firm, "", "", {"firm_id", "user_id", "idem_key"}});
    r.addMigration({9, "idempotency keys", schema::kV9Idempotency, "", ""});
    r.addMigration({10, "audit append in one call (PostgreSQL)", "", "SELECT 1", schema::kV10AuditAppendPostgres});
    r.addMigration({11, "idempotency claim tokens", schema::kV11IdempotencyClaims, "", ""});
    // Events of reads and refusals, until the sequencer chains them (identity/audit_sequencer.h).
    r.addTable({"audit_pending", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addMigration({12, "audit events waiting to be chained", schema::kV12AuditPending, "",
                    std::string(schema::kV12AuditPending) + schema::kV12AuditPendingPostgresIds});
    // The firm's name, address, time zone and country (identity/firm_settings.h).
    r.addPermission({"core.firm.read", "See the firm's settings (name, address, time zone, country)",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal, sdk::kRoleBilling}});
    r.addPermission({"core.firm.manage", "Change the firm's settings", {sdk::kRoleOwner}});
    r.addTable({"firm_settings", sdk::Tenancy::Firm, "", "", {"firm_id"}});
    r.addNav({Audience::Staff, "Firm", "Firm settings", "#/firm/settings", "core.firm.manage", 900});
    r.addMigration({13, "firm settings", schema::kV13FirmSettings, "", ""});
    // Two-step sign-in (app/mfa_routes.h): TOTP secrets, recovery codes, the firm's policy.
    r.addTable({"user_mfa", sdk::Tenancy::Firm, "", "", {"firm_id", "user_id"}});
    r.addTable({"user_recovery_codes", sdk::Tenancy::Firm, "", "", {"firm_id", "user_id", "code_hash"}});
    r.addTable({"firm_mfa_policy", sdk::Tenancy::Firm, "", "", {"firm_id"}});
    r.addMigration({14, "two-step sign-in", "", schema::mfaMigration(false), schema::mfaMigration(true)});
    registerMfaRoutes(r, config_);
    // Firm administration (app/firm_admin.h): staff, invitations, module switches, audit verdict.
    r.addMigration({15, "firm administration: default currency", schema::kV15FirmAdministration, "", ""});
    registerFirmAdministration(r, registry_, sequencer_);

    r.addRoute({Method::Post, "/api/v1/auth/login", Audience::Public, sdk::kPublic,
                [this](sdk::Context& c) { login(c); }, 16 * 1024, "Sign in: {firm, email, password}"});
    r.addRoute({Method::Post, "/api/v1/auth/logout", Audience::Public, sdk::kPublic,
                [this](sdk::Context& c) { logout(c); }, 1024, "Sign out (ends this session)"});
    r.addRoute({Method::Get, "/api/v1/me", Audience::Public, sdk::kPublic,
                [this](sdk::Context& c) { me(c); }, 0, "The signed-in principal and its CSRF token"});
    r.addRoute({Method::Get, "/api/v1/nav", Audience::Public, sdk::kPublic,
                [this](sdk::Context& c) { nav(c); }, 0, "Navigation: modules enabled and permitted"});
    r.addRoute({Method::Post, "/api/v1/setup", Audience::Public, sdk::kPublic,
                [this](sdk::Context& c) { setup(c); }, 16 * 1024,
                "First start: {token, firm, firm_name, email, password} creates the first firm and owner"});
    r.addRoute({Method::Get, "/api/v1/audit", Audience::Staff, "core.audit.read",
                [this](sdk::Context& c) { audit(c); }, 0, "The firm's audit log, newest first"});
    r.addRoute({Method::Get, "/api/v1/firm", Audience::Staff, "core.firm.read",
                [](sdk::Context& c) { firm(c); }, 0, "The firm's settings: name, address, time zone, country"});
    r.addRoute({Method::Patch, "/api/v1/firm", Audience::Staff, "core.firm.manage",
                [](sdk::Context& c) { patchFirm(c); }, 16 * 1024,
                "Change the firm's settings: {name?, address?, time_zone?, country?, default_currency?}"});
    // The firm's public face: its logo, and its name and logo at the portal address
    // /portal/<slug>/ (app/firm_face.h); the activation page's check of its link.
    r.addTable({"firm_logos", sdk::Tenancy::Firm, "", "", {"firm_id"}});
    r.addMigration({16, "firm logo", schema::kV16FirmLogo, "", ""});
    // The durable mail queue (mail/mail_queue.h): rows inserted in the request's transaction,
    // sent by lexosd's mail sender (mail/mail_sender.h).
    r.addTable({"mail_queue", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addMigration({17, "durable mail queue", schema::kV17MailQueue, "", ""});
    // When each firm's run of each module job is due (SDK 1.8 addJob; http/job_runner.h).
    r.addTable({"job_runs", sdk::Tenancy::Firm, "", "", {"firm_id", "job"}});
    r.addMigration({18, "module jobs", schema::kV18JobRuns, "", ""});
    // How far SQLite's read journal is chained (identity/audit_journal.h); untenanted.
    r.addMigration({19, "audit read journal marks", schema::kV19AuditJournalMarks, "", ""});
    r.addRoute({Method::Put, "/api/v1/firm/logo", Audience::Staff, "core.firm.manage", &firm_face::putLogo,
                kMaxLogoBytes + 64 * 1024, "Set the firm's logo: the PNG or JPEG bytes as the body"});
    r.addRoute({Method::Delete, "/api/v1/firm/logo", Audience::Staff, "core.firm.manage", &firm_face::deleteLogo, 0,
                "Remove the firm's logo"});
    r.addRoute({Method::Get, "/api/v1/public/firms/{slug}", Audience::Public, sdk::kPublic, &firm_face::publicFace, 0,
                "A firm's public face for its portal address: {slug, name, logo_url}"});
    r.addRoute({Method::Get, "/api/v1/public/firms/{slug}/logo", Audience::Public, sdk::kPublic,
                &firm_face::publicLogo, 0, "A firm's logo (PNG or JPEG; ETag)"});
    r.addRoute({Method::Post, "/api/v1/portal/activation/check", Audience::Public, sdk::kPublic,
                &firm_face::activationCheck, 4096,
                "What an activation link meets now {token} -> {state}: valid, used, replaced, revoked, expired, invalid"});
    // The API described (app/openapi.h): for staff holding core.api.read, the modules their firm
    // has switched on (docs/http-api.md, "The API described").
    r.addPermission({"core.api.read", "Read the description of the HTTP API (OpenAPI)", {sdk::kRoleOwner}});
    r.addRoute({Method::Get, "/api/v1/openapi.json", Audience::Staff, "core.api.read",
                [this](sdk::Context& c) { openApi(c); }, 0,
                "The OpenAPI 3.1 description of the routes of the modules the firm has switched on"});
    r.addNav({Audience::Staff, "Firm", "API", "#/firm/api", "core.api.read", 950});
    describeCoreRoutes(r);
  }

 private:
  static RequestContext& host(sdk::Context& c) { return static_cast<RequestContext&>(c); }

  void login(sdk::Context& c) {
    auto body = jsonBody(c);
    const SignInCodes codes = signInCodes(body);
    // The second step: a code with the pending cookie of a right password (app/mfa_routes.h).
    if (codes.any() && !body->has("password") && !body->has("firm")) return loginSecondStep(c, codes);
    const std::string slug = lowerTrim(requiredString(body, "firm", 64));
    const std::string email = lowerTrim(requiredString(body, "email"));
    const std::string password = requiredString(body, "password", 1024);
    Connection& conn = host(c).connection();
    const std::string addr = c.request().remoteAddress(), where = throttle::addressKey(addr);
    const std::string cookies = c.request().header("Cookie").value_or("");
    auto firm = conn.query("SELECT id FROM firms WHERE slug = $1", {slug});
    sdk::Principal actor;
    std::int64_t userId = 0;
    std::string kind, hash = kDummyHash;  // unknown users cost the same work: no timing oracle
    bool eligible = false;
    if (!firm.empty()) {
      actor.firm_id = sdk::asInt(firm.rows[0][0]);
      conn.setScope({actor.firm_id, 0});
      auto u = conn.query("SELECT id, password_hash, status, kind, client_id FROM users WHERE email = $1", {email});
      if (!u.empty() && !sdk::isNull(u.rows[0][1]) && sdk::asText(u.rows[0][2]) == "active") {
        hash = sdk::asText(u.rows[0][1]);
        userId = sdk::asInt(u.rows[0][0]);
        kind = sdk::asText(u.rows[0][3]);
        eligible = true;
        // Portal users of a firm that switched the portal module off cannot sign in.
        if (kind == "portal") {
          auto off = conn.query("SELECT 1 FROM firm_modules WHERE module = 'portal' AND NOT enabled", {});
          eligible = off.empty();
        }
      }
    }
    // A device that signed in to this very account before is judged by its own failures only;
    // anyone else by the account pair, the account and the address (docs/throttling.md). The
    // keys name the account as typed, so an unknown account is throttled like a real one.
    auto device = DeviceCookie::read(conn, cookies);
    const bool trusted = device && userId && device->firm_id == actor.firm_id && device->user_id == userId;
    std::vector<ThrottleRule> rules;
    if (trusted) {
      rules.push_back({"login:device:" + device->id, throttle::kDeviceLimit});
    } else {
      rules.push_back({"login:pair:" + slug + ":" + email + ":" + where, throttle::kPairLimit});
      rules.push_back({"login:account:" + slug + ":" + email, throttle::kAccountLimit});
      rules.push_back({"login:address:" + where, throttle::kAddressLimit});
    }
    // The slow hash runs outside any transaction: a sign-in must not hold SQLite's write lock
    // (or a pooled PostgreSQL transaction) for the ~0.2 s Argon2 takes. The attempt is reserved
    // before it, in a short transaction of its own, so parallel guesses cannot overtake the count.
    conn.commit();
    const Reservation attempt = Throttle::reserve(conn, rules);
    if (!attempt.granted())
      throw sdk::TooManyRequests(attempt.retry_after, "Too many failed sign-ins. Try again in " +
                                                          std::to_string((attempt.retry_after + 59) / 60) + " min.");
    const bool ok = verifyPassword(password, hash) && eligible;
    conn.begin(true);
    conn.setScope({actor.firm_id, 0});
    if (!ok) {  // the reservation stays: it is the failure's count
      AuditLog::append(conn, actor, addr, c.request().requestId(), {{"login.failure", "user", email, ""}});
      // The failure just reserved must stick: the dispatcher commits, then answers 401.
      throw AnswerAfterCommit(sdk::HttpError(401, "invalid_credentials", "The firm, email or password is not right."));
    }
    Throttle::release(conn, attempt.id);
    const SecondFactor second = secondFactor(c, conn, config_, codes, actor.firm_id, userId, kind, hash);
    if (second.answered) return;
    startSession(c, conn, actor, userId, email, kind, trusted ? device->id : std::string(), second);
  }

  // The sign-in's second step: the pending cookie stands for the right password.
  void loginSecondStep(sdk::Context& c, const SignInCodes& codes) {
    Connection& conn = host(c).connection();
    const std::string cookies = c.request().header("Cookie").value_or("");
    const sdk::HttpError expired(401, "mfa_expired", "Sign in again: the first step has expired.");
    auto who = Mfa::pendingUser(cookies);
    if (!who) throw expired;
    conn.setScope({who->first, 0});
    auto u = conn.query("SELECT email, password_hash, status, kind FROM users WHERE id = $1", {who->second});
    if (u.empty() || sdk::isNull(u.rows[0][1]) || sdk::asText(u.rows[0][2]) != "active" ||
        !Mfa::pendingValid(conn, cookies, sdk::asText(u.rows[0][1])))
      throw expired;
    const std::string kind = sdk::asText(u.rows[0][3]);
    if (kind == "portal" && !conn.query("SELECT 1 FROM firm_modules WHERE module = 'portal' AND NOT enabled", {}).empty())
      throw expired;
    sdk::Principal actor;
    actor.firm_id = who->first;
    const SecondFactor second =
        secondFactor(c, conn, config_, codes, who->first, who->second, kind, sdk::asText(u.rows[0][1]));
    if (second.answered) return;
    auto device = DeviceCookie::read(conn, cookies);
    const bool trusted = device && device->firm_id == who->first && device->user_id == who->second;
    startSession(c, conn, actor, who->second, sdk::asText(u.rows[0][0]), kind, trusted ? device->id : std::string(),
                 second);
  }

  // Starts a session for a signed-in user (both factors right), inside the request's write
  // transaction scoped to the user's firm, and answers 200 with its cookies.
  void startSession(sdk::Context& c, Connection& conn, sdk::Principal actor, std::int64_t userId,
                    const std::string& email, const std::string& kind, const std::string& deviceId,
                    const SecondFactor& second) {
    const std::string addr = c.request().remoteAddress();
    // Rotation: a session presented with this login request ends; a new one begins.
    const std::string old = Guard::cookieValue(c.request().header("Cookie").value_or(""), kSessionCookie);
    if (auto dot = old.find('.'); dot != std::string::npos)
      conn.execute("DELETE FROM sessions WHERE token_hash = $1", {Guard::hashToken(old.substr(dot + 1))});
    const std::string token = Guard::randomToken(32), csrf = Guard::randomToken(24);
    const std::int64_t sid = conn.newId();
    conn.execute(
        "INSERT INTO sessions (firm_id, id, token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) "
        "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7)",
        {sid, Guard::hashToken(token), userId, csrf, utcTimestamp(), utcTimestamp(),
         utcTimestamp(3600L * config_.session_absolute_hours)});
    actor.user_id = userId;
    actor.email = email;
    actor.kind = kind == "portal" ? sdk::PrincipalKind::Portal : sdk::PrincipalKind::Staff;
    AuditLog::append(conn, actor, addr, c.request().requestId(), {{"login.success", "user", std::to_string(userId), ""}});
    c.response().setHeader("Set-Cookie", std::string(kSessionCookie) + "=" + std::to_string(actor.firm_id) + "." +
                                             token + "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
                                             std::to_string(3600L * config_.session_absolute_hours));
    // The device cookie comes second: clients that read one Set-Cookie take the session's.
    static_cast<HttpResponse&>(c.response())
        .raw()
        .add("Set-Cookie", DeviceCookie::issue(conn, actor.firm_id, userId, deviceId));
    auto& raw = static_cast<HttpResponse&>(c.response()).raw();
    if (!second.remember_cookie.empty()) raw.add("Set-Cookie", second.remember_cookie);
    if (!Guard::cookieValue(c.request().header("Cookie").value_or(""), Mfa::kPendingCookie).empty())
      raw.add("Set-Cookie", Mfa::clearPendingCookie());
    Poco::JSON::Object o;
    o.set("csrf_token", csrf);
    o.set("kind", kind);
    if (!second.recovery_codes.empty()) {  // an enrolment confirmed at sign-in: shown this once
      Poco::JSON::Array a;
      for (const auto& code : second.recovery_codes) a.add(code);
      o.set("recovery_codes", a);
    }
    c.response().sendJson(toJson(o), 200);
  }

  void setup(sdk::Context& c) {
    auto body = jsonBody(c);
    const std::string token = requiredString(body, "token", 128);
    Connection& conn = host(c).connection();
    // The link is single-use, expires, and only works while no firm exists.
    auto t = conn.query("SELECT expires_at, used_at FROM setup_tokens WHERE token_hash = $1", {Guard::hashToken(token)});
    auto firms = conn.query("SELECT count(*) FROM firms", {});
    if (t.empty() || !sdk::isNull(t.rows[0][1]) || sdk::asText(t.rows[0][0]) <= utcTimestamp() ||
        sdk::asInt(firms.rows[0][0]) > 0)
      throw sdk::HttpError(410, "setup_link_invalid", "This setup link is used, expired or no longer needed.", "token");
    const std::string slug = lowerTrim(requiredString(body, "firm", 63));
    const std::string name = requiredString(body, "firm_name", 200);
    const std::string email = normaliseEmail(requiredString(body, "email"));
    if (email.empty()) throw sdk::BadRequest("email", "Enter a valid email address.");
    const std::string password = requiredString(body, "password", 1024);
    if (auto problem = passwordProblem(password); !problem.empty()) throw sdk::BadRequest("password", problem);
    const bool slugOk = slug.size() >= 2 && std::all_of(slug.begin(), slug.end(), [](char ch) {
      return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '-';
    });
    if (!slugOk) throw sdk::BadRequest("firm", "Use 2-63 lower-case letters, digits and '-'.");
    const auto firmId = conn.newId();
    conn.execute("INSERT INTO firms (id, slug, name, created_at) VALUES ($1, $2, $3, $4)", {firmId, slug, name, utcTimestamp()});
    if (conn.execute("UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
                     {utcTimestamp(), Guard::hashToken(token)}) != 1)  // single use, even when raced
      throw sdk::HttpError(410, "setup_link_invalid", "This setup link is used, expired or no longer needed.", "token");
    conn.setScope({firmId, 0});
    const auto userId = conn.newId();
    conn.execute("INSERT INTO users (firm_id, id, email, display_name, password_hash, kind, role, status, created_at) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4, 'staff', 'owner', 'active', $5)",
                 {userId, email, body->optValue<std::string>("name", ""), hashPassword(password), utcTimestamp()});
    sdk::Principal actor;
    actor.firm_id = firmId;
    actor.user_id = userId;
    actor.email = email;
    actor.kind = sdk::PrincipalKind::Staff;
    AuditLog::append(conn, actor, c.request().remoteAddress(), c.request().requestId(),
                     {{"firm.setup", "firm", slug, ""}});
    Poco::JSON::Object o;
    o.set("firm", slug);
    o.set("email", email);
    c.response().sendJson(toJson(o), 201);
  }

  void logout(sdk::Context& c) {
    const auto& p = c.principal();
    if (p.kind == sdk::PrincipalKind::Anonymous) throw sdk::Unauthorized();
    const std::string cookie = Guard::cookieValue(c.request().header("Cookie").value_or(""), kSessionCookie);
    Connection& conn = host(c).connection();
    conn.setScope({p.firm_id, 0});
    if (auto dot = cookie.find('.'); dot != std::string::npos)
      conn.execute("DELETE FROM sessions WHERE token_hash = $1", {Guard::hashToken(cookie.substr(dot + 1))});
    c.audit().record("logout", "user", std::to_string(p.user_id));
    c.response().setHeader("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    c.response().setStatus(204);
    c.response().send("");
  }

  void me(sdk::Context& c) {
    const auto& p = c.principal();
    if (p.kind == sdk::PrincipalKind::Anonymous) throw sdk::Unauthorized();
    const SessionInfo* s = host(c).session();  // the guard already read session and firm
    // Built by hand: this answer is on every page load, and Poco::JSON's Var tree cost more
    // than the session check itself (bench/guard.sh).
    std::string out;
    out.reserve(512);
    auto field = [&](const char* name) {
      out += out.empty() ? "{\"" : ",\"";
      out += name;
      out += "\":";
    };
    auto text = [&](const char* name, const std::string& v) {
      field(name);
      appendJsonString(out, v);
    };
    auto list = [&](const char* name, const std::vector<std::string>& v) {
      field(name);
      out += '[';
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        appendJsonString(out, v[i]);
      }
      out += ']';
    };
    field("id");
    out += std::to_string(p.user_id);
    text("kind", p.isPortal() ? "portal" : "staff");
    text("email", p.email);
    text("display_name", p.display_name);
    text("firm", s ? s->firm_slug : "");
    text("firm_name", s ? s->firm_name : "");
    if (p.isPortal()) {
      field("client_id");
      out += std::to_string(p.client_id);
    }
    list("roles", p.roles);
    list("permissions", p.permissions);
    text("csrf_token", s ? s->csrf_token : "");
    out += '}';
    c.response().sendJson(out, 200);
  }

  void openApi(sdk::Context& c) {
    std::map<std::string, bool> switched;
    for (const auto& row : c.db().query("SELECT module, enabled FROM firm_modules", {}).rows)
      switched[sdk::asText(row[0])] = sdk::asBool(row[1]);
    OpenApiOptions options;
    options.server_url = config_.public_url;
    options.module_on = [&](const std::string& plugin) { return !(switched.count(plugin) && !switched[plugin]); };
    c.response().setHeader("Cache-Control", "private, no-cache");
    c.response().sendJson(openApiDocument(registry_, options), 200);
  }

  // What the host's main routes take and answer (SDK 1.7 describeRoute; app/openapi.h).
  static void describeCoreRoutes(sdk::Registrar& r) {
    using sdk::DescriptionBuilder;
    using S = sdk::JsonSchema;
    r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/auth/login")
                        .request(S::object()
                                     .optionalField("firm", S::string().describe("The firm's short name (slug)"))
                                     .optionalField("email", S::string())
                                     .optionalField("password", S::string())
                                     .optionalField("totp", S::string())
                                     .optionalField("recovery_code", S::string())
                                     .optionalField("remember_device", S::boolean()))
                        .response(S::object().field("csrf_token", S::string())));
    r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/me")
                        .response(S::object()
                                      .field("id", S::id())
                                      .field("kind", S::string().oneOf({"staff", "portal"}))
                                      .field("email", S::string())
                                      .field("display_name", S::string())
                                      .field("firm", S::string())
                                      .field("firm_name", S::string())
                                      .optionalField("client_id", S::id())
                                      .field("roles", S::array(S::string()))
                                      .field("permissions", S::array(S::string()))
                                      .field("csrf_token", S::string())));
    const S firm = S::object()
                       .field("slug", S::string())
                       .field("name", S::string())
                       .field("address", S::string())
                       .field("time_zone", S::string())
                       .field("country", S::string())
                       .field("default_currency", S::string())
                       .field("currency_name", S::string().orNull())
                       .field("country_name", S::string().orNull())
                       .field("updated_at", S::string().orNull())
                       .field("logo_url", S::string().orNull());
    r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/firm").response(firm));
    r.describeRoute(DescriptionBuilder(Method::Patch, "/api/v1/firm")
                        .request(S::object()
                                     .optionalField("name", S::string())
                                     .optionalField("address", S::string().orNull())
                                     .optionalField("time_zone", S::string())
                                     .optionalField("country", S::string().orNull())
                                     .optionalField("default_currency", S::string().orNull())
                                     .closed())
                        .response(firm));
    r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/public/firms/{slug}")
                        .response(S::object()
                                      .field("slug", S::string())
                                      .field("name", S::string())
                                      .field("logo_url", S::string().orNull())));
    r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/openapi.json")
                        .description("This description: the routes of the host and of the modules the caller's firm "
                                     "has switched on, with their audience and permission.")
                        .response(S::object()
                                      .field("openapi", S::string())
                                      .field("info", S::object().field("title", S::string()).field("version", S::string()))
                                      .field("paths", S::object())
                                      .field("components", S::object())));
  }

  void nav(sdk::Context& c) {
    const auto& p = c.principal();
    if (p.kind == sdk::PrincipalKind::Anonymous) throw sdk::Unauthorized();
    Connection& conn = host(c).connection();
    conn.setScope({p.firm_id, 0});
    std::map<std::string, bool> switched;
    for (const auto& row : conn.query("SELECT module, enabled FROM firm_modules", {}).rows)
      switched[sdk::asText(row[0])] = sdk::asBool(row[1]);
    Poco::JSON::Array items, modules;
    const auto want = p.isPortal() ? Audience::Portal : Audience::Staff;
    std::vector<NavEntryRecord> entries = registry_.nav();
    std::stable_sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.entry.order < b.entry.order; });
    for (const auto& e : entries) {
      if (e.entry.audience != want || !p.can(e.entry.permission)) continue;
      if (switched.count(e.plugin) && !switched[e.plugin]) continue;
      Poco::JSON::Object item;
      item.set("module", e.plugin);
      item.set("section", e.entry.section);
      item.set("label", e.entry.label);
      item.set("href", e.entry.href);
      items.add(item);
    }
    for (const auto& pl : registry_.plugins())
      if (!pl.builtin && !(switched.count(pl.id) && !switched[pl.id])) modules.add(pl.id);
    // Screens and cards (SDK 1.2): only of modules switched on, for this audience, permitted.
    auto on = [&](const std::string& plugin) { return !(switched.count(plugin) && !switched[plugin]); };
    Poco::JSON::Array views, contributions;
    for (const auto& v : registry_.views()) {
      if (v.view.audience != want || !p.can(v.view.permission) || !on(v.plugin)) continue;
      Poco::JSON::Object item;
      item.set("module", v.plugin);
      item.set("route", v.view.route);
      item.set("src", "/plugins/" + v.plugin + "/" + v.view.module);
      item.set("title", v.view.title);
      views.add(item);
    }
    auto cards = registry_.contributions();
    std::stable_sort(cards.begin(), cards.end(),
                     [](auto& a, auto& b) { return a.contribution.order < b.contribution.order; });
    for (const auto& ct : cards) {
      if (ct.audience != want || !p.can(ct.contribution.permission) || !on(ct.plugin)) continue;
      Poco::JSON::Object item;
      item.set("point", ct.contribution.point);
      item.set("module", ct.plugin);
      item.set("src", "/plugins/" + ct.plugin + "/" + ct.contribution.module);
      item.set("title", ct.contribution.title);
      contributions.add(item);
    }
    Poco::JSON::Object o;
    o.set("items", items);
    o.set("modules", modules);
    o.set("views", views);
    o.set("contributions", contributions);
    // The firm as the shells show it: its name, and its time zone for every date and time
    // (web/shared/js/format.js), for staff and portal users alike (GET /api/v1/firm is staff's).
    const FirmSettings fs = readFirmSettings(conn, p.firm_id);
    Poco::JSON::Object firm;
    firm.set("slug", fs.slug);
    firm.set("name", fs.name);
    // Null until the firm sets one: the browser's own zone is a better guess than UTC.
    if (fs.updated_at.empty()) firm.set("time_zone", Poco::Dynamic::Var());
    else firm.set("time_zone", fs.time_zone);
    firm.set("country", fs.country);
    if (auto logo = readFirmLogo(conn, p.firm_id, false)) firm.set("logo_url", firmLogoPath(fs.slug, logo->sha256));
    else firm.set("logo_url", Poco::Dynamic::Var());
    o.set("firm", firm);
    c.response().sendJson(toJson(o), 200);
  }

  static void sendFirm(sdk::Context& c, const FirmSettings& s) {
    Poco::JSON::Object out;
    out.set("slug", s.slug);
    out.set("name", s.name);
    out.set("address", s.address);
    out.set("time_zone", s.time_zone);
    out.set("country", s.country);
    out.set("default_currency", s.default_currency);
    if (auto n = currencyName(s.default_currency)) out.set("currency_name", *n);
    else out.set("currency_name", Poco::Dynamic::Var());
    if (auto n = countryName(s.country)) out.set("country_name", *n);
    else out.set("country_name", Poco::Dynamic::Var());
    if (s.updated_at.empty()) out.set("updated_at", Poco::Dynamic::Var());
    else out.set("updated_at", s.updated_at);
    if (auto logo = readFirmLogo(host(c).connection(), c.principal().firm_id, false))
      out.set("logo_url", firmLogoPath(s.slug, logo->sha256));
    else out.set("logo_url", Poco::Dynamic::Var());
    c.response().sendJson(toJson(out), 200);
  }

  static void firm(sdk::Context& c) { sendFirm(c, readFirmSettings(host(c).connection(), c.principal().firm_id)); }

  static void patchFirm(sdk::Context& c) {
    auto body = jsonBody(c);
    FirmSettingsChange change;
    for (const auto& [key, value] : *body) {
      std::optional<std::string>* slot = key == "name"        ? &change.name
                                         : key == "time_zone" ? &change.time_zone
                                         : key == "country"   ? &change.country
                                         : key == "address"   ? &change.address
                                         : key == "default_currency" ? &change.default_currency
                                                              : nullptr;
      if (!slot)
        throw sdk::BadRequest(key, "'" + key.substr(0, 64) +
                                       "' is not a firm setting (name, address, time_zone, country, default_currency).");
      if (value.isEmpty() && (key == "country" || key == "address" || key == "default_currency")) {
        *slot = std::string();
        continue;
      }
      if (!value.isString()) throw sdk::BadRequest(key, key + " must be text.");
      *slot = value.extract<std::string>();
    }
    auto s = writeFirmSettings(host(c).connection(), c.principal().firm_id, change);
    std::string detail;
    for (const char* k : {"name", "time_zone", "country", "address", "default_currency"})
      if (body->has(k)) detail += (detail.empty() ? "" : ",") + std::string(k);
    c.audit().record("firm.update", "firm", std::to_string(c.principal().firm_id), detail);
    sendFirm(c, s);
  }

  // GET /api/v1/audit: newest first, filtered by action ("staff.role", or a prefix ending in
  // '.': "staff."), actor (part of "staff:<id> <email>"), object (object_type, object_id) and
  // dates (from, to: YYYY-MM-DD, UTC, both included); pages by `before` (the next_cursor).
  void audit(sdk::Context& c) {
    const std::int64_t limit = sdk::queryInt(c, "limit", 1, 500, "limit must be a whole number from 1 to 500.").value_or(100);
    std::string where;
    std::vector<sdk::Value> params;
    auto add = [&](const std::string& clause, sdk::Value v) {
      params.push_back(std::move(v));
      where += std::string(where.empty() ? " WHERE " : " AND ") + clause + "$" + std::to_string(params.size());
    };
    auto likeEscaped = [](const std::string& s) {
      std::string o;
      for (char ch : s) {
        if (ch == '%' || ch == '_' || ch == '\\') o += '\\';
        o += ch;
      }
      return o;
    };
    if (auto before = sdk::queryInt(c, "before", 1, INT64_MAX, "before must be a cursor from next_cursor.")) add("seq < ", *before);
    if (auto a = sdk::queryText(c, "action", 100); a && !a->empty()) {
      if (a->back() == '.') {
        params.push_back(likeEscaped(*a) + "%");
        where += std::string(where.empty() ? " WHERE " : " AND ") + "action LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
      } else {
        add("action = ", *a);
      }
    }
    if (auto a = sdk::queryText(c, "actor", 200); a && !a->empty()) {
      params.push_back("%" + likeEscaped(lowerTrim(*a)) + "%");
      where += std::string(where.empty() ? " WHERE " : " AND ") + "lower(actor) LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
    }
    if (auto t = sdk::queryText(c, "object_type", 100); t && !t->empty()) add("object_type = ", *t);
    if (auto o = sdk::queryText(c, "object_id", 200); o && !o->empty()) add("object_id = ", *o);
    auto date = [&](const char* name) -> std::optional<std::string> {
      auto d = sdk::queryText(c, name, 10);
      if (!d || d->empty()) return std::nullopt;
      const bool ok = d->size() == 10 && (*d)[4] == '-' && (*d)[7] == '-' &&
                      std::all_of(d->begin(), d->end(), [](char ch) { return ch == '-' || (ch >= '0' && ch <= '9'); }) &&
                      d->substr(5, 2) >= "01" && d->substr(5, 2) <= "12" && d->substr(8, 2) >= "01" && d->substr(8, 2) <= "31";
      if (!ok) throw sdk::BadRequest(name, std::string(name) + " must be a date written YYYY-MM-DD.");
      return d;
    };
    const auto from = date("from"), to = date("to");
    if (from && to && *to < *from) throw sdk::BadRequest("to", "to must not be before from.");
    if (from) add("substr(at, 1, 10) >= ", *from);
    if (to) add("substr(at, 1, 10) <= ", *to);
    // Events of reads wait for the sequencer a few milliseconds: whoever reads the log gets them
    // chained first (identity/audit_sequencer.h), before this request's transaction begins.
    if (sequencer_) sequencer_->chainNow(c.principal().firm_id);
    params.push_back(limit);
    auto rs = c.db().query("SELECT seq, at, actor, action, object_type, object_id, address, request_id, detail FROM audit_log" +
                               where + " ORDER BY seq DESC LIMIT $" + std::to_string(params.size()),
                           params);
    Poco::JSON::Array items;
    for (const auto& r : rs.rows) {
      Poco::JSON::Object o;
      for (std::size_t i = 0; i < rs.columns.size(); ++i) {
        if (std::holds_alternative<std::int64_t>(r[i])) o.set(rs.columns[i], sdk::asInt(r[i]));
        else o.set(rs.columns[i], sdk::asText(r[i]));
      }
      items.add(o);
    }
    Poco::JSON::Object out;
    out.set("items", items);
    if (static_cast<std::int64_t>(rs.rows.size()) == limit && !rs.rows.empty())
      out.set("next_cursor", std::to_string(sdk::asInt(rs.rows.back()[0])));
    else
      out.set("next_cursor", Poco::Dynamic::Var());
    c.response().sendJson(toJson(out), 200);
  }

  static constexpr const char* kDummyHash =
      "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$0kq0mWw3ZsOrZbzVtCZJlN2q/ZJqWT8fQm7g7dL9kWk";
  const Config& config_;
  const Registry& registry_;
  const Guard* const& guard_;
  AuditSequencer* const& sequencer_;
};

}  // namespace

std::unique_ptr<sdk::Plugin> makeCoreModule(const Config& config, const Registry& registry, const Guard* const& guard,
                                            AuditSequencer* const& sequencer) {
  return std::make_unique<CoreModule>(config, registry, guard, sequencer);
}

}  // namespace lexos::core
