#pragma once
// Tenancy, checked: at start-up lexosd refuses to serve unless the database enforces what the
// loaded plugins declared (the SQL of tenancy_sql.h, as the migrator applied it). Run on a
// runtime connection (app/host.cpp) and by the tenancy proofs in tests/security/.

#include <string>

namespace lexos::core {

class Connection;
class Registry;

/// Refuses to serve when the database does not enforce tenancy as declared: on PostgreSQL every
/// tenant table must have row-level security enabled and forced, and the runtime role must
/// own no table and have neither SUPERUSER nor BYPASSRLS; on SQLite every tenant table must be
/// behind its view. Throws std::runtime_error naming the table or role.
void verifyTenancy(Connection& runtime, const Registry& registry);

/// The first table whose writes should announce portal changes (tenancy_sql.h
/// announcesPortalChanges) but that lacks the triggers doing it (a database last migrated by an
/// older lexosd); empty when all have them. The portal read cache stays off otherwise.
std::string tableWithoutPortalTriggers(Connection& runtime, const Registry& registry);

}  // namespace lexos::core
