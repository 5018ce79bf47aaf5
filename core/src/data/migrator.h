#pragma once
// Applies numbered migrations (the core's and each plugin's), each in one transaction,
// recorded in lexos_migrations; then (re)builds the tenancy enforcement from the declared
// tables: row-level security policies on PostgreSQL, views + triggers on SQLite.

#include <string>
#include <vector>

#include "data/connection.h"

namespace lexos::core {

class Registry;

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
  void rebuildSqliteTenancy(Connection& c, bool unwrapOnly);
  void rebuildPgTenancy(Connection& c);
  const Registry& registry_;
  std::string ownerUrl_;
  std::string runtimeUrl_;
};

/// Refuses to serve when the database does not enforce tenancy as declared: on PostgreSQL every
/// tenant table must have row-level security enabled and forced, and the runtime role must
/// own no table and have neither SUPERUSER nor BYPASSRLS; on SQLite every tenant table must be
/// behind its view. Throws std::runtime_error naming the table or role.
void verifyTenancy(Connection& runtime, const Registry& registry);

/// The SQL predicate a tenancy kind reads with (uses lexos_firm()/lexos_client()).
std::string readPredicate(const struct TableEntry& t);

}  // namespace lexos::core
