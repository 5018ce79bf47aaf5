#include "schema/migrator.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <stdexcept>

#include "data/sqlite_connection.h"
#include "plugins/registry.h"
#include "tenancy/tenancy_sql.h"

namespace lexos::core {

namespace {

const char* kBookkeeping =
    "CREATE TABLE IF NOT EXISTS lexos_migrations (plugin TEXT NOT NULL, version INTEGER NOT NULL, "
    "name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (plugin, version))";

std::string userOf(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return {};
  std::string cred = url.substr(scheme + 3, at - scheme - 3);
  return cred.substr(0, cred.find(':'));
}

// Tables that only ever grow: no UPDATE or DELETE for the runtime role (the audit log).
bool appendOnly(const std::string& table) { return table == "audit_log"; }

std::string utcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

Migrator::Migrator(const Registry& registry, std::string ownerUrl, std::string runtimeUrl)
    : registry_(registry), ownerUrl_(std::move(ownerUrl)), runtimeUrl_(std::move(runtimeUrl)) {}

std::vector<std::string> Migrator::pending(Connection& c) const {
  std::set<std::pair<std::string, int>> done;
  try {
    auto rs = c.query("SELECT plugin, version FROM lexos_migrations", {});
    for (const auto& r : rs.rows) done.insert({sdk::asText(r[0]), static_cast<int>(sdk::asInt(r[1]))});
  } catch (const sdk::DbError&) {
    if (c.inTransaction()) {
      c.rollback();
      c.begin(false);
    }
    // No bookkeeping table yet: everything is pending.
  }
  std::vector<std::string> out;
  for (const auto& m : registry_.migrations())
    if (!done.count({m.plugin, m.migration.version}))
      out.push_back(m.plugin + " v" + std::to_string(m.migration.version) + " " + m.migration.name);
  return out;
}

std::vector<std::string> Migrator::migrate() {
  auto c = openConnection(ownerUrl_, nullptr);
  const bool pg = c->backend() == sdk::Backend::PostgreSQL;
  std::vector<std::string> applied;
  c->begin(true);
  try {
    if (pg) c->executeScript("SELECT pg_advisory_xact_lock(7345001)");  // one migrator at a time
    c->executeScript(kBookkeeping);
    std::set<std::pair<std::string, int>> done;
    for (const auto& r : c->query("SELECT plugin, version FROM lexos_migrations", {}).rows)
      done.insert({sdk::asText(r[0]), static_cast<int>(sdk::asInt(r[1]))});
    std::vector<const MigrationEntry*> todo;
    for (const auto& m : registry_.migrations())
      if (!done.count({m.plugin, m.migration.version})) todo.push_back(&m);
    if (!pg && !todo.empty()) rebuildSqliteTenancy(*c, true);
    // Portal views depend on their tables' columns: out of the way while migrations change them
    // (a portal scope meanwhile reads the tables themselves, whose policies give it no rows).
    if (pg && !todo.empty()) c->executeScript(std::string("DROP SCHEMA IF EXISTS ") + kPortalSchema + " CASCADE");
    c->commit();
    for (const auto* m : todo) {
      const auto& mig = m->migration;
      const std::string what = m->plugin + " v" + std::to_string(mig.version) + " " + mig.name;
      std::string sql = mig.sql;
      if (pg && !mig.sql_postgresql.empty()) sql = mig.sql_postgresql;
      if (!pg && !mig.sql_sqlite.empty()) sql = mig.sql_sqlite;
      c->begin(true);
      try {
        c->executeScript(sql);
        runPerFirmSteps(*c, m->plugin, mig.version, pg);
        c->execute("INSERT INTO lexos_migrations (plugin, version, name, applied_at) VALUES ($1, $2, $3, $4)",
                   {m->plugin, static_cast<std::int64_t>(mig.version), mig.name, utcNow()});
        c->commit();
      } catch (const std::exception& e) {
        c->rollback();
        throw std::runtime_error("migration " + what + " failed (rolled back): " + e.what());
      }
      applied.push_back(what);
    }
    c->begin(true);
    if (pg) rebuildPgTenancy(*c);
    else rebuildSqliteTenancy(*c, false);
    if (!applied.empty()) {
      // Migrations change rows without the portal cache's triggers (SQLite: unwrapped tables;
      // per-firm steps): every lexosd's cached portal answers are stale (key 0, everything).
      if (pg) {
        c->executeScript("SELECT pg_notify('lexos_guard', '0')");
      } else {
        try {
          c->executeScript("SELECT lexos_guard_changed(0)");
        } catch (const sdk::DbError&) {
          // No change file to announce through: then no lexosd caches from it either.
        }
      }
    }
    c->commit();
  } catch (...) {
    if (c->inTransaction()) c->rollback();
    throw;
  }
  return applied;
}

void Migrator::runPerFirmSteps(Connection& c, const std::string& plugin, int version, bool pg) {
  std::vector<const PerFirmStepEntry*> steps;
  for (const auto& st : registry_.perFirmSteps())
    if (st.plugin == plugin && st.step.version == version) steps.push_back(&st);
  if (steps.empty()) return;
  // SQLite: migrations run on the stored tables; a per-firm step runs through the scoped views,
  // as plugin SQL at run time does (only the tables that exist yet).
  if (!pg) rebuildSqliteTenancy(c, false, true);
  std::vector<std::int64_t> firms;
  for (const auto& r : c.query("SELECT id FROM firms ORDER BY id", {}).rows) firms.push_back(sdk::asInt(r[0]));
  for (std::int64_t firm : firms) {
    c.setScope({firm, 0});
    for (const auto* st : steps) {
      std::string sql = st->step.sql;
      if (pg && !st->step.sql_postgresql.empty()) sql = st->step.sql_postgresql;
      if (!pg && !st->step.sql_sqlite.empty()) sql = st->step.sql_sqlite;
      try {
        c.executeScript(sql);
      } catch (const std::exception& e) {
        throw std::runtime_error("per-firm step of " + plugin + " v" + std::to_string(version) + " for firm " +
                                 std::to_string(firm) + ": " + e.what());
      }
    }
  }
  c.setScope({0, 0});
  if (!pg) rebuildSqliteTenancy(c, true);
}

std::vector<ColumnInfo> Migrator::columnsOf(Connection& c, const std::string& table, bool pg) {
  std::vector<ColumnInfo> cols;
  if (pg) {
    for (const auto& r : c.query("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                                 "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
                                 "ORDER BY a.attnum", {"public." + quoteIdent(table)}).rows)
      cols.push_back({sdk::asText(r[0]), "", sdk::asText(r[1])});
  } else {
    for (const auto& r : c.query("SELECT name, dflt_value FROM pragma_table_info($1)", {table}).rows)
      cols.push_back({sdk::asText(r[0]), sdk::isNull(r[1]) ? "" : sdk::asText(r[1]), ""});
  }
  return cols;
}

void Migrator::rebuildSqliteTenancy(Connection& c, bool unwrapOnly, bool existingOnly) {
  auto has = [&](const std::string& type, const std::string& name) {
    return !c.query("SELECT 1 FROM sqlite_master WHERE type = $1 AND name = $2", {type, name}).empty();
  };
  // Unwrap: plugin migrations see their tables under their own names.
  for (const auto& e : registry_.tables()) {
    const std::string& t = e.table.name;
    const std::string stored = sqliteStoredName(t);
    if (has("view", t)) c.executeScript("DROP VIEW " + quoteIdent(t));
    // The portal cache's triggers (on the stored table) go while migrations reshape the tables;
    // they come back below with the view.
    if (has("table", stored))
      for (const auto& sql : sqlitePortalChangeDropSql(e)) c.executeScript(sql);
    if (has("table", stored)) c.executeScript("ALTER TABLE " + quoteIdent(stored) + " RENAME TO " + quoteIdent(t));
  }
  if (unwrapOnly) return;
  for (const auto& e : registry_.tables()) {
    const std::string& t = e.table.name;
    if (!has("table", t)) {
      if (existingOnly) continue;
      throw std::runtime_error("plugin '" + e.plugin + "' declares table '" + t +
                               "' but its migrations do not create it");
    }
    const auto cols = columnsOf(c, t, false);
    if (!existingOnly) checkTableShape(c, e, cols, false);
    c.executeScript("ALTER TABLE " + quoteIdent(t) + " RENAME TO " + quoteIdent(sqliteStoredName(t)));
    c.executeScript(sqliteViewSql(e, cols));
    for (const auto& sql : sqliteTriggerSql(e, cols, e.table.primary_key, appendOnly(t))) c.executeScript(sql);
    // On the stored table: writes through the view and straight to lexos_t_<name> alike.
    if (!existingOnly)
      for (const auto& sql : sqlitePortalChangeSql(e)) c.executeScript(sql);
  }
}

void Migrator::checkTableShape(Connection& c, const TableEntry& e, const std::vector<ColumnInfo>& cols, bool pg) {
  const std::string& t = e.table.name;
  std::vector<std::string> actual;
  if (pg) {
    std::set<std::string> got;
    for (const auto& r : c.query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                                 "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass($1) AND i.indisprimary",
                                 {t}).rows)
      got.insert(sdk::asText(r[0]));
    if (got != std::set<std::string>(e.table.primary_key.begin(), e.table.primary_key.end()))
      throw std::runtime_error("plugin '" + e.plugin + "': table '" + t +
                               "' declares a primary key that its migrations do not create");
  } else {
    std::vector<std::pair<std::int64_t, std::string>> pk;
    for (const auto& r : c.query("SELECT name, pk FROM pragma_table_info($1)", {t}).rows)
      if (sdk::asInt(r[1]) > 0) pk.emplace_back(sdk::asInt(r[1]), sdk::asText(r[0]));
    std::sort(pk.begin(), pk.end());
    for (const auto& [i, name] : pk) actual.push_back(name);
    // The triggers address rows by the declared key: it must be the real one, or an UPDATE of
    // one row would reach every row sharing a shorter key.
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& k : v) s += (s.empty() ? "" : ", ") + k;
      return s;
    };
    if (actual != e.table.primary_key)
      throw std::runtime_error("plugin '" + e.plugin + "': table '" + t + "' declares primary key (" +
                               join(e.table.primary_key) + ") but its migrations create (" + join(actual) + ")");
  }
  if (std::none_of(cols.begin(), cols.end(), [](const ColumnInfo& ci) { return ci.name == "firm_id"; }))
    throw std::runtime_error("plugin '" + e.plugin + "': tenant table '" + t + "' has no firm_id column");
  if (!e.portal_until.empty() &&
      std::none_of(cols.begin(), cols.end(), [&](const ColumnInfo& ci) { return ci.name == e.portal_until; }))
    throw std::runtime_error("plugin '" + e.plugin + "': table '" + t + "' declares portal expiry column '" +
                             e.portal_until + "' (addPortalUntil), but the table has no such column");
  for (const auto& missing : unknownPortalColumns(e, cols))
    throw std::runtime_error("plugin '" + e.plugin + "': table '" + t + "' declares portal column '" + missing +
                             "' (addPortalColumns), but the table has no such column");
}

