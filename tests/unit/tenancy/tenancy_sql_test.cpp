// The tenancy SQL, as text: what the migrator puts in the database for a declared table.
#include <catch2/catch.hpp>

#include "plugins/registry.h"
#include "tenancy/tenancy_sql.h"

using namespace lexos;
using core::ColumnInfo;
using core::TableEntry;

namespace {
TableEntry clientTable() {
  TableEntry e;
  e.plugin = "crm";
  e.table = {"dossiers", sdk::Tenancy::Client, "client_id", "shared", {"firm_id", "id"}};
  e.portal_columns = {"title"};
  e.portal_declared = true;
  return e;
}
const std::vector<ColumnInfo> kColumns = {{"firm_id", "", "bigint"},  {"id", "", "bigint"},
                                          {"client_id", "", "bigint"}, {"shared", "0", "boolean"},
                                          {"title", "", "text"},       {"notes", "''", "text"},
                                          {"fee_minor", "", "bigint"}};
}  // namespace

TEST_CASE("read predicates: firm tables for staff only, client tables for the client's own visible rows") {
  auto e = clientTable();
  CHECK(core::readPredicate(e) ==
        "firm_id = lexos_firm() AND (lexos_client() IS NULL OR (\"client_id\" = lexos_client() AND \"shared\"))");
  e.table.tenancy = sdk::Tenancy::Firm;
  CHECK(core::readPredicate(e) == "firm_id = lexos_firm() AND lexos_client() IS NULL");
  e.table.tenancy = sdk::Tenancy::FirmShared;
  CHECK(core::readPredicate(e) == "firm_id = lexos_firm()");
  CHECK(core::writePredicate() == "firm_id = lexos_firm() AND lexos_client() IS NULL");
}

TEST_CASE("a portal scope reads the keys and the declared columns, nothing of a firm table") {
  auto e = clientTable();
  for (const char* c : {"firm_id", "id", "client_id", "shared", "title"}) CHECK(core::portalReadable(e, c));
  for (const char* c : {"notes", "fee_minor", "other"}) CHECK_FALSE(core::portalReadable(e, c));
  e.table.tenancy = sdk::Tenancy::Firm;
  CHECK_FALSE(core::portalReadable(e, "title"));
  CHECK_FALSE(core::portalReadable(e, "id"));
  // Undeclared: keys only.
  auto bare = clientTable();
  bare.portal_columns.clear();
  bare.portal_declared = false;
  CHECK(core::portalReadable(bare, "id"));
  CHECK_FALSE(core::portalReadable(bare, "title"));
}

TEST_CASE("declared portal columns the table lacks are named") {
  auto e = clientTable();
  e.portal_columns = {"title", "subject", "notes"};
  CHECK(core::unknownPortalColumns(e, kColumns) == std::vector<std::string>{"subject"});
}

TEST_CASE("the SQLite view projects staff-only columns as NULL in a portal scope") {
  CHECK(core::sqliteViewSql(clientTable(), kColumns) ==
        "CREATE VIEW \"dossiers\" AS SELECT \"firm_id\", \"id\", \"client_id\", \"shared\", \"title\", "
        "CASE WHEN lexos_client() IS NULL THEN \"notes\" END AS \"notes\", "
        "CASE WHEN lexos_client() IS NULL THEN \"fee_minor\" END AS \"fee_minor\" "
        "FROM \"lexos_t_dossiers\" WHERE firm_id = lexos_firm() AND (lexos_client() IS NULL OR "
        "(\"client_id\" = lexos_client() AND \"shared\"))");
  auto firmOnly = clientTable();
  firmOnly.table.tenancy = sdk::Tenancy::Firm;  // no portal scope reads a row: no projection needed
  CHECK_THAT(core::sqliteViewSql(firmOnly, kColumns), Catch::StartsWith("CREATE VIEW \"dossiers\" AS SELECT \"firm_id\", "
                                                                        "\"id\", \"client_id\", \"shared\", \"title\", \"notes\", \"fee_minor\" FROM"));
}

