#include "tenancy/tenancy_sql.h"

#include <algorithm>

#include "plugins/registry.h"

namespace lexos::core {

std::string quoteIdent(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

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
      if (!e.portal_until.empty())
        own += " AND (" + quoteIdent(e.portal_until) + " IS NULL OR " + quoteIdent(e.portal_until) + " > lexos_now())";
      return "firm_id = lexos_firm() AND (lexos_client() IS NULL OR (" + own + "))";
    }
  }
  return "false";
}

std::string writePredicate() { return "firm_id = lexos_firm() AND lexos_client() IS NULL"; }

std::string portalInsertCheck(const TableEntry& e, const std::string& row) {
  const auto& t = e.table;
  // SQLite's trigger refuses a row WHERE NOT (check): a NULL there would let it through, so it
  // compares with IS; PostgreSQL's WITH CHECK refuses a NULL, and has no IS for numbers.
  const char* eq = row.empty() ? " = " : " IS ";
  std::string check = "lexos_client() IS NOT NULL AND " + row + quoteIdent(t.client_column) + eq + "lexos_client()";
  if (!t.visibility_column.empty()) check += " AND " + row + quoteIdent(t.visibility_column) + " IS TRUE";
  return check;
}

bool portalReadable(const TableEntry& e, const std::string& column) {
  const auto& t = e.table;
  if (t.tenancy == sdk::Tenancy::Firm) return false;
  if (column == "firm_id" || column == t.client_column || column == t.visibility_column) return true;
  if (!e.portal_until.empty() && column == e.portal_until) return true;
  if (std::find(t.primary_key.begin(), t.primary_key.end(), column) != t.primary_key.end()) return true;
  return std::find(e.portal_columns.begin(), e.portal_columns.end(), column) != e.portal_columns.end();
}

std::vector<std::string> unknownPortalColumns(const TableEntry& e, const std::vector<ColumnInfo>& columns) {
  std::vector<std::string> out;
  for (const auto& p : e.portal_columns)
    if (std::none_of(columns.begin(), columns.end(), [&](const ColumnInfo& c) { return c.name == p; })) out.push_back(p);
  return out;
}

std::string sqliteStoredName(const std::string& table) { return "lexos_t_" + table; }

std::string sqliteProjection(const TableEntry& e, const std::string& column) {
  const std::string q = quoteIdent(column);
  if (e.table.tenancy == sdk::Tenancy::Firm || portalReadable(e, column)) return q;
  return "CASE WHEN lexos_client() IS NULL THEN " + q + " END AS " + q;
}

std::string sqliteViewSql(const TableEntry& e, const std::vector<ColumnInfo>& columns) {
  std::string list;
  for (const auto& c : columns) list += (list.empty() ? "" : ", ") + sqliteProjection(e, c.name);
  return "CREATE VIEW " + quoteIdent(e.table.name) + " AS SELECT " + list + " FROM " +
         quoteIdent(sqliteStoredName(e.table.name)) + " WHERE " + readPredicate(e);
}

