// Case files and the Client Portal through the HTTP API, on both backends: invitation by
// e-mail (outbox), activation, the client's own matters and shared updates only, revocation.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "identity/accounts.h"
#include "test_host.h"

using namespace lexos::test;
namespace fs = std::filesystem;

namespace {

struct Firm {
  HttpClient staff{0};
};

std::string create(HttpClient& c, const std::string& path, const std::string& body) {
  auto r = c.post(path, body);
  INFO(path << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 201);
  return jsonField(r.body, "id");
}

// The newest .eml in the outbox, and the activation link in it.
std::string latestMail(const std::string& stateDir) {
  fs::path newest;
  for (const auto& e : fs::directory_iterator(fs::path(stateDir) / "outbox"))
    if (e.path().extension() == ".eml" && (newest.empty() || e.path().filename() > newest.filename())) newest = e.path();
  REQUIRE(!newest.empty());
  std::ifstream in(newest);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string activationToken(const std::string& mail) {
  // Quoted-printable may wrap long lines with "=\r\n"; undo that first.
  std::string flat = std::regex_replace(mail, std::regex("=\r?\n"), "");
  std::smatch m;
  REQUIRE(std::regex_search(flat, m, std::regex("#/activate/([0-9]+\\.[A-Za-z0-9_=3D-]+)")));
  return std::regex_replace(m[1].str(), std::regex("=3D"), "=");
}

}  // namespace

TEST_CASE("a client invited to the portal activates, sees only their matter and its shared updates, and is revoked") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("anderson-law");
  t.staff("anderson-law", "counsel@anderson.test", "attorney");
  auto staff = t.client();
  REQUIRE(staff.login("anderson-law", "counsel@anderson.test", TestHost::kPassword).status == 200);

  const auto anderson = create(staff, "/api/v1/clients", "{\"name\":\"Thomas Anderson\",\"email\":\"neo@anderson.test\"}");
  const auto smith = create(staff, "/api/v1/clients", "{\"name\":\"Agent Smith\",\"email\":\"smith@matrix.test\"}");
  const auto fouchix = create(staff, "/api/v1/cases", "{\"client_id\":" + anderson + ",\"title\":\"State vs. Fouchix\",\"phase\":\"discovery\"}");
  const auto other = create(staff, "/api/v1/cases", "{\"client_id\":" + smith + ",\"title\":\"Smith Holdings\"}");
  create(staff, "/api/v1/cases/" + fouchix + "/updates", "{\"text\":\"Hearing set for March.\",\"client_visible\":true}");
  const auto hidden = create(staff, "/api/v1/cases/" + fouchix + "/updates", "{\"text\":\"Draft strategy.\"}");
  create(staff, "/api/v1/cases/" + fouchix + "/notes", "{\"text\":\"War room: witness is shaky.\"}");
  create(staff, "/api/v1/cases/" + other + "/updates", "{\"text\":\"Smith update.\",\"client_visible\":true}");

  // Invitation: e-mail with a single-use link; the directory shows "invited".
  auto inv = staff.post("/api/v1/clients/" + anderson + "/portal/invite", "{}");
  REQUIRE(inv.status == 201);
  CHECK(jsonField(inv.body, "portal_status") == "invited");
  const std::string stateDir = t.dir.path + "/state";
  auto firstMail = latestMail(stateDir);
  CHECK_THAT(firstMail, Catch::Contains("neo@anderson.test"));
  CHECK_THAT(firstMail, Catch::Contains("multipart/alternative"));
  CHECK_THAT(firstMail, Catch::Contains("anderson-law"));  // the firm short name for signing in later
  const auto firstToken = activationToken(firstMail);
  // Re-inviting invalidates the first link.
  REQUIRE(staff.post("/api/v1/clients/" + anderson + "/portal/invite", "{}").status == 201);
  const auto token = activationToken(latestMail(stateDir));
  CHECK(token != firstToken);
  auto anon = t.client();
  CHECK(anon.post("/api/v1/portal/activate", "{\"token\":\"" + firstToken + "\",\"password\":\"neo follows the white rabbit\"}").status == 410);
  auto weak = anon.post("/api/v1/portal/activate", "{\"token\":\"" + token + "\",\"password\":\"short\"}");
  CHECK(weak.status == 400);
  CHECK_THAT(weak.body, Catch::Contains("\"field\":\"password\""));
  auto act = anon.post("/api/v1/portal/activate", "{\"token\":\"" + token + "\",\"password\":\"neo follows the white rabbit\"}");
  REQUIRE(act.status == 200);
  CHECK(jsonField(act.body, "firm") == "anderson-law");
  CHECK(anon.post("/api/v1/portal/activate", "{\"token\":\"" + token + "\",\"password\":\"neo follows the white rabbit\"}").status == 410);
  CHECK(jsonField(staff.get("/api/v1/clients/" + anderson).body, "portal_status") == "active");

