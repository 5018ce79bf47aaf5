// Isolation enforced in the database, below plugin SQL: the probe plugin's handlers run
// `SELECT * FROM probe_items` with no WHERE clause, and still see only their tenant's rows.
#include <Poco/URI.h>

#include <catch2/catch.hpp>

#include "tenancy/verify.h"
#include "pg_cluster.h"
#include "test_host.h"

using namespace lexos::test;

namespace {
int countItems(const std::string& json) {
  int n = 0;
  for (std::size_t i = json.find("\"label\""); i != std::string::npos; i = json.find("\"label\"", i + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("a plugin's SELECT without WHERE sees only its firm's rows, on both backends") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "a@alpha.test", "owner");
  t.staff("beta", "b@beta.test", "owner");
  auto a = t.client();
  auto b = t.client();
  REQUIRE(a.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  REQUIRE(b.login("beta", "b@beta.test", TestHost::kPassword).status == 200);
  REQUIRE(a.request("POST", "/api/v1/probe/items?client_id=11&label=a1", "", "text/plain").status == 201);
  REQUIRE(a.request("POST", "/api/v1/probe/items?client_id=12&label=a2", "", "text/plain").status == 201);
  REQUIRE(b.request("POST", "/api/v1/probe/items?client_id=21&label=b1", "", "text/plain").status == 201);

  auto la = a.get("/api/v1/probe/items");
  REQUIRE(la.status == 200);
  CHECK(countItems(la.body) == 2);
  CHECK_THAT(la.body, !Catch::Contains("b1"));
  auto lb = b.get("/api/v1/probe/items");
  CHECK(countItems(lb.body) == 1);
  CHECK_THAT(lb.body, Catch::Contains("b1"));

  SECTION("an INSERT for another firm is refused by the database") {
    const auto betaId = jsonField(b.get("/api/v1/me").body, "id");  // any id; we need beta's firm id
    (void)betaId;
    auto firms = t.host->pool().acquire()->query("SELECT id FROM firms WHERE slug = 'beta'", {});
    const auto betaFirm = std::to_string(lexos::sdk::asInt(firms.rows.at(0).at(0)));
    auto r = a.request("POST", "/api/v1/probe/items?client_id=11&label=sneaky&firm_id=" + betaFirm, "", "text/plain");
    CHECK(r.status != 201);
    CHECK_THAT(b.get("/api/v1/probe/items").body, !Catch::Contains("sneaky"));
    CHECK(countItems(b.get("/api/v1/probe/items").body) == 1);
  }
  SECTION("an INSERT that leaves firm_id out is filled from the scope, the same on both backends") {
    // Before: SQLite's trigger filled it, PostgreSQL's NOT NULL / row-level security refused it
    // (the client saw a 404 on one backend and 201 on the other, for the same plugin SQL).
    auto r = a.request("POST", "/api/v1/probe/items?client_id=11&label=leftout&omit=1", "", "text/plain");
    CHECK(r.status == 201);
    auto la2 = a.get("/api/v1/probe/items");
    CHECK(countItems(la2.body) == 3);
    CHECK_THAT(la2.body, Catch::Contains("leftout"));
    CHECK_THAT(b.get("/api/v1/probe/items").body, !Catch::Contains("leftout"));
    auto firms = t.host->pool().acquire()->query("SELECT id FROM firms WHERE slug = 'alpha'", {});
    const auto alphaFirm = std::to_string(lexos::sdk::asInt(firms.rows.at(0).at(0)));
    CHECK_THAT(la2.body, Catch::Contains("\"firm_id\":" + alphaFirm + ",\"id\""));
  }
  SECTION("UPDATE and DELETE without WHERE reach only the firm's own rows") {
    auto del = a.request("DELETE", "/api/v1/probe/items");
    CHECK(del.status == 200);
    CHECK(jsonField(del.body, "deleted") == "2");
    CHECK(countItems(b.get("/api/v1/probe/items").body) == 1);
  }
  SECTION("renaming another firm's row by id finds nothing") {
    auto rowsB = t.host->pool().acquire();
    lexos::core::Scope scope;
    auto firms = rowsB->query("SELECT id FROM firms WHERE slug = 'beta'", {});
    scope.firm_id = lexos::sdk::asInt(firms.rows.at(0).at(0));
    rowsB->begin(false);
    rowsB->setScope(scope);
    auto items = rowsB->query("SELECT id FROM probe_items", {});
    rowsB->commit();
    REQUIRE(items.size() == 1);
    const auto bItem = std::to_string(lexos::sdk::asInt(items.rows[0][0]));
    CHECK(a.request("POST", "/api/v1/probe/items/" + bItem + "/rename?label=pwned", "", "text/plain").status == 404);
    CHECK_THAT(b.get("/api/v1/probe/items").body, !Catch::Contains("pwned"));
    CHECK(b.request("POST", "/api/v1/probe/items/" + bItem + "/rename?label=mine", "", "text/plain").status == 200);
  }
}

TEST_CASE("plugin SQL cannot reach around the scoping to the stored tables, on both backends") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto a = t.client();
  REQUIRE(a.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  if (db == Db::SQLite) {
    for (const char* sql : {"SELECT * FROM lexos_t_probe_items", "SELECT * FROM main.lexos_t_probe_items",
                            "ATTACH DATABASE ':memory:' AS x", "PRAGMA writable_schema = 1",
                            "DROP VIEW probe_items", "COMMIT"}) {
      INFO(sql);
      std::string enc;
      Poco::URI::encode(sql, "&=?+ ", enc);
      auto r = a.get("/api/v1/probe/raw?sql=" + enc);
      CHECK_THAT(r.body, Catch::Contains("\"refused\":true"));
    }
  } else {
    // Session-level settings made by plugin SQL must not survive into later requests, and DDL
    // on the tables is refused to the runtime role.
    t.firm("beta");
    t.staff("beta", "b@beta.test", "owner");
    auto b = t.client();
    REQUIRE(b.login("beta", "b@beta.test", TestHost::kPassword).status == 200);
    REQUIRE(b.request("POST", "/api/v1/probe/items?client_id=5&label=beta-secret", "", "text/plain").status == 201);
    auto firms = t.host->pool().acquire()->query("SELECT id FROM firms WHERE slug = 'beta'", {});
    const std::string beta = std::to_string(lexos::sdk::asInt(firms.rows.at(0).at(0)));
    for (const std::string& sql : std::vector<std::string>{"ALTER TABLE probe_items DISABLE ROW LEVEL SECURITY", "SET row_security = off",
                                  "SELECT set_config('lexos.firm_id', '" + beta + "', false)", "SET SESSION AUTHORIZATION lexos_owner",
                                  "SET ROLE lexos_owner"}) {
      INFO(sql);
      std::string enc;
      Poco::URI::encode(sql, "&=?+ ", enc);
      auto r = a.get("/api/v1/probe/raw?sql=" + enc);
      CHECK_THAT(r.body, !Catch::Contains("beta-secret"));
      if (sql.rfind("ALTER", 0) == 0 || sql.rfind("SET SESSION", 0) == 0 || sql.rfind("SET ROLE", 0) == 0)
        CHECK_THAT(r.body, Catch::Contains("\"refused\":true"));
      for (int i = 0; i < 10; ++i) {  // every pooled connection the next requests may get
        auto after = t.client().get("/api/v1/probe/items");
        CHECK(after.status == 401);
        auto own = a.get("/api/v1/probe/items");
        CHECK(own.status == 200);
        CHECK_THAT(own.body, !Catch::Contains("beta-secret"));
      }
    }
  }
}

TEST_CASE("a portal user sees only their own client's visible rows and nothing firm-internal") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  t.portalUser("alpha", 11, "anderson@client.test");
  auto staff = t.client();
  REQUIRE(staff.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  for (auto q : {"client_id=11&visible=1&label=mine-visible", "client_id=11&visible=0&label=mine-hidden",
                 "client_id=12&visible=1&label=other-visible"})
    REQUIRE(staff.request("POST", std::string("/api/v1/probe/items?") + q, "", "text/plain").status == 201);
  auto portal = t.client();
  REQUIRE(portal.login("alpha", "anderson@client.test", TestHost::kPassword).status == 200);
  auto items = portal.get("/api/v1/portal/probe/items");
  REQUIRE(items.status == 200);
  CHECK(countItems(items.body) == 1);
  CHECK_THAT(items.body, Catch::Contains("mine-visible"));
  CHECK_THAT(items.body, !Catch::Contains("mine-hidden"));
  CHECK_THAT(items.body, !Catch::Contains("other-visible"));
  auto notes = portal.get("/api/v1/portal/probe/notes");
  CHECK(notes.status == 200);
  CHECK(notes.body == "{\"items\":[]}");
  auto write = portal.request("POST", "/api/v1/portal/probe/items", "", "text/plain");
  CHECK(write.status != 201);
  CHECK(countItems(staff.get("/api/v1/probe/items").body) == 3);
  CHECK(portal.get("/api/v1/probe/items").status == 403);
}

TEST_CASE("lexosd refuses to serve when a tenant table lacks forced row-level security") {
  TempDir dir;
  {
    TestHost t(Db::PostgreSQL);
    auto owner = lexos::core::openConnection(pgCluster().owner, nullptr);
    owner->executeScript("ALTER TABLE probe_items NO FORCE ROW LEVEL SECURITY");
    auto lease = t.host->pool().acquire();
    try {
      lexos::core::verifyTenancy(*lease, t.host->registry());
      FAIL("verifyTenancy accepted a table without FORCE ROW LEVEL SECURITY");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("probe_items"));
      CHECK_THAT(e.what(), Catch::Contains("ROW LEVEL SECURITY"));
    }
    owner->executeScript("ALTER TABLE probe_items FORCE ROW LEVEL SECURITY");
    CHECK_NOTHROW(lexos::core::verifyTenancy(*lease, t.host->registry()));
  }
}

TEST_CASE("lexosd refuses to serve with a database role that owns the tables") {
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::PostgreSQL, "probe"), {});
  auto owner = lexos::core::openConnection(pgCluster().owner, nullptr);
  {
    lexos::core::Host host(cfg);
    host.prepareDatabase();
  }
  // Serving as the owner role is refused: it owns the tables.
  cfg.database_url = pgCluster().owner;
  lexos::core::Host host(cfg);
  try {
    host.prepareDatabase();
    FAIL("served with the table owner's role");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("owns table"));
  }
}

