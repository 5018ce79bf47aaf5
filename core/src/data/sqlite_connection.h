#pragma once
// SQLite connection. Tenancy on SQLite: each tenant table T is stored as lexos_t_T and
// shadowed by a view T that filters by lexos_firm()/lexos_client() (functions bound to this
// connection's scope), with INSTEAD OF triggers that check writes (tenancy/tenancy_sql.h); an
// authorizer asks the tenancy statement rules (tenancy/sqlite_authorizer.h), which refuse any
// statement that touches lexos_t_* directly, attaches databases, changes the schema or controls
// transactions. Plugin SQL therefore sees only its tenant's rows.

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "data/connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace lexos::core {

class SqliteConnection : public Connection {
 public:
  /// Opens `file`. With `rules` (tenancy/sqlite_authorizer.h), they guard every statement
  /// (runtime use); without, the connection is raw (migrations, which also (re)build the views).
  SqliteConnection(const std::string& file, SqliteStatementRules rules);
  ~SqliteConnection() override;

  sdk::Backend backend() const override { return sdk::Backend::SQLite; }
  sdk::ResultSet query(const std::string& sql, const std::vector<sdk::Value>& params) override;
  std::int64_t execute(const std::string& sql, const std::vector<sdk::Value>& params) override;
  void executeScript(const std::string& sql) override;
  void begin(bool write) override;
  void commit() override;
  void rollback() override;
  bool inTransaction() const override { return inTx_; }
  void setScope(const Scope& scope) override { scope_ = scope; }
  std::int64_t newId() override;
  bool ping() override;
  std::string databaseFile() const override { return file_; }

  /// Name under which a tenant table is stored.
  static std::string storedName(const std::string& table) { return "lexos_t_" + table; }

  const Scope& scope() const { return scope_; }
  /// Called by the guard triggers (lexos_guard_changed): published after COMMIT.
  void noteGuardChange(std::int64_t firm) {
    // A bulk write of one client's or firm's rows calls this per row: keep one.
    if (guardChanges_.empty() || guardChanges_.back() != firm) guardChanges_.push_back(firm);
  }
  /// Whether this process can announce such changes (its change feed maps the shared file).
  bool announcesGuardChanges() const;
  bool enforcing() const { return rules_ != nullptr && !hostOp_; }
  /// The statement rules' answer for one authorizer call (SQLITE_OK when not enforcing).
  int authorize(int action, const char* object, const char* detail, const char* database, const char* trigger) const {
    return enforcing() ? rules_(action, object, detail, database, trigger) : 0;
  }

 private:
  sdk::ResultSet run(const std::string& sql, const std::vector<sdk::Value>& params, std::int64_t* changes);
  void hostExec(const char* sql);
  sqlite3_stmt* prepared(const std::string& sql);
  sqlite3* db_ = nullptr;
  std::string file_;
  // Prepared statements by SQL text (and by whether the authorizer enforced when preparing):
  // views make parsing the dominant cost of a small query. Bounded; dropped oldest-first.
  /// One writer at a time per database file in this process: threads queue here instead of in
  /// SQLite's busy handler, which sleeps 1, 2, 5, 10... ms between tries (docs/audit.md).
  std::shared_ptr<std::timed_mutex> writer_;
  bool holdsWriter_ = false;
  void releaseWriter();
  std::map<std::string, sqlite3_stmt*> cache_;
  std::list<std::string> cacheOrder_;
  SqliteStatementRules rules_;
  bool hostOp_ = false;
  bool inTx_ = false;
  Scope scope_;
  std::vector<std::int64_t> guardChanges_;
  class ChangeFeed* feed_ = nullptr;
  void publishGuardChanges();
};

/// Whether `sql` asks SQLite to resolve a conflict by deleting rows: `INSERT OR REPLACE`,
/// `REPLACE INTO`, `UPDATE OR REPLACE` (keywords outside strings, quoted names and comments).
/// An INSTEAD OF trigger's own INSERT inherits that policy, so such a statement on a view could
/// delete a stored row its scope may not touch (another client's, or an append-only row);
/// enforcing connections refuse it (PostgreSQL has no such syntax, so portable SQL never needs it).
bool replacesRows(const char* sql);

}  // namespace lexos::core