  // The client signs in and sees exactly their matter and its shared update.
  auto neo = t.client();
  REQUIRE(neo.login("anderson-law", "neo@anderson.test", "neo follows the white rabbit").status == 200);
  auto list = neo.get("/api/v1/portal/cases");
  REQUIRE(list.status == 200);
  CHECK_THAT(list.body, Catch::Contains("State vs. Fouchix"));
  CHECK_THAT(list.body, !Catch::Contains("Smith"));
  CHECK_THAT(list.body, Catch::Contains("\"progress_percent\":50"));
  auto matter = neo.get("/api/v1/portal/cases/" + fouchix);
  REQUIRE(matter.status == 200);
  CHECK_THAT(matter.body, Catch::Contains("Hearing set for March."));
  CHECK_THAT(matter.body, !Catch::Contains("Draft strategy."));
  CHECK_THAT(matter.body, !Catch::Contains("War room"));
  CHECK_THAT(matter.body, Catch::Contains("counsel@anderson.test"));  // the firm's contact
  CHECK(neo.get("/api/v1/portal/cases/" + other).status == 404);
  CHECK(neo.get("/api/v1/cases/" + fouchix).status == 403);
  CHECK(neo.get("/api/v1/cases/" + fouchix + "/notes").status == 403);
  CHECK(neo.get("/api/v1/clients").status == 403);

  // Staff share the hidden update: now the client sees it.
  REQUIRE(staff.request("PATCH", "/api/v1/cases/" + fouchix + "/updates/" + hidden, "{\"client_visible\":true}").status == 200);
  CHECK_THAT(neo.get("/api/v1/portal/cases/" + fouchix).body, Catch::Contains("Draft strategy."));

  // Revocation ends the open session at once and refuses later sign-ins.
  auto rev = staff.request("DELETE", "/api/v1/clients/" + anderson + "/portal");
  REQUIRE(rev.status == 200);
  CHECK(jsonField(rev.body, "portal_status") == "revoked");
  CHECK(neo.get("/api/v1/portal/cases").status == 401);
  CHECK(t.client().login("anderson-law", "neo@anderson.test", "neo follows the white rabbit").status == 401);

  // The audit log has the story.
  t.staff("anderson-law", "owner@anderson.test", "owner");
  auto owner = t.client();
  REQUIRE(owner.login("anderson-law", "owner@anderson.test", TestHost::kPassword).status == 200);
  auto audit = owner.get("/api/v1/audit?limit=500");
  for (const char* a : {"portal.invite", "portal.activate", "portal.case.view", "portal.revoke", "case.create"}) {
    INFO(a);
    CHECK_THAT(audit.body, Catch::Contains(a));
  }
}

