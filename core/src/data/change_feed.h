#pragma once
// The change feed behind the guard's session cache: generation counters, one per firm (hashed
// into slots) and one for everything, bumped after any transaction that changed a row the guard
// caches (sessions, users, firms) commits. A cached session is good only while its firm's
// generation is the one read before the session was looked up.
//
// How a change reaches every reader:
// - SQLite: triggers on those tables call lexos_guard_changed(firm) (registered on every
//   connection); the connection publishes at COMMIT into a small file mapped shared beside the
//   database (`<file>-guard`), so lexosctl's changes reach lexosd's cache too. A process that
//   cannot map that file refuses to commit such a change (it could not announce it), and a
//   lexosd that cannot map it does not cache.
// - PostgreSQL: the triggers also NOTIFY lexos_guard with the firm id; each lexosd listens on
//   a connection of its own (startListener) and bumps its counters when a notification arrives.
//   Changes made on this node are published right after their COMMIT, without waiting. The
//   listener proves the path every 100 ms: a ping NOTIFYed through database.url must come
//   back; the feed is live only while the last ping heard back was sent less than kProofMs ago
//   (checked by the reader, so a paused or starved listener cannot leave it on). After 5 s
//   without the ping it reconnects, and everything cached before is dropped.
//
// ChangeFeed is what the guard and the connections use; SqliteChangeFeed
// (data/sqlite_change_feed.h) and PgChangeFeed (data/pg_change_feed.h) are the two ways.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace lexos::core {

// The portal read cache (http/read_cache.h) rides on the same feed with keys of its own,
// negative so that they never meet a firm id the guard announces: the firm-wide portal key of a
// firm (a FirmShared row, a firm setting, more than 64 rows in one transaction) and the portal
// key of one client (a row of a Tenancy::Client table). The triggers that announce them are
// generated in tenancy/tenancy_sql.cpp, which writes the same negation in SQL. Ids of firms and
// clients may coincide (and every key is hashed into kSlots slots anyway): a collision only
// costs a spurious invalidation, never a stale answer.
inline std::int64_t portalFirmKey(std::int64_t firm) { return -firm; }
inline std::int64_t portalClientKey(std::int64_t client) { return -client; }

class ChangeFeed {
 public:
  static constexpr std::size_t kSlots = 4096;  // slot 0: everything; 1..: firms, hashed

  /// The feed of one database (by URL: `sqlite:` gives a SqliteChangeFeed, anything else a
  /// PgChangeFeed), shared by every connection of this process. Never destroyed.
  static ChangeFeed& forDatabase(const std::string& url);

  virtual ~ChangeFeed() = default;
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  /// The generation of a firm's cached rows. Changes whenever one of them may have changed.
  /// Lock-free; any thread.
  std::uint64_t generation(std::int64_t firm) const;
  /// Publishes committed changes of these firms (0: all firms). Lock-free; any thread.
  void publish(const std::vector<std::int64_t>& firms);
  /// True when a change made anywhere is known to reach generation() (SQLite: the shared file
  /// is mapped and still the one on disk; PostgreSQL: the listener has heard its last ping).
  /// A cache must not answer otherwise.
  virtual bool live() const = 0;
  /// Whether this process's changes reach other processes (SQLite: the shared file is mapped;
  /// always true on PostgreSQL, where NOTIFY travels with the transaction).
  virtual bool announces() const = 0;
  /// SQLite: maps the shared file now if it is not (the database must exist); announces().
  virtual bool prepare() = 0;
  /// Why the feed is not live or does not announce (for the log); empty when it is fine.
  virtual std::string problem() const = 0;

  /// PostgreSQL: LISTEN on a connection of its own (`listenUrl`, empty: the feed's URL),
  /// reconnecting as needed. Counted: each startListener() needs its stopListener(); the last
  /// one stops the thread. Nothing to do on SQLite.
  virtual void startListener(const std::string& listenUrl) = 0;
  void startListener() { startListener(std::string()); }
  virtual void stopListener() = 0;
  /// Notifications of changes received by the listener (tests and diagnostics).
  virtual std::uint64_t notificationsReceived() const = 0;

 protected:
  ChangeFeed();
  /// Moves the counters to `slots` (kSlots of them, e.g. a shared mapping that stays mapped).
  /// With `replacing`, generations read before never match again.
  void useSlots(std::uint64_t* slots, bool replacing);

 private:
  std::uint64_t* slot(std::size_t i) const { return slots_.load(std::memory_order_acquire) + i; }
  static std::size_t slotOf(std::int64_t firm);

  std::atomic<std::uint64_t*> slots_{nullptr};  // kSlots counters, mapped shared (SQLite) or private
  std::vector<std::uint64_t> private_;          // backing store when not mapped
  std::atomic<std::uint64_t> epoch_{0};         // bumped on remap: older generations never match
};

}  // namespace lexos::core