TEST_CASE("the SQLite triggers fill firm_id and defaults, refuse other firms and portal writes") {
  auto sql = core::sqliteTriggerSql(clientTable(), kColumns, {"firm_id", "id"}, false);
  REQUIRE(sql.size() == 3);
  CHECK_THAT(sql[0], Catch::StartsWith("CREATE TRIGGER \"lexos_ins_dossiers\" INSTEAD OF INSERT ON \"dossiers\""));
  CHECK_THAT(sql[0], Catch::Contains("coalesce(NEW.firm_id, lexos_firm()) IS lexos_firm() AND lexos_client() IS NULL AND lexos_firm() IS NOT NULL"));
  CHECK_THAT(sql[0], Catch::Contains("VALUES (coalesce(NEW.firm_id, lexos_firm()), NEW.\"id\", NEW.\"client_id\", "
                                     "coalesce(NEW.\"shared\", 0), NEW.\"title\", coalesce(NEW.\"notes\", ''), NEW.\"fee_minor\")"));
  CHECK_THAT(sql[1], Catch::Contains("WHERE \"firm_id\" = OLD.\"firm_id\" AND \"id\" = OLD.\"id\""));
  CHECK_THAT(sql[2], Catch::Contains("WHERE NOT (lexos_client() IS NULL); DELETE FROM \"lexos_t_dossiers\""));
  auto log = core::sqliteTriggerSql(clientTable(), kColumns, {"firm_id", "id"}, true);
  REQUIRE(log.size() == 3);
  CHECK_THAT(log[1], Catch::Contains("RAISE(ABORT, 'lexos: dossiers is append-only')"));
  CHECK_THAT(log[2], Catch::Contains("RAISE(ABORT, 'lexos: dossiers is append-only')"));
}

TEST_CASE("PostgreSQL: forced row-level security, staff reads for every role, portal reads only through the owner's view") {
  auto sql = core::pgTableSql(clientTable());
  auto has = [&](const std::string& s) { return std::find(sql.begin(), sql.end(), s) != sql.end(); };
  CHECK(has("ALTER TABLE \"dossiers\" FORCE ROW LEVEL SECURITY"));
  CHECK(has("CREATE POLICY lexos_read ON \"dossiers\" FOR SELECT USING (firm_id = lexos_firm() AND lexos_client() IS NULL)"));
  CHECK(has("CREATE POLICY lexos_portal_read ON \"dossiers\" FOR SELECT TO CURRENT_USER USING (" +
            core::readPredicate(clientTable()) + ")"));
  CHECK(has("CREATE TRIGGER lexos_fill_firm BEFORE INSERT ON \"dossiers\" FOR EACH ROW EXECUTE FUNCTION lexos_fill_firm()"));
  auto firmOnly = clientTable();
  firmOnly.table.tenancy = sdk::Tenancy::Firm;
  auto fsql = core::pgTableSql(firmOnly);
  CHECK(std::none_of(fsql.begin(), fsql.end(), [](const std::string& s) { return s.rfind("CREATE POLICY lexos_portal_read", 0) == 0; }));

  auto view = core::pgPortalViewSql(clientTable(), kColumns);
  REQUIRE(view.size() == 2);
  CHECK(view[0] == "DROP VIEW IF EXISTS lexos_portal.\"dossiers\"");
  CHECK(view[1] == "CREATE VIEW lexos_portal.\"dossiers\" WITH (security_barrier) AS SELECT \"firm_id\", \"id\", "
                   "\"client_id\", \"shared\", \"title\", NULL::text AS \"notes\", NULL::bigint AS \"fee_minor\" "
                   "FROM public.\"dossiers\"");
  CHECK(core::pgPortalViewSql(firmOnly, kColumns).size() == 1);  // only the DROP
}

