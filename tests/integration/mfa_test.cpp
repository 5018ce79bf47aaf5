// Two-step sign-in (issue 13 item 4) on both backends: TOTP enrolment and sign-in with codes
// made by an independent implementation, Debian's oathtool (package `oathtool`); recovery codes;
// remembered devices; the firm's policy forcing enrolment at sign-in; the owner's reset.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <map>

#include "identity/mfa.h"
#include "test_host.h"
#include "vault/vault_admin.h"

using namespace lexos::test;
using Poco::JSON::Object;

namespace {

Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser p;
  return p.parse(json).extract<Object::Ptr>();
}

std::string errorCode(const HttpResult& r) {
  try {
    return parse(r.body)->getObject("error")->getValue<std::string>("code");
  } catch (...) {
    return "";
  }
}

std::string errorField(const HttpResult& r) {
  try {
    auto e = parse(r.body)->getObject("error");
    return e->has("field") ? e->getValue<std::string>("field") : "";
  } catch (...) {
    return "";
  }
}

// The code oathtool computes for `secret` (base32) at `when` (seconds since the epoch).
std::string oathtool(const std::string& secret, std::time_t when) {
  const std::string cmd =
      "oathtool --totp -b -N @" + std::to_string(static_cast<long long>(when)) + " " + secret;
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p);
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  const int status = pclose(p);
  INFO("oathtool (Debian package oathtool) is needed: " << out);
  REQUIRE(status == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  REQUIRE(out.size() == 6);
  return out;
}

// A browser: a cookie jar (every Set-Cookie kept, Max-Age=0 removes) and the CSRF token.
struct Browser {
  explicit Browser(int port) : http(port) {}
  HttpClient http;
  std::map<std::string, std::string> jar;
  std::string csrf;

  HttpResult call(const std::string& method, const std::string& path,
                  const std::string& body = "") {
    std::map<std::string, std::string> headers;
    std::string cookies;
    for (const auto& [k, v] : jar) cookies += (cookies.empty() ? "" : "; ") + k + "=" + v;
    if (!cookies.empty()) headers["Cookie"] = cookies;
    if (!csrf.empty() && method != "GET") headers["X-CSRF-Token"] = csrf;
    auto r = http.request(method, path, body, body.empty() ? "text/plain" : "application/json",
                          headers, true);
    for (const auto& c : r.set_cookies) {
      const auto eq = c.find('='), semi = c.find(';');
      const std::string name = c.substr(0, eq), value = c.substr(eq + 1, semi - eq - 1);
      if (c.find("Max-Age=0") != std::string::npos)
        jar.erase(name);
      else
        jar[name] = value;
    }
    if (r.status == 200 && path == "/api/v1/auth/login") csrf = jsonField(r.body, "csrf_token");
    return r;
  }
  HttpResult login(const std::string& firm, const std::string& email,
                   const std::string& extra = "") {
    return call("POST", "/api/v1/auth/login",
                "{\"firm\":\"" + firm + "\",\"email\":\"" + email + "\",\"password\":\"" +
                    TestHost::kPassword + "\"" + extra + "}");
  }
  bool has(const std::string& cookie) const { return jar.count(cookie) == 1; }
};

std::vector<std::string> recoveryCodes(const HttpResult& r) {
  std::vector<std::string> out;
  auto a = parse(r.body)->getArray("recovery_codes");
  REQUIRE(a);
  for (std::size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(i));
  return out;
}

// Enrols the browser's signed-in user; returns the base32 secret and fills `codes`.
std::string enrol(Browser& b, std::vector<std::string>& codes) {
  auto r = b.call("POST", "/api/v1/me/mfa/totp", "{}");
  REQUIRE(r.status == 200);
  auto o = parse(r.body);
  const std::string secret = o->getValue<std::string>("secret");
  CHECK(o->getValue<std::string>("otpauth_uri").find("secret=" + secret) != std::string::npos);
  CHECK(o->getValue<std::string>("qr_svg").rfind("<svg", 0) == 0);
  r = b.call("POST", "/api/v1/me/mfa/totp/confirm",
             "{\"code\":\"" + oathtool(secret, std::time(nullptr)) + "\"}");
  REQUIRE(r.status == 200);
  codes = recoveryCodes(r);
  return secret;
}

}  // namespace

