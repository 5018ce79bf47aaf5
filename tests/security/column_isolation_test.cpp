// Column isolation (issue 16): inside a client's own rows, the staff-only fields stay out of a
// portal session's reach below any plugin SQL. A portal handler of the probe plugin runs SELECT *
// on every client-owned and firm-shared table of the loaded modules, and joins, subqueries and
// CTEs over them; every staff-only field was first set to a marker; no marker comes back, and
// every staff-only column reads as NULL, while the same statements in a staff scope return them.
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <catch2/catch.hpp>

#include "app/host.h"
#include "schema/migrator.h"
#include "tenancy/verify.h"
#include "identity/accounts.h"
#include "plugins/registry.h"
#include "tenancy/tenancy_sql.h"
#include "test_host.h"

using namespace lexos::test;
namespace core = lexos::core;
namespace sdk = lexos::sdk;

namespace {

constexpr const char* kMarker = "STAFF-ONLY-7f3a";
constexpr std::int64_t kNumberMarker = 7300000000731;

std::string idOf(const HttpResult& r) {
  REQUIRE((r.status == 201 || r.status == 200));
  return jsonField(r.body, "id");
}

std::string raw(HttpClient& c, const std::string& route, const std::string& sql) {
  std::string q;
  Poco::URI::encode(sql, "&=+?#;/%", q);
  auto r = c.get(route + "?sql=" + q);
  REQUIRE(r.status == 200);
  return r.body;
}

Poco::JSON::Array::Ptr items(const std::string& body) {
  auto v = Poco::JSON::Parser().parse(body);
  auto o = v.extract<Poco::JSON::Object::Ptr>();
  REQUIRE_FALSE(o->has("refused"));
  return o->getArray("items");
}

struct Fixture {
  explicit Fixture(Db db)
      : db(db), t(db, "probe,clients,cases,portal,documents,schedules", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n") {
    t.firm("alpha");
    t.staff("alpha", "owner@alpha.test", "owner");
    staff = std::make_unique<HttpClient>(t.signedIn("alpha", "owner@alpha.test"));
    client = idOf(staff->post("/api/v1/clients",
                              R"({"name":"Thomas Anderson","email":"ta@client.test","phone":"+1 212 555 0100",)"
                              R"("notes":"Difficult about fees","billing":{"email":"ap@client.test","currency":"USD"}})"));
    const auto kase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + client +
                                                           R"(,"title":"Anderson v. Metacortex","description":"Weak on damages"})"));
    REQUIRE(staff->post("/api/v1/cases/" + kase + "/updates", R"({"text":"Filed the complaint","client_visible":true})").status == 201);
    // A document shared with the client: its staff-only fields (folder, the firm's own name for
    // it, the share's settings) must not reach the portal either.
    const auto doc = idOf(staff->request("POST", "/api/v1/cases/" + kase + "/documents?name=Complaint.txt&folder=Drafts",
                                         "The complaint\n", "text/plain"));
    REQUIRE(staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest"})").status == 200);
    // An event shared with the client: its notes, reminder and authors stay staff-only.
    REQUIRE(staff->post("/api/v1/cases/" + kase + "/events",
                        R"({"title":"Motion hearing","kind":"hearing","starts_at":"2030-03-12T09:30",)"
                        R"("client_visible":true,"notes":"Judge dislikes long briefs","reminder_minutes":60})").status == 201);
    t.portalUser("alpha", std::stoll(client), "anderson@client.test");
    portal = std::make_unique<HttpClient>(t.signedIn("alpha", "anderson@client.test"));
    markStaffOnlyFields();
  }

  // Every staff-only field of every client-owned and firm-shared table gets a marker (text, or a
  // number for number columns; a column whose CHECK refuses both keeps its value, and the NULL
  // check below still covers it).
  void markStaffOnlyFields() {
    auto conn = t.host->pool().acquire();
    auto firm = conn->query("SELECT id FROM firms WHERE slug = 'alpha'", {});
    const std::int64_t firmId = sdk::asInt(firm.rows.at(0).at(0));
    for (const auto& e : t.host->registry().tables()) {
      if (e.table.tenancy == sdk::Tenancy::Firm) continue;
      conn->begin(false);
      conn->setScope({firmId, 0});
      const auto columns = conn->query("SELECT * FROM " + core::quoteIdent(e.table.name) + " LIMIT 0", {}).columns;
      conn->commit();
      for (const auto& col : columns) {
        if (core::portalReadable(e, col)) continue;
        staffOnly[e.table.name].push_back(col);
        for (const sdk::Value& v : {sdk::Value(std::string(kMarker)), sdk::Value(kNumberMarker)}) {
          try {
            conn->begin(true);
            conn->setScope({firmId, 0});
            conn->execute("UPDATE " + core::quoteIdent(e.table.name) + " SET " + core::quoteIdent(col) + " = $1", {v});
            conn->commit();
            break;
          } catch (const std::exception&) {
            if (conn->inTransaction()) conn->rollback();
          }
        }
      }
    }
    REQUIRE(staffOnly.count("clients"));
    REQUIRE(staffOnly.count("cases"));
    REQUIRE(staffOnly.count("documents"));
    REQUIRE(staffOnly.count("schedule_events"));
  }

  Db db;
  TempDir plugins;
  TestHost t;
  std::unique_ptr<HttpClient> staff, portal;
  std::string client;
  std::map<std::string, std::vector<std::string>> staffOnly;  // table -> its staff-only columns
};

