#pragma once
// Group reads of the guard's session lookup (PostgreSQL, without the session cache).
//
// Each uncached check is one statement; on PostgreSQL its cost is the statement's fixed work
// (planning a generic plan, four index scans through row-level security, the settings), not
// its rows: pgbench on two cores runs 21k single-token lookups per second but 6.4k lookups of
// 16 tokens each (100k tokens per second). So concurrent checks for the same firm are read
// together: the first caller to find a free lane becomes the leader, takes every token waiting
// for that firm (up to kMaxBatch), runs one statement for them on its own connection, hands each
// waiter its rows and wakes it. Under no concurrency a batch holds one token: no added wait.
//
// Safety: a batch holds tokens of one firm only (the firm the cookies name), and runs bound to
// that firm like a single lookup; a waiter gets only the rows whose token hash equals its own.
// Memory is bounded by the number of waiting requests (each waits in its own thread): a firm's
// queue is erased when it is empty and no batch of it is running.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "lexos/sdk/db.h"

namespace lexos::core {

class Connection;

class LookupBatcher {
 public:
  /// Runs one statement for `keys` (one firm), bound to `firm`, on `c`; returns rows holding
  /// the key in column `keyColumn`.
  using Run = std::function<sdk::ResultSet(Connection& c, std::int64_t firm, const std::vector<std::string>& keys)>;

  static constexpr std::size_t kLanes = 2;      ///< batches of one firm running at once
  static constexpr std::size_t kMaxBatch = 32;  ///< tokens per statement

  explicit LookupBatcher(std::size_t keyColumn) : keyColumn_(keyColumn) {}

  /// The rows for `key` in `firm` (possibly read together with other callers' keys).
  /// Rethrows the statement's error to every caller of its batch.
  sdk::ResultSet lookup(std::int64_t firm, const std::string& key, Connection& c, const Run& run);

  /// Statements run and keys read since start (tests, diagnostics).
  std::pair<std::uint64_t, std::uint64_t> stats() const;

 private:
  struct Waiter {
    std::string key;
    sdk::ResultSet rows;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable cv;
  };
  struct Queue {
    std::deque<Waiter*> waiting;
    std::size_t running = 0;
  };
  /// Leads one batch of `firm` (called with `lock` held; returns with it held).
  void lead(std::int64_t firm, std::unique_lock<std::mutex>& lock, Connection& c, const Run& run);

  const std::size_t keyColumn_;
  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, Queue> queues_;
  std::uint64_t statements_ = 0, keys_ = 0;
};

}  // namespace lexos::core