std::vector<std::string> sqliteTriggerSql(const TableEntry& e, const std::vector<ColumnInfo>& columns,
                                          const std::vector<std::string>& primaryKey, bool appendOnly) {
  const std::string& t = e.table.name;
  const std::string q = quoteIdent(t), stored = quoteIdent(sqliteStoredName(t));
  const std::string deny = "SELECT RAISE(ABORT, 'lexos: tenancy violation on " + t + "')";
  std::string colList, newList, setList, pkMatch;
  for (const auto& c : columns) {
    const std::string qc = quoteIdent(c.name);
    colList += (colList.empty() ? "" : ", ") + qc;
    std::string v = "NEW." + qc;
    if (c.name == "firm_id") v = "coalesce(NEW.firm_id, lexos_firm())";
    else if (!c.default_sql.empty()) v = "coalesce(NEW." + qc + ", " + c.default_sql + ")";
    newList += (newList.empty() ? "" : ", ") + v;
    setList += (setList.empty() ? "" : ", ") + qc + " = NEW." + qc;
  }
  for (const auto& k : primaryKey) pkMatch += (pkMatch.empty() ? "" : " AND ") + quoteIdent(k) + " = OLD." + quoteIdent(k);
  std::vector<std::string> out;
  // Who may insert: a staff scope; for a table declared with addPortalInsert also a portal scope,
  // a row of its own client (and visible, when the table has a visibility column).
  std::string who = "lexos_client() IS NULL";
  if (e.portal_insert) {
    // As on PostgreSQL (whose portal view cannot set them), a portal row leaves the columns
    // portal sessions may not read to their DEFAULT.
    std::string check = portalInsertCheck(e, "NEW.");
    for (const auto& c : columns)
      if (!portalReadable(e, c.name)) check += " AND NEW." + quoteIdent(c.name) + " IS NULL";
    who = "(" + who + " OR (" + check + "))";
  }
  out.push_back("CREATE TRIGGER " + quoteIdent("lexos_ins_" + t) + " INSTEAD OF INSERT ON " + q + " BEGIN " + deny +
                " WHERE NOT (coalesce(NEW.firm_id, lexos_firm()) IS lexos_firm() AND " + who + " AND "
                "lexos_firm() IS NOT NULL); INSERT INTO " + stored + " (" + colList + ") VALUES (" + newList + "); END");
  if (appendOnly) {
    const std::string never = "SELECT RAISE(ABORT, 'lexos: " + t + " is append-only')";
    out.push_back("CREATE TRIGGER " + quoteIdent("lexos_upd_" + t) + " INSTEAD OF UPDATE ON " + q + " BEGIN " + never + "; END");
    out.push_back("CREATE TRIGGER " + quoteIdent("lexos_del_" + t) + " INSTEAD OF DELETE ON " + q + " BEGIN " + never + "; END");
    return out;
  }
  const std::string writeOk = "NEW.firm_id IS lexos_firm() AND lexos_client() IS NULL";
  out.push_back("CREATE TRIGGER " + quoteIdent("lexos_upd_" + t) + " INSTEAD OF UPDATE ON " + q + " BEGIN " + deny +
                " WHERE NOT (" + writeOk + "); UPDATE " + stored + " SET " + setList + " WHERE " + pkMatch + "; END");
  out.push_back("CREATE TRIGGER " + quoteIdent("lexos_del_" + t) + " INSTEAD OF DELETE ON " + q + " BEGIN " + deny +
                " WHERE NOT (lexos_client() IS NULL); DELETE FROM " + stored + " WHERE " + pkMatch + "; END");
  return out;
}

std::vector<std::string> pgTableSql(const TableEntry& e) {
  const std::string q = quoteIdent(e.table.name);
  const std::string staff = "firm_id = lexos_firm() AND lexos_client() IS NULL";
  std::vector<std::string> out = {
      "ALTER TABLE " + q + " ENABLE ROW LEVEL SECURITY",
      "ALTER TABLE " + q + " FORCE ROW LEVEL SECURITY",
      "DROP POLICY IF EXISTS lexos_read ON " + q,
      "DROP POLICY IF EXISTS lexos_portal_read ON " + q,
      "DROP POLICY IF EXISTS lexos_write ON " + q,
      // Every role, the runtime one included, reads the table itself in a staff scope only: a
      // portal scope reaches client-owned rows through lexos_portal's views alone, whose
      // projection hides the staff-only columns.
      "CREATE POLICY lexos_read ON " + q + " FOR SELECT USING (" + staff + ")",
  };
  if (e.table.tenancy != sdk::Tenancy::Firm)
    // The owner role (which owns, and so runs, the portal views) reads the portal scope's rows.
    out.push_back("CREATE POLICY lexos_portal_read ON " + q + " FOR SELECT TO CURRENT_USER USING (" + readPredicate(e) + ")");
  out.push_back("CREATE POLICY lexos_write ON " + q + " FOR ALL USING (" + writePredicate() + ") WITH CHECK (" +
                writePredicate() + ")");
  out.push_back("DROP POLICY IF EXISTS lexos_portal_insert ON " + q);
  if (e.table.tenancy == sdk::Tenancy::Client && e.portal_insert)
    // A portal scope's INSERT goes through its portal view, which runs as the owner role: the
    // row must be the scope's firm's and client's (SDK 1.6 addPortalInsert). No UPDATE or
    // DELETE policy matches a portal scope, so those stay refused.
    out.push_back("CREATE POLICY lexos_portal_insert ON " + q + " FOR INSERT TO CURRENT_USER WITH CHECK (firm_id = lexos_firm() AND " +
                  portalInsertCheck(e, "") + ")");
  out.push_back("DROP TRIGGER IF EXISTS lexos_fill_firm ON " + q);
  out.push_back("CREATE TRIGGER lexos_fill_firm BEFORE INSERT ON " + q + " FOR EACH ROW EXECUTE FUNCTION lexos_fill_firm()");
  return out;
}

