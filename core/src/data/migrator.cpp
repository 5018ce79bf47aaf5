#include "data/migrator.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <stdexcept>

#include "data/sqlite_connection.h"
#include "plugins/registry.h"

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

std::string quoteIdent(const std::string& s) { return "\"" + s + "\""; }

// Tables outside any tenant: the firms themselves and the host's bookkeeping. Every other table
// must be declared with its tenancy, or lexosd refuses to serve.
const std::set<std::string>& untenantedTables() {
  static const std::set<std::string> t = {"firms", "lexos_migrations", "lexos_ids", "lexos_firm_ids",
                                          "login_failures", "setup_tokens",
                                          // the sign-in throttle (core v7, docs/throttling.md)
                                          "auth_attempts", "lexos_secrets"};
  return t;
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

std::string readPredicate(const TableEntry& e) {
  const auto& t = e.table;
  switch (t.tenancy) {
    case sdk::Tenancy::Firm:
      return "firm_id = lexos_firm() AND lexos_client() IS NULL";
    case sdk::Tenancy::FirmShared:
      return "firm_id = lexos_firm()";
    case sdk::Tenancy::Client: {
      std::string own = quoteIdent(t.client_column) + " = lexos_client()";
      if (!t.visibility_column.empty()) own += " AND " + quoteIdent(t.visibility_column);
      return "firm_id = lexos_firm() AND (lexos_client() IS NULL OR (" + own + "))";
    }
  }
  return "false";
}

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
    c->commit();
  } catch (...) {
    if (c->inTransaction()) c->rollback();
    throw;
  }
  return applied;
}