TEST_CASE(
    "a staff user enrols with an authenticator, then signs in with password and a code that works "
    "once") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  Browser b(t.port());
  REQUIRE(b.login("alpha", "owner@alpha.test").status == 200);  // not enrolled: one step

  auto r = b.call("GET", "/api/v1/me/mfa");
  REQUIRE(r.status == 200);
  CHECK(parse(r.body)->getValue<bool>("enrolled") == false);

  r = b.call("POST", "/api/v1/me/mfa/totp", "{}");
  REQUIRE(r.status == 200);
  const std::string secret = parse(r.body)->getValue<std::string>("secret");
  CHECK(secret.size() == 32);  // 160 bits
  // Bad input names the field and changes nothing; a wrong code is refused.
  r = b.call("POST", "/api/v1/me/mfa/totp/confirm", "{\"code\":\"12ab56\"}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "code");
  r = b.call("POST", "/api/v1/me/mfa/totp/confirm", "{}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "code");
  r = b.call(
      "POST", "/api/v1/me/mfa/totp/confirm",
      "{\"code\":\"" + oathtool(secret, std::time(nullptr) + 600) + "\"}");  // ten minutes ahead
  CHECK(r.status == 400);
  CHECK(errorField(r) == "code");
  CHECK(parse(b.call("GET", "/api/v1/me/mfa").body)->getValue<bool>("enrolled") == false);

  const std::string first = oathtool(secret, std::time(nullptr));
  r = b.call("POST", "/api/v1/me/mfa/totp/confirm", "{\"code\":\"" + first + "\"}");
  REQUIRE(r.status == 200);
  const auto codes = recoveryCodes(r);
  REQUIRE(codes.size() == 10);
  r = b.call("GET", "/api/v1/me/mfa");
  auto state = parse(r.body);
  CHECK(state->getValue<bool>("enrolled"));
  CHECK(state->getValue<int>("recovery_codes_left") == 10);
  CHECK_FALSE(state->has("secret"));                                 // never shown again
  CHECK(b.call("POST", "/api/v1/me/mfa/totp", "{}").status == 409);  // no second enrolment

  // Password alone is not enough: 401 mfa_required, a pending cookie, no session.
  Browser b2(t.port());
  r = b2.login("alpha", "owner@alpha.test");
  CHECK(r.status == 401);
  CHECK(errorCode(r) == "mfa_required");
  CHECK(b2.has("__Host-lexos_mfa_pending"));
  CHECK_FALSE(b2.has("__Host-lexos_session"));
  CHECK(b2.call("GET", "/api/v1/me").status == 401);
  // The code used to enrol is used up; a malformed one is a 400 naming totp.
  r = b2.call("POST", "/api/v1/auth/login", "{\"totp\":\"" + first + "\"}");
  CHECK(r.status == 401);
  CHECK(errorCode(r) == "invalid_code");
  r = b2.call("POST", "/api/v1/auth/login", "{\"totp\":\"1234567\"}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "totp");
  // The next step's code (one step of drift allowed) signs in, and this device is remembered.
  const std::string next = oathtool(secret, std::time(nullptr) + 30);
  r = b2.call("POST", "/api/v1/auth/login", "{\"totp\":\"" + next + "\",\"remember_device\":true}");
  REQUIRE(r.status == 200);
  CHECK(b2.has("__Host-lexos_session"));
  CHECK(b2.has("__Host-lexos_mfa_device"));
  CHECK_FALSE(b2.has("__Host-lexos_mfa_pending"));
  CHECK(b2.call("GET", "/api/v1/me").status == 200);
  // The remembered device signs in with the password alone.
  CHECK(b2.login("alpha", "owner@alpha.test").status == 200);
  // One call with password and a code works too (the contract's form).
  Browser b4(t.port());
  r = b4.login("alpha", "owner@alpha.test", ",\"recovery_code\":\"" + codes[9] + "\"");
  CHECK(r.status == 200);
  CHECK(b4.has("__Host-lexos_session"));
  CHECK_FALSE(b4.has("__Host-lexos_mfa_device"));  // not asked to remember

  // A recovery code works once, typed in capitals or not.
  Browser b5(t.port());
  REQUIRE(b5.login("alpha", "owner@alpha.test").status == 401);
  r = b5.call("POST", "/api/v1/auth/login", "{\"recovery_code\":\"" + codes[0] + "\"}");
  CHECK(r.status == 200);
  Browser b6(t.port());
  REQUIRE(b6.login("alpha", "owner@alpha.test").status == 401);
  r = b6.call("POST", "/api/v1/auth/login", "{\"recovery_code\":\"" + codes[0] + "\"}");
  CHECK(r.status == 401);
  CHECK(errorField(r) == "recovery_code");
  std::string upper = codes[1];
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  r = b6.call("POST", "/api/v1/auth/login", "{\"recovery_code\":\"" + upper + "\"}");
  CHECK(r.status == 200);
  CHECK(parse(b6.call("GET", "/api/v1/me/mfa").body)->getValue<int>("recovery_codes_left") == 7);

  // New recovery codes replace the old ones; turning it off needs a code and ends it.
  r = b6.call("POST", "/api/v1/me/mfa/recovery-codes", "{\"code\":\"" + codes[2] + "\"}");
  REQUIRE(r.status == 200);
  const auto fresh = recoveryCodes(r);
  CHECK(parse(b6.call("GET", "/api/v1/me/mfa").body)->getValue<int>("recovery_codes_left") == 10);
  r = b6.call("POST", "/api/v1/me/mfa/disable", "{\"code\":\"" + codes[3] + "\"}");  // an old one
  CHECK(r.status == 400);
  CHECK(errorField(r) == "code");
  r = b6.call("POST", "/api/v1/me/mfa/disable", "{\"code\":\"" + fresh[0] + "\"}");
  CHECK(r.status == 204);
  CHECK(parse(b6.call("GET", "/api/v1/me/mfa").body)->getValue<bool>("enrolled") == false);
  Browser b7(t.port());
  CHECK(b7.login("alpha", "owner@alpha.test").status == 200);
}

TEST_CASE("wrong second-factor codes are throttled like passwords") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  Browser b(t.port());
  REQUIRE(b.login("alpha", "owner@alpha.test").status == 200);
  std::vector<std::string> codes;
  const std::string secret = enrol(b, codes);
  Browser c(t.port());
  REQUIRE(c.login("alpha", "owner@alpha.test").status == 401);
  const std::string wrong = oathtool(secret, std::time(nullptr) + 3600);
  for (int i = 0; i < 5; ++i)
    CHECK(c.call("POST", "/api/v1/auth/login", "{\"totp\":\"" + wrong + "\"}").status == 401);
  auto r = c.call("POST", "/api/v1/auth/login",
                  "{\"totp\":\"" + oathtool(secret, std::time(nullptr)) + "\"}");
  CHECK(r.status == 429);  // even the right code waits: the attempt is not checked
  CHECK(!r.header("retry-after").empty());
  // The failures are in the firm's audit log.
  auto audit = b.call("GET", "/api/v1/audit?limit=50");
  CHECK(audit.body.find("login.mfa_failure") != std::string::npos);
}

TEST_CASE(
    "a firm requiring two-step sign-in enrols portal users at sign-in and its owner resets them") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("alpha", "attorney@alpha.test", "attorney");
  t.staff("beta", "owner@beta.test", "owner");
  const auto portalId = t.portalUser("alpha", 101, "client@alpha.test");
  Browser owner(t.port()), attorney(t.port()), ownerB(t.port());
  REQUIRE(owner.login("alpha", "owner@alpha.test").status == 200);
  REQUIRE(attorney.login("alpha", "attorney@alpha.test").status == 200);
  REQUIRE(ownerB.login("beta", "owner@beta.test").status == 200);

  // Bad input names the field and changes nothing.
  auto r = owner.call("PATCH", "/api/v1/firm/mfa", "{\"enforce_portal\":\"yes\"}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "enforce_portal");
  r = owner.call("PATCH", "/api/v1/firm/mfa",
                 "{\"enforce_portal\":true,\"enforce_everyone\":true}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "enforce_everyone");
  CHECK(parse(owner.call("GET", "/api/v1/firm/mfa").body)->getValue<bool>("enforce_portal") ==
        false);
  CHECK(attorney.call("PATCH", "/api/v1/firm/mfa", "{\"enforce_portal\":true}").status == 403);
  r = owner.call("PATCH", "/api/v1/firm/mfa", "{\"enforce_portal\":true}");
  REQUIRE(r.status == 200);
  CHECK(parse(r.body)->getValue<bool>("enforce_portal"));
  CHECK(parse(r.body)->getValue<bool>("enforce_staff") == false);
  CHECK(parse(ownerB.call("GET", "/api/v1/firm/mfa").body)->getValue<bool>("enforce_portal") ==
        false);
  // Staff are not affected by the portal switch.
  Browser staff(t.port());
  CHECK(staff.login("alpha", "attorney@alpha.test").status == 200);

  // The portal user is led through enrolment before any session exists.
  Browser client(t.port());
  r = client.login("alpha", "client@alpha.test");
  CHECK(r.status == 401);
  CHECK(errorCode(r) == "mfa_enrolment_required");
  CHECK(client.call("GET", "/api/v1/me").status == 401);
  CHECK(client.call("POST", "/api/v1/me/mfa/totp", "{}").status == 401);
  Browser stranger(t.port());  // no pending cookie: nothing to enrol
  CHECK(stranger.call("POST", "/api/v1/auth/mfa/enrol", "{}").status == 401);
  r = client.call("POST", "/api/v1/auth/mfa/enrol", "{}");
  REQUIRE(r.status == 200);
  const std::string secret = parse(r.body)->getValue<std::string>("secret");
  r = client.call("POST", "/api/v1/auth/login",
                  "{\"totp\":\"" + oathtool(secret, std::time(nullptr) + 600) + "\"}");
  CHECK(r.status == 401);
  CHECK(errorCode(r) == "invalid_code");
  r = client.call("POST", "/api/v1/auth/login",
                  "{\"totp\":\"" + oathtool(secret, std::time(nullptr)) + "\"}");
  REQUIRE(r.status == 200);
  CHECK(recoveryCodes(r).size() == 10);
  r = client.call("GET", "/api/v1/me/mfa");
  CHECK(parse(r.body)->getValue<bool>("enforced"));
  CHECK(parse(r.body)->getValue<bool>("enrolled"));
  // It cannot be turned off while the firm requires it.
  r = client.call("POST", "/api/v1/me/mfa/disable",
                  "{\"code\":\"" + oathtool(secret, std::time(nullptr) + 30) + "\"}");
  CHECK(r.status == 409);
  CHECK(errorCode(r) == "mfa_required_by_firm");

  // The owner sees who is enrolled; another firm's owner and other roles cannot reset.
  r = owner.call("GET", "/api/v1/firm/mfa");
  REQUIRE(r.status == 200);
  CHECK(r.body.find("client@alpha.test") != std::string::npos);
  CHECK(ownerB.call("GET", "/api/v1/firm/mfa").body.find("client@alpha.test") == std::string::npos);
  const std::string reset = "/api/v1/users/" + std::to_string(portalId) + "/mfa";
  CHECK(ownerB.call("DELETE", reset).status == 404);
  CHECK(attorney.call("DELETE", reset).status == 403);
  CHECK(client.call("DELETE", reset).status == 403);
  CHECK(owner.call("DELETE", "/api/v1/users/abc/mfa").status == 404);
  CHECK(parse(client.call("GET", "/api/v1/me/mfa").body)->getValue<bool>("enrolled"));
  CHECK(owner.call("DELETE", reset).status == 204);
  CHECK(parse(client.call("GET", "/api/v1/me/mfa").body)->getValue<bool>("enrolled") == false);
  auto audit = owner.call("GET", "/api/v1/audit?limit=50");
  CHECK(audit.body.find("mfa.reset") != std::string::npos);
  CHECK(audit.body.find("firm.mfa_policy") != std::string::npos);
  // After the reset the next sign-in enrols again.
  Browser again(t.port());
  r = again.login("alpha", "client@alpha.test");
  CHECK(r.status == 401);
  CHECK(errorCode(r) == "mfa_enrolment_required");
}

TEST_CASE("a remembered device is forgotten when the user's two-step sign-in is reset") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  const auto userId = t.staff("alpha", "attorney@alpha.test", "attorney");
  Browser owner(t.port()), b(t.port());
  REQUIRE(owner.login("alpha", "owner@alpha.test").status == 200);
  REQUIRE(b.login("alpha", "attorney@alpha.test").status == 200);
  std::vector<std::string> codes;
  const std::string secret = enrol(b, codes);
  REQUIRE(b.login("alpha", "attorney@alpha.test").status == 401);
  REQUIRE(b.call("POST", "/api/v1/auth/login",
                 "{\"recovery_code\":\"" + codes[0] + "\",\"remember_device\":true}")
              .status == 200);
  REQUIRE(b.has("__Host-lexos_mfa_device"));
  CHECK(b.login("alpha", "attorney@alpha.test").status == 200);  // remembered
  // The cookie is bound to the user: another user's sign-in from this browser still needs theirs.
  REQUIRE(owner.login("alpha", "owner@alpha.test").status == 200);
  std::vector<std::string> ownerCodes;
  enrol(owner, ownerCodes);
  owner.jar["__Host-lexos_mfa_device"] = b.jar["__Host-lexos_mfa_device"];
  CHECK(owner.login("alpha", "owner@alpha.test").status == 401);
  // Reset, then enrolled again: the old remembered device counts for nothing.
  REQUIRE(owner.call("POST", "/api/v1/auth/login", "{\"recovery_code\":\"" + ownerCodes[0] + "\"}")
              .status == 200);
  CHECK(owner.call("DELETE", "/api/v1/users/" + std::to_string(userId) + "/mfa").status == 204);
  REQUIRE(b.login("alpha", "attorney@alpha.test").status == 200);  // nothing to ask for now
  std::vector<std::string> codes2;
  enrol(b, codes2);
  auto r = b.login("alpha", "attorney@alpha.test");
  CHECK(r.status == 401);
  CHECK(errorCode(r) == "mfa_required");
  (void)secret;
}

TEST_CASE("lexosctl shows and switches the firm's two-step sign-in policy and resets a user's") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  const std::string ctl =
      std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + t.dir.path + "/lexos.ini ";
  auto run = [](const std::string& cmd, int& status) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    char buf[512];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    status = p ? pclose(p) : -1;
    return out;
  };
  int status = -1;
  auto out = run(ctl + "firm mfa --firm alpha --enforce-staff maybe", status);
  CHECK(status != 0);
  CHECK(out.find("--enforce-staff") != std::string::npos);
  out = run(ctl + "firm mfa --firm alpha --enforce-staff on", status);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find("enforce_staff\ton") != std::string::npos);
  CHECK(out.find("enforce_portal\toff") != std::string::npos);
  // lexosd now leads the staff user through enrolment.
  Browser b(t.port());
  auto r = b.login("alpha", "owner@alpha.test");
  CHECK(r.status == 401);
  CHECK(errorCode(r) == "mfa_enrolment_required");
  r = b.call("POST", "/api/v1/auth/mfa/enrol", "{}");
  REQUIRE(r.status == 200);
  const std::string secret = parse(r.body)->getValue<std::string>("secret");
  REQUIRE(b.call("POST", "/api/v1/auth/login",
                 "{\"totp\":\"" + oathtool(secret, std::time(nullptr)) + "\"}")
              .status == 200);
  out = run(ctl + "user mfa-reset --firm alpha --email nobody@alpha.test", status);
  CHECK(status != 0);
  out = run(ctl + "user mfa-reset --firm alpha --email owner@alpha.test", status);
  CHECK(status == 0);
  CHECK(out.find("reset two-step sign-in of owner@alpha.test") != std::string::npos);
  Browser b2(t.port());
  CHECK(errorCode(b2.login("alpha", "owner@alpha.test")) == "mfa_enrolment_required");
}

