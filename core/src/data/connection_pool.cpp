#include "data/connection_pool.h"

#include <chrono>
#include <stdexcept>

namespace lexos::core {

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
  bool waited = false;
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
    if (!waited) ++waits_;
    waited = true;
    if (cv_.wait_for(lock, std::chrono::seconds(10)) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_) {
      ++wait_timeouts_;
      throw DatabaseUnavailable("database pool exhausted: all " + std::to_string(size_) +
                                " connections busy for 10 s (database.pool_size)");
    }
  }
}

ConnectionPool::Stats ConnectionPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s;
  s.size = size_;
  s.open = open_;
  s.in_use = open_ - static_cast<int>(idle_.size());
  s.waits = waits_;
  s.wait_timeouts = wait_timeouts_;
  return s;
}

void ConnectionPool::release(std::unique_ptr<Connection> c) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(c));
  cv_.notify_one();
}

}  // namespace lexos::core
