#pragma once
// The change feed of a SQLite database (data/change_feed.h): the counters live in a small file
// mapped shared beside the database (`<file>-guard`), so every process working on the database
// (lexosd, lexosctl) sees the others' changes the moment they commit.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "data/change_feed.h"

namespace lexos::core {

class SqliteChangeFeed : public ChangeFeed {
 public:
  /// The feed of the database file `file`; maps `<file>-guard` when the database exists.
  explicit SqliteChangeFeed(std::string file);

  bool live() const override;
  bool announces() const override { return mapped_.load(std::memory_order_acquire); }
  bool prepare() override;
  std::string problem() const override;
  void startListener(const std::string&) override {}
  void stopListener() override {}
  std::uint64_t notificationsReceived() const override { return 0; }

 private:
  bool mapShared();        // (re)map <db>-guard; false with problem_ set
  void checkFile() const;  // remap when the file on disk was replaced

  std::string file_;
  void* map_ = nullptr;
  std::uint64_t dev_ = 0, ino_ = 0;  // the mapped file
  mutable std::atomic<std::int64_t> checkedAt_{0};
  mutable std::mutex fileMu_;
  std::string problem_;
  std::atomic<bool> live_{false};
  std::atomic<bool> mapped_{false};
};

}  // namespace lexos::core
