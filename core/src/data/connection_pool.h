#pragma once
// The pool that lends runtime connections out (data/connection.h).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/connection.h"

namespace lexos::core {

/// A fixed-size pool of runtime connections. Thread-safe.
class ConnectionPool {
 public:
  /// `registry` and `rules` as for openConnection().
  ConnectionPool(std::string url, int size, const Registry* registry, SqliteStatementRules rules = nullptr);
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

  /// Borrows a connection, opening one if fewer than `size` exist and dropping idle ones the
  /// server has closed; waits up to 10 s. Throws DatabaseUnavailable when it cannot connect or
  /// every connection stayed busy.
  Lease acquire();
  sdk::Backend backend() const { return backend_; }

  /// What the pool holds now, and how often a borrower had to wait (metrics). Monotonic counts
  /// since start.
  struct Stats {
    int size = 0;    ///< database.pool_size
    int open = 0;    ///< connections open (lent out or idle)
    int in_use = 0;  ///< lent out now
    std::uint64_t waits = 0;          ///< acquire() calls that found every connection lent out
    std::uint64_t wait_timeouts = 0;  ///< of those, gave up after 10 s (DatabaseUnavailable)
  };
  Stats stats() const;
  const std::string& url() const { return url_; }

 private:
  void release(std::unique_ptr<Connection> c);
  std::string url_;
  int size_;
  const Registry* registry_;
  SqliteStatementRules rules_;
  sdk::Backend backend_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
  std::uint64_t waits_ = 0;          // under mu_
  std::uint64_t wait_timeouts_ = 0;  // under mu_
};

}  // namespace lexos::core
