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

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lexos::core {

class ChangeFeed {
 public:
  static constexpr std::size_t kSlots = 4096;  // slot 0: everything; 1..: firms, hashed

  /// The feed of one database (by URL), shared by every connection of this process.
  static ChangeFeed& forDatabase(const std::string& url);

  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  /// The generation of a firm's cached rows. Changes whenever one of them may have changed.
  std::uint64_t generation(std::int64_t firm) const;
  /// Publishes committed changes of these firms (0: all firms).
  void publish(const std::vector<std::int64_t>& firms);
  /// True when a change made anywhere is known to reach generation() (SQLite: the shared file
  /// is mapped and still the one on disk; PostgreSQL: the listener has heard its last ping).
  /// A cache must not answer otherwise.
  bool live() const;
  /// SQLite: whether this process's changes reach other processes (the shared file is mapped).
  /// Always true on PostgreSQL (NOTIFY travels with the transaction).
  bool announces() const { return postgres_ || mapped_.load(std::memory_order_acquire); }
  /// SQLite: maps the shared file now if it is not (the database must exist); announces().
  bool prepare();
  /// Why the feed is not live or does not announce (for the log); empty when it is fine.
  std::string problem() const;

  /// PostgreSQL: LISTEN on a connection of its own (`listenUrl`, default the feed's URL),
  /// reconnecting as needed. Counted: each startListener() needs its stopListener(); the last
  /// one stops the thread.
  void startListener(const std::string& listenUrl = {});
  void stopListener();
  /// Notifications of changes received by the listener (tests and diagnostics).
  std::uint64_t notificationsReceived() const { return received_.load(); }

  /// PostgreSQL: the cache answers only while the last ping heard back was sent less than this
  /// long ago. Every change committed before that ping was sent has been heard by then
  /// (notifications arrive in commit order), so no node answers from a row changed longer ago
  /// than this, whatever it was doing (busy, paused, partitioned).
  static constexpr int kProofMs = 500;

 private:
  explicit ChangeFeed(std::string url);
  std::uint64_t* slot(std::size_t i) const { return slots_.load(std::memory_order_acquire) + i; }
  std::size_t slotOf(std::int64_t firm) const;
  bool mapShared();           // SQLite: (re)map <db>-guard; false with problem_ set
  void checkFile() const;     // SQLite: remap when the file on disk was replaced
  void listen();

  std::string url_;
  std::string listenUrl_;
  bool postgres_ = false;
  std::atomic<std::uint64_t*> slots_{nullptr};  // kSlots counters, mapped shared (SQLite) or private
  std::vector<std::uint64_t> private_;          // backing store when not mapped
  void* map_ = nullptr;
  std::uint64_t dev_ = 0, ino_ = 0;             // the mapped file
  std::atomic<std::uint64_t> epoch_{0};         // bumped on remap: older generations never match
  mutable std::atomic<std::int64_t> checkedAt_{0};
  mutable std::mutex fileMu_;
  std::string problem_;
  std::atomic<bool> live_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::int64_t> provenSentAt_{0};  // steady-clock ns of the last ping heard back
  std::atomic<bool> mapped_{false};
  std::thread listener_;
  int listeners_ = 0;
  std::mutex mu_;
};

}  // namespace lexos::core