void Migrator::rebuildSqliteTenancy(Connection& c, bool unwrapOnly) {
  auto has = [&](const std::string& type, const std::string& name) {
    return !c.query("SELECT 1 FROM sqlite_master WHERE type = $1 AND name = $2", {type, name}).empty();
  };
  // Unwrap: plugin migrations see their tables under their own names.
  for (const auto& e : registry_.tables()) {
    const std::string& t = e.table.name;
    const std::string stored = SqliteConnection::storedName(t);
    if (has("view", t)) c.executeScript("DROP VIEW " + quoteIdent(t));
    if (has("table", stored)) c.executeScript("ALTER TABLE " + quoteIdent(stored) + " RENAME TO " + quoteIdent(t));
  }
  if (unwrapOnly) return;
  for (const auto& e : registry_.tables()) {
    const std::string& t = e.table.name;
    const std::string stored = SqliteConnection::storedName(t);
    if (!has("table", t))
      throw std::runtime_error("plugin '" + e.plugin + "' declares table '" + t +
                               "' but its migrations do not create it");
    auto info = c.query("SELECT name, dflt_value, pk FROM pragma_table_info($1)", {t});
    std::vector<std::string> cols, pks;
    std::map<std::string, std::string> defaults;
    std::vector<std::pair<std::int64_t, std::string>> actualPk;
    for (const auto& r : info.rows) {
      cols.push_back(sdk::asText(r[0]));
      if (!sdk::isNull(r[1])) defaults[sdk::asText(r[0])] = sdk::asText(r[1]);
      if (sdk::asInt(r[2]) > 0) actualPk.emplace_back(sdk::asInt(r[2]), sdk::asText(r[0]));
    }
    std::sort(actualPk.begin(), actualPk.end());
    std::vector<std::string> actual;
    for (const auto& [i, name] : actualPk) actual.push_back(name);
    // The triggers address rows by the declared key: it must be the real one, or an UPDATE of
    // one row would reach every row sharing a shorter key.
    if (actual != e.table.primary_key)
      throw std::runtime_error("plugin '" + e.plugin + "': table '" + t + "' declares primary key (" +
                               [&] { std::string s; for (auto& k : e.table.primary_key) s += (s.empty() ? "" : ", ") + k; return s; }() +
                               ") but its migrations create (" +
                               [&] { std::string s; for (auto& k : actual) s += (s.empty() ? "" : ", ") + k; return s; }() + ")");
    if (std::find(cols.begin(), cols.end(), "firm_id") == cols.end())
      throw std::runtime_error("plugin '" + e.plugin + "': tenant table '" + t + "' has no firm_id column");
    for (const auto& k : e.table.primary_key) pks.push_back(k);
    c.executeScript("ALTER TABLE " + quoteIdent(t) + " RENAME TO " + quoteIdent(stored));
    const std::string q = quoteIdent(t);
    c.executeScript("CREATE VIEW " + q + " AS SELECT * FROM " + quoteIdent(stored) + " WHERE " +
                    readPredicate(e));
    const std::string deny = "SELECT RAISE(ABORT, 'lexos: tenancy violation on " + t + "')";
    const std::string writeOk = "NEW.firm_id IS lexos_firm() AND lexos_client() IS NULL";
    std::string colList, newList, setList, pkMatch;
    for (const auto& col : cols) {
      const std::string qc = quoteIdent(col);
      colList += (colList.empty() ? "" : ", ") + qc;
      std::string v = "NEW." + qc;
      if (col == "firm_id") v = "coalesce(NEW.firm_id, lexos_firm())";
      else if (defaults.count(col)) v = "coalesce(NEW." + qc + ", " + defaults[col] + ")";
      newList += (newList.empty() ? "" : ", ") + v;
      setList += (setList.empty() ? "" : ", ") + qc + " = NEW." + qc;
    }
    for (const auto& k : pks) pkMatch += (pkMatch.empty() ? "" : " AND ") + quoteIdent(k) + " = OLD." + quoteIdent(k);
    c.executeScript("CREATE TRIGGER " + quoteIdent("lexos_ins_" + t) + " INSTEAD OF INSERT ON " + q +
                    " BEGIN " + deny + " WHERE NOT (coalesce(NEW.firm_id, lexos_firm()) IS lexos_firm() AND lexos_client() IS NULL AND lexos_firm() IS NOT NULL); INSERT INTO " +
                    quoteIdent(stored) + " (" + colList + ") VALUES (" + newList + "); END");
    if (appendOnly(t)) {
      const std::string never = "SELECT RAISE(ABORT, 'lexos: " + t + " is append-only')";
      c.executeScript("CREATE TRIGGER " + quoteIdent("lexos_upd_" + t) + " INSTEAD OF UPDATE ON " + q + " BEGIN " + never + "; END");
      c.executeScript("CREATE TRIGGER " + quoteIdent("lexos_del_" + t) + " INSTEAD OF DELETE ON " + q + " BEGIN " + never + "; END");
      continue;
    }
    c.executeScript("CREATE TRIGGER " + quoteIdent("lexos_upd_" + t) + " INSTEAD OF UPDATE ON " + q +
                    " BEGIN " + deny + " WHERE NOT (" + writeOk + "); UPDATE " + quoteIdent(stored) +
                    " SET " + setList + " WHERE " + pkMatch + "; END");
    c.executeScript("CREATE TRIGGER " + quoteIdent("lexos_del_" + t) + " INSTEAD OF DELETE ON " + q +
                    " BEGIN " + deny + " WHERE NOT (lexos_client() IS NULL); DELETE FROM " +
                    quoteIdent(stored) + " WHERE " + pkMatch + "; END");
  }
}

void Migrator::rebuildPgTenancy(Connection& c) {
  // An INSERT that leaves firm_id out (or NULL) gets the scope's firm, as SQLite's INSTEAD OF
  // trigger does (coalesce(NEW.firm_id, lexos_firm())): the same plugin SQL works on both
  // backends, and the write policy then checks the row as for any other insert. A BEFORE ROW
  // trigger runs before the NOT NULL check, so an explicit NULL is filled too, as on SQLite.
  c.executeScript("CREATE OR REPLACE FUNCTION lexos_fill_firm() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                  "IF NEW.firm_id IS NULL THEN NEW.firm_id := lexos_firm(); END IF; RETURN NEW; END $$");
  for (const auto& e : registry_.tables()) {
    const std::string q = quoteIdent(e.table.name);
    auto exists = c.query("SELECT to_regclass($1) IS NOT NULL", {e.table.name});
    if (!sdk::asBool(exists.rows.at(0).at(0)))
      throw std::runtime_error("plugin '" + e.plugin + "' declares table '" + e.table.name +
                               "' but its migrations do not create it");
    auto pk = c.query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                      "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass($1) AND i.indisprimary", {e.table.name});
    std::set<std::string> actual, declared(e.table.primary_key.begin(), e.table.primary_key.end());
    for (const auto& r : pk.rows) actual.insert(sdk::asText(r[0]));
    if (actual != declared)
      throw std::runtime_error("plugin '" + e.plugin + "': table '" + e.table.name +
                               "' declares a primary key that its migrations do not create");
    const std::string write = "firm_id = lexos_firm() AND lexos_client() IS NULL";
    c.executeScript("ALTER TABLE " + q + " ENABLE ROW LEVEL SECURITY");
    c.executeScript("ALTER TABLE " + q + " FORCE ROW LEVEL SECURITY");
    c.executeScript("DROP POLICY IF EXISTS lexos_read ON " + q);
    c.executeScript("DROP POLICY IF EXISTS lexos_write ON " + q);
    c.executeScript("CREATE POLICY lexos_read ON " + q + " FOR SELECT USING (" + readPredicate(e) + ")");
    c.executeScript("CREATE POLICY lexos_write ON " + q + " FOR ALL USING (" + write + ") WITH CHECK (" + write + ")");
    c.executeScript("DROP TRIGGER IF EXISTS lexos_fill_firm ON " + q);
    c.executeScript("CREATE TRIGGER lexos_fill_firm BEFORE INSERT ON " + q +
                    " FOR EACH ROW EXECUTE FUNCTION lexos_fill_firm()");
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
  }
}