bool hasMarker(const std::string& body) {
  return body.find(kMarker) != std::string::npos || body.find(std::to_string(kNumberMarker)) != std::string::npos;
}

}  // namespace

TEST_CASE("a portal scope's SELECT * on every client-owned table returns no staff-only value, a staff scope's does") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Fixture f(db);
  for (const auto& [table, cols] : f.staffOnly) {
    INFO("table " << table);
    const std::string sql = "SELECT * FROM " + table;
    const std::string asPortal = raw(*f.portal, "/api/v1/portal/probe/raw", sql);
    CHECK_FALSE(hasMarker(asPortal));
    for (std::size_t i = 0; i < items(asPortal)->size(); ++i) {
      auto row = items(asPortal)->getObject(static_cast<unsigned>(i));
      for (const auto& col : cols) {
        INFO("column " << col);
        CHECK(row->isNull(col));
      }
    }
    const std::string asStaff = raw(*f.staff, "/api/v1/probe/raw", sql);
    CHECK(items(asStaff)->size() >= items(asPortal)->size());
  }
  // The marked fields are really there for staff (the test would pass vacuously otherwise).
  CHECK(hasMarker(raw(*f.staff, "/api/v1/probe/raw", "SELECT notes, billing_email FROM clients")));
  CHECK(hasMarker(raw(*f.staff, "/api/v1/probe/raw", "SELECT description FROM cases")));
  // And the portal sees its own rows (isolation did not just empty the tables).
  CHECK_THAT(raw(*f.portal, "/api/v1/portal/probe/raw", "SELECT * FROM clients"), Catch::Contains("Thomas Anderson"));
  CHECK_THAT(raw(*f.portal, "/api/v1/portal/probe/raw", "SELECT * FROM cases"), Catch::Contains("Anderson v. Metacortex"));
  CHECK_THAT(raw(*f.portal, "/api/v1/portal/probe/raw", "SELECT * FROM document_versions"), Catch::Contains("Complaint.txt"));
}

