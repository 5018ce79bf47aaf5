#pragma once
// Tenancy enforcement, generated in one place: the SQL that puts every declared tenant table
// behind its firm / client / column rules on SQLite (a scoped view with INSTEAD OF triggers over
// the stored table lexos_t_<name>) and on PostgreSQL (forced row-level security, and a portal
// view per client-owned table in the schema lexos_portal). Pure functions of a table's
// declaration and its columns, unit-tested on the text they produce
// (tests/unit/tenancy/tenancy_sql_test.cpp); data/migrator.cpp applies them, tenancy/verify.cpp
// checks at start-up that the database holds them. docs/isolation.md explains the model.

#include <set>
#include <string>
#include <vector>

namespace lexos::core {

struct TableEntry;

/// A column of a tenant table as the catalog describes it.
struct ColumnInfo {
  std::string name;
  std::string default_sql;  ///< SQLite: the column's DEFAULT expression, or empty
  std::string pg_type;      ///< PostgreSQL: format_type() of the column, e.g. "text", "bigint"
};

/// The schema of PostgreSQL's portal views.
inline constexpr const char* kPortalSchema = "lexos_portal";

/// "name" quoted as an SQL identifier.
std::string quoteIdent(const std::string& name);

/// The rows a scope may read: the firm's, and for a portal scope (lexos_client() set) only the
/// client's own (and visible) rows of client-owned tables, the firm-shared ones, nothing else.
std::string readPredicate(const TableEntry& e);

/// The rows a scope may write: the firm's, staff scopes only.
std::string writePredicate();

/// Tables declared with addPortalInsert (SDK 1.6): the condition a row a portal scope inserts
/// must meet besides its firm (its client column is the scope's client, its visibility column
/// true). `row` prefixes the column names ("NEW." in a SQLite trigger, "" in a PostgreSQL policy).
std::string portalInsertCheck(const TableEntry& e, const std::string& row);

/// Whether a portal scope reads `column` of the table for real: its keys (primary key, client
/// and visibility columns) and the columns declared with addPortalColumns. Firm tables: none.
bool portalReadable(const TableEntry& e, const std::string& column);

/// Declared portal columns that the table does not have (to refuse them by name).
std::vector<std::string> unknownPortalColumns(const TableEntry& e, const std::vector<ColumnInfo>& columns);

/// SQLite: the stored name of a tenant table.
std::string sqliteStoredName(const std::string& table);

/// SQLite: the view that stands for the table, exactly as stored in sqlite_master.sql: its rows
/// filtered by readPredicate(), and every column a portal scope may not read projected as
/// `CASE WHEN lexos_client() IS NULL THEN "col" END` (NULL in a portal scope).
std::string sqliteViewSql(const TableEntry& e, const std::vector<ColumnInfo>& columns);

/// SQLite: the INSTEAD OF triggers that write through the view to the stored table (firm_id
/// filled from the scope when left out; writes for another firm and portal writes refused;
/// append-only tables refuse UPDATE and DELETE).
std::vector<std::string> sqliteTriggerSql(const TableEntry& e, const std::vector<ColumnInfo>& columns,
                                          const std::vector<std::string>& primaryKey, bool appendOnly);

/// SQLite: the projection of one column in the view (to find what a stored view exposes).
std::string sqliteProjection(const TableEntry& e, const std::string& column);

/// PostgreSQL: row-level security of the table (enabled, forced), its policies, and the
/// firm_id filling trigger. Policies: `lexos_read` (every role: the staff scope's rows),
/// `lexos_portal_read` (client-owned and firm-shared tables, only for the owner role, which the
/// portal views run as: the portal scope's rows), `lexos_write`.
std::vector<std::string> pgTableSql(const TableEntry& e);

/// PostgreSQL: the portal view of a client-owned or firm-shared table (none for Firm tables):
/// lexos_portal.<name>, owned by the migration role, every column a portal scope may not read
/// projected as NULL of its type. A portal scope's search_path puts lexos_portal first.
std::vector<std::string> pgPortalViewSql(const TableEntry& e, const std::vector<ColumnInfo>& columns);

/// The portal read cache's invalidation (http/read_cache.h, docs/portal-cache.md): whether a
/// write to this table may change a portal answer, and so announces a portal key through the
/// change feed (data/change_feed.h portalClientKey / portalFirmKey): Tenancy::Client tables
/// announce the client of the row (the old and the new one), FirmShared tables and the core
/// rows a portal answer may read (firm_settings, firm_logos: Context::firm) the firm-wide
/// portal key.
bool announcesPortalChanges(const TableEntry& e);

/// SQLite: the AFTER INSERT/UPDATE/DELETE triggers on the stored table lexos_t_<name> that call
/// lexos_guard_changed(<portal key>) (each dropped first; only drops for tables that announce
/// nothing), so that writes through the view and direct writes to the stored table are caught.
std::vector<std::string> sqlitePortalChangeSql(const TableEntry& e);

/// SQLite: drops those triggers (before migrations reshape the tables).
std::vector<std::string> sqlitePortalChangeDropSql(const TableEntry& e);

/// PostgreSQL: a trigger function of the table's own (static column references) and its row and
/// TRUNCATE triggers: each key NOTIFYed on lexos_guard once per transaction and listed in
/// lexos.guard_changed (published on this node right after COMMIT) like the guard's firm keys;
/// once a transaction has listed 64 keys, a further row announces its firm-wide portal key
/// instead (a bulk change must not build a long list); TRUNCATE announces everything (key 0).
std::vector<std::string> pgPortalChangeSql(const TableEntry& e);

}  // namespace lexos::core