TEST_CASE("a remembered device is forgotten when the user's password changes") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  Browser owner(t.port());
  REQUIRE(owner.login("alpha", "owner@alpha.test").status == 200);
  auto r = owner.call("POST", "/api/v1/clients", "{\"name\":\"Casey Client\"}");
  REQUIRE(r.status == 201);
  t.portalUser("alpha", std::stoll(jsonField(r.body, "id")), "client@alpha.test");
  Browser b(t.port());
  REQUIRE(b.login("alpha", "client@alpha.test").status == 200);
  std::vector<std::string> codes;
  enrol(b, codes);
  REQUIRE(b.login("alpha", "client@alpha.test").status == 401);
  REQUIRE(b.call("POST", "/api/v1/auth/login",
                 "{\"recovery_code\":\"" + codes[0] + "\",\"remember_device\":true}")
              .status == 200);
  REQUIRE(b.login("alpha", "client@alpha.test").status == 200);  // remembered
  const std::string fresh = "a brand new long passphrase";
  r = b.call("POST", "/api/v1/portal/account/password",
             std::string("{\"current_password\":\"") + TestHost::kPassword +
                 "\",\"new_password\":\"" + fresh + "\"}");
  REQUIRE(r.status == 204);
  REQUIRE(b.has("__Host-lexos_mfa_device"));  // still in the browser, but no longer valid
  r = b.call("POST", "/api/v1/auth/login",
             "{\"firm\":\"alpha\",\"email\":\"client@alpha.test\",\"password\":\"" + fresh + "\"}");
  CHECK(r.status == 401);
  CHECK(errorCode(r) == "mfa_required");
}

