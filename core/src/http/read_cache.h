#pragma once
// The portal read cache (docs/portal-cache.md): answers of portal GET routes a plugin declared
// cacheable (SDK 1.9 Registrar::addCachedRead), kept per portal user and request target, and
// served again while no row they may have been read from has changed.
//
// Correct by construction, on every node: an entry is good only while the change feed
// (data/change_feed.h) is live and the sum of three generations is the one read BEFORE the
// handler ran: the firm-wide portal key (FirmShared rows, firm settings, bulk changes), the
// client's portal key (its rows of Tenancy::Client tables) and the guard's firm key (sessions,
// users, the firm, its module switches). Generations only grow, so the sum changes whenever one
// of them does. The triggers that announce the keys are generated with the tenancy SQL
// (tenancy/tenancy_sql.h); other nodes hear of a change through NOTIFY (PostgreSQL) or the
// shared change file (SQLite), so no node answers from a row changed longer ago than the
// feed's proof interval (PgChangeFeed::kProofMs).
//
// The dispatcher decides what may be cached (GET, declared route, portal principal, no range or
// conditional headers) and what may be stored (a 200 answered from a buffer, no cookie or other
// header of the handler's own, no mail, nothing committed midway).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "identity/buffered_audit.h"

namespace lexos::core {

class ChangeFeed;

class ReadCache {
 public:
  /// A stored answer. Immutable once stored (shared with the requests serving it).
  struct Entry {
    int status = 200;
    std::string content_type;
    std::string body;
    /// The handler's read audit events: recorded again for each answer served from memory
    /// (one ledger row per view, as if the handler had run).
    std::vector<BufferedAudit::Event> events;
    std::uint64_t fingerprint = 0;
    std::chrono::steady_clock::time_point stored;
  };

  /// `seconds`: the longest an entry is served (cache.portal_seconds, > 0); `maxEntries`: the
  /// most entries held in all (cache.portal_entries).
  ReadCache(ChangeFeed& feed, int seconds, std::size_t maxEntries);

  /// The key of one portal user's request target (path and raw query).
  static std::string key(std::int64_t firm, std::int64_t user, std::int64_t client, const std::string& path,
                         const std::string& query);
  /// Whether a change made anywhere reaches this node's feed now (otherwise: neither serve nor store).
  bool live() const;
  /// The validity fingerprint of a client's portal answers: read it BEFORE the answer is
  /// computed. Lock-free; any thread.
  std::uint64_t fingerprint(std::int64_t firm, std::int64_t client) const;
  /// The entry of `key` when it was stored with `fingerprint` (read now, by the caller), is
  /// younger than `seconds` and the feed is live; null otherwise. Counts a hit or a miss.
  /// Thread-safe.
  std::shared_ptr<const Entry> find(const std::string& key, std::uint64_t fingerprint);
  /// Stores an answer computed after `entry.fingerprint` was read; evicts the shard's oldest
  /// entry when it is full. Thread-safe.
  void store(const std::string& key, Entry entry);

  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  std::size_t entries() const;
  int seconds() const { return seconds_; }

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::list<std::string> order;  // keys, oldest first
    struct Slot {
      std::shared_ptr<const Entry> entry;
      std::list<std::string>::iterator at;
    };
    std::unordered_map<std::string, Slot> map;
  };
  Shard& shardOf(const std::string& key);

  ChangeFeed& feed_;
  const std::chrono::seconds maxAge_;
  const int seconds_;
  const std::size_t perShard_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace lexos::core
