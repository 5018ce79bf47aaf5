// Plugin screens (SDK 1.2): views and contributions reach /api/v1/nav only for the audience,
// permission and firm switch they are meant for; /plugins/<id>/... serves a plugin's assets to
// signed-in users of firms that have the module on, and the same 404 to everyone else.
#include <catch2/catch.hpp>

#include "identity/accounts.h"
#include "test_host.h"

using lexos::test::Db;
using lexos::test::TestHost;

TEST_CASE("nav lists a plugin's views and cards for the audience and permission they name") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(lexos::test::dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("alpha", "para@alpha.test", "paralegal");
  auto owner = t.signedIn("alpha", "owner@alpha.test");
  auto nav = owner.get("/api/v1/nav");
  REQUIRE(nav.status == 200);
  CHECK_THAT(nav.body, Catch::Contains("\"route\":\"probe\""));
  CHECK_THAT(nav.body, Catch::Contains("\"src\":\"/plugins/probe/probe_view.js\""));
  CHECK_THAT(nav.body, Catch::Contains("\"route\":\"probe/{id}/edit\""));
  CHECK_THAT(nav.body, Catch::Contains("\"point\":\"staff.client.cards\""));
  CHECK_THAT(nav.body, Catch::Contains("\"src\":\"/plugins/probe/probe_card.js\""));
  // Portal-only contributions never reach a staff shell.
  CHECK_THAT(nav.body, !Catch::Contains("portal.matter.sections"));
  // A paralegal holds probe.read but not probe.write: the edit view is not offered.
  auto para = t.signedIn("alpha", "para@alpha.test");
  auto pnav = para.get("/api/v1/nav");
  CHECK_THAT(pnav.body, Catch::Contains("\"route\":\"probe\""));
  CHECK_THAT(pnav.body, !Catch::Contains("probe/{id}/edit"));
  // Anonymous: nothing.
  CHECK(t.client().get("/api/v1/nav").status == 401);
}

TEST_CASE("a plugin's assets are served to its firms and 404 to anonymous callers and to firms that switched it off") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(lexos::test::dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "a@alpha.test", "owner");
  t.staff("beta", "b@beta.test", "owner");
  auto a = t.signedIn("alpha", "a@alpha.test");
  auto b = t.signedIn("beta", "b@beta.test");

  auto ok = a.get("/plugins/probe/probe_view.js");
  REQUIRE(ok.status == 200);
  CHECK_THAT(ok.body, Catch::Contains("export function render"));
  CHECK_THAT(ok.header("content-type"), Catch::StartsWith("text/javascript"));
  CHECK(ok.header("cache-control") == "private, no-cache");
  CHECK_THAT(ok.header("content-security-policy"), Catch::Contains("default-src 'self'"));
  CHECK_FALSE(ok.header("etag").empty());

  // Anonymous, unknown plugin, the host's own id, traversal, a folder, a missing file: 404.
  CHECK(t.client().get("/plugins/probe/probe_view.js").status == 404);
  CHECK(a.get("/plugins/nosuch/probe_view.js").status == 404);
  CHECK(a.get("/plugins/core/probe_view.js").status == 404);
  CHECK(a.get("/plugins/probe/../probe/probe_view.js").status == 404);
  CHECK(a.get("/plugins/probe/%2e%2e/probe_web/probe_view.js").status == 404);
  CHECK(a.get("/plugins/probe/").status == 404);
  CHECK(a.get("/plugins/probe").status == 404);
  CHECK(a.get("/plugins/probe/missing.js").status == 404);
  CHECK(a.request("POST", "/plugins/probe/probe_view.js", "{}").status == 405);

  // Switched off for alpha: alpha's browser gets nothing of it (nav, views, cards, files);
  // beta is untouched.
  lexos::core::Accounts(*t.host).setModule("alpha", "probe", false);
  CHECK(a.get("/plugins/probe/probe_view.js").status == 404);
  CHECK_THAT(a.get("/api/v1/nav").body, !Catch::Contains("probe"));
  CHECK(b.get("/plugins/probe/probe_view.js").status == 200);
  CHECK_THAT(b.get("/api/v1/nav").body, Catch::Contains("/plugins/probe/probe_card.js"));
}

TEST_CASE("a portal user gets the portal's views and sections and no staff screens") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(lexos::test::dbName(db));
  lexos::test::TempDir plugins;
  TestHost t(db, "probe,clients,portal", "[plugins]\ndir = " + lexos::test::bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto staff = t.signedIn("alpha", "a@alpha.test");
  auto made = staff.post("/api/v1/clients", "{\"name\":\"Thomas Anderson\",\"email\":\"ta@client.test\"}");
  REQUIRE(made.status == 201);
  const auto at = made.body.find("\"id\":");
  REQUIRE(at != std::string::npos);
  t.portalUser("alpha", std::stoll(made.body.substr(at + 5)), "anderson@client.test");
  auto p = t.signedIn("alpha", "anderson@client.test");
  auto nav = p.get("/api/v1/nav");
  REQUIRE(nav.status == 200);
  CHECK_THAT(nav.body, Catch::Contains("\"point\":\"portal.matter.sections\""));
  CHECK_THAT(nav.body, !Catch::Contains("staff.client.cards"));
  CHECK_THAT(nav.body, !Catch::Contains("probe/{id}/edit"));
  CHECK(p.get("/plugins/probe/probe_card.js").status == 200);
  // The firm switches the portal off: a portal session counts for nothing, assets included.
  lexos::core::Accounts(*t.host).setModule("alpha", "portal", false);
  CHECK(p.get("/plugins/probe/probe_card.js").status == 404);
}
