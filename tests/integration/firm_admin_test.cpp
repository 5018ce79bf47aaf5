// Firm administration (issue 13, item 1) through the HTTP API and lexosctl, on both backends:
// staff invitations by e-mail (outbox), activation, role changes, disabling (sessions end at
// once), the last owner rule, module switches, the default currency, audit filters and the
// chain's verdict, the staff directory for pickers.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <chrono>
#include <thread>

#include "smtp_receiver.h"
#include "test_host.h"

using namespace lexos::test;
using Poco::JSON::Object;
namespace fs = std::filesystem;

namespace {

Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser p;
  return p.parse(json).extract<Object::Ptr>();
}

std::string errorField(const HttpResult& r) {
  try {
    auto e = parse(r.body)->getObject("error");
    return e && e->has("field") ? e->getValue<std::string>("field") : "";
  } catch (...) {
    return "";
  }
}

std::vector<std::string> outbox(const std::string& stateDir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(stateDir) / "outbox", ec))
    if (e.path().extension() == ".eml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The newest message's staff invitation token (quoted-printable soft breaks undone).
std::string joinToken(const std::string& stateDir) {
  auto files = outbox(stateDir);
  REQUIRE(!files.empty());
  const std::string flat = std::regex_replace(readFile(files.back()), std::regex("=\r?\n"), "");
  std::smatch m;
  REQUIRE(std::regex_search(flat, m, std::regex("/app/#/join/([0-9]+\\.[A-Za-z0-9_=3D-]+)")));
  return std::regex_replace(m[1].str(), std::regex("=3D"), "=");
}

std::string run(const std::string& cmd, int* status) {
  std::string out;
  if (FILE* p = popen((cmd + " 2>&1").c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    *status = pclose(p);
  }
  return out;
}

// The item of a list answer whose `key` is `value` (null when there is none).
Object::Ptr itemWhere(const std::string& body, const std::string& key, const std::string& value) {
  auto items = parse(body)->getArray("items");
  for (std::size_t i = 0; items && i < items->size(); ++i) {
    auto o = items->getObject(i);
    if (o->has(key) && o->get(key).convert<std::string>() == value) return o;
  }
  return nullptr;
}

const char* kNewPassword = "paper lantern over the river";

}  // namespace

TEST_CASE("the owner invites a paralegal by e-mail, who sets a password, signs in as paralegal, and is disabled") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  const std::string stateDir = t.dir.path + "/state";

  auto r = owner.post("/api/v1/users", R"({"email":"Pat@Alpha.test","role":"paralegal","name":"Pat Paralegal"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  const std::string id = jsonField(r.body, "id");
  CHECK(jsonField(r.body, "status") == "invited");
  CHECK(jsonField(r.body, "email") == "pat@alpha.test");
  const std::string mail = readFile(outbox(stateDir).back());
  CHECK_THAT(mail, Catch::Contains("pat@alpha.test"));
  CHECK_THAT(mail, Catch::Contains("alpha"));
  const std::string first = joinToken(stateDir);

  // Re-sending makes a new link; the first stops working.
  REQUIRE(owner.post("/api/v1/users/" + id + "/invitation", "{}").status == 201);
  const std::string token = joinToken(stateDir);
  CHECK(token != first);
  auto anon = t.client();
  CHECK(anon.post("/api/v1/staff/activate", "{\"token\":\"" + first + "\",\"password\":\"" + kNewPassword + "\"}").status == 410);
  // A staff link is no portal link, and a weak password changes nothing.
  CHECK(anon.post("/api/v1/portal/activate", "{\"token\":\"" + token + "\",\"password\":\"" + kNewPassword + "\"}").status != 200);
  auto weak = anon.post("/api/v1/staff/activate", "{\"token\":\"" + token + "\",\"password\":\"short\"}");
  CHECK(weak.status == 400);
  CHECK(errorField(weak) == "password");
  // Not signed in yet: an invited account cannot sign in.
  CHECK(t.client().login("alpha", "pat@alpha.test", kNewPassword).status == 401);

  auto act = anon.post("/api/v1/staff/activate",
                       "{\"token\":\"" + token + "\",\"name\":\"Patricia Paralegal\",\"password\":\"" + kNewPassword + "\"}");
  INFO(act.body);
  REQUIRE(act.status == 200);
  CHECK(jsonField(act.body, "firm") == "alpha");
  CHECK(jsonField(act.body, "email") == "pat@alpha.test");
  CHECK(anon.post("/api/v1/staff/activate", "{\"token\":\"" + token + "\",\"password\":\"" + kNewPassword + "\"}").status == 410);

  HttpClient pat = t.client();
  REQUIRE(pat.login("alpha", "pat@alpha.test", kNewPassword).status == 200);
  auto me = pat.get("/api/v1/me");
  CHECK_THAT(me.body, Catch::Contains("\"paralegal\""));
  CHECK(pat.get("/api/v1/users").status == 403);  // the list is the owner's
  CHECK(pat.get("/api/v1/staff").status == 200);  // the directory is everyone's

  r = owner.get("/api/v1/users");
  REQUIRE(r.status == 200);
  auto row = itemWhere(r.body, "email", "pat@alpha.test");
  REQUIRE(row);
  CHECK(row->getValue<std::string>("status") == "active");
  CHECK(row->getValue<std::string>("name") == "Patricia Paralegal");
  CHECK(row->getValue<std::string>("role") == "paralegal");
  CHECK(!row->isNull("last_sign_in_at"));
  CHECK(row->isNull("invitation_expires_at"));

  // Role change takes effect on the open session (the guard's cache hears of it).
  r = owner.request("PATCH", "/api/v1/users/" + id, R"({"role":"attorney"})");
  REQUIRE(r.status == 200);
  CHECK(jsonField(r.body, "role") == "attorney");
  CHECK_THAT(pat.get("/api/v1/me").body, Catch::Contains("\"attorney\""));

  // Disabling ends the open session at once; sign-in is refused; enabling restores sign-in.
  r = owner.request("PATCH", "/api/v1/users/" + id, R"({"disabled":true})");
  REQUIRE(r.status == 200);
  CHECK(jsonField(r.body, "status") == "disabled");
  CHECK(pat.get("/api/v1/me").status == 401);
  CHECK(t.client().login("alpha", "pat@alpha.test", kNewPassword).status == 401);
  CHECK(itemWhere(pat.get("/api/v1/staff").body, "email", "pat@alpha.test") == nullptr);
  REQUIRE(owner.request("PATCH", "/api/v1/users/" + id, R"({"disabled":false})").status == 200);
  CHECK(t.client().login("alpha", "pat@alpha.test", kNewPassword).status == 200);

  // Every change is in the audit log, and the filters find them.
  r = owner.get("/api/v1/audit?action=staff.&object_id=" + id);
  REQUIRE(r.status == 200);
  for (const char* a : {"staff.invite", "staff.activate", "staff.role", "staff.disable", "staff.enable"}) {
    INFO(a);
    CHECK(itemWhere(r.body, "action", a) != nullptr);
  }
  CHECK(itemWhere(r.body, "action", "login.success") == nullptr);
  r = owner.get("/api/v1/audit?action=staff.role");
  REQUIRE(r.status == 200);
  CHECK(parse(r.body)->getArray("items")->size() == 1);
  CHECK_THAT(r.body, Catch::Contains("paralegal->attorney"));
}

TEST_CASE("the last active owner can neither be demoted nor disabled, and nobody disables themselves") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  const auto ownerId = t.staff("alpha", "owner@alpha.test", "owner");
  const auto secondId = t.staff("alpha", "second@alpha.test", "attorney");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  const std::string self = std::to_string(ownerId), second = std::to_string(secondId);

  auto r = owner.request("PATCH", "/api/v1/users/" + self, R"({"role":"attorney"})");
  CHECK(r.status == 409);
  CHECK(errorField(r) == "role");
  r = owner.request("PATCH", "/api/v1/users/" + self, R"({"disabled":true})");
  CHECK(r.status == 409);
  CHECK(errorField(r) == "disabled");
  CHECK_THAT(owner.get("/api/v1/me").body, Catch::Contains("\"owner\""));

  // With a second owner, the first may step down, but still not disable themselves.
  REQUIRE(owner.request("PATCH", "/api/v1/users/" + second, R"({"role":"owner"})").status == 200);
  r = owner.request("PATCH", "/api/v1/users/" + self, R"({"disabled":true})");
  CHECK(r.status == 409);
  CHECK(errorField(r) == "disabled");
  REQUIRE(owner.request("PATCH", "/api/v1/users/" + self, R"({"role":"billing"})").status == 200);
  CHECK(owner.get("/api/v1/users").status == 403);  // no longer an owner, at once

  // Bad input: 400 naming the field, nothing changes.
  HttpClient second2 = t.signedIn("alpha", "second@alpha.test");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"role":"emperor"})", "role"}, {R"({"role":"portal"})", "role"},   {R"({"disabled":"yes"})", "disabled"},
      {R"({"colour":"blue"})", "colour"}, {R"({})", "body"},                 {R"({"role":7})", "role"},
  };
  for (const auto& [body, field] : bad) {
    r = second2.request("PATCH", "/api/v1/users/" + self, body);
    INFO(body << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  const std::vector<std::pair<std::string, std::string>> badInvites = {
      {R"({"email":"not-an-address","role":"attorney"})", "email"},
      {R"({"email":"x@alpha.test","role":"emperor"})", "role"},
      {R"({"email":"x@alpha.test"})", "role"},
      {R"({"role":"attorney"})", "email"},
      {R"({"email":"ünï@alpha.test","role":"attorney"})", "email"},
  };
  for (const auto& [body, field] : badInvites) {
    r = second2.post("/api/v1/users", body);
    INFO(body << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  // An existing active account is no one to invite.
  r = second2.post("/api/v1/users", R"({"email":"owner@alpha.test","role":"attorney"})");
  CHECK(r.status == 409);
  CHECK(errorField(r) == "email");
  r = second2.get("/api/v1/users");
  CHECK(parse(r.body)->getArray("items")->size() == 2);
  CHECK(itemWhere(r.body, "email", "owner@alpha.test")->getValue<std::string>("role") == "billing");
}

TEST_CASE("an invitation can be revoked, its link stops working, and another firm's staff stay out of reach") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  const auto betaUser = t.staff("beta", "owner@beta.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  auto r = owner.post("/api/v1/users", R"({"email":"temp@alpha.test","role":"billing"})");
  REQUIRE(r.status == 201);
  const std::string id = jsonField(r.body, "id");
  const std::string token = joinToken(t.dir.path + "/state");
  r = owner.request("DELETE", "/api/v1/users/" + id + "/invitation");
  REQUIRE(r.status == 200);
  CHECK(jsonField(r.body, "status") == "revoked");
  CHECK(t.client().post("/api/v1/staff/activate", "{\"token\":\"" + token + "\",\"password\":\"" + kNewPassword + "\"}").status == 410);
  CHECK(owner.request("DELETE", "/api/v1/users/" + id + "/invitation").status == 409);
  // Inviting the address again gives a fresh, working link.
  REQUIRE(owner.post("/api/v1/users", R"({"email":"temp@alpha.test","role":"billing"})").status == 201);
  CHECK(t.client().post("/api/v1/staff/activate", "{\"token\":\"" + joinToken(t.dir.path + "/state") +
                                                     "\",\"password\":\"" + kNewPassword + "\"}").status == 200);

  // Beta's owner is not alpha's to see or change: 404 like any unknown id.
  const std::string beta = std::to_string(betaUser);
  CHECK(owner.request("PATCH", "/api/v1/users/" + beta, R"({"disabled":true})").status == 404);
  CHECK(owner.post("/api/v1/users/" + beta + "/invitation", "{}").status == 404);
  CHECK(t.signedIn("beta", "owner@beta.test").get("/api/v1/me").status == 200);
  CHECK(itemWhere(owner.get("/api/v1/users").body, "email", "owner@beta.test") == nullptr);
  CHECK(itemWhere(owner.get("/api/v1/staff").body, "email", "owner@beta.test") == nullptr);
}

TEST_CASE("the owner switches modules per firm, the core cannot be switched off, and required modules stay on") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("beta", "owner@beta.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  HttpClient beta = t.signedIn("beta", "owner@beta.test");

  auto r = owner.get("/api/v1/firm/modules");
  REQUIRE(r.status == 200);
  auto core = itemWhere(r.body, "id", "core");
  REQUIRE(core);
  CHECK_FALSE(core->getValue<bool>("switchable"));
  REQUIRE(itemWhere(r.body, "id", "cases"));
  CHECK(itemWhere(r.body, "id", "cases")->getValue<bool>("enabled"));

  CHECK(owner.get("/api/v1/cases").status == 200);
  r = owner.request("PUT", "/api/v1/firm/modules/cases", R"({"enabled":false})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK_FALSE(itemWhere(r.body, "id", "cases")->getValue<bool>("enabled"));
  CHECK(owner.get("/api/v1/cases").status == 404);  // the module is off for alpha at once
  CHECK(beta.get("/api/v1/cases").status == 200);   // and still on for beta
  CHECK_THAT(owner.get("/api/v1/nav").body, !Catch::Contains("\"cases\""));

  r = owner.request("PUT", "/api/v1/firm/modules/core", R"({"enabled":false})");
  CHECK(r.status == 409);
  CHECK(errorField(r) == "enabled");
  r = owner.request("PUT", "/api/v1/firm/modules/clients", R"({"enabled":false})");  // portal needs it
  CHECK(r.status == 409);
  CHECK(errorField(r) == "enabled");
  r = owner.request("PUT", "/api/v1/firm/modules/cases", R"({"enabled":"no"})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "enabled");
  CHECK(owner.request("PUT", "/api/v1/firm/modules/nosuch", R"({"enabled":true})").status == 404);
  REQUIRE(owner.request("PUT", "/api/v1/firm/modules/cases", R"({"enabled":true})").status == 200);
  CHECK(owner.get("/api/v1/cases").status == 200);
  r = owner.get("/api/v1/audit?action=firm.modules");
  CHECK(parse(r.body)->getArray("items")->size() == 2);

  // lexosctl sees the same switches.
  int status = 0;
  const std::string ctl = std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + t.dir.path + "/lexos.ini ";
  auto out = run(ctl + "firm modules --firm alpha --disable portal", &status);
  INFO(out);
  CHECK(status == 0);
  CHECK_FALSE(itemWhere(owner.get("/api/v1/firm/modules").body, "id", "portal")->getValue<bool>("enabled"));
}

TEST_CASE("the default currency is an ISO 4217 code, and a bad one is refused naming the field") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  auto r = owner.get("/api/v1/firm");
  CHECK(jsonField(r.body, "default_currency").empty());
  r = owner.request("PATCH", "/api/v1/firm", R"({"default_currency":"EUR"})");
  REQUIRE(r.status == 200);
  CHECK(jsonField(r.body, "default_currency") == "EUR");
  CHECK(jsonField(r.body, "currency_name") == "Euro");
  for (const char* bad : {R"("eur")", R"("XAU")", R"("EURO")", R"("ZZZ")", "12"}) {
    r = owner.request("PATCH", "/api/v1/firm", std::string(R"({"default_currency":)") + bad + "}");
    INFO(bad << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == "default_currency");
  }
  CHECK(jsonField(owner.get("/api/v1/firm").body, "default_currency") == "EUR");
  int status = 0;
  const std::string ctl = std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + t.dir.path + "/lexos.ini ";
  auto out = run(ctl + "firm set --firm alpha --currency JPY", &status);
  INFO(out);
  CHECK(status == 0);
  CHECK(jsonField(owner.get("/api/v1/firm").body, "default_currency") == "JPY");
  out = run(ctl + "firm set --firm alpha --currency ABC", &status);
  CHECK(status != 0);
  CHECK_THAT(out, Catch::Contains("default_currency"));
}

TEST_CASE("the audit screen's filters and the chain's verdict answer the owner, and a broken chain shows") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("alpha", "att@alpha.test", "attorney");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  t.signedIn("alpha", "att@alpha.test");
  REQUIRE(owner.request("PATCH", "/api/v1/firm", R"({"country":"US"})").status == 200);

  auto r = owner.get("/api/v1/audit/verify");
  REQUIRE(r.status == 200);
  auto v = parse(r.body);
  CHECK(v->getValue<bool>("verified"));
  CHECK(v->getValue<int>("rows") >= 3);
  CHECK_THAT(v->getValue<std::string>("head"), Catch::Matches("[0-9]+:[0-9a-f]{64}"));

  r = owner.get("/api/v1/audit?actor=att@alpha");
  REQUIRE(r.status == 200);
  auto items = parse(r.body)->getArray("items");
  REQUIRE(items->size() >= 1);
  for (std::size_t i = 0; i < items->size(); ++i)
    CHECK_THAT(items->getObject(i)->getValue<std::string>("actor"), Catch::Contains("att@alpha.test"));
  r = owner.get("/api/v1/audit?from=2000-01-01&to=2000-12-31");
  REQUIRE(r.status == 200);
  CHECK(parse(r.body)->getArray("items")->size() == 0);
  r = owner.get("/api/v1/audit?object_type=firm");
  CHECK(itemWhere(r.body, "action", "firm.update") != nullptr);
  // Pages: one row at a time, the cursor leads to older rows.
  r = owner.get("/api/v1/audit?limit=1");
  const std::string cursor = parse(r.body)->getValue<std::string>("next_cursor");
  auto older = owner.get("/api/v1/audit?limit=1&before=" + cursor);
  REQUIRE(older.status == 200);
  auto olderItems = parse(older.body)->getArray("items");
  REQUIRE(olderItems->size() == 1);
  CHECK(olderItems->getObject(0)->getValue<std::int64_t>("seq") < std::stoll(cursor));
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"from=yesterday", "from"}, {"to=2026-13-01", "to"}, {"from=2026-02-01&to=2026-01-01", "to"},
           {"limit=0", "limit"}, {"before=x", "before"}}) {
    r = owner.get("/api/v1/audit?" + query);
    INFO(query << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }

  // An edited row breaks the chain, and the verdict says so (edited under the tenancy layer, in
  // SQLite's base table: PostgreSQL's row-level security holds even for the owner role).
  if (db == Db::PostgreSQL) return;
  t.host->ownerConnection()->execute("UPDATE lexos_t_audit_log SET detail = 'forged' WHERE action = 'firm.update'", {});
  r = owner.get("/api/v1/audit/verify");
  REQUIRE(r.status == 200);
  CHECK_FALSE(parse(r.body)->getValue<bool>("verified"));
  CHECK_FALSE(parse(r.body)->isNull("problem"));
}

TEST_CASE("lexosctl lists staff, changes a role with the last owner rule, and invites by e-mail") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("alpha", "att@alpha.test", "attorney");
  t.signedIn("alpha", "att@alpha.test");
  int status = 0;
  const std::string ctl = std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + t.dir.path + "/lexos.ini ";
  auto out = run(ctl + "user list --firm alpha", &status);
  INFO(out);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("att@alpha.test\t-\tattorney\tactive\t20"));  // signed in: a time
  CHECK_THAT(out, Catch::Contains("owner@alpha.test\t-\towner\tactive\tnever"));
  out = run(ctl + "user role --firm alpha --email owner@alpha.test --role paralegal", &status);
  CHECK(status != 0);
  CHECK_THAT(out, Catch::Contains("owner"));
  out = run(ctl + "user role --firm alpha --email att@alpha.test --role paralegal", &status);
  CHECK(status == 0);
  CHECK_THAT(run(ctl + "user list --firm alpha", &status), Catch::Contains("att@alpha.test\t-\tparalegal"));
  out = run(ctl + "user invite --firm alpha --email new@alpha.test --role billing --name 'Bea Billing'", &status);
  INFO(out);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("/app/#/join/"));
  const std::string token = joinToken(t.dir.path + "/state");
  CHECK_THAT(out, Catch::Contains(token));
  CHECK(t.client().post("/api/v1/staff/activate", "{\"token\":\"" + token + "\",\"password\":\"" + kNewPassword + "\"}").status == 200);
  CHECK(t.client().login("alpha", "new@alpha.test", kNewPassword).status == 200);
}

