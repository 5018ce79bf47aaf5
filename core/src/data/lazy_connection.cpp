#include "data/lazy_connection.h"

namespace lexos::core {

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