std::vector<std::string> pgPortalViewSql(const TableEntry& e, const std::vector<ColumnInfo>& columns) {
  const std::string view = std::string(kPortalSchema) + "." + quoteIdent(e.table.name);
  std::vector<std::string> out = {"DROP VIEW IF EXISTS " + view};
  if (e.table.tenancy == sdk::Tenancy::Firm) return out;
  std::string list;
  for (const auto& c : columns) {
    const std::string qc = quoteIdent(c.name);
    list += (list.empty() ? "" : ", ") + (portalReadable(e, c.name) ? qc : "NULL::" + c.pg_type + " AS " + qc);
  }
  out.push_back("CREATE VIEW " + view + " WITH (security_barrier) AS SELECT " + list + " FROM public." +
                quoteIdent(e.table.name));
  return out;
}

namespace {

// The core tables a portal answer may read besides the declared shared ones: the firm's
// settings and logo (Context::firm: time zone, country, address, currency, the logo's address).
// Changes of the firm row itself, users, sessions and module switches are the guard's own firm
// key, which the cache checks too.
bool corePortalRow(const std::string& table) { return table == "firm_settings" || table == "firm_logos"; }

// The column whose negation is the announced key (data/change_feed.h: portalClientKey(client)
// is -client, portalFirmKey(firm) is -firm): the client column or firm_id.
std::string portalKeyColumn(const TableEntry& e) {
  return e.table.tenancy == sdk::Tenancy::Client ? quoteIdent(e.table.client_column) : std::string("\"firm_id\"");
}

}  // namespace

bool announcesPortalChanges(const TableEntry& e) {
  return e.table.tenancy != sdk::Tenancy::Firm || corePortalRow(e.table.name);
}

std::vector<std::string> sqlitePortalChangeDropSql(const TableEntry& e) {
  std::vector<std::string> out;
  for (const char* op : {"i", "u", "d"})
    out.push_back("DROP TRIGGER IF EXISTS " + quoteIdent(std::string("lexos_portal_") + op + "_" + e.table.name));
  return out;
}