TEST_CASE("the audit log is append-only for plugin SQL on both backends") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto a = t.client();
  REQUIRE(a.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  // The REPLACE forms would delete the row at an existing seq inside the view's INSERT trigger
  // on SQLite (the trigger's INSERT takes the outer conflict policy); PostgreSQL has no such
  // syntax.
  for (const char* sql : {"DELETE FROM audit_log", "UPDATE audit_log SET actor = 'nobody'",
                          "INSERT OR REPLACE INTO audit_log (firm_id, seq, at, actor, action, object_type, object_id, "
                          "address, request_id, detail, prev_hash, hash) VALUES (lexos_firm(), 1, 'x', 'nobody', "
                          "'forged', '', '', '', '', '', 'x', 'x')",
                          "REPLACE INTO audit_log (firm_id, seq, at, actor, action, object_type, object_id, address, "
                          "request_id, detail, prev_hash, hash) VALUES (lexos_firm(), 1, 'x', 'nobody', 'forged', '', "
                          "'', '', '', '', 'x', 'x')",
                          "UPDATE OR REPLACE audit_log SET seq = 1"}) {
    INFO(sql);
    std::string enc;
    Poco::URI::encode(sql, "&=?+ ", enc);
    CHECK_THAT(a.get("/api/v1/probe/raw?sql=" + enc).body, Catch::Contains("\"refused\":true"));
  }
  const auto log = a.get("/api/v1/audit").body;
  CHECK_THAT(log, Catch::Contains("login.success"));
  CHECK_THAT(log, !Catch::Contains("forged"));
}

TEST_CASE("lexosd refuses to serve while a table that no plugin declared exists") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  auto owner = t.host->ownerConnection();
  owner->executeScript("CREATE TABLE stray_notes (firm_id BIGINT, note TEXT)");
  auto lease = t.host->pool().acquire();
  try {
    lexos::core::verifyTenancy(*lease, t.host->registry());
    FAIL("an undeclared table was accepted");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("stray_notes") && Catch::Contains("not declared"));
  }
}
