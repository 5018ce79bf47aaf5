#pragma once
// Applies numbered migrations (the core's and each plugin's), each in one transaction,
// recorded in lexos_migrations; then (re)builds the tenancy enforcement from the declared
// tables: row-level security policies on PostgreSQL, views + triggers on SQLite, with the SQL
// of tenancy/tenancy_sql.h (tenancy/verify.h checks the result at start-up).

#include <string>
#include <vector>

#include "data/connection.h"
#include "tenancy/tenancy_sql.h"

namespace lexos::core {

class Registry;
struct TableEntry;

class Migrator {
 public:
  /// `ownerUrl` is the role that owns the schema (database.migration_url, or the SQLite file);
  /// `runtimeUrl` the role lexosd serves with (granted what it needs on PostgreSQL).
  Migrator(const Registry& registry, std::string ownerUrl, std::string runtimeUrl);

  /// Applies what is pending and rebuilds tenancy enforcement. Returns "plugin vN name" for
  /// each migration applied. Throws std::runtime_error naming the plugin and migration.
  std::vector<std::string> migrate();

  /// Migrations not yet applied, as "plugin vN name", read through `c`.
  std::vector<std::string> pending(Connection& c) const;

 private:
  /// SQLite: `unwrapOnly` puts the stored tables back under their names (for migrations);
  /// otherwise each declared table goes behind its view (`existingOnly`: skip tables not yet
  /// created, for per-firm steps between migrations).
  void rebuildSqliteTenancy(Connection& c, bool unwrapOnly, bool existingOnly = false);
  void rebuildPgTenancy(Connection& c);
  /// Runs the per-firm data steps of (plugin, version), once per firm with its scope set.
  void runPerFirmSteps(Connection& c, const std::string& plugin, int version, bool pg);
  static std::vector<ColumnInfo> columnsOf(Connection& c, const std::string& table, bool pg);
  /// Refuses a table whose primary key, firm_id column or declared portal columns do not match.
  static void checkTableShape(Connection& c, const TableEntry& e, const std::vector<ColumnInfo>& cols, bool pg);
  const Registry& registry_;
  std::string ownerUrl_;
  std::string runtimeUrl_;
};

}  // namespace lexos::core
