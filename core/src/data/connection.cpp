#include "data/connection.h"

#include <atomic>
#include <chrono>
#include <stdexcept>

#include "data/pg_connection.h"
#include "data/sqlite_connection.h"

namespace lexos::core {

sdk::DbError dbError(sdk::DbError::Kind kind, const std::string& message) {
  return sdk::DbError(kind, message);
}

namespace {
std::atomic<bool> g_prepared{true};
}

void setPreparedStatements(bool on) { g_prepared = on; }
bool preparedStatements() { return g_prepared; }

sdk::ResultSet Connection::readScoped(const Scope& scope, const std::string& sql,
                                      const std::vector<sdk::Value>& params) {
  if (inTransaction()) throw std::logic_error("readScoped() inside a transaction");
  begin(false);
  try {
    setScope(scope);
    auto rs = query(sql, params);
    commit();
    return rs;
  } catch (...) {
    if (inTransaction()) rollback();
    throw;
  }
}

std::unique_ptr<Connection> openConnection(const std::string& url, const Registry* registry,
                                           SqliteStatementRules rules) {
  if (url.rfind("sqlite:", 0) == 0) {
    if (registry != nullptr && rules == nullptr)
      throw std::logic_error("a runtime SQLite connection needs the tenancy statement rules (sqliteAuthorize)");
    return std::make_unique<SqliteConnection>(url.substr(7), registry != nullptr ? rules : nullptr);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return std::make_unique<PgConnection>(url);
  throw std::runtime_error("database.url: expected sqlite:PATH or postgresql://..., found '" + url + "'");
}

}  // namespace lexos::core