void Migrator::rebuildPgTenancy(Connection& c) {
  // An INSERT that leaves firm_id out (or NULL) gets the scope's firm, as SQLite's INSTEAD OF
  // trigger does (coalesce(NEW.firm_id, lexos_firm())): the same plugin SQL works on both
  // backends, and the write policy then checks the row as for any other insert. A BEFORE ROW
  // trigger runs before the NOT NULL check, so an explicit NULL is filled too, as on SQLite.
  // The portal's expiry columns (Registrar::addPortalUntil) are compared with the database's clock,
  // in the text form every time is stored in.
  c.executeScript("CREATE OR REPLACE FUNCTION lexos_now() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$ "
                  "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') $$");
  c.executeScript("CREATE OR REPLACE FUNCTION lexos_fill_firm() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                  "IF NEW.firm_id IS NULL THEN NEW.firm_id := lexos_firm(); END IF; RETURN NEW; END $$");
  c.executeScript(std::string("CREATE SCHEMA IF NOT EXISTS ") + kPortalSchema);
  for (const auto& e : registry_.tables()) {
    auto exists = c.query("SELECT to_regclass($1) IS NOT NULL", {e.table.name});
    if (!sdk::asBool(exists.rows.at(0).at(0)))
      throw std::runtime_error("plugin '" + e.plugin + "' declares table '" + e.table.name +
                               "' but its migrations do not create it");
    const auto cols = columnsOf(c, e.table.name, true);
    checkTableShape(c, e, cols, true);
    for (const auto& sql : pgTableSql(e)) c.executeScript(sql);
    for (const auto& sql : pgPortalViewSql(e, cols)) c.executeScript(sql);
    for (const auto& sql : pgPortalChangeSql(e)) c.executeScript(sql);
  }
  const std::string runtime = userOf(runtimeUrl_);
  const std::string owner = userOf(ownerUrl_);
  if (!runtime.empty() && runtime != owner) {
    const std::string r = quoteIdent(runtime);
    c.executeScript("GRANT USAGE ON SCHEMA public TO " + r);
    c.executeScript("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r);
    c.executeScript("REVOKE INSERT, UPDATE, DELETE ON lexos_migrations FROM " + r);
    for (const auto& e : registry_.tables())
      if (appendOnly(e.table.name)) c.executeScript("REVOKE UPDATE, DELETE ON " + quoteIdent(e.table.name) + " FROM " + r);
    c.executeScript("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + r);
    c.executeScript("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO " + r);
    c.executeScript(std::string("GRANT USAGE ON SCHEMA ") + kPortalSchema + " TO " + r);
    c.executeScript(std::string("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ") + kPortalSchema + " TO " + r);
  }
}

}  // namespace lexos::core