TEST_CASE("case input errors name the field and cases of another firm are not found") {
  TempDir plugins;
  TestHost t(Db::SQLite, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "a@alpha.test", "paralegal");
  t.staff("beta", "b@beta.test", "owner");
  auto a = t.client();
  auto b = t.client();
  REQUIRE(a.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  REQUIRE(b.login("beta", "b@beta.test", TestHost::kPassword).status == 200);
  const auto client = create(a, "/api/v1/clients", "{\"name\":\"Client A\"}");
  auto r = a.post("/api/v1/cases", "{\"title\":\"No client\"}");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"client_id\""));
  r = a.post("/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"\"}");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"title\""));
  r = a.post("/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"X\",\"phase\":\"appeal\"}");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"phase\""));
  r = a.post("/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"X\",\"opened_on\":\"2026-02-30\"}");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"opened_on\""));
  r = a.post("/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"X\",\"colour\":\"red\"}");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"colour\""));
  const auto id = create(a, "/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Real\",\"matter_number\":\"A-1\"}");
  r = a.post("/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Dup\",\"matter_number\":\"A-1\"}");
  CHECK(r.status == 409);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"matter_number\""));
  // A client's cases, search by client name, and an automatic number that skips a typed one.
  const auto other = create(a, "/api/v1/clients", "{\"name\":\"Zed Other\"}");
  create(a, "/api/v1/cases", "{\"client_id\":" + other + ",\"title\":\"Other matter\",\"matter_number\":\"2026-0002\"}");
  const auto autoNumbered = a.post("/api/v1/cases", "{\"client_id\":" + other + ",\"title\":\"Auto\",\"opened_on\":\"2026-03-01\"}");
  CHECK(autoNumbered.status == 201);
  CHECK(jsonField(autoNumbered.body, "matter_number") != "2026-0002");
  auto mine = a.get("/api/v1/cases?client_id=" + client);
  REQUIRE(mine.status == 200);
  CHECK_THAT(mine.body, Catch::Contains("Real") && !Catch::Contains("Other matter"));
  auto byName = a.get("/api/v1/cases?q=zed");
  CHECK_THAT(byName.body, Catch::Contains("Other matter") && !Catch::Contains("Real"));
  CHECK(b.get("/api/v1/cases/" + id).status == 404);
  CHECK(b.post("/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Steal\"}").status == 400);
  CHECK_THAT(b.get("/api/v1/cases").body, !Catch::Contains("Real"));
  // Phases: a firm renames one; the other firm keeps the default.
  t.staff("alpha", "o@alpha.test", "owner");
  auto owner = t.client();
  REQUIRE(owner.login("alpha", "o@alpha.test", TestHost::kPassword).status == 200);
  REQUIRE(owner.request("PUT", "/api/v1/cases/phases/discovery", "{\"label\":\"Evidence\"}").status == 200);
  CHECK_THAT(a.get("/api/v1/cases/phases").body, Catch::Contains("Evidence"));
  CHECK_THAT(b.get("/api/v1/cases/phases").body, !Catch::Contains("Evidence"));
}

TEST_CASE("lexosd refuses to start the cases module without the clients module") {
  TempDir plugins;
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, "cases"), {});
  cfg.plugins_dir = bundledPluginsDir(plugins);
  try {
    lexos::core::Host host(cfg);
    FAIL("started without clients");
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), Catch::Contains("requires plugin 'clients'"));
    CHECK_THAT(e.what(), Catch::Contains("plugins.enabled"));
  }
}

