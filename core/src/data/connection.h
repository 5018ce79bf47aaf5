#pragma once
// One database connection (SQLite or PostgreSQL) and the pool that lends them out.

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
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual bool inTransaction() const = 0;
  /// Binds the current transaction to a tenant (must be inside begin()).
  virtual void setScope(const Scope& scope) = 0;
  /// A new row id, unique across nodes (PostgreSQL sequence / SQLite counter row).
  virtual std::int64_t newId() = 0;
  /// Cheap liveness check.
  virtual bool ping() = 0;
  /// False once the connection is known to be dead (server restart, failover): the pool then
  /// drops it and opens a new one instead of lending it again.
  virtual bool usable() const { return true; }
};

/// Maps an engine error to the SDK's DbError kinds.
sdk::DbError dbError(sdk::DbError::Kind kind, const std::string& message);

/// Opens connections for a URL; a SQLite connection for runtime use installs the tenancy
/// views and authorizer for the tables in `registry` (null: raw connection, for migrations).
std::unique_ptr<Connection> openConnection(const std::string& url, const Registry* registry);

/// A fixed-size pool of runtime connections. Thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, int size, const Registry* registry);
  ~ConnectionPool();

  /// A borrowed connection; returned to the pool (rolled back if still in a transaction) when
  /// the lease goes out of scope.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();
    Connection& operator*() { return *c_; }
    Connection* operator->() { return c_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> c_;
  };

  /// Borrows a connection, opening one if fewer than `size` exist; waits up to 10 s, then
  /// throws std::runtime_error.
  Lease acquire();
  sdk::Backend backend() const { return backend_; }
  const std::string& url() const { return url_; }

 private:
  void release(std::unique_ptr<Connection> c);
  std::string url_;
  int size_;
  const Registry* registry_;
  sdk::Backend backend_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

}  // namespace lexos::core