TEST_CASE("every staff role reads the staff directory of its own firm only, with active members only") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("alpha", "bill@alpha.test", "billing");
  t.staff("beta", "owner@beta.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  REQUIRE(owner.post("/api/v1/users", R"({"email":"pending@alpha.test","role":"attorney"})").status == 201);
  auto r = t.signedIn("alpha", "bill@alpha.test").get("/api/v1/staff");
  REQUIRE(r.status == 200);
  auto items = parse(r.body)->getArray("items");
  CHECK(items->size() == 2);
  CHECK(itemWhere(r.body, "email", "owner@alpha.test") != nullptr);
  CHECK(itemWhere(r.body, "email", "pending@alpha.test") == nullptr);
  CHECK(itemWhere(r.body, "email", "owner@beta.test") == nullptr);
  CHECK_THAT(r.body, !Catch::Contains("status"));  // names and roles only
}

TEST_CASE("a staff invitation goes out over real SMTP with a link that activates the account") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  SmtpReceiver smtp;
  TestHost t(db, "probe",
             "[mail]\ntransport = smtp\nsmtp_host = 127.0.0.1\nsmtp_port = " + std::to_string(smtp.port()) +
                 "\nfrom = Alpha Law <office@alpha.test>\n",
             {{"LEXOS_SERVER_PUBLIC_URL", "https://lexos.example"}});
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  REQUIRE(owner.post("/api/v1/users", R"({"email":"new.hire@alpha.test","role":"attorney"})").status == 201);
  for (int i = 0; i < 100 && smtp.messages().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(smtp.messages().size() == 1);
  REQUIRE(smtp.recipients().size() == 1);
  CHECK_THAT(smtp.recipients()[0], Catch::Contains("<new.hire@alpha.test>"));
  const std::string flat = std::regex_replace(smtp.messages()[0], std::regex("=\r?\n"), "");
  std::smatch m;
  REQUIRE(std::regex_search(flat, m, std::regex("https://lexos\\.example/app/#/join/([0-9]+\\.[A-Za-z0-9_=3D-]+)")));
  const std::string token = std::regex_replace(m[1].str(), std::regex("=3D"), "=");
  CHECK(t.client().post("/api/v1/staff/activate", "{\"token\":\"" + token + "\",\"password\":\"" + kNewPassword + "\"}").status == 200);
  CHECK(t.client().login("alpha", "new.hire@alpha.test", kNewPassword).status == 200);
}
