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

ConnectionPool::ConnectionPool(std::string url, int size, const Registry* registry, SqliteStatementRules rules)
    : url_(std::move(url)), size_(size), registry_(registry), rules_(rules),
      backend_(url_.rfind("sqlite:", 0) == 0 ? sdk::Backend::SQLite : sdk::Backend::PostgreSQL) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::~Lease() {
  if (!c_ || !pool_) return;
  try {
    if (c_->inTransaction()) c_->rollback();
    if (!c_->usable()) throw std::runtime_error("connection lost");
    pool_->release(std::move(c_));
  } catch (...) {
    // A connection that cannot roll back is broken: drop it, the pool opens a new one.
    std::lock_guard<std::mutex> lock(pool_->mu_);
    --pool_->open_;
    pool_->cv_.notify_one();
  }
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      if (c->stillConnected()) return Lease(this, std::move(c));
      // Closed by the server while idle (restart, failover): replace it instead of failing the
      // request that would have used it.
      --open_;
      continue;
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      try {
        return Lease(this, openConnection(url_, registry_, rules_));
      } catch (const std::exception& e) {
        lock.lock();
        --open_;
        cv_.notify_one();
        throw DatabaseUnavailable(e.what());
      }
    }
    if (cv_.wait_for(lock, std::chrono::seconds(10)) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_)
      throw DatabaseUnavailable("database pool exhausted: all " + std::to_string(size_) +
                                " connections busy for 10 s (database.pool_size)");
  }
}

void ConnectionPool::release(std::unique_ptr<Connection> c) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(c));
  cv_.notify_one();
}

Connection& LazyConnection::open() {
  if (!lease_) lease_ = std::make_unique<ConnectionPool::Lease>(pool_.acquire());
  Connection& c = **lease_;
  if (wanted_ && !started_) {
    c.beginScoped(write_, scope_);
    started_ = true;
  }
  return c;
}

void LazyConnection::begin(bool write) {
  if (wanted_) throw std::logic_error("LazyConnection: begin() inside a transaction");
  wanted_ = true;
  started_ = false;
  write_ = write;
  scope_ = {};
}

sdk::ResultSet LazyConnection::readScoped(const Scope& scope, const std::string& sql,
                                          const std::vector<sdk::Value>& params) {
  if (started_) {
    Connection& c = **lease_;
    c.setScope(scope);
    ScopeRestore restore{c, scope_};
    return c.query(sql, params);
  }
  if (!lease_) lease_ = std::make_unique<ConnectionPool::Lease>(pool_.acquire());
  struct GiveBack {  // also when the read fails: nothing is held while the request goes on
    std::unique_ptr<ConnectionPool::Lease>& lease;
    ~GiveBack() { lease.reset(); }
  } giveBack{lease_};
  return (**lease_).readScoped(scope, sql, params);
}

void LazyConnection::setScope(const Scope& scope) {
  scope_ = scope;
  if (started_) (**lease_).setScope(scope);
}

void LazyConnection::commit() {
  const bool started = started_;
  wanted_ = started_ = false;
  scope_ = {};
  if (started) (**lease_).commit();
}

void LazyConnection::rollback() {
  const bool started = started_;
  wanted_ = started_ = false;
  scope_ = {};
  if (started && (**lease_).inTransaction()) (**lease_).rollback();
}

}  // namespace lexos::core
