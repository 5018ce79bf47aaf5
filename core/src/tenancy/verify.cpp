#include "tenancy/verify.h"

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/connection.h"
#include "plugins/registry.h"
#include "tenancy/tenancy_sql.h"

namespace lexos::core {

namespace {

// Tables outside any tenant: the firms themselves and the host's bookkeeping. Every other table
// must be declared with its tenancy, or lexosd refuses to serve.
const std::set<std::string>& untenantedTables() {
  static const std::set<std::string> t = {"firms", "lexos_migrations", "lexos_ids", "lexos_firm_ids",
                                          "login_failures", "setup_tokens",
                                          // the sign-in throttle (core v7, docs/throttling.md)
                                          "auth_attempts", "lexos_secrets",
                                          // how far SQLite's read journal is chained (core v19)
                                          "audit_journal_marks"};
  return t;
}

}  // namespace

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
  // Columns: a portal scope must read nothing but the keys and the declared portal columns.
  auto exposed = [&](const TableEntry& e, const std::string& column) {
    return std::runtime_error("tenancy: table '" + e.table.name + "' (plugin " + e.plugin + ") shows column '" +
                              column + "' to portal sessions, but the plugin does not declare it portal-readable "
                              "(Registrar::addPortalColumns); run lexosctl migrate");
  };
  if (sqlite) {
    for (const auto& e : registry.tables()) {
      auto rs = c.query("SELECT type, sql FROM sqlite_master WHERE name = $1", {e.table.name});
      if (rs.empty() || sdk::asText(rs.rows[0][0]) != "view")
        throw std::runtime_error("tenancy: table '" + e.table.name + "' (plugin " + e.plugin +
                                 ") is not behind its tenancy view; run lexosctl migrate");
      // The view must be exactly the one the declaration gives (SQLite keeps its text as written).
      std::vector<ColumnInfo> cols;
      for (const auto& name : c.query("SELECT * FROM " + quoteIdent(e.table.name) + " LIMIT 0", {}).columns)
        cols.push_back({name, "", ""});
      const std::string stored = sdk::asText(rs.rows[0][1]);
      if (stored == sqliteViewSql(e, cols)) continue;
      for (const auto& col : cols)
        if (!portalReadable(e, col.name) && stored.find(sqliteProjection(e, col.name)) == std::string::npos)
          throw exposed(e, col.name);
      throw std::runtime_error("tenancy: the view of table '" + e.table.name + "' (plugin " + e.plugin +
                               ") is not the one its declaration gives; run lexosctl migrate");
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
    // The policies are exactly ours: a policy added by hand (or by plugin SQL run as the owner)
    // could let a portal scope read the table itself, around the portal view.
    // Each of ours is checked whole: its command, PERMISSIVE, its roles and its expressions (as
    // PostgreSQL deparses them, compared without parentheses, quotes and spaces), so a policy
    // of our name widened by hand (FOR ALL, USING (true)) is refused like a foreign one.
    auto policies = c.query("SELECT policyname, array_to_string(roles, ','), cmd, coalesce(qual, ''), "
                            "coalesce(with_check, ''), permissive FROM pg_policies "
                            "WHERE schemaname = 'public' AND tablename = $1", {e.table.name});
    auto norm = [](const std::string& x) {
      std::string out;
      for (char ch : x)
        if (ch != ' ' && ch != '(' && ch != ')' && ch != '"' && ch != '\n') out.push_back(ch);
      return out;
    };
    const std::string write = norm(writePredicate());
    for (const auto& p : policies.rows) {
      const std::string pname = sdk::asText(p[0]), roles = sdk::asText(p[1]), cmd = sdk::asText(p[2]),
                        qual = sdk::asText(p[3]), check = sdk::asText(p[4]), permissive = sdk::asText(p[5]);
      const bool portalRoles = roles != "public" && ("," + roles + ",").find("," + name + ",") == std::string::npos;
      bool ok = permissive == "PERMISSIVE";
      if (pname == "lexos_read")
        ok = ok && cmd == "SELECT" && roles == "public" && norm(qual) == write && check.empty();
      else if (pname == "lexos_write")
        ok = ok && cmd == "ALL" && roles == "public" && norm(qual) == write && norm(check) == write;
      else if (pname == "lexos_portal_read")
        ok = ok && e.table.tenancy != sdk::Tenancy::Firm && cmd == "SELECT" && portalRoles &&
             norm(qual) == norm(readPredicate(e)) && check.empty();
      else if (pname == "lexos_portal_insert")
        ok = ok && e.table.tenancy == sdk::Tenancy::Client && e.portal_insert && cmd == "INSERT" && portalRoles &&
             qual.empty() && norm(check) == norm("firm_id = lexos_firm() AND " + portalInsertCheck(e, ""));
      else
        ok = false;
      if (!ok)
        throw std::runtime_error("tenancy: table '" + e.table.name + "' (plugin " + e.plugin + ") has policy '" + pname +
                                 "' for roles " + roles + ", which lexos did not make as it is; drop it, then run lexosctl migrate");
    }
    if (e.table.tenancy == sdk::Tenancy::Firm) continue;
    const std::string view = std::string(kPortalSchema) + "." + quoteIdent(e.table.name);
    auto v = c.query("SELECT to_regclass($1) IS NOT NULL", {view});
    if (!sdk::asBool(v.rows.at(0).at(0)))
      throw std::runtime_error("tenancy: table '" + e.table.name + "' (plugin " + e.plugin + ") has no portal view " +
                               view + "; run lexosctl migrate");
    // What the portal view reads of the table (its rewrite rule's dependencies on columns).
    auto used = c.query("SELECT DISTINCT a.attname FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
                        "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                        "WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class = to_regclass($1) "
                        "AND d.refobjid = to_regclass($2) AND d.refobjsubid > 0 ORDER BY 1",
                        {view, "public." + quoteIdent(e.table.name)});
    for (const auto& u : used.rows)
      if (!portalReadable(e, sdk::asText(u[0]))) throw exposed(e, sdk::asText(u[0]));
  }
}

std::string tableWithoutPortalTriggers(Connection& c, const Registry& registry) {
  const bool sqlite = c.backend() == sdk::Backend::SQLite;
  for (const auto& e : registry.tables()) {
    if (!announcesPortalChanges(e)) continue;
    const std::string& t = e.table.name;
    if (sqlite) {
      for (const char* op : {"i", "u", "d"})
        if (c.query("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = $1 AND tbl_name = $2",
                    {std::string("lexos_portal_") + op + "_" + t, sqliteStoredName(t)})
                .empty())
          return t;
    } else if (c.query("SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname IN "
                       "('lexos_portal_changed', 'lexos_portal_truncated') HAVING count(*) = 2",
                       {"public." + quoteIdent(t)})
                   .empty()) {
      return t;
    }
  }
  return {};
}

}  // namespace lexos::core