TEST_CASE("joins, subqueries, CTEs and aggregates in a portal scope reach no staff-only value") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Fixture f(db);
  const std::vector<std::string> statements = {
      "SELECT * FROM clients c JOIN cases k ON k.client_id = c.id JOIN case_updates u ON u.case_id = k.id",
      "SELECT * FROM cases k LEFT JOIN clients c ON c.id = k.client_id LEFT JOIN case_phase_labels p ON p.phase = k.phase",
      "SELECT c.notes, c.billing_email, k.description, k.responsible_user_id FROM clients c, cases k",
      "SELECT (SELECT notes FROM clients LIMIT 1) AS n, (SELECT description FROM cases LIMIT 1) AS d",
      "WITH x AS (SELECT * FROM clients) SELECT * FROM x",
      "SELECT notes AS v FROM clients UNION ALL SELECT description FROM cases UNION ALL SELECT billing_tax_id FROM clients",
      "SELECT max(notes) AS a, min(billing_email) AS b, count(notes) AS n FROM clients",
      "SELECT * FROM clients WHERE notes LIKE '%STAFF%'",
      "SELECT id FROM clients WHERE notes = 'STAFF-ONLY-7f3a'",
  };
  for (const auto& sql : statements) {
    INFO(sql);
    const std::string asPortal = raw(*f.portal, "/api/v1/portal/probe/raw", sql);
    CHECK_FALSE(hasMarker(asPortal));
    // A filter on a staff-only field finds nothing (it reads NULL): no oracle either.
    if (sql.find("WHERE notes") != std::string::npos) CHECK(items(asPortal)->size() == 0);
    const std::string asStaff = raw(*f.staff, "/api/v1/probe/raw", sql);
    INFO("staff: " << asStaff.substr(0, 600));
    if (sql.find("SELECT id") == std::string::npos) CHECK(hasMarker(asStaff));
    else CHECK(items(asStaff)->size() == 1);  // the staff scope finds the row by its notes
  }
  CHECK(items(raw(*f.portal, "/api/v1/portal/probe/raw", "SELECT count(notes) AS n FROM clients"))->getObject(0)->getValue<int>("n") == 0);
}

TEST_CASE("a portal scope cannot go around the column projection to the tables themselves") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Fixture f(db);
  if (db == Db::PostgreSQL) {
    // The table itself, by its schema: its policies give a portal scope no rows.
    auto direct = raw(*f.portal, "/api/v1/portal/probe/raw", "SELECT * FROM public.clients");
    CHECK(items(direct)->size() == 0);
    CHECK_FALSE(hasMarker(direct));
    // Changing the search path in the statement's transaction: the same.
    auto moved = raw(*f.portal, "/api/v1/portal/probe/raw",
                     "SELECT set_config('search_path', 'public', true) AS p, c.* FROM public.clients c");
    CHECK_FALSE(hasMarker(moved));
  } else {
    // The stored table: refused by the authorizer.
    auto stored = f.portal->get("/api/v1/portal/probe/raw?sql=SELECT%20*%20FROM%20lexos_t_clients");
    CHECK_THAT(stored.body, Catch::Contains("\"refused\":true"));
  }
  // The existing portal screens' answers still carry what the client may see.
  auto matters = f.portal->get("/api/v1/portal/cases");
  REQUIRE(matters.status == 200);
  CHECK_THAT(matters.body, Catch::Contains("Anderson v. Metacortex"));
  CHECK_THAT(matters.body, Catch::Contains("Filed the complaint"));
  CHECK_FALSE(hasMarker(matters.body));
}

TEST_CASE("start-up refuses a database whose portal projection shows an undeclared column, naming table and column") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "probe,clients", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  auto lease = t.host->pool().acquire();
  CHECK_NOTHROW(core::verifyTenancy(*lease, t.host->registry()));
  // Someone widens the projection by hand (or a build that did not know the rule left it so).
  auto owner = core::openConnection(db == Db::SQLite ? t.host->config().database_url : t.host->config().migration_url, nullptr);
  if (db == Db::SQLite) {
    owner->executeScript("DROP VIEW clients");
    owner->executeScript("CREATE VIEW clients AS SELECT * FROM lexos_t_clients WHERE firm_id = lexos_firm()");
  } else {
    owner->executeScript("DROP VIEW lexos_portal.clients");
    owner->executeScript("CREATE VIEW lexos_portal.clients AS SELECT * FROM public.clients");
  }
  try {
    core::verifyTenancy(*lease, t.host->registry());
    FAIL("verifyTenancy accepted a portal projection that shows staff-only columns");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("table 'clients' (plugin clients) shows column '"));
    CHECK_THAT(e.what(), Catch::Contains("to portal sessions"));
    CHECK_THAT(e.what(), Catch::Contains("lexosctl migrate"));
  }
  // lexosctl migrate (the migrator) puts it right.
  core::Migrator m(t.host->registry(), db == Db::SQLite ? t.host->config().database_url : t.host->config().migration_url,
                   t.host->config().database_url);
  m.migrate();
  CHECK_NOTHROW(core::verifyTenancy(*lease, t.host->registry()));
}

