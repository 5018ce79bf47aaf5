#pragma once
// Session checks that park the request, not a thread (PostgreSQL, on a session-cache miss).
//
// A worker thread that waits for the database does nothing else meanwhile; on a small machine
// the waiting threads, and waking them, cost more than the statement (docs/guard.md, "Where the
// time goes"). So the connection layer, once a request is complete and its cookie needs a
// database read (Guard::resolve), hands the read to this class and goes back to other
// connections. A few threads of its own read the sessions, one firm at a time, every waiting
// token of that firm in one statement (up to kMaxBatch, at most kLanes statements of one firm at
// once), and hand each request its session through `Done`; the connection layer then runs the
// dispatch with it (http/server.cpp).
//
// Safety is the guard's, unchanged: a statement holds tokens of one firm only and runs bound to
// that firm (Guard::readSessions); each request gets only the rows carrying its own token's
// hash, and Guard::fromRows refuses any row of another firm or token. Memory is bounded by the
// requests parked (each is an open connection, within server.max_connections).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "guard/guard.h"

namespace lexos::core {

class ConnectionPool;

class SessionPrefetch {
 public:
  /// The session read for a request; nullopt when the read failed (the request then checks its
  /// session itself, and meets the failure there, answered as usual).
  using Done = std::function<void(std::optional<SessionInfo>)>;

  static constexpr std::size_t kLanes = 2;      ///< statements of one firm running at once
  static constexpr std::size_t kMaxBatch = 32;  ///< tokens per statement

  /// `threads`: statements running at once, over all firms. `afterBatch` (optional) runs once
  /// after the `Done`s of one statement's requests, on the same thread: the caller can wake its
  /// workers once for all of them.
  SessionPrefetch(const Guard& guard, ConnectionPool& pool, std::size_t threads,
                  std::function<void()> afterBatch = nullptr);
  ~SessionPrefetch();
  SessionPrefetch(const SessionPrefetch&) = delete;
  SessionPrefetch& operator=(const SessionPrefetch&) = delete;

  /// Reads `lookup`'s session and calls `done` with it, on one of this class's threads.
  void submit(Guard::SessionLookup lookup, Done done);
  /// Runs what was submitted, then ends the threads. Later submits are answered nullopt at once.
  void stop();

  /// Statements run and tokens read since start (tests, diagnostics).
  std::pair<std::uint64_t, std::uint64_t> stats() const;

 private:
  struct Entry {
    Guard::SessionLookup lookup;
    Done done;
  };
  struct Queue {
    std::deque<Entry> waiting;
    std::size_t running = 0;
    bool listed = false;  ///< in `order_`
  };
  void run();
  /// Lists `firm` for a thread when it has waiting entries and a free lane. Caller holds mu_.
  void list(std::int64_t firm, Queue& q);

  const Guard& guard_;
  ConnectionPool& pool_;
  const std::function<void()> afterBatch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::int64_t, Queue> queues_;
  std::deque<std::int64_t> order_;  ///< firms with waiting entries and a free lane, oldest first
  bool stopping_ = false;
  std::uint64_t statements_ = 0, keys_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace lexos::core