TEST_CASE("a firm that switches the portal module off shuts its whole portal") {
  TempDir plugins;
  TestHost t(Db::SQLite, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto staff = t.client();
  REQUIRE(staff.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  const auto client = create(staff, "/api/v1/clients", "{\"name\":\"Portal Client\",\"email\":\"pc@client.test\"}");
  t.portalUser("alpha", std::stoll(client), "active@client.test");
  REQUIRE(staff.post("/api/v1/clients/" + client + "/portal/invite", "{\"email\":\"new@client.test\"}").status == 201);
  const auto token = activationToken(latestMail(t.dir.path + "/state"));
  auto portal = t.client();
  REQUIRE(portal.login("alpha", "active@client.test", TestHost::kPassword).status == 200);
  REQUIRE(portal.get("/api/v1/portal/cases").status == 200);
  lexos::core::Accounts(*t.host).setModule("alpha", "portal", false);
  CHECK(portal.get("/api/v1/portal/cases").status == 401);
  CHECK(t.client().login("alpha", "active@client.test", TestHost::kPassword).status == 401);
  CHECK(t.client().post("/api/v1/portal/activate", "{\"token\":\"" + token + "\",\"password\":\"a long enough passphrase\"}").status == 410);
  lexos::core::Accounts(*t.host).setModule("alpha", "portal", true);
  CHECK(t.client().post("/api/v1/portal/activate", "{\"token\":\"" + token + "\",\"password\":\"a long enough passphrase\"}").status == 200);
}

TEST_CASE("archiving a client revokes its portal access at once") {
  TempDir plugins;
  TestHost t(Db::SQLite, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto staff = t.client();
  REQUIRE(staff.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  const auto client = create(staff, "/api/v1/clients", "{\"name\":\"Leaving Client\",\"email\":\"leaving@client.test\"}");
  t.portalUser("alpha", std::stoll(client), "leaving@client.test");
  auto portal = t.client();
  REQUIRE(portal.login("alpha", "leaving@client.test", TestHost::kPassword).status == 200);
  auto archived = staff.request("POST", "/api/v1/clients/" + client + "/archive", "", "text/plain");
  REQUIRE(archived.status == 200);
  CHECK(jsonField(archived.body, "portal_status") == "revoked");
  CHECK(portal.get("/api/v1/portal/cases").status == 401);
  CHECK(t.client().login("alpha", "leaving@client.test", TestHost::kPassword).status == 401);
}

TEST_CASE("a portal session of a firm whose portal module is off gets 401 everywhere, /api/v1/me included") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto staff = t.client();
  REQUIRE(staff.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  const auto client = create(staff, "/api/v1/clients", "{\"name\":\"Portal Client\",\"email\":\"pc@client.test\"}");
  const auto matter = create(staff, "/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Matter One\"}");
  t.portalUser("alpha", std::stoll(client), "pc@client.test");
  auto portal = t.client();
  REQUIRE(portal.login("alpha", "pc@client.test", TestHost::kPassword).status == 200);
  REQUIRE(portal.get("/api/v1/me").status == 200);
  REQUIRE(portal.get("/api/v1/portal/cases/" + matter).status == 200);

  lexos::core::Accounts(*t.host).setModule("alpha", "portal", false);
  CHECK(portal.get("/api/v1/me").status == 401);
  CHECK(portal.get("/api/v1/nav").status == 401);
  CHECK(portal.get("/api/v1/portal/cases").status == 401);
  CHECK(portal.get("/api/v1/portal/cases/" + matter).status == 401);
  CHECK(portal.get("/api/v1/clients").status == 401);
  // The firm's staff keep working, and that browser can still sign in as someone else.
  CHECK(staff.get("/api/v1/me").status == 200);
  CHECK(portal.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);

  auto again = t.client();
  lexos::core::Accounts(*t.host).setModule("alpha", "portal", true);
  REQUIRE(again.login("alpha", "pc@client.test", TestHost::kPassword).status == 200);
  lexos::core::Accounts(*t.host).setModule("alpha", "portal", false);
  CHECK(again.get("/api/v1/me").status == 401);
  lexos::core::Accounts(*t.host).setModule("alpha", "portal", true);
  CHECK(again.get("/api/v1/me").status == 200);
  CHECK(again.get("/api/v1/portal/cases/" + matter).status == 200);
}

TEST_CASE("a portal invitation to a non-ASCII e-mail address is refused with 400 naming the field") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto staff = t.client();
  REQUIRE(staff.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  const auto client = create(staff, "/api/v1/clients", "{\"name\":\"Zoë Ünal\"}");
  for (const char* email : {"ünïcode@exämple.com", "ünïcode@example.com", "user@exämple.com"}) {
    INFO(email);
    auto r = staff.post("/api/v1/clients/" + client + "/portal/invite", std::string("{\"email\":\"") + email + "\"}");
    CHECK(r.status == 400);
    CHECK_THAT(r.body, Catch::Contains("\"field\":\"email\""));
  }
  // Nothing was written, nothing was sent; an ASCII address still works.
  CHECK_FALSE(fs::exists(fs::path(t.dir.path) / "state" / "outbox"));
  CHECK(jsonField(staff.get("/api/v1/clients/" + client).body, "portal_status") == "none");
  auto ok = staff.post("/api/v1/clients/" + client + "/portal/invite", "{\"email\":\"zoe@example.com\"}");
  CHECK(ok.status == 201);
  CHECK_THAT(latestMail(t.dir.path + "/state"), Catch::Contains("To: <zoe@example.com>"));
}