TEST_CASE("a policy added by hand that lets a portal scope read a table itself is refused at start") {
  TestHost t(Db::PostgreSQL);
  auto owner = core::openConnection(t.host->config().migration_url, nullptr);
  owner->executeScript("CREATE POLICY sneaky ON probe_items FOR SELECT USING (true)");
  auto lease = t.host->pool().acquire();
  try {
    core::verifyTenancy(*lease, t.host->registry());
    FAIL("verifyTenancy accepted a foreign policy");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("table 'probe_items' (plugin probe) has policy 'sneaky'"));
  }
}

TEST_CASE("a portal insert policy on a table its plugin did not declare portal-insertable is refused at start") {
  TestHost t(Db::PostgreSQL);
  // The name LexOS gives the policy of an addPortalInsert table (SDK 1.6), on a table without it.
  auto owner = core::openConnection(t.host->config().migration_url, nullptr);
  owner->executeScript("CREATE POLICY lexos_portal_insert ON probe_items FOR INSERT TO CURRENT_USER WITH CHECK (true)");
  auto lease = t.host->pool().acquire();
  try {
    core::verifyTenancy(*lease, t.host->registry());
    FAIL("verifyTenancy accepted a portal insert policy nobody declared");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("table 'probe_items' (plugin probe) has policy 'lexos_portal_insert'"));
  }
}

TEST_CASE("a migration's per-firm data step runs once for each firm with that firm's scope") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir dir;
  const std::string file = writeConfig(dir.path, db, "stepper", "[plugin.stepper]\nmigrations = 1\n");
  std::string alphaFirm, betaFirm;
  {
    core::Host host(core::Config::load(file, {}));
    host.prepareDatabase();
    core::Accounts acc(host);
    alphaFirm = std::to_string(acc.createFirm("alpha", "Alpha"));
    betaFirm = std::to_string(acc.createFirm("beta", "Beta"));
    for (const auto& [firm, label] : std::vector<std::pair<std::string, std::string>>{
             {alphaFirm, "a1"}, {alphaFirm, "a2"}, {betaFirm, "b1"}}) {
      auto c = host.pool().acquire();
      c->begin(true);
      c->setScope({std::stoll(firm), 0});
      c->execute("INSERT INTO stepper_rows (id, client_id, label) VALUES ($1, 1, $2)", {c->newId(), label});
      c->commit();
    }
  }
  {
    core::Host host(core::Config::load(file, {{"LEXOS_PLUGIN_STEPPER_MIGRATIONS", "2"}}));
    auto applied = host.prepareDatabase();
    REQUIRE(applied.size() == 1);
    CHECK(applied[0] == "stepper v2 firm tag");
    auto c = host.pool().acquire();
    for (const auto& [firm, want] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {alphaFirm, {"firm " + alphaFirm + " a1", "firm " + alphaFirm + " a2"}}, {betaFirm, {"firm " + betaFirm + " b1"}}}) {
      c->begin(false);
      c->setScope({std::stoll(firm), 0});
      auto rs = c->query("SELECT tag FROM stepper_rows ORDER BY label", {});
      c->commit();
      std::vector<std::string> got;
      for (const auto& r : rs.rows) got.push_back(sdk::asText(r[0]));
      CHECK(got == want);
    }
  }
}

