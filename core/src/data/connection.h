#pragma once
// One database connection (SQLite or PostgreSQL): the interface both drivers implement, the
// scope it is bound to, and how to open one. The pool: data/connection_pool.h; a request's lazy
// connection: data/lazy_connection.h.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lexos/sdk/db.h"

namespace lexos::core {

class Registry;

/// The tenant a transaction is bound to. firm_id 0 binds to no firm: tenant tables look empty.
/// client_id non-zero binds a portal user's client.
struct Scope {
  std::int64_t firm_id = 0;
  std::int64_t client_id = 0;
};

/// A connection. Not thread-safe: one user at a time (the pool guarantees it).
class Connection {
 public:
  virtual ~Connection() = default;
  virtual sdk::Backend backend() const = 0;
  virtual sdk::ResultSet query(const std::string& sql, const std::vector<sdk::Value>& params) = 0;
  virtual std::int64_t execute(const std::string& sql, const std::vector<sdk::Value>& params) = 0;
  /// Runs several statements separated by semicolons (migrations); no parameters.
  virtual void executeScript(const std::string& sql) = 0;
  /// Starts a transaction; `write` says whether it may write (SQLite takes the write lock
  /// up front for those, so that two writers never deadlock on upgrade).
  virtual void begin(bool write = true) = 0;
  /// begin() and setScope() together (one round trip on PostgreSQL).
  virtual void beginScoped(bool write, const Scope& scope) {
    begin(write);
    setScope(scope);
  }
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual bool inTransaction() const = 0;
  /// Runs one read statement bound to `scope` in a short read transaction of its own, outside
  /// any transaction (the caller must not be inside one): SQLite's deferred BEGIN, which takes
  /// no write lock; on PostgreSQL one round trip (settings, tenant and statement pipelined in
  /// one implicit transaction, so the tenant ends with it). The guard reads sessions this way,
  /// so that a request waiting on its client holds no lock, transaction or connection.
  virtual sdk::ResultSet readScoped(const Scope& scope, const std::string& sql, const std::vector<sdk::Value>& params);
  /// Binds the current transaction to a tenant (must be inside begin()).
  virtual void setScope(const Scope& scope) = 0;
  /// A new row id, unique across nodes: from the scoped firm's own counter (PostgreSQL: a
  /// sequence per firm; SQLite: a counter row per firm), or the shared one when unscoped (firm
  /// ids). See docs/ids.md.
  virtual std::int64_t newId() = 0;
  /// Cheap liveness check.
  virtual bool ping() = 0;
  /// False once the connection is known to be dead (server restart, failover): the pool then
  /// drops it and opens a new one instead of lending it again.
  virtual bool usable() const { return true; }
  /// SQLite: the database file (its read journal lives beside it: identity/audit_journal.h);
  /// empty for PostgreSQL.
  virtual std::string databaseFile() const { return {}; }
  /// Cheap and non-blocking, for an idle connection about to be lent: false when the server has
  /// closed it meanwhile (a PostgreSQL restart ends every connection while it sits in the pool,
  /// and libpq only notices at the next statement, which would then fail the request).
  virtual bool stillConnected() { return true; }
};

/// The database cannot be reached right now: the server is down or restarting, the connection
/// was lost, or every pooled connection stayed busy. Trying again shortly is the right thing for
/// the caller to do, so the dispatcher answers 503 with Retry-After instead of 500.
class DatabaseUnavailable : public sdk::DbError {
 public:
  explicit DatabaseUnavailable(const std::string& message) : sdk::DbError(sdk::DbError::Kind::Other, message) {}
};

/// Maps an engine error to the SDK's DbError kinds.
sdk::DbError dbError(sdk::DbError::Kind kind, const std::string& message);

/// PostgreSQL: whether connections keep named prepared statements (database.prepared_statements;
/// PgBouncer before 1.21 in transaction mode cannot). Set once at start, before connections open.
void setPreparedStatements(bool on);
bool preparedStatements();

/// The statement rules an enforcing SQLite connection asks at every prepare: the arguments of
/// sqlite3_set_authorizer's callback without its user data, answering SQLITE_OK or SQLITE_DENY.
/// The tenancy layer defines them (tenancy/sqlite_authorizer.h, sqliteAuthorize); the host hands
/// them down, so that the data layer does not include the tenancy layer (docs/architecture.md).
using SqliteStatementRules = int (*)(int action, const char* object, const char* detail, const char* database,
                                     const char* trigger);

/// Opens connections for a URL; a SQLite connection for runtime use (`registry` set) enforces
/// tenancy with `rules` (required then: without them the connection refuses to open); null
/// `registry`: raw connection, for migrations.
std::unique_ptr<Connection> openConnection(const std::string& url, const Registry* registry,
                                           SqliteStatementRules rules = nullptr);

/// Puts a connection back into `scope` when it goes out of scope: for work done in another
/// scope inside one transaction. A failure to restore is swallowed (the transaction failed and
/// its rollback follows). Not thread-safe; lives on the stack.
struct ScopeRestore {
  Connection& c;
  Scope scope;
  ~ScopeRestore() {
    try {
      c.setScope(scope);
    } catch (...) {
    }
  }
};

}  // namespace lexos::core
