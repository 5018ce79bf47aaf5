#pragma once
// A request's connection, borrowed from the pool at its first statement (data/connection_pool.h).

#include <memory>
#include <string>
#include <vector>

#include "data/connection.h"
#include "data/connection_pool.h"

namespace lexos::core {

/// A request's connection: borrows from the pool and starts the transaction only when the first
/// statement needs it, so a request the guard answers from its session cache (GET /api/v1/me)
/// touches no database at all. begin() records the intent; setScope() before the first
/// statement travels with the BEGIN (one round trip on PostgreSQL). Holds the lease until
/// destroyed, except around readScoped() outside a started transaction, which gives it back.
class LazyConnection : public Connection {
 public:
  explicit LazyConnection(ConnectionPool& pool) : pool_(pool) {}
  sdk::Backend backend() const override { return pool_.backend(); }
  sdk::ResultSet query(const std::string& sql, const std::vector<sdk::Value>& params) override {
    return open().query(sql, params);
  }
  std::int64_t execute(const std::string& sql, const std::vector<sdk::Value>& params) override {
    return open().execute(sql, params);
  }
  void executeScript(const std::string& sql) override { open().executeScript(sql); }
  void begin(bool write = true) override;
  void commit() override;
  void rollback() override;
  bool inTransaction() const override { return wanted_; }
  /// Outside a started transaction (none, or one begun whose first statement has not run): on a
  /// borrowed connection that goes back to the pool at once, leaving the pending transaction
  /// pending. Inside a started one: in it, in `scope`, then back to the transaction's scope.
  sdk::ResultSet readScoped(const Scope& scope, const std::string& sql, const std::vector<sdk::Value>& params) override;
  void setScope(const Scope& scope) override;
  std::int64_t newId() override { return open().newId(); }
  bool ping() override { return open().ping(); }
  bool usable() const override { return !lease_ || (*lease_)->usable(); }
  std::string databaseFile() const override {
    const std::string& u = pool_.url();
    return u.rfind("sqlite:", 0) == 0 ? u.substr(7) : std::string();
  }
  /// Whether a statement ran (the pool was used) since the last begin().
  bool started() const { return started_; }
  /// Whether a pooled connection is borrowed right now.
  bool holdsConnection() const { return lease_ != nullptr; }
  /// Gives the pooled connection back when no transaction is wanted (between a commit and the
  /// next begin): a request that waits on something else holds none. The next statement borrows
  /// again.
  void release() {
    if (!wanted_) lease_.reset();
  }

 private:
  Connection& open();
  ConnectionPool& pool_;
  std::unique_ptr<ConnectionPool::Lease> lease_;
  bool wanted_ = false, started_ = false, write_ = false;
  Scope scope_;
};

}  // namespace lexos::core
