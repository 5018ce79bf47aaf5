// The SQLite statement rules (tenancy/sqlite_authorizer.h): asked directly, and installed on a
// real in-memory SQLite database shaped like a tenant table behind its view, as
// data/sqlite_connection.cpp installs them on a runtime connection.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "data/sqlite_connection.h"
#include "tenancy/sqlite_authorizer.h"

using lexos::core::isStoredTenantTable;
using lexos::core::sqliteAuthorize;

namespace {

int rules(void*, int action, const char* a1, const char* a2, const char* db, const char* inner) {
  return sqliteAuthorize(action, a1, a2, db, inner);
}

// A database with the stored table lexos_t_notes behind the view notes and its write trigger,
// built before the rules are installed (as the migrator does on a raw connection).
class RuledDb {
 public:
  RuledDb() {
    REQUIRE(sqlite3_open(":memory:", &db_) == SQLITE_OK);
    exec("CREATE TABLE lexos_t_notes (firm_id INTEGER, id INTEGER PRIMARY KEY, body TEXT)");
    exec("CREATE INDEX notes_body ON lexos_t_notes (body)");
    exec("INSERT INTO lexos_t_notes VALUES (1, 1, 'mine'), (2, 2, 'theirs')");
    exec("CREATE VIEW notes AS SELECT firm_id, id, body FROM lexos_t_notes WHERE firm_id = 1");
    exec("CREATE TRIGGER notes_insert INSTEAD OF INSERT ON notes BEGIN "
         "INSERT INTO lexos_t_notes (firm_id, id, body) VALUES (1, NEW.id, NEW.body); END");
    exec("CREATE TRIGGER notes_update INSTEAD OF UPDATE ON notes BEGIN "
         "UPDATE lexos_t_notes SET body = NEW.body WHERE id = OLD.id AND firm_id = 1; END");
    exec("CREATE TRIGGER notes_delete INSTEAD OF DELETE ON notes BEGIN "
         "DELETE FROM lexos_t_notes WHERE id = OLD.id AND firm_id = 1; END");
    sqlite3_set_authorizer(db_, &rules, nullptr);
  }
  ~RuledDb() { sqlite3_close_v2(db_); }
  RuledDb(const RuledDb&) = delete;
  RuledDb& operator=(const RuledDb&) = delete;

  /// Prepares and runs `sql` under the rules: the primary result code (SQLITE_AUTH when refused).
  int run(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr);
    if (rc == SQLITE_OK && st) {
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      }
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc & 0xff;
  }
  /// The one integer `sql` returns.
  long long scalar(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    const long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }

