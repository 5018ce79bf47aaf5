#include "tenancy/sqlite_authorizer.h"

#include <sqlite3.h>

#include <cctype>
#include <cstring>
#include <string>

namespace lexos::core {

bool isStoredTenantTable(const char* table) {
  return table != nullptr && std::strncmp(table, "lexos_t_", 8) == 0;
}

int sqliteAuthorize(int action, const char* object, const char*, const char*, const char* trigger) {
  switch (action) {
    case SQLITE_READ:
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
      // The stored tenant tables are reachable only through their views and triggers.
      if (isStoredTenantTable(object) && trigger == nullptr) return SQLITE_DENY;
      return SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_PRAGMA:
      return SQLITE_DENY;
    default:
      // Schema changes, ATTACH/DETACH, transaction control, ANALYZE, REINDEX, VACUUM...:
      // plugin SQL runs inside the host's transaction and never reshapes the database.
      return SQLITE_DENY;
  }
}

}  // namespace lexos::core
