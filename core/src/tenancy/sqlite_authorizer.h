#pragma once
// SQLite tenancy, the statement rules: what SQL run on an enforcing connection (plugin and
// handler SQL at runtime) may do. Each tenant table T is stored as lexos_t_T behind a view T
// (tenancy_sql.h); these rules keep statements on the views: the stored tables are reachable
// only through the views and their INSTEAD OF triggers, and no statement attaches databases,
// changes the schema, reads or sets a PRAGMA or controls transactions (the host owns them).
// data/sqlite_connection.cpp asks these rules at every prepare of an enforcing connection;
// host-issued statements (BEGIN, COMMIT, new ids) bypass them. Unit-tested on a real SQLite
// database in tests/unit/tenancy/sqlite_authorizer_test.cpp.

namespace lexos::core {

/// The answer for one authorizer call (the arguments of sqlite3_set_authorizer's callback):
/// SQLITE_OK or SQLITE_DENY. `object` is the table, pragma or function the action is about
/// (argument 3), `trigger` the innermost trigger or view responsible (argument 6; null for
/// top-level SQL). Pure; callable from any thread.
int sqliteAuthorize(int action, const char* object, const char* detail, const char* database,
                    const char* trigger);

/// Whether `table` is a stored tenant table (lexos_t_*), never to be named by runtime SQL.
bool isStoredTenantTable(const char* table);

}  // namespace lexos::core