void verifyTenancy(Connection& c, const Registry& registry) {
  std::set<std::string> declared;
  for (const auto& e : registry.tables()) declared.insert(e.table.name);
  const bool sqlite = c.backend() == sdk::Backend::SQLite;
  // A table of a plugin that is no longer enabled stays behind its view / forced RLS and is
  // fine; a table nothing ever declared has no enforcement at all and is refused.
  auto tables = c.query(sqlite ? "SELECT name, name LIKE 'lexos\\_t\\_%' ESCAPE '\\' FROM sqlite_master "
                                 "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                               : "SELECT tablename, rowsecurity AND EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = "
                                 "to_regclass(quote_ident(tablename)) AND k.relforcerowsecurity) FROM pg_tables WHERE schemaname = 'public'",
                        {});
  for (const auto& r : tables.rows) {
    std::string name = sdk::asText(r[0]);
    const bool enforced = sdk::asBool(r[1]);
    if (sqlite && enforced) name = name.substr(8);
    if (!enforced && !declared.count(name) && !untenantedTables().count(name))
      throw std::runtime_error("tenancy: table '" + name +
                               "' is not declared by any loaded plugin, so nothing scopes it to a firm; declare it "
                               "(Registrar::addTable) or drop it");
  }
  if (sqlite) {
    for (const auto& e : registry.tables()) {
      auto rs = c.query("SELECT type FROM sqlite_master WHERE name = $1", {e.table.name});
      if (rs.empty() || sdk::asText(rs.rows[0][0]) != "view")
        throw std::runtime_error("tenancy: table '" + e.table.name + "' (plugin " + e.plugin +
                                 ") is not behind its tenancy view; run lexosctl migrate");
    }
    return;
  }
  auto role = c.query("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", {});
  const std::string name = sdk::asText(role.rows.at(0).at(0));
  if (sdk::asBool(role.rows[0][1]))
    throw std::runtime_error("tenancy: database role '" + name + "' is SUPERUSER; expected a role without it (row-level security would not apply)");
  if (sdk::asBool(role.rows[0][2]))
    throw std::runtime_error("tenancy: database role '" + name + "' has BYPASSRLS; expected NOBYPASSRLS");
  auto owned = c.query(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) "
      "AND n.nspname = 'public' AND c.relkind IN ('r','p','v') LIMIT 1", {});
  if (!owned.empty())
    throw std::runtime_error("tenancy: database role '" + name + "' owns table '" + sdk::asText(owned.rows[0][0]) +
                             "'; the runtime role must own no table (use database.migration_url for the owner)");
  for (const auto& e : registry.tables()) {
    auto rs = c.query("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass($1)",
                      {e.table.name});
    if (rs.empty())
      throw std::runtime_error("tenancy: table '" + e.table.name + "' (plugin " + e.plugin + ") does not exist; run lexosctl migrate");
    if (!sdk::asBool(rs.rows[0][0]) || !sdk::asBool(rs.rows[0][1]))
      throw std::runtime_error("tenancy: table '" + e.table.name + "' (plugin " + e.plugin +
                               ") lacks ROW LEVEL SECURITY enabled and forced; run lexosctl migrate");
  }
}

}  // namespace lexos::core