TEST_CASE(
    "TOTP secrets are sealed by the vault's master key: the database holds none in the clear, an "
    "older clear secret is sealed at its next use, and a master key rotation reseals them") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  const std::int64_t firm = t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  Browser b(t.port());
  REQUIRE(b.login("alpha", "owner@alpha.test").status == 200);
  std::vector<std::string> codes;
  const std::string secret = enrol(b, codes);

  // The stored row, read as the database's owner (in the firm's scope: row-level security is
  // forced on the owner too); `set` writes it.
  auto raw = t.host->ownerConnection();
  const std::string table = db == Db::SQLite ? "lexos_t_user_mfa" : "user_mfa";
  auto stored = [&] {
    raw->begin(false);
    if (db == Db::PostgreSQL) raw->setScope({firm, 0});
    auto rs = raw->query("SELECT secret FROM " + table, {});
    raw->commit();
    REQUIRE(rs.rows.size() == 1);
    return lexos::sdk::asText(rs.rows[0][0]);
  };
  auto set = [&](const std::string& sql) {
    raw->begin(true);
    if (db == Db::PostgreSQL) raw->setScope({firm, 0});
    raw->execute(sql, {});
    raw->commit();
  };
  auto signIn = [&] {
    set("UPDATE " + table + " SET last_step = 0");  // the current code may be used again
    Browser fresh(t.port());
    return fresh.login("alpha", "owner@alpha.test",
                       ",\"totp\":\"" + oathtool(secret, std::time(nullptr)) + "\"").status;
  };

  const std::string sealed = stored();
  CHECK(sealed.rfind("sealed:v1:" + t.host->vault().masterKeys()->current().id + ":", 0) == 0);
  CHECK(sealed.find(secret) == std::string::npos);
  CHECK(signIn() == 200);

  // Moved to another user or firm, a sealed secret does not open (the AAD binds it).
  // (Checked through the sealer directly: a row cannot name another firm under tenancy.)
  auto sealer = lexos::core::Mfa::sealer();
  REQUIRE(sealer);
  CHECK(sealer->open(firm, 1, sealer->seal(firm, 1, secret)) == secret);
  CHECK_THROWS(sealer->open(firm + 1, 1, sealer->seal(firm, 1, secret)));
  CHECK_THROWS(sealer->open(firm, 2, sealer->seal(firm, 1, secret)));

  // A secret stored in the clear (before sealing existed) still works, and is sealed then.
  set("UPDATE " + table + " SET secret = '" + secret + "'");
  CHECK(stored() == secret);
  CHECK(signIn() == 200);
  CHECK(stored().rfind("sealed:v1:", 0) == 0);

  // Rotating the master key reseals it under the new key; sign-in goes on working.
  const auto report = lexos::core::vault::rotateMasterKey(t.host->vault());
  CHECK(report.mfa_secrets == 1);
  CHECK(stored().rfind("sealed:v1:" + report.new_id + ":", 0) == 0);
  CHECK(signIn() == 200);
}
