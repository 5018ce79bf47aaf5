#pragma once
// PostgreSQL connection (libpq). Tenancy on PostgreSQL is row-level security: the request's
// firm and client are set with set_config(..., true) inside the transaction, and the policies
// that the migrator installs compare rows with lexos_firm()/lexos_client().

#include <map>
#include <unordered_set>

#include "data/connection.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace lexos::core {

class PgConnection : public Connection {
 public:
  explicit PgConnection(const std::string& url);
  ~PgConnection() override;

  sdk::Backend backend() const override { return sdk::Backend::PostgreSQL; }
  sdk::ResultSet query(const std::string& sql, const std::vector<sdk::Value>& params) override;
  std::int64_t execute(const std::string& sql, const std::vector<sdk::Value>& params) override;
  void executeScript(const std::string& sql) override;
  void begin(bool write) override;
  void beginScoped(bool write, const Scope& scope) override;
  void commit() override;
  void rollback() override;
  bool inTransaction() const override { return inTx_; }
  sdk::ResultSet readScoped(const Scope& scope, const std::string& sql, const std::vector<sdk::Value>& params) override;
  void setScope(const Scope& scope) override;
  std::int64_t newId() override;
  bool ping() override;
  bool usable() const override;
  bool stillConnected() override;

 private:
  struct Bound;
  sdk::ResultSet run(const std::string& sql, const std::vector<sdk::Value>& params, std::int64_t* changes);
  /// The name of the prepared statement for `sql` bound as `b`, preparing it first (a round trip,
  /// once per connection); empty when prepared statements are off or there are too many.
  std::string preparedName(const std::string& sql, const Bound& b);
  PGconn* conn_ = nullptr;
  bool broken_ = false;  ///< a pipeline left the connection in an unknown state
  bool inTx_ = false;
  bool write_ = false;
  bool portalPath_ = false;  ///< the transaction's search_path puts lexos_portal first
  class ChangeFeed* feed_ = nullptr;
  // Server-side prepared statements by SQL text and parameter types: planning a small query
  // through row-level security policies costs more than running it.
  std::map<std::string, std::string> prepared_;
  // Texts seen once and not yet prepared: a statement is prepared at its second use, so SQL
  // built with literals (a one-off list of ids) never fills prepared_ and keeps later hot
  // statements from being prepared. Cleared when it grows past its bound.
  std::unordered_set<std::string> seenOnce_;
};

}  // namespace lexos::core