 private:
  void exec(const char* sql) { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("the stored tenant tables are the lexos_t_ ones") {
  CHECK(isStoredTenantTable("lexos_t_notes"));
  CHECK_FALSE(isStoredTenantTable("notes"));
  CHECK_FALSE(isStoredTenantTable("lexos_migrations"));
  CHECK_FALSE(isStoredTenantTable(nullptr));
}

TEST_CASE("the rules refuse top-level access to a stored tenant table and allow it from its view's triggers") {
  for (int action : {SQLITE_READ, SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE}) {
    CHECK(sqliteAuthorize(action, "lexos_t_notes", "body", "main", nullptr) == SQLITE_DENY);
    CHECK(sqliteAuthorize(action, "lexos_t_notes", "body", "main", "notes") == SQLITE_OK);
    CHECK(sqliteAuthorize(action, "notes", "body", "temp", nullptr) == SQLITE_OK);
  }
}

TEST_CASE("the rules refuse schema changes, attachments, pragmas and transaction control") {
  for (int action : {SQLITE_CREATE_TABLE, SQLITE_CREATE_TEMP_TABLE, SQLITE_CREATE_VIEW, SQLITE_CREATE_TEMP_VIEW,
                     SQLITE_CREATE_TRIGGER, SQLITE_CREATE_TEMP_TRIGGER, SQLITE_CREATE_INDEX, SQLITE_DROP_TABLE,
                     SQLITE_DROP_VIEW, SQLITE_DROP_TEMP_VIEW, SQLITE_DROP_TRIGGER, SQLITE_ALTER_TABLE,
                     SQLITE_ATTACH, SQLITE_DETACH, SQLITE_PRAGMA, SQLITE_TRANSACTION, SQLITE_SAVEPOINT,
                     SQLITE_ANALYZE, SQLITE_REINDEX, SQLITE_CREATE_VTABLE})
    CHECK(sqliteAuthorize(action, "notes", nullptr, "main", nullptr) == SQLITE_DENY);
  for (int action : {SQLITE_SELECT, SQLITE_FUNCTION, SQLITE_RECURSIVE})
    CHECK(sqliteAuthorize(action, nullptr, "lower", nullptr, nullptr) == SQLITE_OK);
}

TEST_CASE("statements through the views read and write only what the view shows") {
  RuledDb db;
  CHECK(db.run("SELECT id, body FROM notes WHERE id = 1") == SQLITE_OK);
  CHECK(db.scalar("SELECT count(*) FROM notes") == 1);
  CHECK(db.run("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) "
               "SELECT upper(body) FROM notes, n") == SQLITE_OK);
  CHECK(db.run("INSERT INTO notes (id, body) VALUES (3, 'new')") == SQLITE_OK);
  CHECK(db.run("UPDATE notes SET body = 'changed' WHERE id = 3") == SQLITE_OK);
  CHECK(db.run("DELETE FROM notes WHERE id = 1") == SQLITE_OK);
  CHECK(db.scalar("SELECT count(*) FROM notes") == 1);
}

TEST_CASE("statements naming a stored tenant table are refused at prepare") {
  RuledDb db;
  CHECK(db.run("SELECT * FROM lexos_t_notes") == SQLITE_AUTH);
  CHECK(db.run("SELECT body FROM notes WHERE id IN (SELECT id FROM lexos_t_notes)") == SQLITE_AUTH);
  CHECK(db.run("INSERT INTO lexos_t_notes VALUES (2, 9, 'planted')") == SQLITE_AUTH);
  CHECK(db.run("UPDATE lexos_t_notes SET body = 'x'") == SQLITE_AUTH);
  CHECK(db.run("DELETE FROM lexos_t_notes") == SQLITE_AUTH);
  // Nothing of the other firm was touched through the view either.
  CHECK(db.scalar("SELECT count(*) FROM notes WHERE body = 'theirs'") == 0);
}

TEST_CASE("statements that attach, reshape, use pragmas or control transactions are refused at prepare") {
  RuledDb db;
  for (const char* sql : {"ATTACH DATABASE ':memory:' AS other", "DETACH DATABASE other",
                          "CREATE TABLE planted (a)", "CREATE TEMP VIEW notes2 AS SELECT 1",
                          "CREATE TEMP TRIGGER t INSTEAD OF INSERT ON notes BEGIN SELECT 1; END",
                          "DROP VIEW notes", "ALTER TABLE lexos_t_notes ADD COLUMN x",
                          "CREATE INDEX i ON lexos_t_notes (body)", "PRAGMA foreign_keys = OFF",
                          "PRAGMA table_info(notes)", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT s",
                          "RELEASE s", "ANALYZE", "REINDEX notes_body", "VACUUM"})
    CHECK_THAT(std::to_string(db.run(sql)) + " " + sql, Catch::StartsWith(std::to_string(SQLITE_AUTH) + " "));
}

TEST_CASE("statements that resolve conflicts by deleting rows are recognised, and nothing else is") {
  for (const char* sql : {"INSERT OR REPLACE INTO t (id) VALUES (1)", "REPLACE INTO t (id) VALUES (1)",
                          "replace into t values (1)", "insert or\nreplace into t values (1)",
                          "UPDATE OR REPLACE t SET id = 2", "INSERT /* c */ OR /* d */ REPLACE INTO t VALUES (1)",
                          "WITH x AS (SELECT 1) REPLACE INTO t SELECT * FROM x"})
    CHECK(lexos::core::replacesRows(sql));
  for (const char* sql : {"SELECT replace(name, 'a', 'b') FROM t", "INSERT INTO t (note) VALUES ('or replace into')",
                          "INSERT INTO \"or\" (\"replace\") VALUES (1)", "SELECT 1 -- or replace into\n",
                          "INSERT OR IGNORE INTO t VALUES (1)", "UPDATE t SET a = replace(a, 'x', 'y') WHERE b OR c",
                          "SELECT [or] FROM t WHERE x OR y", ""})
    CHECK_FALSE(lexos::core::replacesRows(sql));
}