TEST_CASE("a table declared with addPortalInsert takes a portal scope's rows of its own client only, keys and portal columns only") {
  auto e = clientTable();
  e.portal_insert = true;
  auto sql = core::sqliteTriggerSql(e, kColumns, {"firm_id", "id"}, false);
  REQUIRE(sql.size() == 3);
  CHECK_THAT(sql[0], Catch::Contains("coalesce(NEW.firm_id, lexos_firm()) IS lexos_firm() AND (lexos_client() IS NULL OR "
                                     "(lexos_client() IS NOT NULL AND NEW.\"client_id\" IS lexos_client() AND "
                                     "NEW.\"shared\" IS TRUE AND NEW.\"notes\" IS NULL AND NEW.\"fee_minor\" IS NULL)) AND "
                                     "lexos_firm() IS NOT NULL"));
  // Updates and deletes stay staff-only.
  CHECK_THAT(sql[1], Catch::Contains("WHERE NOT (NEW.firm_id IS lexos_firm() AND lexos_client() IS NULL)"));
  CHECK_THAT(sql[2], Catch::Contains("WHERE NOT (lexos_client() IS NULL)"));
  auto pg = core::pgTableSql(e);
  CHECK(std::find(pg.begin(), pg.end(),
                  "CREATE POLICY lexos_portal_insert ON \"dossiers\" FOR INSERT TO CURRENT_USER WITH CHECK (firm_id = "
                  "lexos_firm() AND lexos_client() IS NOT NULL AND \"client_id\" = lexos_client() AND \"shared\" IS TRUE)") !=
        pg.end());
  // Without the declaration: no portal insert on either backend.
  auto plain = core::pgTableSql(clientTable());
  CHECK(std::none_of(plain.begin(), plain.end(), [](const std::string& s) { return s.rfind("CREATE POLICY lexos_portal_insert", 0) == 0; }));
  CHECK_THAT(core::sqliteTriggerSql(clientTable(), kColumns, {"firm_id", "id"}, false)[0],
             !Catch::Contains("lexos_client() IS NOT NULL"));
}

TEST_CASE("identifiers are quoted, embedded quotes doubled") {
  CHECK(core::quoteIdent("a\"b") == "\"a\"\"b\"");
}

// The portal read cache's invalidation (http/read_cache.h): portal keys are negative ids.
TEST_CASE("SQLite: writes to the stored table announce the portal key of the old and new client, firm-shared rows the firm") {
  auto e = clientTable();
  const auto sql = core::sqlitePortalChangeSql(e);
  REQUIRE(sql.size() == 6);
  CHECK(sql[0] == "DROP TRIGGER IF EXISTS \"lexos_portal_i_dossiers\"");
  CHECK(sql[3] ==
        "CREATE TRIGGER \"lexos_portal_i_dossiers\" AFTER INSERT ON \"lexos_t_dossiers\" BEGIN "
        "SELECT lexos_guard_changed(-NEW.\"client_id\") WHERE NEW.\"client_id\" IS NOT NULL; END");
  CHECK(sql[4] ==
        "CREATE TRIGGER \"lexos_portal_u_dossiers\" AFTER UPDATE ON \"lexos_t_dossiers\" BEGIN "
        "SELECT lexos_guard_changed(-OLD.\"client_id\") WHERE OLD.\"client_id\" IS NOT NULL; "
        "SELECT lexos_guard_changed(-NEW.\"client_id\") WHERE NEW.\"client_id\" IS NOT NULL AND "
        "NEW.\"client_id\" IS NOT OLD.\"client_id\"; END");
  CHECK(sql[5] ==
        "CREATE TRIGGER \"lexos_portal_d_dossiers\" AFTER DELETE ON \"lexos_t_dossiers\" BEGIN "
        "SELECT lexos_guard_changed(-OLD.\"client_id\") WHERE OLD.\"client_id\" IS NOT NULL; END");
  e.table.tenancy = sdk::Tenancy::FirmShared;
  CHECK_THAT(core::sqlitePortalChangeSql(e)[3], Catch::Contains("lexos_guard_changed(-NEW.\"firm_id\")"));
  // Firm tables are no portal's: only the drops (a table whose tenancy changed loses them).
  e.table.tenancy = sdk::Tenancy::Firm;
  CHECK(core::sqlitePortalChangeSql(e) == core::sqlitePortalChangeDropSql(e));
  CHECK(core::sqlitePortalChangeSql(e).size() == 3);
  // ...except the firm's settings, which Context::firm reads in a portal answer.
  e.table.name = "firm_settings";
  CHECK(core::announcesPortalChanges(e));
  CHECK_THAT(core::sqlitePortalChangeSql(e)[5], Catch::Contains("lexos_guard_changed(-OLD.\"firm_id\")"));
  e.table.name = "firm_logos";
  CHECK(core::announcesPortalChanges(e));
  e.table.name = "audit_log";  // a view of a portal page is recorded there: it must not end the entry
  CHECK_FALSE(core::announcesPortalChanges(e));
}