TEST_CASE("a row whose portal expiry has passed is out of a portal scope's reach whatever the SQL, and a staff scope still reads it") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir dir;
  const std::string file = writeConfig(dir.path, db, "stepper", "");
  core::Host host(core::Config::load(file, {}));
  host.prepareDatabase();
  core::Accounts acc(host);
  const auto firm = acc.createFirm("alpha", "Alpha");
  const std::string past = "2020-01-01T00:00:00Z", future = "2999-01-01T00:00:00Z";
  struct Row {
    const char* label;
    std::int64_t client;
    bool active;
    std::string expires;  // empty: NULL
  };
  const std::vector<Row> rows = {{"open", 1, true, ""},        {"future", 1, true, future}, {"expired", 1, true, past},
                                 {"revoked", 1, false, future}, {"other", 2, true, ""},      {"other-expired", 2, true, past}};
  {
    auto c = host.pool().acquire();
    c->begin(true);
    c->setScope({firm, 0});
    for (const auto& r : rows)
      c->execute("INSERT INTO stepper_shares (id, client_id, label, active, expires_at) VALUES ($1, $2, $3, $4, $5)",
                 {c->newId(), r.client, std::string(r.label), r.active,
                  r.expires.empty() ? sdk::Value(nullptr) : sdk::Value(r.expires)});
    c->commit();
  }
  auto labels = [&](core::Scope scope, const std::string& sql) {
    auto c = host.pool().acquire();
    c->begin(false);
    c->setScope(scope);
    auto rs = c->query(sql, {});
    c->commit();
    std::vector<std::string> out;
    for (const auto& r : rs.rows) out.push_back(sdk::asText(r[0]));
    return out;
  };
  const std::string all = "SELECT label FROM stepper_shares ORDER BY label";
  CHECK(labels({firm, 1}, all) == std::vector<std::string>{"future", "open"});
  CHECK(labels({firm, 2}, all) == std::vector<std::string>{"other"});
  // Asking for the expired rows by name, by time or through a subquery finds nothing.
  CHECK(labels({firm, 1}, "SELECT label FROM stepper_shares WHERE expires_at < '2021-01-01' OR label = 'expired'").empty());
  CHECK(labels({firm, 1}, "SELECT label FROM (SELECT * FROM stepper_shares) s WHERE s.label IN ('expired', 'revoked')").empty());
  // The expiry column is readable in a portal scope (the portal shows "shared until").
  CHECK(labels({firm, 1}, "SELECT coalesce(expires_at, '-') FROM stepper_shares ORDER BY label") ==
        std::vector<std::string>{future, "-"});
  // Staff read every row.
  CHECK(labels({firm, 0}, all).size() == rows.size());
}

TEST_CASE("a LexOS policy widened by hand is refused at start like a foreign one") {
  TestHost t(Db::PostgreSQL);
  auto owner = core::openConnection(t.host->config().migration_url, nullptr);
  // Same name, wider reach: every command, every row.
  owner->executeScript("DROP POLICY lexos_portal_read ON probe_items");
  owner->executeScript("CREATE POLICY lexos_portal_read ON probe_items FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true)");
  auto lease = t.host->pool().acquire();
  try {
    core::verifyTenancy(*lease, t.host->registry());
    FAIL("verifyTenancy accepted a widened lexos_portal_read");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("table 'probe_items' (plugin probe) has policy 'lexos_portal_read'"));
  }
  // The staff write policy with its check dropped to true.
  owner->executeScript("DROP POLICY lexos_portal_read ON probe_items");
  owner->executeScript("DROP POLICY lexos_write ON probe_items");
  owner->executeScript("CREATE POLICY lexos_write ON probe_items FOR ALL USING (firm_id = lexos_firm() AND lexos_client() IS NULL) "
                       "WITH CHECK (true)");
  try {
    core::verifyTenancy(*lease, t.host->registry());
    FAIL("verifyTenancy accepted a lexos_write without its check");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("has policy 'lexos_write'"));
  }
}
