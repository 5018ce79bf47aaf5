#pragma once
// The change feed of a PostgreSQL database (data/change_feed.h): the change triggers NOTIFY
// lexos_guard with the firm id; a listener thread LISTENs on a connection of its own and bumps
// the counters, and proves the path every 100 ms with a ping NOTIFYed through database.url.
// Changes made on this node are published right after their COMMIT, without waiting.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "data/change_feed.h"

namespace lexos::core {

class PgChangeFeed : public ChangeFeed {
 public:
  /// The feed of the database at `url` (database.url); no thread until startListener().
  explicit PgChangeFeed(std::string url);
  ~PgChangeFeed() override;

  bool live() const override;
  bool announces() const override { return true; }
  bool prepare() override { return true; }
  std::string problem() const override { return {}; }
  void startListener(const std::string& listenUrl) override;
  using ChangeFeed::startListener;
  void stopListener() override;
  std::uint64_t notificationsReceived() const override { return received_.load(); }

  /// The cache answers only while the last ping heard back was sent less than this long ago.
  /// Every change committed before that ping was sent has been heard by then (notifications
  /// arrive in commit order), so no node answers from a row changed longer ago than this,
  /// whatever it was doing (busy, paused, partitioned).
  static constexpr int kProofMs = 500;

 private:
  void listen();

  std::string url_;
  std::string listenUrl_;
  std::atomic<bool> live_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::int64_t> provenSentAt_{0};  // steady-clock ns of the last ping heard back
  std::thread listener_;
  int listeners_ = 0;
  std::mutex mu_;
};

}  // namespace lexos::core