TEST_CASE("PostgreSQL: a trigger function per table announces each portal key once, the firm's past 64 keys, all on TRUNCATE") {
  auto e = clientTable();
  const auto sql = core::pgPortalChangeSql(e);
  REQUIRE(sql.size() == 5);
  CHECK(sql[0] == "DROP TRIGGER IF EXISTS lexos_portal_changed ON \"dossiers\"");
  CHECK(sql[1] == "DROP TRIGGER IF EXISTS lexos_portal_truncated ON \"dossiers\"");
  const std::string& fn = sql[2];
  CHECK_THAT(fn, Catch::StartsWith("CREATE OR REPLACE FUNCTION \"lexos_portal_changed_dossiers\"() RETURNS trigger"));
  CHECK_THAT(fn, Catch::Contains("keys := ARRAY[(-NEW.\"client_id\"::bigint)::text]"));
  CHECK_THAT(fn, Catch::Contains("keys := ARRAY[(-OLD.\"client_id\"::bigint)::text, (-NEW.\"client_id\"::bigint)::text]"));
  CHECK_THAT(fn, Catch::Contains("keys := ARRAY['0']"));
  // Once per transaction, through the list the COMMIT reads back (pg_connection.cpp).
  CHECK_THAT(fn, Catch::Contains("position(' ' || k || ' ' IN ' ' || seen) > 0"));
  CHECK_THAT(fn, Catch::Contains("PERFORM pg_notify('lexos_guard', k)"));
  CHECK_THAT(fn, Catch::Contains("PERFORM set_config('lexos.guard_changed', seen, true)"));
  // The cap: past 64 listed keys, the row's firm-wide key instead.
  CHECK_THAT(fn, Catch::Contains(">= 64 THEN\n      k := (-firm)::text;"));
  CHECK(sql[3] == "CREATE TRIGGER lexos_portal_changed AFTER INSERT OR UPDATE OR DELETE ON \"dossiers\" FOR EACH ROW "
                  "EXECUTE FUNCTION \"lexos_portal_changed_dossiers\"()");
  CHECK(sql[4] == "CREATE TRIGGER lexos_portal_truncated AFTER TRUNCATE ON \"dossiers\" FOR EACH STATEMENT "
                  "EXECUTE FUNCTION \"lexos_portal_changed_dossiers\"()");
  e.table.tenancy = sdk::Tenancy::FirmShared;
  CHECK_THAT(core::pgPortalChangeSql(e)[2], Catch::Contains("keys := ARRAY[(-NEW.\"firm_id\"::bigint)::text]"));
  e.table.tenancy = sdk::Tenancy::Firm;
  const auto none = core::pgPortalChangeSql(e);
  REQUIRE(none.size() == 3);
  CHECK(none[2] == "DROP FUNCTION IF EXISTS \"lexos_portal_changed_dossiers\"()");
}
