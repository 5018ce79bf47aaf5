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

bool replacesRows(const char* sql) {
  // Words of the statement, upper-cased, with strings, quoted names and comments skipped.
  std::string prev;
  for (const char* p = sql; p && *p;) {
    const char c = *p;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      const char close = c == '[' ? ']' : c;
      for (++p; *p && *p != close; ++p) {
      }
      if (*p) ++p;
      prev.clear();
      continue;
    }
    if (c == '-' && p[1] == '-') {
      while (*p && *p != '\n') ++p;
      continue;
    }
    if (c == '/' && p[1] == '*') {
      p += 2;
      while (*p && !(*p == '*' && p[1] == '/')) ++p;
      if (*p) p += 2;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::string word;
      while (*p && (std::isalnum(static_cast<unsigned char>(*p)) || *p == '_' || *p == '$'))
        word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(*p++))));
      if ((prev == "OR" && word == "REPLACE") || (prev == "REPLACE" && word == "INTO")) return true;
      prev = word;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(c))) prev.clear();
    ++p;
  }
  return false;
}

}  // namespace lexos::core