std::vector<std::string> sqlitePortalChangeSql(const TableEntry& e) {
  std::vector<std::string> out = sqlitePortalChangeDropSql(e);
  if (!announcesPortalChanges(e)) return out;
  const std::string& t = e.table.name;
  const std::string stored = quoteIdent(sqliteStoredName(t)), k = portalKeyColumn(e);
  // A row without a client (NULL) is no portal's: lexos_guard_changed(NULL) would read as key 0,
  // everything.
  auto announce = [&](const std::string& row, const std::string& extra) {
    return "SELECT lexos_guard_changed(-" + row + k + ") WHERE " + row + k + " IS NOT NULL" + extra + "; ";
  };
  out.push_back("CREATE TRIGGER " + quoteIdent("lexos_portal_i_" + t) + " AFTER INSERT ON " + stored + " BEGIN " +
                announce("NEW.", "") + "END");
  out.push_back("CREATE TRIGGER " + quoteIdent("lexos_portal_u_" + t) + " AFTER UPDATE ON " + stored + " BEGIN " +
                announce("OLD.", "") + announce("NEW.", " AND NEW." + k + " IS NOT OLD." + k) + "END");
  out.push_back("CREATE TRIGGER " + quoteIdent("lexos_portal_d_" + t) + " AFTER DELETE ON " + stored + " BEGIN " +
                announce("OLD.", "") + "END");
  return out;
}

std::vector<std::string> pgPortalChangeSql(const TableEntry& e) {
  const std::string& t = e.table.name;
  const std::string q = quoteIdent(t), fn = quoteIdent("lexos_portal_changed_" + t);
  std::vector<std::string> out = {"DROP TRIGGER IF EXISTS lexos_portal_changed ON " + q,
                                  "DROP TRIGGER IF EXISTS lexos_portal_truncated ON " + q};
  if (!announcesPortalChanges(e)) {
    out.push_back("DROP FUNCTION IF EXISTS " + fn + "()");
    return out;
  }
  const std::string k = portalKeyColumn(e);
  // Keys as text, as lexos.guard_changed lists them ("<key> " each); NULL (a row of no client)
  // is skipped. The number of keys listed is the number of spaces.
  out.push_back(
      "CREATE OR REPLACE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
      "DECLARE\n"
      "  seen text := coalesce(current_setting('lexos.guard_changed', true), '');\n"
      "  keys text[];\n"
      "  firm bigint;\n"
      "  k text;\n"
      "  added boolean := false;\n"
      "BEGIN\n"
      "  IF TG_OP = 'TRUNCATE' THEN\n"
      "    keys := ARRAY['0'];\n"
      "  ELSIF TG_OP = 'INSERT' THEN\n"
      "    keys := ARRAY[(-NEW." + k + "::bigint)::text];\n"
      "    firm := NEW.firm_id;\n"
      "  ELSIF TG_OP = 'DELETE' THEN\n"
      "    keys := ARRAY[(-OLD." + k + "::bigint)::text];\n"
      "    firm := OLD.firm_id;\n"
      "  ELSE\n"
      "    keys := ARRAY[(-OLD." + k + "::bigint)::text, (-NEW." + k + "::bigint)::text];\n"
      "    firm := OLD.firm_id;\n"
      "  END IF;\n"
      "  FOREACH k IN ARRAY keys LOOP\n"
      "    CONTINUE WHEN k IS NULL OR position(' ' || k || ' ' IN ' ' || seen) > 0;\n"
      "    IF k <> '0' AND length(seen) - length(replace(seen, ' ', '')) >= 64 THEN\n"
      "      k := (-firm)::text;\n"
      "      CONTINUE WHEN position(' ' || k || ' ' IN ' ' || seen) > 0;\n"
      "    END IF;\n"
      "    PERFORM pg_notify('lexos_guard', k);\n"
      "    seen := seen || k || ' ';\n"
      "    added := true;\n"
      "  END LOOP;\n"
      "  IF added THEN\n"
      "    PERFORM set_config('lexos.guard_changed', seen, true);\n"
      "  END IF;\n"
      "  RETURN NULL;\n"
      "END $$");
  out.push_back("CREATE TRIGGER lexos_portal_changed AFTER INSERT OR UPDATE OR DELETE ON " + q +
                " FOR EACH ROW EXECUTE FUNCTION " + fn + "()");
  out.push_back("CREATE TRIGGER lexos_portal_truncated AFTER TRUNCATE ON " + q + " FOR EACH STATEMENT EXECUTE FUNCTION " +
                fn + "()");
  return out;
}

}  // namespace lexos::core
